"""Widget: pick a situation and see the organisation's team and how to reach it."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.contacts import SITUATIONS, contact_role


def whom_to_ask(contacts: dict[str, dict[str, str]]) -> w.VBox:
    """A dropdown of situations and a card naming the contact from the organisation's profile."""
    picker = w.Dropdown(
        options=sorted(SITUATIONS),
        description="Situation",
        style={"description_width": "initial"},
        layout=w.Layout(width="520px"),
    )
    card = w.HTML()

    def show(_=None) -> None:
        role = contact_role(picker.value)
        who = contacts[role]
        channel = f" &middot; {html.escape(who['channel'])}" if who.get("channel") else ""
        card.value = (
            f'<div class="smtk-contact"><b>{html.escape(who["name"])}</b><br>'
            f'<a href="mailto:{html.escape(who["email"])}">{html.escape(who["email"])}</a>{channel}'
            f"<br><i>{html.escape(SITUATIONS[picker.value][1])}</i></div>"
        )

    picker.observe(show, names="value")
    show()
    return w.VBox([picker, card])
