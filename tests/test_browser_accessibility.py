"""WCAG 2.2 AA in a real headless Chromium on every page `smtk dashboards` serves: axe-core finds nothing at levels A
and AA once each app has drawn its widgets, a keyboard alone moves the ROI app's first slider and the charts follow,
a chart's "Show as table" shows the numbers the chart is drawn from, and Tab alone reaches every control of each
app with a visible focus and no trap."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from accessibility import axe_or_skip, axe_violations, described

pytestmark = pytest.mark.browser

# Each page the dashboards server shows, and what marks it as drawn (its widgets live, its charts in place).
PAGES = {
    "landing page": ("", "h1"),
    "roi": ("voila/render/roi.ipynb", ".smtk-tornado"),
    "benchmark": ("voila/render/benchmark.ipynb", ".smtk-percentiles"),
    "risk-framing": ("voila/render/risk-framing.ipynb", ".smtk-style-coverage .noUi-handle"),
    "triage-drill": ("voila/render/triage-drill.ipynb", "img.smtk-reach-chart"),
    "course-overview": ("voila/render/course-overview.ipynb", "table.smtk-table"),
}
NAMED = """() => [...document.querySelectorAll('.noUi-handle')].every(h => h.getAttribute('aria-label'))
    && [...document.querySelectorAll('img.widget-image')].every(i => i.getAttribute('alt'))"""


def drawn(page, url: str, name: str) -> None:
    path, ready = PAGES[name]
    page.goto(url + path, wait_until="commit")
    page.locator(ready).first.wait_for()
    page.wait_for_function(NAMED)  # the front end names controls as they draw


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_a_or_aa_violation(page, voila_url, name):
    axe_or_skip()
    drawn(page, voila_url, name)
    violations = axe_violations(page)
    assert violations == [], "\n".join(described(violations))


FOCUSED = """() => { const e = document.activeElement;
  return [e.className, e.getAttribute('aria-label') || e.textContent.trim(), e.getAttribute('aria-valuenow')]; }"""


def test_a_keyboard_alone_moves_the_roi_apps_first_slider_and_the_figures_follow(page, voila_url):
    drawn(page, voila_url, "roi")
    first = page.locator(".widget-slider").first
    label = first.locator(".widget-label").inner_text()
    for _ in range(10):  # Tab from the top of the page to the first control
        page.keyboard.press("Tab")
        if "noUi-handle" in page.evaluate(FOCUSED)[0]:
            break
    classes, name, value = page.evaluate(FOCUSED)
    assert "noUi-handle" in classes and name == label, "the first control Tab reaches is the first slider, named"
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"
    kpis, band = page.inner_text(".smtk-kpis"), page.get_attribute("img.smtk-band", "src")
    page.keyboard.press("ArrowLeft")  # the sliders start at full coverage: down by one step
    page.wait_for_function(f"document.activeElement.getAttribute('aria-valuenow') !== {value!r}")
    assert float(page.evaluate(FOCUSED)[2]) < float(value)
    page.wait_for_function("([k]) => document.querySelector('.smtk-kpis').innerText !== k", arg=[kpis])
    page.wait_for_function("([b]) => document.querySelector('img.smtk-band').getAttribute('src') !== b", arg=[band])
    assert page.get_attribute("img.smtk-band", "alt").endswith(page.inner_text(".smtk-chart-finding >> nth=0"))


SVG_OF = "async (selector) => await (await fetch(document.querySelector(selector).src)).text()"


def test_a_charts_table_shows_the_numbers_the_chart_is_drawn_from(page, voila_url):
    drawn(page, voila_url, "benchmark")
    chart = page.locator(".smtk-chart", has=page.locator("img.smtk-percentiles"))
    table = chart.locator(".smtk-chart-table")
    assert not table.is_visible()
    toggle = chart.get_by_role("button", name="Show as table")
    toggle.focus()
    page.keyboard.press("Enter")  # a keyboard opens it too
    table.locator("table").wait_for()
    assert chart.get_by_role("button", name="Hide table").is_visible()
    rows = [[cell.inner_text() for cell in row.locator("td").all()] for row in table.locator("tbody tr").all()]
    # The chart as the browser draws it: per measure a grey full-width bar, the measure's bar and its two texts.
    svg = ET.fromstring(page.evaluate(SVG_OF, "img.smtk-percentiles"))
    ns = {"s": "http://www.w3.org/2000/svg"}
    rects, texts = svg.findall("s:rect", ns), [t.text for t in svg.findall("s:text", ns)]
    assert len(rows) >= 3
    for i, (measure, percentile) in enumerate(rows):
        full, bar = rects[2 * i], rects[2 * i + 1]
        drawn_percentile = 100 * float(bar.get("width")) / float(full.get("width"))
        assert abs(drawn_percentile - float(percentile)) <= 0.5 + 0.1, (measure, percentile, drawn_percentile)
        assert texts[2 * i + 1] == percentile
        assert measure.startswith(texts[2 * i].rstrip("…"))
    alt = page.get_attribute("img.smtk-percentiles", "alt")
    best = max(rows, key=lambda r: float(r[1]))
    assert f"{best[0]} at percentile {best[1]}" in alt, "the text alternative states the finding"


OVERFLOW = """() => { const root = document.scrollingElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1
      && getComputedStyle(e).position !== 'fixed' && e.getClientRects().length)
    .map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')).slice(0, 8);
  return [root.scrollWidth, root.clientWidth, wide]; }"""


# WCAG 1.4.12's spacing, as a reader's style sheet sets it: line height 1.5, paragraphs 2 em apart, letters 0.12 em
# and words 0.16 em.
SPACED = """() => { const s = document.createElement('style');
  s.textContent = '* { line-height: 1.5 !important; letter-spacing: 0.12em !important;'
    + ' word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }';
  document.head.appendChild(s); }"""
# Text that a box with hidden overflow cuts off. A list box is left out: the browser cuts its options at its edge
# (the triage drill's inbox on a phone), and the post picked there is shown in full beside it.
CLIPPED = """() => [...document.querySelectorAll('body *')].filter(e => {
    const s = getComputedStyle(e), hides = v => v === 'hidden' || v === 'clip';
    if (!e.getClientRects().length || !e.innerText || !e.innerText.trim() || e.tagName === 'SELECT') return false;
    return (hides(s.overflowX) && e.scrollWidth > e.clientWidth + 1)
      || (hides(s.overflowY) && e.scrollHeight > e.clientHeight + 1);
  }).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' "' + e.innerText.trim().slice(0, 40) + '"')
  .slice(0, 8)"""

# Text or controls drawn over one another (a box of fixed height that its wrapped content overflows, say). Compared
# line box by line box, skipping an element and what it contains, and charts' own SVG labels.
OVERLAPS = """() => {
  const name = e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' "' + (e.innerText || e.alt || '')
    .trim().slice(0, 30) + '"';
  const leaves = [...document.querySelectorAll('body *')].filter(e => e.getClientRects().length
    && !e.closest('svg') && getComputedStyle(e).visibility !== 'hidden' && !e.closest('.smtk-skip')
    && ([...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
      || ['SELECT', 'INPUT', 'BUTTON', 'TEXTAREA', 'IMG'].includes(e.tagName)));
  const rects = leaves.map(e => [...e.getClientRects()]);
  const found = [];
  for (let i = 0; i < leaves.length; i++) for (let j = i + 1; j < leaves.length; j++) {
    if (leaves[i].contains(leaves[j]) || leaves[j].contains(leaves[i])) continue;
    const hit = rects[i].some(a => rects[j].some(b => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2
      && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2));
    if (hit) found.push(name(leaves[i]) + ' over ' + name(leaves[j]));
  }
  return found.slice(0, 8);
}"""


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_reflows_at_320_css_pixels_and_takes_wider_text_spacing(page, voila_url, name):
    """WCAG 1.4.10 Reflow: 320 CSS pixels wide (a 1280-pixel window at 400% zoom) needs no sideways scrolling; and
    1.4.12 Text Spacing: with a reader's wider spacing on top, still none, and no text cut off."""
    page.set_viewport_size({"width": 320, "height": 800})
    drawn(page, voila_url, name)
    for spacing in ("as drawn", "text spaced"):
        if spacing == "text spaced":
            page.evaluate(SPACED)
            page.wait_for_timeout(300)  # the layout settles
        scroll, client, wide = page.evaluate(OVERFLOW)
        assert scroll <= client, f"{name}, {spacing}: {scroll} px of content in a {client} px window"
        assert wide == [], f"{name}, {spacing}: past the window's right edge, cut off: {wide}"
        assert (clipped := page.evaluate(CLIPPED)) == [], f"{name}, {spacing}: text cut off: {clipped}"
        assert (over := page.evaluate(OVERLAPS)) == [], f"{name}, {spacing}: drawn over each other: {over}"


@pytest.mark.parametrize("name", ["roi", "benchmark"])
def test_the_first_tab_stop_skips_to_the_apps_results(page, voila_url, name):
    """WCAG 2.4.1 Bypass Blocks: the first Tab stop is a visible "Skip to results" link, and Enter moves the focus
    past the controls to the app's results."""
    drawn(page, voila_url, name)
    page.locator("a.smtk-skip").wait_for(state="attached")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)[1] == "Skip to results"
    assert page.locator("a.smtk-skip").bounding_box()["x"] >= 0, "the focused link is on screen"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.classList.contains('smtk-results')")
    page.keyboard.press("Tab")  # the next stop lies inside the results, not among the controls
    assert page.evaluate("() => !!document.activeElement.closest('.smtk-results')")


