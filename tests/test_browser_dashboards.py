"""Dashboards rendered by a real Voilà server in a real headless Chromium: no code shown, widgets live."""

from __future__ import annotations

import pytest
from accessibility import axe_result, violations

from graders.course.manifest import load_manifest
from graders.paths import DASHBOARDS
from graders.serving.landing import load_apps

pytestmark = pytest.mark.browser


def test_course_overview_renders_and_filters(page, voila_url):
    manifest = load_manifest()
    page.goto(f"{voila_url}voila/render/course-overview.ipynb")
    table = page.locator("table.smtk-table")
    table.wait_for()
    for module in manifest.modules:
        assert module.title in table.inner_text()
    assert "load_manifest" not in page.inner_text("body"), "Voilà must not show code"
    assert page.locator(".cm-editor, .jp-InputPrompt").count() == 0
    assert "Traceback" not in page.content()

    summary = page.locator(".smtk-summary")
    for track in (t for t in manifest.tracks if t.modules):
        page.select_option("select", label=track.title)
        expected = f"{len(track.modules)} row(s)"
        # Wait for this track's rows, not only the count: consecutive tracks can have the same number of modules.
        page.wait_for_function(
            """([expected, titles]) => document.querySelector('.smtk-summary').textContent === expected
                && titles.every(t => document.querySelector('table.smtk-table').innerText.includes(t))""",
            arg=[expected, [m.title for m in track.modules]],
        )
        shown = table.inner_text()
        assert all(m.title in shown for m in track.modules)
        assert not any(m.title in shown for m in manifest.modules if m not in track.modules)
    page.select_option("select", label="All")
    page.wait_for_function(f"document.querySelector('.smtk-summary').textContent === '{len(manifest.modules)} row(s)'")
    assert summary.inner_text() == f"{len(manifest.modules)} row(s)"


# WCAG 2.2 AA contrast of every text node's colour against the background it is drawn on (the nearest ancestor with
# an opaque background), for text of normal size: at least 4.5:1.
CONTRAST = """() => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim()) continue;
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))].sort((x, y) => y - x);
    found.push([walker.currentNode.textContent.trim().slice(0, 40), (a + 0.05) / (b + 0.05)]);
  }
  return found;
}"""


def test_the_landing_page_lists_the_executive_apps_accessibly(page, voila_url):
    apps = load_apps(DASHBOARDS)
    executive = [a for a in apps if a.audience == "executive"]
    trainer = [a for a in apps if a.audience == "trainer"]
    assert executive and trainer
    page.goto(voila_url)
    assert page.locator("html").get_attribute("lang") == "en" and "dashboards" in page.title()
    body = page.inner_text("body")
    assert ".ipynb" not in body, "no file names for executives"
    assert not any(a.title in body or a.question in body for a in trainer), "the trainer's apps are not listed"
    # Headings: one h1, then one h2 per executive app whose only content is a link named by the app's title.
    assert page.get_by_role("heading", level=1).count() == 1
    h2 = page.get_by_role("heading", level=2)
    assert h2.all_inner_texts() == [a.title for a in executive]
    for app in executive:
        link = h2.get_by_role("link", name=app.title, exact=True)
        assert link.get_attribute("href").endswith(f"voila/render/{app.notebook}")
        assert app.question in body and app.who in body
    assert page.get_by_role("link").count() == len(executive)
    ratios = page.evaluate(CONTRAST)
    assert ratios and all(ratio >= 4.5 for _, ratio in ratios), [r for r in ratios if r[1] < 4.5]
    # Keyboard: the first Tab reaches the first app, with a visible focus ring.
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == [executive[0].title, "solid"]
    result = axe_result(page)
    if result is not None:
        assert violations(result) == []
        assert len(result["passes"]) >= 5, "axe checked the page"
    # Voilà's own file list is gone; a title leads to its app.
    assert page.goto(f"{voila_url}voila/tree/trainer.ipynb").status == 404
    page.goto(voila_url)
    page.get_by_role("link", name="The course at a glance").click()
    page.locator("table.smtk-table").wait_for()
    assert page.url == f"{voila_url}voila/render/course-overview.ipynb"
