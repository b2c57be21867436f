"""The risk dashboard in a real Voilà and a real headless Chromium: placing risks on the heat map, revealing the
model's view, and sliders that redraw the loss-exceedance curve."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

APP = "voila/render/risk-framing.ipynb"


@pytest.fixture
def app(page, voila_url, tmp_path):
    """The dashboard, loaded until its widgets are live; a screenshot is kept if the test fails."""
    page.goto(voila_url + APP, wait_until="commit")
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
    assert "Placed 1 of 11" in status.inner_text()

    cells = ["0-0", "1-1", "2-2", "3-3", "4-4", "0-4", "4-0", "1-3", "3-1", "2-0"]
    for n, cell in enumerate(cells, start=2):
        page.locator(f".smtk-cell-{cell}").click()
        page.wait_for_function(
            f"document.querySelector('.smtk-heatmap-status').textContent.includes('Placed {n} of 11')"
            if n < 11
            else "!document.querySelector('.smtk-heatmap-reveal').disabled"
        )
    assert reveal.is_enabled()
    reveal.click()
    brier = page.locator(".smtk-brier")
    brier.wait_for()
    assert re.search(r"Your Brier score: \d\.\d{3}", brier.inner_text())
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
