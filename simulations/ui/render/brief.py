"""One-page briefs (PDF and PNG) of what an executive app shows: the figures, the charts and the assumptions.

A brief is one matplotlib figure the size of an A4 page, so its PDF has exactly one page; the charts are the apps'
own chart classes drawn on the page's axes.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from simulations.ui.render.charts import INK, MUTED, new_figure

A4 = (8.27, 11.69)
MARGIN = 0.06


class Page:
    """A page figure with a text cursor running down from the top; charts go into axes placed below the cursor."""

    def __init__(self, title: str, subtitle: str) -> None:
        self.fig = new_figure(*A4)
        self.y = 0.965
        self.text(title, size=16, weight="bold")
        self.text(f"{subtitle} · {dt.date.today():%d %B %Y}", size=9, color=MUTED)
        self.y -= 0.008

    def text(self, line: str, *, size: float = 9, weight: str = "normal", color: str = INK, indent: float = 0) -> None:
        self.fig.text(
            MARGIN + indent, self.y, line, fontsize=size, weight=weight, color=color, va="top", parse_math=False
        )
        self.y -= size / 72 / A4[1] * 1.45

    def paragraph(self, text: str, *, size: float = 8, color: str = INK) -> None:
        """Text wrapped to the page width (about 0.55 em per character)."""
        width = int((1 - 2 * MARGIN) * A4[0] * 72 / (size * 0.55))
        for line in textwrap.wrap(text, width) or [""]:
            self.text(line, size=size, color=color)

    def heading(self, text: str) -> None:
        self.y -= 0.006
        self.text(text, size=11, weight="bold")

    def rows(self, rows: Sequence[Sequence[str]], widths: Sequence[float], *, size: float = 7.5) -> None:
        """Aligned columns; `widths` are fractions of the page width for every column but the last (the rest)."""
        widths = [*widths, 1 - 2 * MARGIN - sum(widths)]
        for row in rows:
            x = MARGIN
            for cell, width in zip(row, widths, strict=False):
                text = _fit(str(cell), width, size)
                self.fig.text(x, self.y, text, fontsize=size, color=INK, va="top", parse_math=False)
                x += width
            self.y -= size / 72 / A4[1] * 1.4

    def axes(self, height: float, *, left: float = 0.08, width: float = 0.86, polar: bool = False) -> Axes:
        self.y -= 0.035 if polar else 0.01  # a polar chart's labels stand above its axes
        ax = self.fig.add_axes([left, self.y - height, width, height], polar=polar)
        self.y -= height + 0.045
        return ax


def save(fig: Figure, fmt: str, dpi: int = 150, title: str | None = None) -> bytes:
    """The page as PDF (one page, its title in the document's properties for screen readers) or PNG bytes."""
    buffer = io.BytesIO()
    metadata = {"Creator": "smtk", **({"Title": title} if title else {})} if fmt == "pdf" else None
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def _fit(text: str, width: float, size: float) -> str:
    """Shorten a cell so it stays inside its column (about 0.55 em per character)."""
    room = int(width * A4[0] * 72 / (size * 0.55))
    return text if len(text) <= room else text[: max(room - 1, 1)] + "…"


def links(fig, stem: str, title: str | None = None) -> str:
    """Download links for the brief as `stem`.pdf and `stem`.png, rendered now and carried in the page."""
    from simulations.ui.apps.common import download_link

    pdf = download_link(save(fig, "pdf", title=title), f"{stem}.pdf", "application/pdf", "Brief (PDF)")
    return pdf + " · " + download_link(save(fig, "png"), f"{stem}.png", "image/png", "Brief (PNG)")
