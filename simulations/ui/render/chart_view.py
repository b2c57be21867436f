"""Every chart's text alternative, in one place: the finding in words (the image's alternative text and a line under
it) and a "Show as table" button that shows the numbers the chart is drawn from."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as w

from simulations.ui.apps.common import table


@dataclass(frozen=True)
class ChartText:
    """What a chart says without its picture: `finding` in a sentence, and the `rows` of numbers it is drawn from."""

    finding: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()


class ChartView:
    """An Image widget with its finding and its table; `show` replaces all three together, so they never disagree."""

    def __init__(self, image: w.Image, title: str) -> None:
        self.image = image
        self.title = title
        self.finding = w.HTML().add_class("smtk-chart-finding")
        self.toggle = w.ToggleButton(description="Show as table", tooltip=f"{title}: the numbers as a table")
        self.toggle.add_class("smtk-chart-toggle")
        self.table = w.HTML(layout=w.Layout(display="none")).add_class("smtk-chart-table")
        self.toggle.observe(self._toggled, names="value")
        self.widget = w.VBox([image, self.finding, self.toggle, self.table]).add_class("smtk-chart")

    def show(self, text: ChartText, value: bytes | None = None) -> None:
        """Show a new picture (when given) with the finding and the numbers behind it."""
        if value is not None:
            self.image.value = value
        # The front end makes data-alt the image's alternative text (ipywidgets' Image has no alt, and its tooltip
        # breaks the view in ipywidgets 8.1: the view reads a description an Image does not have).
        alt = html.escape(f"{self.title}. {text.finding}", quote=True)
        self.finding.value = f"<p class='smtk-info' data-alt=\"{alt}\">{html.escape(text.finding)}</p>"
        caption = f"<caption>{html.escape(self.title)}</caption>"
        self.table.value = table(text.header, text.rows, text.numeric).replace("<thead>", caption + "<thead>", 1)

    def _toggled(self, change: dict) -> None:
        self.table.layout.display = None if change["new"] else "none"
        self.toggle.description = "Hide table" if change["new"] else "Show as table"


def rows_of(values: Sequence[Sequence[object]]) -> tuple[tuple[str, ...], ...]:
    """Table rows as text (a chart's numbers already formatted as the chart shows them)."""
    return tuple(tuple(str(v) for v in row) for row in values)
