"""A one-page PDF certificate drawn with matplotlib (already a dependency), with searchable text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402


def write_certificate(
    path: Path,
    *,
    name: str,
    organisation: str,
    track: str,
    tier: str,
    issued: dt.date,
    expires: dt.date,
    verification_id: str,
    modules: list[str],
) -> Path:
    """Write an A4 landscape certificate; the learner's name and the verification id are real text in the PDF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        fig = plt.figure(figsize=(11.69, 8.27))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.add_patch(plt.Rectangle((0.03, 0.04), 0.94, 0.92, fill=False, linewidth=3, edgecolor="#1f3b5c"))
        lines = [
            (0.84, organisation, 18, "normal"),
            (0.74, "Certificate of achievement in social media", 26, "bold"),
            (0.64, "awarded to", 14, "normal"),
            (0.55, name, 30, "bold"),
            (0.45, f"{track} · {tier}", 20, "normal"),
            (0.37, f"Modules: {', '.join(modules)}", 10, "normal"),
            (0.26, f"Issued {issued:%d %B %Y} · valid until {expires:%d %B %Y}", 13, "normal"),
            (0.12, f"Verification id {verification_id}", 10, "normal"),
        ]
        for y, text, size, weight in lines:
            ax.text(0.5, y, text, ha="center", va="center", fontsize=size, fontweight=weight, wrap=True)
        pdf.savefig(fig)
        plt.close(fig)
        info = pdf.infodict()
        info["Title"] = f"Certificate: {name}, {track} {tier}"
        info["Subject"] = f"verification id {verification_id}"
        info["Author"] = organisation
    return path
