"""The trainer app and the course overview under a real Voilà in Chromium, on a gradebook made by grading real
submissions."""

from __future__ import annotations

import socket
from contextlib import contextmanager
from pathlib import Path

import pytest
from accessibility import axe_violations, described
from conftest import ODD_COMMENT

from graders.paths import DASHBOARDS
from graders.results.trainer_data import COURSE_ENV
from graders.serving.dashboards import dashboards_url, start_dashboards
from graders.serving.servers import HOST

pytestmark = pytest.mark.browser


@contextmanager
def voila_for(course: Path, log: Path, notebook: str = "trainer.ipynb"):
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    # No preheated pools: each page runs the trainer notebook on request, so this server does not warm every app's
    # kernels while the rest of the suite runs beside it.
    server = start_dashboards(port, log, folder=DASHBOARDS, pool_size=0, env={COURSE_ENV: str(course)})
    try:
        yield f"{dashboards_url(port)}voila/render/{notebook}"
    finally:
        server.stop()


def summary_is(page, text: str) -> None:
    """Wait for the headline, which the app updates after every table and the chart."""
    page.wait_for_function(f"document.querySelector('.smtk-summary').textContent.startsWith({text!r})")


TRACK_CELL = """([track, column]) => {
    const table = document.querySelector('table.smtk-tracks');
    const heads = [...table.querySelectorAll('thead th')].map(h => h.textContent.trim());
    const row = [...table.querySelectorAll('tbody tr')].find(r => r.cells[0].textContent.trim() === track);
    return row.cells[heads.indexOf(column)].textContent.trim();
}"""


ITEM_ROWS = """() => {
    const table = document.querySelector('table.smtk-items');
    const heads = [...table.querySelectorAll('thead th')].map(h => h.textContent.trim());
    return [...table.querySelectorAll('tbody tr')].map(
        r => Object.fromEntries(heads.map((h, i) => [h, r.cells[i].textContent.trim()])));
}"""


