"""Widget: draft a public reply to a customer's comment and see which rules of dialogue it meets."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.lessons.replies import check_reply


def reply_checker(comment: str, draft: str = "") -> w.VBox:
    """The customer's comment, a text area for the reply, a Check button and what to keep and fix."""
    shown = w.HTML(f'<blockquote class="smtk-comment">{html.escape(comment)}</blockquote>')
    text = w.Textarea(value=draft, placeholder="Your public reply", layout=w.Layout(width="100%", height="90px"))
    button = w.Button(description="Check my reply", button_style="primary", icon="check")
    verdict = w.HTML()

    def show(_=None) -> None:
        result = check_reply(text.value)
        colour, label = ("#1a7f37", "Ready to post") if result.ok else ("#b42318", "Not yet")
        good = "".join(f"<li>&#10003; {html.escape(g)}</li>" for g in result.good)
        fix = "".join(f"<li>&#10007; {html.escape(f)}</li>" for f in result.fix)
        verdict.value = f'<div class="smtk-verdict"><b style="color:{colour}">{label}</b><ul>{fix}{good}</ul></div>'

    button.on_click(show)
    if draft:
        show()
    return w.VBox([shown, text, button, verdict])
