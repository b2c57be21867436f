"""Widget: paste a draft post and see the details worth a second look before it goes out."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.lessons.confidential import CATEGORIES, scan


def draft_scanner(draft: str = "") -> w.VBox:
    """A text area, a Scan button and the flagged details with the reason each one matters."""
    text = w.Textarea(value=draft, layout=w.Layout(width="100%", height="90px"))
    button = w.Button(description="Scan my draft", button_style="primary", icon="search")
    result = w.HTML()

    def show(_=None) -> None:
        findings = scan(text.value)
        if not findings:
            result.value = (
                '<div class="smtk-verdict"><b style="color:#1a7f37">Nothing flagged.</b> '
                "Still read it once more as a stranger would.</div>"
            )
            return
        items = "".join(
            f"<li><code>{html.escape(f.text)}</code>: {html.escape(f.category)} "
            f"({html.escape(CATEGORIES[f.category])})</li>"
            for f in findings
        )
        result.value = (
            f'<div class="smtk-verdict"><b style="color:#b42318">{len(findings)} detail(s) to check</b>'
            f"<ul>{items}</ul></div>"
        )

    button.on_click(show)
    if draft:
        show()
    return w.VBox([text, button, result])
