"""Widget: a likelihood x impact heat map where the learner places each risk before seeing the model's view.

Pick a risk, click the cell where you think it belongs; once every risk is placed, "Show the model's view" reveals
where the register puts them and scores the learner's probabilities (mean squared gap from the register's).
Placements are locked from then on, so the score is for guesses made before seeing the answer. A Recorder keeps the
placements: JupyterLab saves them in the notebook, and a re-run (after a restart, or under nbgrader autograde)
restores them.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from simulations.risk import Register
from simulations.risk.heatmap import DEFAULT_SCALE, Calibration, HeatMapScale, calibration, model_view
from simulations.ui.lessons.questions import _solution_or_none
from simulations.ui.lessons.record import Recorder
from simulations.ui.lessons.risk_curves import money

# Cell colours by severity (likelihood band + impact band): green through amber to red.
SEVERITY = ("#d9f2d9", "#e6f5c9", "#f4f2bf", "#fbe3b0", "#fbd0a0", "#f8b995", "#f3a08a", "#ec8a80", "#e27474")


def severity_word(level: int) -> str:
    """A cell's severity in a word, so the heat map does not rely on its colour alone."""
    return ("low", "medium", "high")[min(level * 3 // len(SEVERITY), 2)]


class RiskHeatMap:
    """The heat map of `register`; placements are recorded under `key` (restored from `notebook` when saved there).
    `solution` gives the worked placements of a module's source notebook, as for the question widgets: placed when
    nothing was saved (in the release nbgrader's stub raises NotImplementedError and nothing is placed)."""

    def __init__(
        self,
        register: Register,
        *,
        key: str = "risk-heatmap",
        notebook: str | Path | None = None,
        scale: HeatMapScale = DEFAULT_SCALE,
        solution: Callable[[], Mapping[str, tuple[str | int, str | int]] | None] | None = None,
    ) -> None:
        self.register = register
        self.scale = scale
        self.codes = {risk_id: n for n, risk_id in enumerate(register.ids, start=1)}
        self._placed: dict[str, tuple[int, int]] = {}
        self.revealed = False
        self.ignored: list[str] = []
        self.recorder = Recorder(key, notebook)
        self._restore(self.recorder.data)

        titles = {r.id: r.title for r in register.risks}
        self.picker = w.Dropdown(
            options=[(f"{self.codes[i]}. {titles[i]}", i) for i in register.ids],
            description="Risk to place",
            style={"description_width": "initial"},
            layout=w.Layout(width="620px"),
        )
        self.picker.add_class("smtk-heatmap-picker")
        n_l, n_i = len(scale.likelihood), len(scale.impact)
        self.cells: dict[tuple[int, int], w.Button] = {}
        grid: list[w.Widget] = []
        for li in reversed(range(n_l)):  # the most likely row on top
            band = scale.likelihood[li]
            grid.append(w.HTML(f"<b>{html.escape(band.label)}</b><br><small>{_percent_range(band)}</small>"))
            for ii in range(n_i):
                cell = w.Button(
                    layout=w.Layout(width="auto", height="52px"),
                    tooltip=f"{band.label} x {scale.impact[ii].label}: {severity_word(li + ii)} severity",
                )
                cell.style.button_color = SEVERITY[min(li + ii, len(SEVERITY) - 1)]
                cell.add_class("smtk-heatmap-cell")
                cell.add_class(f"smtk-cell-{li}-{ii}")
                cell.on_click(lambda _, li=li, ii=ii: self._clicked(li, ii))
                self.cells[li, ii] = cell
                grid.append(cell)
        grid.append(w.HTML("<small>likelihood / impact</small>"))
        currency = register.currency
        for band in scale.impact:
            grid.append(w.HTML(f"<b>{html.escape(band.label)}</b><br><small>{_money_range(band, currency)}</small>"))
        self.grid = w.GridBox(
            grid,
            layout=w.Layout(grid_template_columns=f"120px repeat({n_i}, 1fr)", grid_gap="3px", width="720px"),
        )
        self.status = w.HTML()
        self.status.add_class("smtk-heatmap-status")
        self.reveal_button = w.Button(
            description="Show the model's view", button_style="primary", icon="eye", layout=w.Layout(width="220px")
        )
        self.reveal_button.add_class("smtk-heatmap-reveal")
        self.reveal_button.on_click(lambda _: self.reveal())
        self.legend = w.HTML()
        self.result = w.HTML()
        self.result.add_class("smtk-heatmap-result")
        self.widget = w.VBox(
            [self.picker, self.grid, self.status, self.reveal_button, self.legend, self.result, self.recorder.widget]
        )
        self.widget.add_class("smtk-heatmap")
        self._refresh()
        if not self._placed and solution is not None:
            given = _solution_or_none(solution)
            if given:
                self.place(given)

    # -- what the learner did -----------------------------------------------------------------------------------
    @property
    def placements(self) -> dict[str, tuple[str, str]]:
        """{risk id: (likelihood band, impact band)} for every risk placed so far, in register order."""
        return {
            i: (self.scale.likelihood[li].label, self.scale.impact[ii].label)
            for i in self.register.ids
            if i in self._placed
            for li, ii in [self._placed[i]]
        }

    @property
    def placed_all(self) -> bool:
        return len(self._placed) == len(self.register)

    def place(
        self,
        risk: str | Mapping[str, tuple[str | int, str | int]],
        likelihood: str | int | None = None,
        impact: str | int | None = None,
    ) -> None:
        """Place one risk (`place(id, likelihood, impact)`) or several (`place({id: (likelihood, impact)})`); bands
        by label or index. Every entry is checked before any is placed."""
        if self.revealed:
            raise RuntimeError("placements are locked once the model's view is shown, so the score stays honest")
        items = risk.items() if isinstance(risk, Mapping) else [(risk, (likelihood, impact))]
        checked = {}
        for risk_id, (li, ii) in items:
            self.register.index(risk_id)  # KeyError naming an unknown risk
            checked[risk_id] = (self.scale.index("likelihood", li), self.scale.index("impact", ii))
        self._placed.update(checked)
        self._record()
        self._refresh()

    def calibration(self) -> Calibration:
        """The mean squared gap between the placements so far and the model's view."""
        return calibration(self.placements, self.register, self.scale)

    def reveal(self) -> Calibration:
        """Show the model's view and the score; placements are locked from now on."""
        if not self.placed_all:
            missing = [str(self.codes[i]) for i in self.register.ids if i not in self._placed]
            raise ValueError(f"place every risk first; not placed yet: {', '.join(missing)}")
        self.revealed = True
        self._record()
        self._refresh()
        return self.calibration()

    # -- internals ------------------------------------------------------------------------------------------------
    def _clicked(self, li: int, ii: int) -> None:
        if self.revealed or self.picker.value is None:
            return
        self.place(self.picker.value, li, ii)
        after = self.register.ids[self.register.index(self.picker.value) + 1 :] + self.register.ids
        following = next((i for i in after if i not in self._placed), None)
        if following is not None:
            self.picker.value = following

    def _record(self) -> None:
        placements = {i: list(p) for i, p in self.placements.items()}
        gap = self.calibration().gap if self.revealed else None
        self.recorder.save({"placements": placements, "revealed": self.revealed, "gap": gap})

    def _restore(self, saved: Any) -> None:
        """Take back what a saved record holds; entries that do not fit this register are listed, not fatal."""
        if not isinstance(saved, dict):
            return
        placements = saved.get("placements")
        for risk_id, value in placements.items() if isinstance(placements, dict) else ():
            try:
                self.register.index(risk_id)
                li, ii = value
                self._placed[risk_id] = (self.scale.index("likelihood", li), self.scale.index("impact", ii))
            except (KeyError, ValueError, TypeError):
                self.ignored.append(str(risk_id))
        self.revealed = bool(saved.get("revealed")) and self.placed_all

    def _refresh(self) -> None:
        by_cell: dict[tuple[int, int], list[str]] = {}
        for risk_id, cell in self._placed.items():
            by_cell.setdefault(cell, []).append(str(self.codes[risk_id]))
        for key, button in self.cells.items():
            codes = sorted(by_cell.get(key, []), key=int)
            button.description = " ".join(codes)
            button.disabled = self.revealed
        self.picker.disabled = self.revealed
        self.reveal_button.disabled = self.revealed or not self.placed_all
        done = len(self._placed)
        if self.revealed:
            text = "Your placements are locked: compare them with the model's view below."
        elif self.placed_all:
            text = f"All {done} risks placed. Move any you want to change, then show the model's view."
        else:
            text = (
                f"Placed {done} of {len(self.register)}. Pick a risk, then click the cell where you think it "
                "belongs: how likely is at least one such event a year, and what does one cost on average?"
            )
        if self.ignored:
            text += f" (Ignored saved placements that do not fit this register: {', '.join(self.ignored)}.)"
        self.status.value = f"<p>{html.escape(text)}</p>"
        self.legend.value = self._legend()
        self.result.value = self._result() if self.revealed else ""

    def _legend(self) -> str:
        rows = []
        for risk in self.register.risks:
            where = self.placements.get(risk.id)
            shown = f"{where[0]}, {where[1]}" if where else "not placed"
            rows.append(f"<tr><td>{self.codes[risk.id]}</td><td>{html.escape(risk.title)}</td><td>{shown}</td></tr>")
        return (
            f"<table class='smtk-table'><tr><th>#</th><th>Risk</th><th>You placed it</th></tr>{''.join(rows)}</table>"
        )

    def _result(self) -> str:
        score = self.calibration()
        view = model_view(self.register, self.scale)
        return (
            "<h4>The model's view</h4>"
            + self._model_grid(view)
            + "<p class='smtk-gap'>Your mean squared gap from the model: "
            + f"<b>{score.gap:.3f}</b> (0 is perfect). Someone who knew "
            f"only the average likelihood of these risks would score {score.reference:.3f}"
            f"{', so you did better' if score.gap < score.reference else ''}.</p>" + self._comparison(score.table, view)
        )

    def _model_grid(self, view: pd.DataFrame) -> str:
        cells: dict[tuple[int, int], list[str]] = {}
        for risk_id, row in view.iterrows():
            cells.setdefault((int(row["likelihood_band"]), int(row["impact_band"])), []).append(
                str(self.codes[risk_id])
            )
        rows = []
        for li in reversed(range(len(self.scale.likelihood))):
            tds = "".join(
                f"<td style='background:{SEVERITY[min(li + ii, len(SEVERITY) - 1)]};text-align:center;"
                f"width:110px;height:36px' title='{severity_word(li + ii)} severity'>"
                f"{' '.join(cells.get((li, ii), []))}</td>"
                for ii in range(len(self.scale.impact))
            )
            rows.append(f"<tr><th>{html.escape(self.scale.likelihood[li].label)}</th>{tds}</tr>")
        heads = "".join(f"<th>{html.escape(b.label)}</th>" for b in self.scale.impact)
        return f"<table class='smtk-model-grid'>{''.join(rows)}<tr><th></th>{heads}</tr></table>"

    def _comparison(self, table: pd.DataFrame, view: pd.DataFrame) -> str:
        currency = self.register.currency
        rows = "".join(
            f"<tr><td>{self.codes[i]}</td><td>{html.escape(r['title'])}</td>"
            f"<td>{r['your_likelihood']} ({r['your_probability']:.0%})</td>"
            f"<td>{r['model_likelihood']} ({r['model_probability']:.0%})</td>"
            f"<td>{r['your_impact']}</td><td>{r['model_impact']} ({money(view.loc[i, 'impact_mean'], currency)})</td>"
            "</tr>"
            for i, r in table.iterrows()
        )
        return (
            "<table class='smtk-table'><tr><th>#</th><th>Risk</th><th>Your likelihood</th><th>Model</th>"
            f"<th>Your impact</th><th>Model (mean cost of one event)</th></tr>{rows}</table>"
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _percent_range(band) -> str:
    return f"{band.low:.0%} to {band.high:.0%}"


def _money_range(band, currency: str) -> str:
    if band.low <= 0:
        return f"under {money(band.high, currency)}"
    if band.high == float("inf"):
        return f"over {money(band.low, currency)}"
    return f"{money(band.low, currency)} to {money(band.high, currency)}"
