"""The triage inbox under a real Voilà in a real headless Chromium: route buttons update the chart and the debrief."""

from __future__ import annotations

import pytest

import simulations.triage as triage
from simulations.org import org_parameters

pytestmark = pytest.mark.browser
CHART = "img.smtk-reach-chart"


def test_routing_posts_in_the_drill_updates_the_chart_and_the_debrief(page, voila_url):
    org = org_parameters(None)  # the drill dashboard runs for the demo organisation, care-desk scenario, seed 0
    stream = triage.generate_stream("care-desk", seed=0, org_name=org["name"], products=org["products"])
    labels = {name: route.label for name, route in stream.policy.routes.items()}

    page.goto(f"{voila_url}voila/render/triage-drill.ipynb", wait_until="commit")
    page.locator(".smtk-inbox").wait_for(timeout=120_000)
    assert "Traceback" not in page.content() and page.locator(".jp-InputPrompt").count() == 0
    status = page.locator(".smtk-status")
    assert f"0 of {len(stream)} handled" in status.inner_text()
    assert stream.posts.loc[0, "text"] in page.locator(".smtk-post").inner_text()

    chart = page.locator(CHART)
    first_chart = chart.get_attribute("src")
    first = str(stream.posts.loc[0, "route"])
    page.get_by_role("button", name=labels[first], exact=True).click()
    page.wait_for_function(
        "([selector, before]) => document.querySelector(selector).getAttribute('src') !== before",
        arg=[CHART, first_chart],
    )
    assert f"1 of {len(stream)} handled" in status.inner_text()
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
