"""Widgets: loss-exceedance curves that redraw fast, coverage sliders per audience, open versus sanitised training.

A slider must redraw its curve well inside 100 ms. Building a new matplotlib figure per change costs several times
that, so LossCurves draws the chart once, keeps the finished background (axes, grid, labels, fixed curves) and on
each change draws only the moving lines onto it (blitting) before encoding the PNG an Image widget shows.
"""

from __future__ import annotations

import html
import io
import time
from collections.abc import Iterable, Mapping, Sequence

import ipywidgets as w
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from simulations.common.audiences import AUDIENCE_LABELS
from simulations.common.money import money as shared_money
from simulations.risk import (
    AUDIENCES,
    Catalogue,
    Comparison,
    LossDistribution,
    Program,
    Register,
    default_catalogue,
    effective,
    program_cost,
    simulate,
)
from simulations.ui.render.chart_view import ChartText, ChartView, rows_of

POINTS = 120  # points on each curve
LOWEST = 1e-3  # the chart shows exceedance probabilities down to 1 in 1,000 years
COLOURS = ("#8c8c8c", "#1f5fbf", "#c2410c", "#15803d")


def money(value: float, currency: str = "USD") -> str:
    """A short amount for people: $1.2M, $350k, $900 (simulations.common.money's compact form)."""
    return shared_money(value, currency, compact=True)


class LossCurves:
    """A loss-exceedance chart in an Image widget: `fixed` curves drawn once, `moving` curves redrawn by `update`
    (`blit=False` redraws the whole figure on every update instead: the slow way, kept for the benchmark)."""

    def __init__(
        self,
        fixed: Mapping[str, LossDistribution],
        moving: Sequence[str],
        *,
        currency: str = "USD",
        size: tuple[float, float] = (6.4, 3.5),
        dpi: int = 96,
        blit: bool = True,
        title: str = "Chance a year of losing more than each amount",
    ) -> None:
        self.blit = blit
        self.currency = currency
        self.fixed = dict(fixed)
        self.figure = Figure(figsize=size, dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        ax = self.axes = self.figure.add_subplot()
        colours = iter(COLOURS)
        for name, dist in fixed.items():
            loss, probability = _curve(dist)
            ax.plot(loss, probability, color=next(colours), linewidth=2, linestyle="--", label=name)
        self.lines = {name: ax.plot([], [], color=next(colours), linewidth=2.5, label=name)[0] for name in moving}
        top = max(d.quantile(1 - LOWEST) for d in fixed.values())
        middle = min(d.quantile(0.5) for d in fixed.values())
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(max(middle / 30, 1.0), top * 2)
        ax.set_ylim(LOWEST, 0.7)
        ax.yaxis.set_major_locator(FixedLocator([0.5, 0.1, 0.01, 0.001]))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda p, _: f"1 in {round(1 / p):,}"))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: money(x, currency)))
        for p in (0.1, 0.01):
            ax.axhline(p, color="#bbbbbb", linewidth=0.8, zorder=0)
        named = ax.secondary_yaxis("right")  # the two named points, outside the plot so no curve ever covers them
        named.set_yticks([0.1, 0.01], labels=["P90", "P99"])
        named.yaxis.set_minor_locator(NullLocator())
        named.tick_params(labelsize=8, colors="#555")
        ax.grid(True, which="major", alpha=0.3)
        ax.set_xlabel(f"Annual loss ({currency}), log scale")
        ax.set_ylabel("Chance a year of losing more")
        self.figure.legend(loc="outside lower center", ncols=len(fixed) + len(moving), fontsize=8, frameon=False)
        # Only the moving lines, and the frame drawn over them, are redrawn on each update; everything else is in the
        # saved background, and nothing else overlaps the plot, so a blitted frame is the picture a full redraw gives.
        self.animated = [*self.lines.values(), *ax.spines.values()] if blit else []
        for artist in self.animated:
            artist.set_animated(True)
        self.image = w.Image(format="png", layout=w.Layout(width=f"{size[0] * dpi:.0f}px", max_width="100%"))
        self.image.add_class("smtk-loss-curve")
        self.view = ChartView(self.image, title)
        self._background = None
        self.redraws = 0

    def update(self, curves: Mapping[str, LossDistribution]) -> None:
        """Move the named curves to new distributions and show the new image."""
        for name, dist in curves.items():
            self.lines[name].set_data(*_curve(dist))
        if not self.blit:
            self.canvas.draw()
        else:
            if self._background is None:
                self.canvas.draw()  # animated artists are left out of the background
                self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.canvas.restore_region(self._background)
            for artist in self.animated:
                self.axes.draw_artist(artist)
        buffer = io.BytesIO()
        imsave(buffer, np.asarray(self.canvas.buffer_rgba()), format="png", pil_kwargs={"compress_level": 1})
        self.view.show(self.text(curves), buffer.getvalue())
        self.redraws += 1

    def text(self, curves: Mapping[str, LossDistribution]) -> ChartText:
        """The chart in words and numbers: each curve's median, 1-in-10 and 1-in-100 annual loss."""
        shown = {**self.fixed, **curves}
        rows = [(name, *(money(d.quantile(q), self.currency) for q in (0.5, 0.9, 0.99))) for name, d in shown.items()]
        finding = "; ".join(f"{name}: a 1 in 10 chance a year of losing more than {p90}" for name, _, p90, _ in rows)
        return ChartText(
            finding + ".",
            ("curve", "median year", "1 in 10 years (P90)", "1 in 100 years (P99)"),
            rows_of(rows),
            (1, 2, 3),
        )


