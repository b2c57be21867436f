"""Dashboards rendered by a real Voilà server in a real headless Chromium: no code shown, widgets live."""

from __future__ import annotations

import pytest

from graders.course.manifest import load_manifest

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
