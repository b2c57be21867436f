"""Widget: a manager sets a team's rules for a quarter and reads what they do against nobody deciding anything."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.common.money import money
from simulations.risk.register import Register
from simulations.risk.team import APPROVALS, HOURS, TOPICS, UNMANAGED, Quarter, TeamRules, quarter

_WIDE = {"description_width": "initial"}


def quarter_table(rows: dict[str, Quarter], currency: str) -> str:
    """The quarters side by side as an HTML table with a caption: one column per rule set, one row per figure."""
    figures = (
        ("People who share", lambda q: f"{q.sharers:.0f} of {q.team}"),
        ("Posts in the quarter", lambda q: f"{q.posts:,.0f}"),
        ("Hours of work time", lambda q: f"{q.hours:,.0f}"),
        ("Cost of that time", lambda q: money(q.time_cost, currency)),
        ("Expected loss in the quarter", lambda q: money(q.expected_loss, currency)),
        ("Expected loss per 100 posts", lambda q: money(q.loss_per_100_posts, currency) if q.posts else "no posts"),
    )
    head = "".join(f'<th scope="col">{html.escape(name)}</th>' for name in rows)
    body = "".join(
        f'<tr><th scope="row">{label}</th>'
        + "".join(f"<td>{html.escape(fmt(q))}</td>" for q in rows.values())
        + "</tr>"
        for label, fmt in figures
    )
    return (
        '<table class="smtk-team-quarter"><caption>A quarter of your team under each set of rules (the kit\'s '
        "illustrative model, not a measurement)</caption>"
        f"<thead><tr><td></td>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def rules_lab(register: Register, team: int, wage: float, currency: str) -> w.VBox:
    """Controls for the five rules and a table comparing the quarter they give with the unmanaged quarter."""
    hours = w.Dropdown(
        options=[(f"{h:g} hours a week" if h else "none (own time only)", h) for h in HOURS],
        value=1.0,
        description="Work time each person may spend creating content",
        style=_WIDE,
    )
    approval = w.RadioButtons(
        options=[(text, key) for key, text in APPROVALS.items()], value="first-posts", description="Approval"
    )
    topics = {
        key: w.Checkbox(value=key != "unannounced", description=text, indent=False) for key, text in TOPICS.items()
    }
    praise = w.Checkbox(value=True, description="I praise sharing in team meetings", indent=False)
    trained = w.Checkbox(value=True, description="Everyone completes the employee training first", indent=False)
    table = w.HTML()

    def update(_change: object = None) -> None:
        rules = TeamRules(
            hours.value,
            approval.value,
            frozenset(k for k, box in topics.items() if box.value),
            praise=praise.value,
            trained=trained.value,
        )
        rows = {
            "Nobody decides (today)": quarter(UNMANAGED, register, team, wage),
            "Your rules": quarter(rules, register, team, wage),
        }
        table.value = quarter_table(rows, currency)

    for control in (hours, approval, praise, trained, *topics.values()):
        control.observe(update, names="value")
    update()
    topic_box = w.VBox(
        [w.HTML("<b>Topics the team may post about</b>"), *topics.values()],
        layout=w.Layout(border="1px solid #767676", padding="4px"),
    )
    return w.VBox([hours, approval, topic_box, praise, trained, table])
