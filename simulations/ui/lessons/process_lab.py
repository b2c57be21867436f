"""Widget: the triage process lab. Edit the policy (overrides in YAML), the people on the desk and the order of work,
replay the same seeded stream and compare the outcome with the process as it is.

The replay, the simulation and the comparison are the engine's (`simulations.triage.compare`); this module reads
the controls, shows the table and keeps one chart whose lines are updated in place.
"""

from __future__ import annotations

import html
import io
from typing import Any

import ipywidgets as w
import pandas as pd
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

import simulations.triage as triage
from simulations.common.datafiles import DataError
from simulations.triage.designs import summary
from simulations.ui.render.reach_chart import NOBODY, YOURS, people

AS_IS = "as it is"
YOURS_NAME = "your design"
ROWS = {
    "points": ("points (of 100)", "{:.0f}"),
    "negative_reach": ("negative reach (people)", "people"),
    "crisis_level": ("crisis level reached (0-3)", "{:d}"),
    "on_time_rate": ("answered within the time limit", "{:.0%}"),
    "routing_accuracy": ("routed as the reference policy recommends", "{:.0%}"),
    "escalation_recall": ("needed escalations made", "{:.0%}"),
    "escalations": ("escalations", "{:d}"),
    "over_escalations": ("needless escalations", "{:d}"),
    "desk_hours": ("desk hours of work", "{:.1f}"),
    "last_answer_h": ("last post answered, hours into the shift", "{:.1f}"),
}


class ProcessLab:
    """Compare a redesigned triage process with the one in place, on the same stream and the same luck."""

    def __init__(self, stream: triage.Stream, *, seed: int = 0, overrides: str = "") -> None:
        self.stream = stream
        self.seed = seed
        self.editor = w.Textarea(
            value=overrides,
            placeholder="rules:\n  - {id: large_influencer, when: {min_followers: 50000}}",
            description="Policy edits",
            layout=w.Layout(width="98%", height="150px"),
            style={"description_width": "initial"},
        )
        self.staff = w.IntSlider(
            value=1, min=1, max=6, description="People on the desk", style={"description_width": "initial"}
        )
        self.order = w.ToggleButtons(
            options=[("oldest first", "arrival"), ("most urgent first", "urgency")], description="Order of work"
        )
        self.run_button = w.Button(description="Replay and compare", button_style="primary", icon="play")
        self.message = w.HTML()
        self.table = w.HTML()
        self.table.add_class("smtk-lab-table")
        self.run_button.on_click(lambda _: self.run())
        self._figure = Figure(figsize=(7.0, 2.6), dpi=90, layout="constrained")
        FigureCanvasAgg(self._figure)
        ax = self._axes = self._figure.add_subplot()
        (self._nobody,) = ax.plot([], [], color=NOBODY, lw=1.2, label="if nobody answers")
        (self._as_is,) = ax.plot([], [], color="#1f6feb", lw=1.6, label="the process as it is")
        (self._yours,) = ax.plot([], [], color=YOURS, lw=2.2, label="your design")
        ax.set_xlim(0, stream.horizon_s / 3600.0)
        ax.set_xlabel("hours from the start of the shift")
        ax.set_ylabel("people reached")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: people(v)))
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="lower right", fontsize="small", frameon=False)
        self.image = w.Image(format="png", layout=w.Layout(width="100%", max_width="760px"))
        self.image.add_class("smtk-lab-chart")
        self.widget = w.VBox(
            [self.editor, w.HBox([self.staff, self.order]), self.run_button, self.message, self.table, self.image]
        )
        self.widget.add_class("smtk-process-lab")
        self.result: pd.DataFrame | None = None
        self.run()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def design(self) -> triage.Design:
        """The design the controls describe; DataError or ValueError says what is wrong with the policy edits."""
        try:
            data = yaml.safe_load(self.editor.value) if self.editor.value.strip() else None
        except yaml.YAMLError as exc:
            raise DataError("your policy edits", "", f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
        # Checked here, so that the message names the field.
        triage.with_overrides(self.stream.policy, data, source="your policy edits")
        return triage.Design(overrides=data, staff=int(self.staff.value), order=self.order.value)

    def run(self) -> pd.DataFrame | None:
        """Replay the stream as it is and with the design, and show both; a bad edit is reported, nothing else moves."""
        try:
            design = self.design()
        except (DataError, ValueError) as exc:
            self.message.value = f"<div class='smtk-notice' style='color:#b42318'>{html.escape(str(exc))}</div>"
            return None
        designs = {AS_IS: triage.Design(), YOURS_NAME: design}
        results = {name: triage.run_design(self.stream, d, seed=self.seed) for name, d in designs.items()}
        rows = {name: summary(results[name], d) for name, d in designs.items()}
        self.result = pd.DataFrame.from_dict(rows, orient="index")
        who = f"{design.staff} {'person' if design.staff == 1 else 'people'}"
        how = "most urgent first" if design.order == "urgency" else "oldest first"
        self.message.value = f"<div class='smtk-notice'>Replayed {len(self.stream)} posts with {who}, {how}.</div>"
        self.table.value = _table_html(self.result)
        self._draw(results[AS_IS].curve, results[YOURS_NAME].curve)
        return self.result

    def _draw(self, as_is: pd.DataFrame, yours: pd.DataFrame) -> None:
        hours = as_is["time_s"].to_numpy() / 3600.0
        self._nobody.set_data(hours, as_is["baseline_reach"].to_numpy())
        self._as_is.set_data(hours, as_is["negative_reach"].to_numpy())
        self._yours.set_data(hours, yours["negative_reach"].to_numpy())
        top = max(float(as_is["baseline_reach"].max()), float(yours["negative_reach"].max()), 1.0)
        self._axes.set_ylim(0, top * 1.08)
        buffer = io.BytesIO()
        self._figure.canvas.print_png(buffer)
        self.image.value = buffer.getvalue()


def _table_html(table: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.index)
    rows = []
    for key, (label, fmt) in ROWS.items():
        cells = []
        for value in table[key]:
            if fmt == "people":
                text = people(float(value))
            elif fmt == "{:d}":
                text = fmt.format(int(value))
            else:
                text = fmt.format(float(value))
            cells.append(f"<td>{text}</td>")
        rows.append(f"<tr><th>{html.escape(label)}</th>{''.join(cells)}</tr>")
    return (
        "<style>.smtk-lab-table table{border-collapse:collapse}.smtk-lab-table th,.smtk-lab-table td"
        "{border-bottom:1px solid #d0d7de;padding:3px 10px;text-align:left}</style>"
        f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
