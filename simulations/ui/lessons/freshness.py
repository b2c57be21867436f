"""Widget: move the calendar and see which content is overdue for review, most urgent first."""

from __future__ import annotations

import datetime as dt
import html

import ipywidgets as w

from simulations.lessons.freshness import due_dates


def review_calendar(items: dict[str, dt.date], today: dt.date, soon_days: int = 30) -> w.VBox:
    """A date picker for "today" and the items' review dates coloured overdue, due soon or current."""
    picker = w.DatePicker(value=today, description="Today is", style={"description_width": "initial"})
    table = w.HTML()

    def show(_=None) -> None:
        rows = []
        for due in due_dates(items.items(), picker.value or today):
            if due.overdue:
                status, colour = f"overdue by {-due.days_left} day(s)", "#b42318"
            elif due.days_left <= soon_days:
                status, colour = f"due in {due.days_left} day(s)", "#b54708"
            else:
                status, colour = f"current ({due.days_left} days left)", "#1a7f37"
            rows.append(
                f"<tr><td>{html.escape(due.id)}</td><td>{due.review_by.isoformat()}</td>"
                f'<td style="color:{colour}">{status}</td></tr>'
            )
        table.value = (
            '<table class="smtk-table"><tr><th>content</th><th>review by</th><th>status</th></tr>'
            + "".join(rows)
            + "</table>"
        )

    picker.observe(show, names="value")
    show()
    return w.VBox([picker, table])