def _curve(dist: LossDistribution) -> tuple[np.ndarray, np.ndarray]:
    curve = dist.exceedance(POINTS)
    return curve["loss"].to_numpy(), curve["probability"].to_numpy()


class CoverageExplorer:
    """Training coverage per audience (sliders), controls in place (checkboxes) and the training style; every
    change simulates the program on the same random draws as the status quo and redraws its loss-exceedance curve."""

    def __init__(
        self,
        register: Register,
        *,
        catalogue: Catalogue | None = None,
        audience_sizes: Mapping[str, float] | None = None,
        coverage: Mapping[str, float] | None = None,
        controls: Iterable[str] = (),
        style: str = "open",
        trials: int = 20_000,
        seed: int = 0,
    ) -> None:
        self.register = register
        self.catalogue = catalogue if catalogue is not None else default_catalogue()
        self.audience_sizes = audience_sizes
        self.trials, self.seed = trials, seed
        self.catalogue.check(Program(coverage or {}, frozenset(controls), style))
        (self.baseline,) = simulate(register, [Program()], catalogue=self.catalogue, trials=trials, seed=seed)
        coverage = coverage or {}
        # Whole percentages: an IntSlider sends back exactly what it was given when it first renders, where a
        # FloatSlider sends a rounded value and would trigger a needless recomputation on every page load.
        self.sliders = {
            a: w.IntSlider(
                value=round(100 * coverage.get(a, 0.0)),
                min=0,
                max=100,
                step=5,
                description=AUDIENCE_LABELS[a],
                continuous_update=False,
                style={"description_width": "150px"},
                layout=w.Layout(width="380px"),
            )
            for a in AUDIENCES
        }
        for a, slider in self.sliders.items():
            slider.add_class(f"smtk-coverage-{a}")
        self.checkboxes = {
            c.id: w.Checkbox(
                value=c.id in set(controls),
                description=(c.title or c.id).split(" (")[0],  # the short name; the tooltip has the rest
                tooltip=c.title or c.id,
                indent=False,
                layout=w.Layout(width="380px"),
            )
            for c in self.catalogue.controls.values()
        }
        self.style = w.ToggleButtons(
            options=[("Open training", "open"), ("Sanitised training", "sanitised")], value=style
        )
        self.chart = LossCurves(
            {"Without the program": self.baseline}, ["With the program"], currency=register.currency
        )
        self.readout = w.HTML()
        self.readout.add_class("smtk-risk-readout")
        self.last_ms = float("nan")
        self._shown: Program | None = None
        for control in [*self.sliders.values(), *self.checkboxes.values(), self.style]:
            control.observe(self._changed, names="value")
        self.redraw()
        controls_box = w.VBox(
            [
                w.HTML("<b>Training coverage (% of each audience trained)</b>"),
                *self.sliders.values(),
                w.HTML("<b>Controls in place</b>"),
                *self.checkboxes.values(),
                self.style,
            ]
        )
        self.widget = w.VBox([w.HBox([controls_box, self.chart.view.widget]), self.readout])
        self.widget.add_class("smtk-coverage-explorer")

    @property
    def program(self) -> Program:
        """The program the controls describe now."""
        coverage = {a: s.value / 100 for a, s in self.sliders.items() if s.value}
        controls = frozenset(c for c, box in self.checkboxes.items() if box.value)
        return Program(coverage, controls, self.style.value)

    def redraw(self) -> None:
        """Simulate the current program and redraw, unless it is the program already shown."""
        program = self.program
        if program == self._shown:
            return
        start = time.perf_counter()
        (with_program,) = simulate(
            self.register, [program], catalogue=self.catalogue, trials=self.trials, seed=self.seed
        )
        self.chart.update({"With the program": with_program})
        self.readout.value = self._readout(Comparison(self.baseline, with_program), program)
        self._shown = program
        self.last_ms = 1000 * (time.perf_counter() - start)

    def _changed(self, _change=None) -> None:
        self.redraw()

    def _readout(self, comparison: Comparison, program: Program) -> str:
        currency = self.register.currency
        names = {
            "expected": "Expected annual loss",
            "p90": "P90 (1-in-10-year loss)",
            "p99": "P99 (1-in-100-year loss)",
        }
        rows = "".join(
            f"<tr><th>{names[k]}</th><td>{money(r['without'], currency)}</td><td>{money(r['with'], currency)}</td>"
            f"<td>{money(r['reduction'], currency)}</td></tr>"
            for k, r in comparison.table().iterrows()
        )
        cost = ""
        if self.audience_sizes is not None:
            spent = program_cost(self.catalogue, program, self.audience_sizes)
            cost = f"<p>Program cost a year: <b>{money(spent, currency)}</b></p>"
        return (
            f"<table class='smtk-table'><tr><th></th><th>Without</th><th>With</th><th>Reduction</th></tr>{rows}"
            f"</table>{cost}"
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class StyleComparison:
    """Open versus sanitised training at one coverage of every track: both loss curves against no training, and
    the two risks the style moves in opposite directions, so both sides of the choice are in view."""

    def __init__(
        self,
        register: Register,
        *,
        catalogue: Catalogue | None = None,
        coverage: float = 0.6,
        controls: Iterable[str] = (),
        trials: int = 20_000,
        seed: int = 0,
    ) -> None:
        self.register = register
        self.catalogue = catalogue if catalogue is not None else default_catalogue()
        self.controls = frozenset(controls)
        self.trials, self.seed = trials, seed
        (self.baseline,) = simulate(register, [Program()], catalogue=self.catalogue, trials=trials, seed=seed)
        self.slider = w.IntSlider(
            value=round(100 * coverage),
            min=0,
            max=100,
            step=5,
            description="Coverage of every track (%)",
            continuous_update=False,
            style={"description_width": "initial"},
            layout=w.Layout(width="420px"),
        )
        self.slider.add_class("smtk-style-coverage")
        self.chart = LossCurves(
            {"No training": self.baseline}, ["Open training", "Sanitised training"], currency=register.currency
        )
        self.table = w.HTML()
        self.table.add_class("smtk-style-table")
        self.results: dict[str, LossDistribution] = {}
        self.slider.observe(lambda _: self.redraw(), names="value")
        self.redraw()
        self.widget = w.VBox([self.slider, w.HBox([self.chart.view.widget, self.table])])

    def programs(self) -> dict[str, Program]:
        coverage = dict.fromkeys(AUDIENCES, self.slider.value / 100)
        return {style: Program(coverage, self.controls, style) for style in ("open", "sanitised")}

    def redraw(self) -> None:
        programs = self.programs()
        dists = simulate(
            self.register, list(programs.values()), catalogue=self.catalogue, trials=self.trials, seed=self.seed
        )
        self.results = dict(zip(programs, dists, strict=True))
        self.chart.update({"Open training": self.results["open"], "Sanitised training": self.results["sanitised"]})
        self.table.value = self._table(programs)

    def _table(self, programs: Mapping[str, Program]) -> str:
        currency = self.register.currency
        per_risk = {s: effective(self.register, p, catalogue=self.catalogue) for s, p in programs.items()}
        styled = [i for i in self.register.ids if i in self.catalogue.style_risks]
        none = effective(self.register, Program(), catalogue=self.catalogue)
        rows = "".join(
            f"<tr><th>{html.escape(none.loc[i, 'title'])}</th><td>{none.loc[i, 'likelihood']:.0%}</td>"
            f"<td>{per_risk['open'].loc[i, 'likelihood']:.0%}</td>"
            f"<td>{per_risk['sanitised'].loc[i, 'likelihood']:.0%}</td></tr>"
            for i in styled
        )
        totals = "".join(
            f"<tr><th>{label}</th><td>{money(getattr(self.baseline, k), currency)}</td>"
            f"<td>{money(getattr(self.results['open'], k), currency)}</td>"
            f"<td>{money(getattr(self.results['sanitised'], k), currency)}</td></tr>"
            for k, label in (("expected", "Expected annual loss"), ("p90", "P90 loss"), ("p99", "P99 loss"))
        )
        head = "<tr><th></th><th>No training</th><th>Open</th><th>Sanitised</th></tr>"
        return (
            f"<table class='smtk-table'>{head}"
            f"<tr><td colspan='4'><i>Chance a year of at least one event</i></td></tr>{rows}"
            f"<tr><td colspan='4'><i>All risks together</i></td></tr>{totals}</table>"
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
