"""Widget: how much of a post's attention is still to come when you first reply, on the organisation's platforms.

The chart is a PNG in an Image widget, as in the kit's other widgets. An Output widget capturing `display(fig)`
made nbgrader's executor answer the kernel on the shell channel mid-cell, and under load that lost the cell's
reply until the 60 s cell timeout: the notebook graded right, a minute late."""

from __future__ import annotations

import html

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np

from simulations.lessons.attention import AVERAGE_RESPONSE_HOURS, HALF_LIFE_HOURS, HALF_LIFE_SOURCE, remaining_share
from simulations.ui.render.chart_view import ChartText, ChartView
from simulations.ui.render.figures import png

HORIZON_HOURS = 48


def attention_decay(platforms: list[str], hours: float = 1.0) -> w.VBox:
    """A slider for the hours until your first reply; the sourced decay curves, the organisation's platforms bold."""
    slider = w.FloatSlider(
        value=hours, min=0, max=HORIZON_HOURS, step=0.5, description="Hours until you reply", readout_format=".1f"
    )
    slider.style.description_width = "initial"
    summary = w.HTML()
    chart = ChartView(w.Image(format="png"), "Attention still to come after a post, by platform")
    t = np.linspace(0, HORIZON_HOURS, 200)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for platform, half_life in HALF_LIFE_HOURS.items():
        ours = platform in platforms
        ax.plot(
            t,
            [remaining_share(x, half_life) for x in t],
            linewidth=2.5 if ours else 1,
            alpha=1 if ours else 0.5,
            label=f"{platform} (half-life {half_life} h){'' if ours else ', not one of yours'}",
        )
    ax.axvline(AVERAGE_RESPONSE_HOURS, color="grey", linestyle=":", label="average company reply (21 h)")
    marker = ax.axvline(hours, color="#b42318", label="your reply")
    ax.set_xlabel("hours after the post")
    ax.set_ylabel("attention still to come")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    ax.set_title(HALF_LIFE_SOURCE, fontsize=8)
    fig.tight_layout()
    plt.close(fig)

    def show(_=None) -> None:
        marker.set_xdata([slider.value, slider.value])
        rows = "".join(
            f"<li><b>{html.escape(p)}</b>: "
            + (
                f"{remaining_share(slider.value, HALF_LIFE_HOURS[p]):.0%} of the attention is still to come"
                if p in HALF_LIFE_HOURS
                else "no sourced half-life; assume it moves as fast as the others"
            )
            + "</li>"
            for p in platforms
        )
        summary.value = f"<div class='smtk-summary'><ul>{rows}</ul></div>"
        left = {p: f"{remaining_share(slider.value, h):.0%}" for p, h in HALF_LIFE_HOURS.items()}
        finding = f"A first reply after {slider.value:g} h: " + "; ".join(
            f"{p} {s} still to come" for p, s in left.items()
        )
        chart.show(
            ChartText(finding + ".", ("Platform", "Attention still to come"), tuple(left.items()), (1,)), png(fig)
        )

    slider.observe(show, names="value")
    show()
    return w.VBox([slider, summary, chart.widget])
