"""Widget: pick a business goal and climb down the ladder to the tools, which come last."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.lessons.goals import Goal, ladder


def goal_ladder(goals: tuple[Goal, ...], org: dict) -> w.VBox:
    """A dropdown of business goals and the five rungs from the goal down to the organisation's platforms."""
    picker = w.Dropdown(
        options=[(g.goal, g.id) for g in goals],
        description="Business goal",
        style={"description_width": "initial"},
        layout=w.Layout(width="620px"),
    )
    card = w.HTML()
    goals_by_id = {g.id: g for g in goals}

    def show(_=None) -> None:
        rungs = ladder(goals_by_id[picker.value], org)
        items = "".join(
            f"<li><b>{i}. {html.escape(r.step.capitalize())}</b><ul>"
            + "".join(f"<li>{html.escape(line)}</li>" for line in r.lines)
            + "</ul></li>"
            for i, r in enumerate(rungs, start=1)
        )
        card.value = f'<ol class="smtk-ladder" style="list-style:none;padding-left:0">{items}</ol>'

    picker.observe(show, names="value")
    show()
    return w.VBox([picker, card])