def item_ids(course: Path) -> list[str]:
    """The graded items of the graded module, from its lessons' source notebooks' nbgrader metadata."""
    import nbformat

    ids = []
    for notebook in sorted((course / "source" / "policy-disclosure").glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        ids += [c.metadata.nbgrader["grade_id"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("points")]
    return ids


def track_cell(page, track: str, column: str) -> str:
    return page.evaluate(TRACK_CELL, [track, column])


def test_trainer_app_filters_and_shows_feedback_safely(page, graded_course, tmp_path):
    with voila_for(graded_course, tmp_path / "voila.log") as url:
        page.goto(url, wait_until="commit")
        page.locator(".smtk-progress").wait_for(timeout=120_000)
        assert "Policy, disclosure and whom to ask" in page.inner_text(".smtk-progress")
        summary_is(page, "2 submission(s) from 2 learner(s)")
        page.wait_for_function("() => document.querySelector('img.widget-image').getAttribute('alt')")
        violations = axe_violations(page)  # WCAG 2.2 A and AA, with every table and the chart drawn
        assert violations == [], "\n".join(described(violations))
        chart = page.locator(".widget-image").first  # the score distribution; the item chart comes later
        before = chart.get_attribute("src")
        assert [track_cell(page, "employees", c) for c in ("learners", "passed", "certified")] == ["2", "1", "1"]
        stats = page.evaluate(ITEM_ROWS)
        assert {row["item"] for row in stats} == set(item_ids(graded_course)), "every graded item, written ones too"
        assert {row["widget"] for row in stats if row["item"] == "q6-message"} == {"written"}
        # ada has every point and bob none: each item's difficulty is 0.5, and two learners give no discrimination
        assert {row["difficulty (mean share of points)"] for row in stats} == {"0.5"}
        assert {row["discrimination (point-biserial)"] for row in stats} == {"–"}
        assert page.inner_text(".smtk-items-summary") == f"0 of {len(stats)} item(s) flagged for review."
        item_chart = page.locator(".smtk-chart", has_text=f"0 of {len(stats)} item(s) have both figures")
        alt = item_chart.locator("img.widget-image").get_attribute("alt")
        assert alt.startswith("Item difficulty and discrimination. 0 of") and "0 flagged for review" in alt
        item_chart.get_by_role("button", name="Show as table").click()
        chart_rows = item_chart.locator(".smtk-chart-table tbody tr")
        assert chart_rows.count() == len(stats) and "q6-message" in item_chart.locator(".smtk-chart-table").inner_text()
        assert "Clear and short." in page.inner_text(".smtk-comments")

        comments = page.inner_text(".smtk-comments")
        assert '<img src=x onerror="window.__xss=1">' in comments and "👍" in comments and "<b>bold</b>" in comments
        assert page.evaluate("window.__xss") is None, "a learner's comment ran as HTML"
        assert page.locator(".smtk-comments b").count() == 0

        page.get_by_label("Business unit").select_option("Support")
        summary_is(page, "1 submission(s) from 1 learner(s)")
        page.wait_for_function("b => document.querySelector('.widget-image').getAttribute('src') !== b", arg=before)
        assert "Clear and short." not in page.inner_text(".smtk-comments")
        assert ODD_COMMENT.split("&")[0].strip() in page.inner_text(".smtk-comments")
        assert [track_cell(page, "employees", c) for c in ("learners", "passed", "certified")] == ["1", "0", "0"]

        page.get_by_label("Region").select_option("Americas")
        summary_is(page, "0 submission(s) from 0 learner(s)")
        assert "No comments yet." in page.inner_text("body")
        assert "Traceback" not in page.content()


def test_trainer_app_on_an_empty_gradebook(page, demo_course, tmp_path):
    with voila_for(demo_course.root, tmp_path / "voila.log") as url:
        page.goto(url, wait_until="commit")
        page.get_by_text("Nothing to show yet").wait_for(timeout=120_000)
        assert "no graded submissions yet" in page.inner_text("body")
        assert "Traceback" not in page.content()


def test_course_overview_shows_each_questions_widget_and_statistics(page, graded_course, tmp_path):
    with voila_for(graded_course, tmp_path / "voila.log", "course-overview.ipynb") as url:
        page.goto(url, wait_until="commit")
        page.locator("table.smtk-questions").wait_for(timeout=120_000)
        violations = axe_violations(page)  # WCAG 2.2 A and AA, both tables drawn
        assert violations == [], "\n".join(described(violations))
        rows = page.evaluate(ITEM_ROWS.replace("smtk-items", "smtk-questions"))
        graded = {r["item"]: r for r in rows if r["module"] == "Policy, disclosure and whom to ask"}
        assert set(graded) == set(item_ids(graded_course))
        assert {r["difficulty (mean share of points)"] for r in graded.values()} == {"0.5"}  # ada all, bob none
        assert {r["learners"] for r in graded.values()} == {"2"}
        assert graded["q6-message"]["widget"] == "written" and graded["q1-tests"]["widget"] == "MultipleChoice"
        kpis = [r for r in rows if r["module"].startswith("Governance: policy")]  # the analysts' code exercises
        assert kpis and {r["widget"] for r in kpis} >= {"code"}
        goals = {r["item"]: r for r in rows if r["module"].startswith("Business goals")}
        assert [goals[i]["widget"] for i in ("q1-tests", "q2a-tests", "q3-tests", "q4-opening")] == [
            "MultipleChoice",
            "Number",
            "Ordering",
            "written",
        ]
        assert {r["learners"] for r in goals.values()} == {"–"}, "no one took it: no statistics"
        page.get_by_label("Audience of the questions").select_option("Partners, resellers and franchisees")
        page.wait_for_function(
            "() => [...document.querySelectorAll('table.smtk-questions tbody tr')]"
            ".every(r => r.cells[0].textContent.trim() === 'Partners, resellers and franchisees')"
        )
        assert "Traceback" not in page.content()
