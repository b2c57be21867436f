"""Widget: pick a situation and see the organisation's team and how to reach it; `reach` and `picker_card` also
serve the hub desk (simulations/ui/lessons/hub.py), so a contact reads the same wherever it is shown."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence

import ipywidgets as w

from simulations.lessons.contacts import SITUATIONS, contact_role


def reach(who: Mapping[str, str]) -> str:
    """A contact's e-mail as a mailto link, then its channel when the profile names one."""
    email = html.escape(who["email"])
    channel = f" &middot; {html.escape(who['channel'])}" if who.get("channel") else ""
    return f'<a href="mailto:{email}">{email}</a>{channel}'


def picker_card(options: Sequence[str], description: str, width: str, card_html: Callable[[str], str]) -> w.VBox:
    """A dropdown and, under it, a card showing `card_html` of the chosen option, kept up to date."""
    picker = w.Dropdown(
        options=list(options),
        description=description,
        style={"description_width": "initial"},
        layout=w.Layout(width=width),
    )
    card = w.HTML(card_html(picker.value))
    picker.observe(lambda change: setattr(card, "value", card_html(change["new"])), names="value")
    return w.VBox([picker, card])


def whom_to_ask(contacts: dict[str, dict[str, str]]) -> w.VBox:
    """A dropdown of situations and a card naming the contact from the organisation's profile."""

    def card(situation: str) -> str:
        who = contacts[contact_role(situation)]
        return (
            f'<div class="smtk-contact"><b>{html.escape(who["name"])}</b><br>{reach(who)}'
            f"<br><i>{html.escape(SITUATIONS[situation][1])}</i></div>"
        )

    return picker_card(sorted(SITUATIONS), "Situation", "520px", card)
