"""Widget: the formats pyramid in money, one row per audience from the ROI engine's cost model."""

from __future__ import annotations

import html
from collections.abc import Sequence

from simulations.common.audiences import AUDIENCE_LABELS
from simulations.common.money import money
from simulations.roi.defaults import FormatCost


def pyramid_table(costs: Sequence[FormatCost], currency: str) -> str:
    """An HTML table with a caption: audience, format, people, a year's cost, cost per person and loaded wage."""
    head = ("Audience", "Format", "People", "Cost a year", "Cost per person", "Loaded wage an hour")
    rows = "".join(
        f'<tr><th scope="row">{html.escape(AUDIENCE_LABELS[c.audience])}</th><td>{html.escape(c.format)}</td>'
        f"<td>{c.people:,.0f}</td><td>{money(c.total, currency)}</td><td>{money(c.per_person, currency)}</td>"
        f"<td>{money(c.wage, currency)}</td></tr>"
        for c in costs
    )
    return (
        '<table class="smtk-pyramid"><caption>Training each audience once a year in its format: delivery plus the '
        "participants' time at their loaded wage (the ROI engine's planning figures, to be replaced by your own)"
        "</caption><thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in head) + f"</tr></thead><tbody>{rows}"
        "</tbody></table>"
    )
