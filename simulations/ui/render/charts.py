"""Charts of the executive apps as SVG, one drawing for the live app and its printed brief, with their words.

Written by hand rather than with matplotlib: an input change must update the page within about 100 ms, and
matplotlib spends 20-40 ms of CPU per small figure on tick and text layout alone (measured on the 2-core machines,
SVG backend), while writing the same SVG takes about a millisecond. Charts are SVG documents for an ipywidgets Image
(format "svg+xml"); the brief embeds the same SVG, so the screen and the printed page show the same chart.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import MaxNLocator

from simulations.ui.render.chart_view import ChartText, rows_of

GOOD, BAD, NEUTRAL, INK, MUTED, GRID = "#1a7f37", "#b42318", "#2f6fb0", "#1f2328", "#57606a", "#d0d7de"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
BINS = 30


# --- geometry ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A histogram of ROI % draws with the 80% band and the point estimate."""

    edges: np.ndarray
    counts: np.ndarray
    point: float
    p10: float
    p90: float
    lo: float
    hi: float


def band(roi_pct: np.ndarray, point: float, p10: float, p90: float) -> Band:
    """Bins over the middle 99% of the draws (extremes clipped into the end bins), x range including 0."""
    finite = roi_pct[np.isfinite(roi_pct)]
    if finite.size == 0:
        finite = np.array([point if math.isfinite(point) else 0.0])
    lo, hi = (float(v) for v in np.percentile(finite, [0.5, 99.5]))
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    counts, edges = np.histogram(np.clip(finite, lo, hi), bins=BINS, range=(lo, hi))
    pad = edges[1] - edges[0]
    return Band(edges, counts, point, p10, p90, min(lo, 0.0) - pad, max(hi, 0.0) + pad)


@dataclass(frozen=True)
class Bars:
    """Tornado rows: (label, value at the input's low end, at its high end) around a base value."""

    base: float
    rows: tuple[tuple[str, float, float], ...]
    lo: float
    hi: float


def tornado_bars(base: float, rows: Sequence[tuple[str, float, float]], limit: int = 8) -> Bars:
    """The `limit` rows with the largest swing (already sorted by the engine), non-finite ends drawn at the base."""
    shown = tuple((label, _finite(lo, base), _finite(hi, base)) for label, lo, hi in rows[:limit])
    values = [v for _, lo, hi in shown for v in (lo, hi)] + [base]
    span = max(max(values) - min(values), 1.0)
    return Bars(base, shown, min(values) - 0.05 * span, max(values) + 0.05 * span)


def ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    """Round tick values inside [lo, hi]."""
    return [float(t) for t in MaxNLocator(n).tick_values(lo, hi) if lo <= t <= hi]


def _finite(value: float, fallback: float) -> float:
    return value if math.isfinite(value) else fallback


# --- SVG for the live apps --------------------------------------------------------------------------------------


