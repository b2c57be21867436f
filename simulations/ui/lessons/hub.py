"""Widget: a business unit's question, the hub resource that answers it and the team to write to."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.lessons.hub import NEEDS, RESOURCES, hub_answer
from simulations.ui.lessons.contacts import picker_card, reach


def hub_desk(contacts: dict[str, dict[str, str]]) -> w.VBox:
    """A dropdown of what units ask the hub, and a card naming the resource and the organisation's contact."""

    def card(question: str) -> str:
        need = hub_answer(question)
        who = contacts[need.owner]
        return (
            f'<div class="smtk-hub"><b>Hub resource:</b> {html.escape(need.resource)}: '
            f"{html.escape(RESOURCES[need.resource])}<br><b>Ask:</b> {html.escape(who['name'])}, {reach(who)}"
            f"<br><i>{html.escape(need.why)}</i></div>"
        )

    return picker_card(list(NEEDS), "We need to know", "560px", card)
