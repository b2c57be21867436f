"""The executive apps' widgets driven from Python: inputs recompute, uploads list every problem and change nothing,
and the brief is a one-page tagged PDF whose figures carry the charts' findings.
(The same apps in a real browser: tests/test_browser_apps.py.)"""

from __future__ import annotations

import base64
import datetime as dt
import html as html_lib
import io
import re

import pytest
from pdf_tags import Tags, assert_pdfua
from pypdf import PdfReader

from graders.paths import DEMO_ORG
from simulations.benchmark.peers import FLAGS, load_peers
from simulations.common.audiences import AUDIENCES
from simulations.profile.org import load_org
from simulations.roi import evaluate, read_costs_benefits_csv
from simulations.ui.apps.benchmark import FLAG_LABELS, BenchmarkApp
from simulations.ui.apps.roi import RoiApp

ORG = load_org(DEMO_ORG).to_parameters()
BAD_COSTS = b"""type,category,item,quantity,unit_value,attribution,confidence
cost,design,Course design,1,abc,,
benefit,travel,Hours saved,2000,48,1.5,60%
"""
GOOD_COSTS = b"""type,category,item,quantity,unit_value,attribution,confidence
cost,design,Course design,1,20000,,
cost,participants_time,Employees' time,1500,40,,
benefit,risk,Expected loss avoided,100000,1,0.8,75%
"""


def upload(widget, name: str, data: bytes) -> None:
    widget.value = (
        {
            "name": name,
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": dt.datetime.now(),
        },
    )


def text(markup: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def links(html: str) -> dict[str, bytes]:
    return {
        name: base64.b64decode(data)
        for name, data in re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', html)
    }


def one_page_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and len(PdfReader(io.BytesIO(data)).pages) == 1


def tagged_brief(data: bytes, tmp_path) -> Tags:
    """The brief as a screen reader gets it: PDF/UA-1 tags, one page, and its figures' alternative texts."""
    path = tmp_path / "brief.pdf"
    path.write_bytes(data)
    assert one_page_pdf(data)
    return assert_pdfua(path)


@pytest.fixture(scope="module")
def roi():
    return RoiApp(ORG)


def test_roi_shows_money_and_recomputes_on_every_input(roi):
    first = roi.kpis.value
    assert "$" in text(first) and "Larkspur Appliances" in roi.headline.value
    band, tornado = bytes(roi.band_image.value), bytes(roi.tornado_image.value)
    assert band.startswith(b"<svg") and tornado.startswith(b"<svg")
    roi.coverage["employees"].value = 50
    assert roi.kpis.value != first and bytes(roi.band_image.value) != band and bytes(roi.tornado_image.value) != tornado
    assert roi.analysis.program.costs[0].name == "design"
    assert evaluate(roi.analysis.program).costs["time:employees"] == 2_100 * 48  # half of 4,200 employees, 1 h
    for widget, value in ((roi.style, "sanitised"), (roi.revenue, 500_000), (roi.years, 3)):
        before = roi.kpis.value
        widget.value = value
        assert roi.kpis.value != before, widget
    assert roi.message.value == ""


def test_roi_bad_upload_lists_every_problem_and_keeps_the_model(roi):
    before = roi.kpis.value
    upload(roi.upload, "costs.csv", BAD_COSTS)
    message = text(roi.message.value)
    assert message.startswith("costs.csv: 3 problems to fix, nothing was changed")
    assert "row 2, column unit_value: expected a number, got 'abc'" in message
    assert "row 3, column category: expected one of" in message
    assert "row 3, column attribution: expected a share between 0 and 1" in message
    assert "Traceback" not in roi.message.value
    assert roi.kpis.value == before and roi.uploaded_program is None


def test_roi_good_upload_replaces_the_model_until_asked_back(roi):
    upload(roi.upload, "actual.csv", GOOD_COSTS)
    assert roi.message.value == ""
    assert "your upload (actual.csv)" in roi.headline.value
    expected = evaluate(read_costs_benefits_csv(GOOD_COSTS), roi.years.value)
    assert f"{expected.roi_pct:+.0f}%" in text(roi.kpis.value)
    assert roi.model_box.layout.display == "none"
    roi.back.click()
    assert roi.uploaded_program is None and "the model" in roi.headline.value


def test_roi_brief_is_a_one_page_tagged_pdf_saying_what_the_app_says(roi, tmp_path):
    roi.brief_button.click()
    files = links(roi.brief_links.value)
    assert set(files) == {"roi-brief-demo.pdf"}
    tags = tagged_brief(files["roi-brief-demo.pdf"], tmp_path)
    findings = [text(roi.band_chart.finding.value), text(roi.tornado_chart.finding.value)]
    assert tags.figures_alt == findings  # each chart's alternative is the finding the app shows under it
    assert "/Table" in tags.roles and "/TH" in tags.roles
    page = PdfReader(tmp_path / "brief.pdf").pages[0].extract_text()
    assert f"{roi.analysis.result.roi_pct:+.0f}%" in page
    roi.coverage["executives"].value = 50
    assert roi.brief_links.value == "", "a brief of old figures is withdrawn when an input changes"


def test_roi_template_link_round_trips(roi):
    template = links(roi.template.value)["roi-costs-benefits.csv"]
    again = evaluate(read_costs_benefits_csv(template), roi.analysis.years)
    assert again.total_costs == pytest.approx(roi.analysis.result.total_costs)


@pytest.fixture(scope="module")
def bench():
    return BenchmarkApp(ORG)


def test_benchmark_reads_the_profile_and_moves_up_a_stage(bench):
    assert "stage 1 of 5: foundation" in text(bench.headline.value)
    assert "synthetic" in text(bench.data_note.value)
    radar = bytes(bench.radar_image.value)
    bench.flags["recurring_program"].value = True
    assert "stage 2 of 5: safety" in text(bench.headline.value)
    bench.coverage["employees"].value = 80
    assert bytes(bench.radar_image.value) != radar
    assert text(bench.gaps.value).count("peer median") == 3


def test_benchmark_bad_peer_csv_is_listed_and_changes_nothing(bench):
    before = bench.headline.value
    bad = b"company,industry,size_band\nA,retail,huge\n"
    upload(bench.upload, "peers.csv", bad)
    message = text(bench.message.value)
    assert message.startswith("peers.csv:") and "required column 'employees' is missing" in message
    assert "row 2, column size_band: expected one of small, mid, large, got 'huge'" in message
    assert bench.headline.value == before and bench.peers is bench.builtin


def test_benchmark_uploaded_peers_replace_the_builtin_ones(bench, tmp_path):
    peers = load_peers()
    subset = peers[peers["industry"] == "retail"]
    upload(bench.upload, "our-peers.csv", subset.to_csv(index=False).encode())
    assert bench.message.value == ""
    note = text(bench.data_note.value)
    assert "synthetic" not in note.lower() and "our-peers.csv" in note
    bench.back.click()
    assert "synthetic" in text(bench.data_note.value)


def test_benchmark_brief_is_a_one_page_tagged_pdf(bench, tmp_path):
    bench.brief_button.click()
    files = links(bench.brief_links.value)
    assert set(files) == {"benchmark-brief-demo.pdf"}
    tags = tagged_brief(files["benchmark-brief-demo.pdf"], tmp_path)
    assert tags.figures_alt == [text(bench.radar_chart.finding.value), text(bench.percentile_chart.finding.value)]


def test_every_yes_no_practice_and_audience_has_an_input(bench):
    assert set(FLAG_LABELS) == set(FLAGS) == set(bench.flags)
    assert set(bench.coverage) == set(AUDIENCES)
