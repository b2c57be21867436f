"""Widget: a business unit's question, the hub resource that answers it and the team to write to."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.hub import NEEDS, RESOURCES, hub_answer


def hub_desk(contacts: dict[str, dict[str, str]]) -> w.VBox:
    """A dropdown of what units ask the hub, and a card naming the resource and the organisation's contact."""
    picker = w.Dropdown(
        options=list(NEEDS),
        description="We need to know",
        style={"description_width": "initial"},
        layout=w.Layout(width="560px"),
    )
    card = w.HTML()

    def show(_=None) -> None:
        need = hub_answer(picker.value)
        who = contacts[need.owner]
        channel = f" &middot; {html.escape(who['channel'])}" if who.get("channel") else ""
        card.value = (
            f'<div class="smtk-hub"><b>Hub resource:</b> {html.escape(need.resource)}: '
            f"{html.escape(RESOURCES[need.resource])}<br><b>Ask:</b> {html.escape(who['name'])}, "
            f'<a href="mailto:{html.escape(who["email"])}">{html.escape(who["email"])}</a>{channel}'
            f"<br><i>{html.escape(need.why)}</i></div>"
        )

    picker.observe(show, names="value")
    show()
    return w.VBox([picker, card])
