"""Widget: type a draft post and see whether its disclosure of a material connection is clear."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.lessons.disclosure import check_disclosure, employee_tag


def disclosure_checker(org_name: str, draft: str = "") -> w.VBox:
    """A text area, a Check button and a verdict that explains which rule passed or failed."""
    tag = employee_tag(org_name)
    text = w.Textarea(
        value=draft,
        placeholder=f"Draft a post about a product you got for free, or use {tag}",
        layout=w.Layout(width="100%", height="90px"),
    )
    button = w.Button(description="Check my post", button_style="primary", icon="check")
    verdict = w.HTML()

    def show(_=None) -> None:
        result = check_disclosure(text.value, extra_tags=(tag,))
        colour, label = ("#1a7f37", "Clear disclosure") if result.clear else ("#b42318", "Not clear enough")
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in result.reasons)
        verdict.value = f'<div class="smtk-verdict"><b style="color:{colour}">{label}</b><ul>{reasons}</ul></div>'

    button.on_click(show)
    if draft:
        show()
    return w.VBox([text, button, verdict])
