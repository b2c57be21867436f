"""Widget: a table with a filter on one column, for dashboards that let a reader narrow a list down."""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

ALL = "All"


def filtered_table(frame: pd.DataFrame, column: str, label: str | None = None) -> w.VBox:
    """A dropdown of the values in `column` and the rows that match, rendered as an escaped HTML table."""
    picker = w.Dropdown(
        options=[ALL, *dict.fromkeys(frame[column])],
        description=label or column.capitalize(),
        style={"description_width": "initial"},
    )
    table = w.HTML()
    summary = w.HTML()

    def show(_=None) -> None:
        rows = frame if picker.value == ALL else frame[frame[column] == picker.value]
        summary.value = f"<p class='smtk-summary'>{len(rows)} row(s)</p>"
        table.value = rows.to_html(index=False, escape=True, classes="smtk-table", border=0)

    picker.observe(show, names="value")
    show()
    return w.VBox([picker, summary, table])
