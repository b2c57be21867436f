"""A live chart of negative reach over a shift, drawn once and then updated in place (new line data, same figure).

Redrawing a matplotlib figure from scratch (layout, ticks, text) costs most of an update. Here the static part (axes,
labels, legend and the no-response curve, which decisions cannot change) is rendered once and kept as a bitmap; an
update restores it, draws only the moving lines onto it and encodes the image (see benchmarks/sim_triage.py).
"""

from __future__ import annotations

import io

import ipywidgets as w
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from PIL import Image

from simulations.ui.render.chart_view import ChartText, ChartView, rows_of

YOURS = "#b42318"
NOBODY = "#8a919c"


class ReachChart:
    """Negative reach against hours from the start of the shift: so far, ahead if nothing more is done, and if
    nobody answered at all; a vertical line marks the simulated clock and a shaded band the shift."""

    def __init__(self, horizon_h: float, shift_h: float, *, size: tuple[float, float] = (7.0, 2.6), dpi: int = 90):
        self.horizon_h, self.shift_h = horizon_h, shift_h
        self.figure = Figure(figsize=size, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        ax = self.axes = self.figure.add_subplot()
        ax.axvspan(0, shift_h, color="#e4e9f0", zorder=0, label="your shift")
        (self.nobody,) = ax.plot([], [], color=NOBODY, lw=1.2, label="if nobody answers")
        (self.so_far,) = ax.plot([], [], color=YOURS, lw=2.2, label="your decisions so far", animated=True)
        (self.ahead,) = ax.plot([], [], color=YOURS, lw=1.2, ls="--", label="if nothing more is done", animated=True)
        self.now = ax.axvline(0, color="#1f2937", lw=0.9, animated=True)
        ax.set_xlim(0, horizon_h)
        ax.set_xlabel("hours from the start of the shift")
        ax.set_ylabel("people reached")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: people(v)))
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="lower right", fontsize="small", frameon=False)
        self._nobody: np.ndarray | None = None
        self._background = None
        self.image = w.Image(format="png", layout=w.Layout(width="100%", max_width="760px"))
        self.image.add_class("smtk-reach-chart")
        self.view = ChartView(self.image, "People reached by the posts over the shift")

    def update(self, hours: np.ndarray, reach: np.ndarray, nobody: np.ndarray, clock_h: float) -> None:
        """Move the lines to new data and re-encode the image; the figure, axes and artists are reused."""
        canvas = self.figure.canvas
        if self._background is None or not np.array_equal(nobody, self._nobody):
            # Responses never raise reach above the no-response curve, so its peak fixes the y range for the shift.
            self._nobody = np.array(nobody, copy=True)
            self.nobody.set_data(hours, nobody)
            self.axes.set_ylim(0, max(float(nobody.max(initial=0.0)), float(reach.max(initial=0.0)), 1.0) * 1.08)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        split = int(np.searchsorted(hours, clock_h, side="right"))
        self.so_far.set_data(hours[:split], reach[:split])
        self.ahead.set_data(hours[max(split - 1, 0) :], reach[max(split - 1, 0) :])
        self.now.set_xdata([clock_h, clock_h])
        for artist in (self.ahead, self.so_far, self.now):
            self.axes.draw_artist(artist)
        self.view.show(reach_text(hours, reach, nobody, clock_h, self.horizon_h), self.png())

    def png(self) -> bytes:
        """The canvas as it stands, encoded without drawing it again (fast zlib level: the image is small)."""
        canvas = self.figure.canvas
        width, height = canvas.get_width_height(physical=True)
        buffer = io.BytesIO()
        Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
            buffer, format="png", compress_level=1
        )
        return buffer.getvalue()


def reach_text(hours: np.ndarray, reach: np.ndarray, nobody: np.ndarray, clock_h: float, horizon_h: float) -> ChartText:
    """The reach chart in words and numbers: reach now and at the end, with your decisions and if nobody answers,
    and both curves at each whole hour."""
    at = lambda curve, h: float(np.interp(h, hours, curve)) if len(hours) else 0.0  # noqa: E731
    finding = (
        f"At hour {clock_h:.1f}, {people(at(reach, clock_h))} people reached; by hour {horizon_h:.0f}, "
        f"{people(at(reach, horizon_h))} if nothing more is done, against {people(at(nobody, horizon_h))} if nobody "
        "answers."
    )
    step = max(1, int(np.ceil(horizon_h / 12)))
    rows = [(f"{h:g}", people(at(reach, h)), people(at(nobody, h))) for h in range(0, int(horizon_h) + 1, step)]
    return ChartText(finding, ("hour", "with your decisions", "if nobody answers"), rows_of(rows), (0, 1, 2))


def people(value: float) -> str:
    """A count of people as a reader takes it in at a glance: 850, 12k, 1.3M."""
    if value >= 1e6:
        return f"{value / 1e6:.1f}M"
    if value >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:,.0f}"
