"""The triage inbox in a real headless Chromium: under Voilà, route buttons update the chart and the debrief; in
JupyterLab, a played shift is saved in the notebook and restored when the notebook runs again."""

from __future__ import annotations

import secrets
import socket
import time

import nbformat
import pytest
from lab import run_all_cells
from nbclient import NotebookClient

import simulations.triage as triage
from graders.serving.servers import HOST, lab_command, start, tail
from simulations.profile.org import org_parameters
from simulations.ui.lessons.record import saved_record

pytestmark = pytest.mark.browser
CHART = "img.smtk-reach-chart"


def test_routing_posts_in_the_drill_updates_the_chart_and_the_debrief(page, voila_url):
    org = org_parameters(None)  # the drill dashboard runs for the demo organisation, care-desk scenario, seed 0
    stream = triage.generate_stream("care-desk", seed=0, org_name=org["name"], products=org["products"])
    labels = {name: route.label for name, route in stream.policy.routes.items()}

    page.goto(f"{voila_url}voila/render/triage-drill.ipynb", wait_until="commit")
    page.locator(".smtk-inbox").wait_for()
    assert "Traceback" not in page.content() and page.locator(".jp-InputPrompt").count() == 0
    status = page.locator(".smtk-status")
    assert f"0 of {len(stream)} handled" in status.inner_text()
    assert stream.posts.loc[0, "text"] in page.locator(".smtk-post").inner_text()

    chart = page.locator(CHART)
    first_chart = chart.get_attribute("src")
    first = str(stream.posts.loc[0, "route"])
    page.get_by_role("button", name=labels[first], exact=True).click()
    # The status, not the chart, tells that the decision landed: the chart also redraws as the shift clock runs.
    page.wait_for_function(f"document.querySelector('.smtk-status').textContent.includes('1 of {len(stream)} handled')")
    page.wait_for_function(
        "([selector, before]) => document.querySelector(selector).getAttribute('src') !== before",
        arg=[CHART, first_chart],
    )
    assert labels[first] in page.locator(".smtk-last").inner_text()

    page.get_by_role("button", name="Monitor only", exact=True).click()
    page.wait_for_function(f"document.querySelector('.smtk-status').textContent.includes('2 of {len(stream)}')")

    page.get_by_role("button", name="End the shift").click()
    table = page.locator(".smtk-debrief table")
    table.wait_for()
    assert "Shift over" in status.inner_text()
    rows = table.locator("tbody tr")
    assert rows.count() == len(stream)
    assert labels[first] in rows.nth(0).inner_text()
    assert "no response" in rows.nth(len(stream) - 1).inner_text()
    assert page.get_by_role("button", name=labels[first], exact=True).is_disabled()


INBOX_CELL = """\
from simulations.profile.org import org_parameters
from simulations.ui.lessons.inbox import Inbox

inbox = Inbox.for_org(org_parameters(None), "care-desk", seed=7, record="shift", notebook="shift.ipynb")
inbox"""
REPORT_CELL = "print('played:', inbox.played, 'restored:', inbox.restored, 'decided:', inbox.score().decided)"


def test_a_shift_played_in_jupyterlab_is_saved_in_the_notebook_and_restored(page, tmp_path):
    root = tmp_path / "lab"
    root.mkdir()
    path = root / "shift.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(INBOX_CELL), nbformat.v4.new_code_cell(REPORT_CELL)]
    nb.metadata.kernelspec = {"name": "smtk", "display_name": "Social Media Training (Python 3)", "language": "python"}
    nbformat.write(nb, path)
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    token = secrets.token_hex(8)
    lab = start("JupyterLab", lab_command(root, port, token), root, f"http://{HOST}:{port}/api", tmp_path / "lab.log")
    try:
        lab.wait_ready()
        # ?reset: open only this notebook, not the tabs of the suite's previous Lab (their "file not found" dialogs
        # would swallow the clicks below)
        try:
            run_all_cells(page, f"http://{HOST}:{port}/lab/tree/shift.ipynb?reset&token={token}")
            page.locator(CHART).wait_for(timeout=120_000)
        except Exception:
            page.screenshot(path=str(tmp_path / "lab.png"))
            pytest.fail(f"the inbox never appeared; screenshot {tmp_path / 'lab.png'}; log:\n{tail(lab.log)}")
        before = page.locator(CHART).get_attribute("src")
        page.get_by_role("button", name="Restore", exact=True).click()  # the first post is the unhappy customer
        page.wait_for_function(
            "([selector, before]) => document.querySelector(selector).getAttribute('src') !== before",
            arg=[CHART, before],
        )
        page.get_by_role("button", name="End the shift").click()
        page.locator(".smtk-debrief table").wait_for()
        page.keyboard.press("Control+s")
        deadline = time.monotonic() + 60
        while not (saved_record(path, "shift") or {}).get("ended") and time.monotonic() < deadline:
            time.sleep(0.25)
        record = saved_record(path, "shift")
        assert record and record["ended"], "JupyterLab did not save the played shift in the notebook"
        assert [d["route"] for d in record["decisions"]] == ["restore"]
    finally:
        lab.stop()
    rerun = nbformat.read(path, as_version=4)
    NotebookClient(rerun, timeout=180, resources={"metadata": {"path": str(root)}}).execute()
    assert "played: True restored: True decided: 1" in rerun.cells[1].outputs[0]["text"]
