"""Widget: a table with a filter on one column, for dashboards that let a reader narrow a list down."""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

ALL = "All"


def filtered_table(frame: pd.DataFrame, column: str, label: str | None = None, css: str = "smtk-table") -> w.VBox:
    """A dropdown of the values in `column` and the rows that match, rendered as an escaped HTML table; `css` names
    the table (and its row count, `css`-summary), so that a page with two of them can tell them apart."""
    picker = w.Dropdown(
        options=[ALL, *dict.fromkeys(frame[column])],
        description=label or column.capitalize(),
        style={"description_width": "initial"},
    )
    table = w.HTML()
    summary = w.HTML()

    def show(_=None) -> None:
        rows = frame if picker.value == ALL else frame[frame[column] == picker.value]
        summary.value = f"<p class='{css.replace('table', 'summary')}'>{len(rows)} row(s)</p>"
        shown = rows.astype(object).where(rows.notna(), "–")  # a blank reads as a dash, whatever the column's type
        table.value = shown.to_html(index=False, escape=True, classes=css, border=0)

    picker.observe(show, names="value")
    show()
    return w.VBox([picker, summary, table])
