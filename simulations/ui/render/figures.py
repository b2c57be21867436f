"""Matplotlib figures as PNG bytes for an ipywidgets Image, so widgets redraw without pyplot's global state."""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def png(fig: Figure) -> bytes:
    """The figure rendered as PNG (Agg, no pyplot), ready for `ipywidgets.Image(value=...)`."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return buffer.getvalue()
