"""The risk widgets in a real headless Chromium: the dashboard under Voilà (placing risks on the heat map, revealing
the model's view, sliders that redraw the loss-exceedance curve) and the heat map in JupyterLab, saved and restored."""

from __future__ import annotations

import re
import secrets
import shutil
import socket
import time

import pytest
from lab import run_all_cells
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from graders.serving.servers import HOST, lab_command, start, tail
from simulations.profile.org import PROFILE_FILE
from simulations.risk import load_register, risk_for_org
from simulations.ui.lessons.record import saved_record
from simulations.ui.lessons.risk_heatmap import RiskHeatMap

pytestmark = pytest.mark.browser

APP = "voila/render/risk-framing.ipynb"
RISKS = len(load_register())  # the dashboard's register (the demo profile's: the same risks)
# cells to click after the first placement, one per remaining risk
MORE_CELLS = ["0-0", "1-1", "2-2", "3-3", "4-4", "0-4", "4-0", "1-3", "3-1", "2-0", "2-4", "0-2"][: RISKS - 1]


@pytest.fixture
def app(page, voila_url, tmp_path):
    """The dashboard, loaded until its widgets are live; a screenshot is kept if the test fails."""
    page.goto(voila_url + APP, wait_until="commit")
    try:
        page.locator(".smtk-heatmap-cell").first.wait_for(timeout=120_000)
    except PlaywrightTimeout:
        # On a loaded machine jupyter_server may give up on a new kernel ("Kernel never reached an 'alive' state")
        # and the page stays empty; a learner reloads, and so does the test, once.
        page.reload(wait_until="commit")
        page.locator(".smtk-heatmap-cell").first.wait_for(timeout=120_000)
    page.locator("img.smtk-loss-curve").first.wait_for()
    yield page
    page.screenshot(path=str(tmp_path / "risk-dashboard.png"), full_page=True)


def test_learner_places_every_risk_then_sees_the_model_and_a_score(app):
    page = app
    assert "Traceback" not in page.content() and "RiskHeatMap(" not in page.inner_text("body")
    status = page.locator(".smtk-heatmap-status")
    reveal = page.locator(".smtk-heatmap-reveal")
    assert reveal.is_disabled()

    page.locator(".smtk-heatmap-picker select").select_option(index=2)  # the third risk
    page.locator(".smtk-cell-3-2").click()
    page.wait_for_function("document.querySelector('.smtk-cell-3-2').textContent.trim() === '3'")
    assert f"Placed 1 of {RISKS}" in status.inner_text()

    for n, cell in enumerate(MORE_CELLS, start=2):
        page.locator(f".smtk-cell-{cell}").click()
        page.wait_for_function(
            f"document.querySelector('.smtk-heatmap-status').textContent.includes('Placed {n} of {RISKS}')"
            if n < RISKS
            else "!document.querySelector('.smtk-heatmap-reveal').disabled"
        )
    assert reveal.is_enabled()
    reveal.click()
    gap = page.locator(".smtk-gap")
    gap.wait_for()
    assert re.search(r"Your mean squared gap from the model: \d\.\d{3}", gap.inner_text())
    assert "locked" in status.inner_text()
    assert page.locator(".smtk-cell-0-0").is_disabled()


def test_a_slider_redraws_the_loss_curve(app):
    page = app
    image = page.locator(".smtk-coverage-explorer img.smtk-loss-curve")
    readout = page.locator(".smtk-risk-readout")
    before_src, before_text = image.get_attribute("src"), readout.inner_text()
    handle = page.locator(".smtk-coverage-employees .noUi-handle")
    handle.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "src => document.querySelector('.smtk-coverage-explorer img.smtk-loss-curve').src !== src", arg=before_src
    )
    page.wait_for_function("text => document.querySelector('.smtk-risk-readout').innerText !== text", arg=before_text)
    assert page.locator(".smtk-coverage-employees .widget-readout").inner_text().strip() != "0"
    assert "Program cost a year" in readout.inner_text() and "$0" not in readout.inner_text().split("Program")[1]

    # the open-versus-sanitised comparison redraws too
    styles = page.locator(".smtk-style-table")
    before = styles.inner_text()
    page.locator(".smtk-style-coverage .noUi-handle").focus()
    page.keyboard.press("End")
    page.wait_for_function("text => document.querySelector('.smtk-style-table').innerText !== text", arg=before)


@pytest.mark.slow
def test_placements_made_in_jupyterlab_are_saved_in_the_notebook_and_restored(page, demo_course, tmp_path):
    """A learner places the risks in JupyterLab and saves; the placements are in the file, and a new run of the
    notebook (after a restart, or under nbgrader autograde) starts from them."""
    root = tmp_path / "lab"
    root.mkdir()
    path = root / "risk-framing.ipynb"
    shutil.copyfile(demo_course.release("risk-framing"), path)
    shutil.copyfile(demo_course.release("risk-framing").parent / PROFILE_FILE, root / PROFILE_FILE)
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    token = secrets.token_hex(8)
    # its own workspace, so the tabs it leaves open are not restored in another test's JupyterLab
    env = {"JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    api = f"http://{HOST}:{port}/api"
    lab = start("JupyterLab", lab_command(root, port, token), root, api, tmp_path / "lab.log", env)
    cells = ["3-2", *MORE_CELLS]
    try:
        lab.wait_ready()
        run_all_cells(page, f"http://{HOST}:{port}/lab/tree/risk-framing.ipynb?reset&token={token}")
        try:
            page.locator(".smtk-cell-0-0").wait_for(timeout=120_000)
        except Exception:
            page.screenshot(path=str(tmp_path / "lab.png"))
            pytest.fail(f"the heat map never appeared; screenshot {tmp_path / 'lab.png'}; log:\n{tail(lab.log)}")
        for n, cell in enumerate(cells, start=1):
            page.locator(f".smtk-cell-{cell}").click()
            page.wait_for_function(
                "([n, all]) => {"
                " const text = document.querySelector('.smtk-heatmap-status').textContent;"
                " return text.includes(`Placed ${n} of ${all}`) || text.includes(`All ${all}`); }",
                arg=[n, RISKS],
            )
        page.keyboard.press("Control+s")
        deadline = time.monotonic() + 60
        while len((saved_record(path, "risk-framing") or {}).get("placements", {})) < RISKS:
            assert time.monotonic() < deadline, "JupyterLab did not save the placements in the notebook"
            time.sleep(0.25)
    finally:
        lab.stop()
    register = risk_for_org(demo_course.org.to_parameters()).register
    restored = RiskHeatMap(register, key="risk-framing", notebook=path)
    assert restored.recorder.restored and restored.placed_all
    # the first click placed risk 1 in cell (likely, major); each later click placed the next risk
    assert restored.placements[register.ids[0]] == ("likely", "major")
    assert restored.placements[register.ids[10]] == ("possible", "minor")  # the eleventh click, cell 2-0
    assert restored.placements[register.ids[-1]] == ("rare", "major")  # the last click, cell 0-2
