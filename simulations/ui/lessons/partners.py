"""Widgets for partners: check a proposed account against the brand's rules; localise a syndicated post."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.common.vocabulary import PLATFORMS
from simulations.profile.partners import ALLOWED, NOT_ALLOWED, check_account, localise, placeholders

_COLOURS = {ALLOWED: "#1a7f37", NOT_ALLOWED: "#b42318"}


def account_request(rules: dict, location: str = "", name: str = "") -> w.VBox:
    """Platform, location and account name in; the brand's decision and its reasons out."""
    style = {"description_width": "initial"}
    platform = w.Dropdown(options=PLATFORMS, description="Platform", style=style)
    where = w.Text(value=location, description="Your location", style=style)
    account = w.Text(value=name, description="Account name", style=style, layout=w.Layout(width="420px"))
    verdict = w.HTML()

    def show(_=None) -> None:
        result = check_account(rules, platform.value, account.value, where.value)
        colour = _COLOURS.get(result.decision, "#9a6700")
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in result.reasons)
        verdict.value = (
            f'<div class="smtk-verdict"><b style="color:{colour}">{result.decision}</b><ul>{reasons}</ul></div>'
        )

    for control in (platform, where, account):
        control.observe(show, names="value")
    show()
    return w.VBox([platform, where, account, verdict])


def syndicated_preview(rules: dict) -> w.VBox:
    """Pick a post from the brand's library, fill in its blanks, and preview exactly what you may share."""
    posts = {p["title"]: p for p in rules["syndicated"]}
    if not posts:
        return w.VBox([w.HTML("<p>Your brand has not published syndicated posts yet: ask your partner contact.</p>")])
    picker = w.Dropdown(options=list(posts), description="Post", style={"description_width": "initial"})
    blanks = w.VBox()
    preview = w.HTML()

    def values() -> dict[str, str]:
        return {box.description: box.value for box in blanks.children}

    def render(_=None) -> None:
        post = posts[picker.value]
        try:
            text = html.escape(localise(post, values()))
            preview.value = (
                f'<blockquote class="smtk-preview">{text}</blockquote><i>for {html.escape(post["platform"])}</i>'
            )
        except ValueError as exc:
            preview.value = f'<p class="smtk-verdict" style="color:#9a6700">{html.escape(str(exc))}</p>'

    def pick(_=None) -> None:
        boxes = [
            w.Text(description=name, style={"description_width": "initial"})
            for name in placeholders(posts[picker.value]["text"])
        ]
        for box in boxes:
            box.observe(render, names="value")
        blanks.children = boxes
        render()

    picker.observe(pick, names="value")
    pick()
    return w.VBox([picker, blanks, preview])