class Svg:
    """A tiny SVG writer: shapes in pixel coordinates, text left as text for the browser to draw."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str, opacity: float = 1.0) -> None:
        self.parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" fill="{fill}"'
            + (f' fill-opacity="{opacity}"' if opacity < 1 else "")
            + "/>"
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1, dash: str = "") -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
            f'stroke-width="{width}"{extra}/>'
        )

    def text(
        self, x: float, y: float, text: str, *, size: int = 11, anchor: str = "start", fill: str = INK, bold=False
    ) -> None:
        weight = ' font-weight="600"' if bold else ""
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{weight}>'
            f"{html.escape(text)}</text>"
        )

    def polygon(self, points: Sequence[tuple[float, float]], fill: str, stroke: str, opacity: float) -> None:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        self.parts.append(
            f'<polygon points="{coords}" fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}" stroke-width="2"/>'
        )

    def bytes(self) -> bytes:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" font-family="{FONT}">'
        )
        return (head + "".join(self.parts) + "</svg>").encode()


def band_svg(b: Band, width: int = 640, height: int = 220) -> bytes:
    """The ROI spread as SVG: green bars above break-even, red below, the 80% band shaded, the estimate in blue."""
    s = Svg(width, height)
    left, right, top, bottom = 12, width - 12, 18, height - 38
    x = _scale(b.lo, b.hi, left, right)
    tallest = max(int(b.counts.max()), 1) * 1.1
    s.rect(x(b.p10), top, x(b.p90) - x(b.p10), bottom - top, NEUTRAL, 0.08)
    for lo, hi, count in zip(b.edges[:-1], b.edges[1:], b.counts, strict=True):
        h = (bottom - top) * count / tallest
        s.rect(x(lo) + 0.5, bottom - h, x(hi) - x(lo) - 1, h, GOOD if (lo + hi) / 2 >= 0 else BAD)
    s.line(left, bottom, right, bottom, MUTED)
    for t in ticks(b.lo, b.hi):
        s.line(x(t), bottom, x(t), bottom + 4, MUTED)
        s.text(x(t), bottom + 16, f"{t:+.0f}%" if t else "0%", size=10, anchor="middle", fill=MUTED)
    s.line(x(0), top - 6, x(0), bottom, INK, 1, "4 3")
    s.text(x(0) + 4, top + 2, "break-even", size=10)
    if math.isfinite(b.point):
        s.line(x(b.point), top, x(b.point), bottom, NEUTRAL, 2.5)
    s.text((left + right) / 2, height - 6, "Return on investment (%)", size=11, anchor="middle", fill=MUTED)
    return s.bytes()


def tornado_svg(t: Bars, width: int = 640, height: int = 250) -> bytes:
    """The tornado as SVG: one row per input, the bar spanning ROI at the input's low (red) and high (green) ends."""
    s = Svg(width, height)
    label_w, right, top, bottom = 280, width - 14, 8, height - 40
    x = _scale(t.lo, t.hi, label_w + 8, right)
    row_h = (bottom - top) / max(len(t.rows), 1)
    for i, (label, lo, hi) in enumerate(t.rows):
        y = top + i * row_h
        s.text(label_w, y + row_h * 0.62, _shorten(label, 46), size=11, anchor="end")
        for end, colour in ((lo, BAD), (hi, GOOD)):
            s.rect(min(x(t.base), x(end)), y + row_h * 0.18, abs(x(end) - x(t.base)), row_h * 0.64, colour, 0.85)
    s.line(x(t.base), top, x(t.base), bottom, INK)
    s.line(label_w + 8, bottom, right, bottom, MUTED)
    for v in ticks(t.lo, t.hi):
        s.line(x(v), bottom, x(v), bottom + 4, MUTED)
        s.text(x(v), bottom + 16, f"{v:+.0f}%" if v else "0%", size=10, anchor="middle", fill=MUTED)
    s.rect(label_w + 8, height - 14, 10, 10, BAD, 0.85)
    s.text(label_w + 22, height - 5, "input at its low value", size=10, fill=MUTED)
    s.rect(label_w + 170, height - 14, 10, 10, GOOD, 0.85)
    s.text(label_w + 184, height - 5, "at its high value (ROI %)", size=10, fill=MUTED)
    return s.bytes()


def radar_svg(labels: Sequence[str], ours: Sequence[float], peers: Sequence[float], size: int = 360) -> bytes:
    """Shares (0..1) on spokes: the organisation (blue, filled) against the peer median (grey outline)."""
    s = Svg(size + 220, size)
    cx, cy, radius = (size + 220) / 2, size / 2 + 4, size / 2 - 40
    for ring in (0.25, 0.5, 0.75, 1.0):
        s.polygon(_spokes(cx, cy, radius * ring, [1.0] * len(labels)), "none", GRID, 0)
        s.text(cx + 3, cy - radius * ring + 11, f"{ring:.0%}", size=9, fill=MUTED)
    for (px, py), label in zip(_spokes(cx, cy, radius + 16, [1.0] * len(labels)), labels, strict=True):
        anchor = "middle" if abs(px - cx) < 5 else ("start" if px > cx else "end")
        s.text(px, py + 4, label, size=11, anchor=anchor)
    s.polygon(_spokes(cx, cy, radius, peers), "none", MUTED, 0)
    s.polygon(_spokes(cx, cy, radius, ours), NEUTRAL, NEUTRAL, 0.25)
    s.rect(8, size - 34, 10, 10, NEUTRAL, 0.6)
    s.text(22, size - 25, "your organisation", size=10, fill=MUTED)
    s.rect(8, size - 18, 10, 10, MUTED, 0.6)
    s.text(22, size - 9, "peer median", size=10, fill=MUTED)
    return s.bytes()


