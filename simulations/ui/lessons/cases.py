"""Widget: browse case examples by unit, and see how much attention is gone by the time a reply comes."""

from __future__ import annotations

import html

import ipywidgets as w
import numpy as np
from matplotlib.figure import Figure

from simulations.common.vocabulary import UNIT_LABELS
from simulations.lessons.cases import (
    CLUSTERS,
    CRISIS_LEVELS,
    HALF_LIFE_SOURCE,
    HALF_LIVES_H,
    STRATEGIES,
    Case,
    attention_left,
)
from simulations.ui.render.chart_view import ChartText, ChartView
from simulations.ui.render.figures import png

ALL_UNITS = "all"


def case_explorer(cases: tuple[Case, ...]) -> w.VBox:
    """A unit filter, a case picker and the case card (crisis level, cluster, strategy, what worked, the lesson)."""
    unit = w.Dropdown(
        options=[("All units", ALL_UNITS), *((label, u) for u, label in UNIT_LABELS.items())],
        description="Unit",
    )
    picker = w.Dropdown(description="Case", layout=w.Layout(width="560px"))
    card = w.HTML()

    def offer(_=None) -> None:
        shown = [c for c in cases if unit.value in (ALL_UNITS, c.unit)]
        picker.options = [(c.title, c.id) for c in shown]
        picker.index = 0 if shown else None  # a Dropdown made without options does not select the first one
        show()

    def show(_=None) -> None:
        case = next((c for c in cases if c.id == picker.value), None)
        if case is None:
            card.value = "<p>No case from this unit yet: write one for the next brown-bag.</p>"
            return
        card.value = (
            f'<div class="smtk-case"><p><b>{html.escape(case.title)}</b> ({UNIT_LABELS[case.unit]}, '
            f"{html.escape(case.platform)}; a fictional composite)</p><p>{html.escape(case.what_happened)}</p><ul>"
            f"<li><b>First public response:</b> after {case.response_hours:g} hours</li>"
            f"<li><b>Crisis level {case.crisis_level}:</b> {CRISIS_LEVELS[case.crisis_level]}</li>"
            f"<li><b>Cluster:</b> {case.cluster} ({CLUSTERS[case.cluster]})</li>"
            f"<li><b>Strategy used:</b> {case.strategy} ({STRATEGIES[case.strategy]})</li>"
            f"<li><b>What worked, or should have:</b> {html.escape(case.what_worked)}</li></ul>"
            f"<p><i>{html.escape(case.lesson)}</i></p></div>"
        )

    unit.observe(offer, names="value")
    picker.observe(show, names="value")
    offer()
    return w.VBox([unit, picker, card])


def attention_clock(platforms: tuple[str, ...] = (), hours: float = 21.0) -> w.VBox:
    """A response-delay slider and the attention still to come on the platforms that have a sourced half-life."""
    shown = [p for p in platforms if p in HALF_LIVES_H] or list(HALF_LIVES_H)
    delay = w.FloatSlider(
        value=hours,
        min=0,
        max=48,
        step=0.5,
        description="Reply after (h)",
        style={"description_width": "initial"},
        continuous_update=False,
    )
    chart = ChartView(w.Image(format="png"), "Attention still to come after the first post")
    summary = w.HTML()
    fig = Figure(figsize=(6, 3))
    ax = fig.add_subplot()
    grid = np.linspace(0, 48, 193)
    for platform in shown:
        ax.plot(grid, 100 * attention_left(grid, HALF_LIVES_H[platform]), label=platform)
    marker = ax.axvline(hours, color="#b42318", linestyle="--")
    ax.set(xlabel="hours since the first post", ylabel="attention still to come (%)", ylim=(0, 100), xlim=(0, 48))
    ax.legend()
    fig.text(0.01, -0.02, HALF_LIFE_SOURCE, fontsize=7)

    def show(_=None) -> None:
        marker.set_xdata([delay.value, delay.value])
        left = {p: f"{100 * attention_left(delay.value, HALF_LIVES_H[p]):.1f}%" for p in shown}
        parts = [f"{p}: {share}" for p, share in left.items()]
        finding = (
            f"A reply after {delay.value:g} h comes with this much of the attention still to come: {'; '.join(parts)}."
        )
        chart.show(ChartText(finding, ("Platform", "Attention still to come"), tuple(left.items()), (1,)), png(fig))
        summary.value = f"<p>Attention still to come when you reply: {'; '.join(parts)}.</p>"

    delay.observe(show, names="value")
    show()
    return w.VBox([delay, chart.widget, summary])
