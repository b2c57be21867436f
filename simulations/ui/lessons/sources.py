"""Widget: describe something you found and see whether to rely on it, check it first, or not rely on it."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.lessons.sources import AUTHORS, DONT, RELY, SHELF_LIFE_DAYS, Source, assess

_COLOURS = {RELY: "#1a7f37", DONT: "#b42318"}


def source_check() -> w.VBox:
    """Dropdowns for who says it, original or retold, topic, age and corroboration; a verdict with its reasons."""
    style = {"description_width": "initial"}
    author = w.Dropdown(options=[(v, k) for k, v in AUTHORS.items()], description="Who says it", style=style)
    original = w.ToggleButtons(options=[("the original", True), ("retold", False)], description="Is it", style=style)
    topic = w.Dropdown(options=list(SHELF_LIFE_DAYS), description="Topic", style=style)
    age = w.IntSlider(value=30, min=0, max=1500, step=15, description="Age (days)", style=style)
    corroborated = w.Checkbox(value=False, description="an independent source agrees", indent=False)
    verdict = w.HTML()

    def show(_=None) -> None:
        result = assess(Source(author.value, original.value, topic.value, age.value, corroborated.value))
        colour = _COLOURS.get(result.trust, "#9a6700")
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in result.reasons)
        verdict.value = (
            f'<div class="smtk-verdict"><b style="color:{colour}">{result.trust}</b><ul>{reasons}</ul></div>'
        )

    for control in (author, original, topic, age, corroborated):
        control.observe(show, names="value")
    show()
    return w.VBox([author, original, topic, age, corroborated, verdict])