def percentile_svg(rows: Sequence[tuple[str, float]], width: int = 640) -> bytes:
    """Percentile (0..100, 100 = best) of each measure as a bar, with the peer median at 50."""
    row_h = 22
    height = row_h * len(rows) + 34
    s = Svg(width, height)
    label_w, right = 270, width - 44
    x = _scale(0, 100, label_w + 8, right)
    for i, (label, pct) in enumerate(rows):
        y = 6 + i * row_h
        s.text(label_w, y + 15, _shorten(label, 44), size=11, anchor="end")
        s.rect(x(0), y + 4, x(100) - x(0), row_h - 8, GRID, 0.35)
        s.rect(x(0), y + 4, x(pct) - x(0), row_h - 8, GOOD if pct >= 50 else BAD, 0.85)
        s.text(x(pct) + 4, y + 15, f"{pct:.0f}", size=10, fill=MUTED)
    bottom = 6 + len(rows) * row_h
    s.line(x(50), 2, x(50), bottom, INK, 1, "4 3")
    for v in (0, 25, 50, 75, 100):
        s.text(x(v), bottom + 14, str(v), size=10, anchor="middle", fill=MUTED)
    s.text(x(50), bottom + 27, "percentile among peers (50 = the median peer; higher is better)", size=10,
           anchor="middle", fill=MUTED)  # fmt: skip
    return s.bytes()


def _scale(lo: float, hi: float, a: float, b: float):
    span = (hi - lo) or 1.0
    return lambda v: a + (min(max(v, lo), hi) - lo) / span * (b - a)


def _spokes(cx: float, cy: float, radius: float, values: Sequence[float]) -> list[tuple[float, float]]:
    n = len(values)
    return [
        (cx + radius * v * math.sin(2 * math.pi * i / n), cy - radius * v * math.cos(2 * math.pi * i / n))
        for i, v in enumerate(values)
    ]


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- the same charts in words and numbers (see chart_view.py) ---------------------------------------------------


def _signed(v: float) -> str:
    return f"{v:+.0f}%" if math.isfinite(v) else "n/a"


def band_text(b: Band, draws: int) -> ChartText:
    """The ROI spread: the estimate, the 80% band and how many draws land on each side of break-even."""
    above = int(sum(c for lo, hi, c in zip(b.edges[:-1], b.edges[1:], b.counts, strict=True) if (lo + hi) / 2 >= 0))
    total = int(b.counts.sum())
    finding = (
        f"Over {draws:,} draws of the uncertain inputs the estimated return is {_signed(b.point)}; the middle 80% of "
        f"draws fall between {_signed(b.p10)} and {_signed(b.p90)}, and {above:,} of {total:,} draws are at or above "
        "break-even."
    )
    rows = [
        (_signed(lo), _signed(hi), f"{int(c):,}") for lo, hi, c in zip(b.edges[:-1], b.edges[1:], b.counts, strict=True)
    ]
    return ChartText(finding, ("ROI from", "ROI to", "draws"), rows_of(rows), (0, 1, 2))


def tornado_text(t: Bars) -> ChartText:
    """The tornado: which input moves ROI most, and ROI at each input's low and high value."""
    if not t.rows:
        return ChartText(f"No input moves the return away from {_signed(t.base)}.", ("input",), ())
    label, lo, hi = t.rows[0]
    finding = (
        f"Around an estimated return of {_signed(t.base)}, the input that moves it most is {label}: "
        f"{_signed(lo)} at its low value, {_signed(hi)} at its high value."
    )
    rows = [(name, _signed(low), _signed(high)) for name, low, high in t.rows]
    return ChartText(finding, ("input", "ROI at its low value", "ROI at its high value"), rows_of(rows), (1, 2))


def radar_text(labels: Sequence[str], ours: Sequence[float], peers: Sequence[float]) -> ChartText:
    """The radar: on how many measures the organisation is above the peer median."""
    above = [label for label, o, p in zip(labels, ours, peers, strict=True) if o > p]
    finding = f"Your organisation is above the peer median on {len(above)} of {len(labels)} measures" + (
        f" ({', '.join(above)})." if above else "."
    )
    rows = [(label, f"{o:.0%}", f"{p:.0%}") for label, o, p in zip(labels, ours, peers, strict=True)]
    return ChartText(finding, ("measure", "your organisation", "peer median"), rows_of(rows), (1, 2))


def percentile_text(rows: Sequence[tuple[str, float]]) -> ChartText:
    """The percentile bars: the best and the weakest measure among peers."""
    if not rows:
        return ChartText("No measure to compare with peers.", ("measure", "percentile"), ())
    best, worst = max(rows, key=lambda r: r[1]), min(rows, key=lambda r: r[1])
    finding = (
        f"Among peers (50 is the median peer) your best measure is {best[0]} at percentile {best[1]:.0f}, "
        f"your weakest {worst[0]} at {worst[1]:.0f}."
    )
    return ChartText(finding, ("measure", "percentile"), rows_of([(label, f"{p:.0f}") for label, p in rows]), (1,))