CONTROLS = """() => {
  const sel = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"]), .noUi-handle';
  const seen = [...document.querySelectorAll(sel)].filter(e => !e.disabled && e.type !== 'hidden'
    && e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden' && !e.closest('[inert]'));
  seen.forEach((e, i) => e.dataset.kbd = i);
  return seen.map(e => e.tagName.toLowerCase() + ' ' + (e.getAttribute('aria-label') || e.textContent.trim()
    || e.title || e.name || e.type || '').slice(0, 40));
}"""
STOP = """() => { const e = document.activeElement;
  if (!e || e === document.body || e.dataset.kbd === undefined) return [null, false];
  const s = getComputedStyle(e);
  return [Number(e.dataset.kbd), s.outlineStyle !== 'none' || s.boxShadow !== 'none'];
}"""


@pytest.mark.parametrize("name", [n for n in PAGES if n != "landing page"])
def test_tab_alone_reaches_every_control_of_each_app_with_a_visible_focus_and_no_trap(page, voila_url, name):
    """WCAG 2.1.1 Keyboard, 2.1.2 No Keyboard Trap and 2.4.7 Focus Visible, for every control an app draws."""
    drawn(page, voila_url, name)
    page.wait_for_timeout(500)  # the last widgets settle
    controls = page.evaluate(CONTROLS)
    reached, unseen_focus, order = set(), [], []
    for _ in range(len(controls) * 2 + 10):
        page.keyboard.press("Tab")
        index, visible = page.evaluate(STOP)
        if index is None:
            continue
        if index in reached and order and index == order[0]:
            break  # round the page once and back to the first control: Tab leaves nothing behind and traps nothing
        reached.add(index)
        order.append(index)
        if not visible:
            unseen_focus.append(controls[index])
    missed = [c for i, c in enumerate(controls) if i not in reached]
    assert controls and not missed, f"{name}: Tab never reaches {missed}"
    assert not unseen_focus, f"{name}: no visible focus on {unseen_focus}"
