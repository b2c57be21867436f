"""One-page briefs of what an app shows (the ROI and benchmark briefs, the after-action review) as tagged PDFs.

A brief is built as HTML (headings, paragraphs, tables, and charts as the apps' own SVG with their finding as the
alternative text) and laid out by WeasyPrint as PDF/UA-1: real text, reading order, the document's language and
figure alternatives, so a screen reader reads the brief as it reads the app. The certificate uses the same renderer.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Sequence
from html import escape

from weasyprint import HTML

from simulations.ui.render.chart_view import ChartText
from simulations.ui.render.charts import INK, MUTED

LANG = "en-GB"
STYLE = f"""
@page {{ size: A4; margin: 12mm 14mm; }}
body {{ font-family: sans-serif; color: {INK}; font-size: 8.5pt; line-height: 1.3; margin: 0; }}
h1 {{ font-size: 15pt; margin: 0 0 1mm; }}
h2 {{ font-size: 10.5pt; margin: 3.5mm 0 1mm; }}
p {{ margin: 0 0 1.5mm; }}
.subtitle {{ color: {MUTED}; font-size: 8pt; margin-bottom: 2.5mm; }}
.lead {{ font-weight: bold; font-size: 9.5pt; }}
.small {{ font-size: 6.5pt; }}
table {{ border-collapse: collapse; width: 100%; font-size: 7.5pt; margin: 0 0 1.5mm; }}
th, td {{ text-align: left; padding: 0.4mm 1.5mm 0.4mm 0; border-bottom: 0.3pt solid #d0d7de; vertical-align: top; }}
figure {{ margin: 0 0 1mm; text-align: center; }}
figure img {{ max-width: 100%; max-height: 38mm; }}
"""


def tagged_pdf(html: str) -> bytes:
    """`html` laid out as a tagged PDF (PDF/UA-1): the one place the kit's documents are turned into PDF."""
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def page_count(html: str) -> int:
    return len(HTML(string=html).render().pages)


class Brief:
    """A brief under construction: blocks of HTML in reading order, under one H1 title and a dated subtitle."""

    def __init__(self, title: str, subtitle: str, *, today: dt.date | None = None) -> None:
        self.title = title
        self.blocks = [f"<h1>{escape(title)}</h1>", f'<p class="subtitle">{escape(subtitle)} · '
                       f"{(today or dt.date.today()):%d %B %Y}</p>"]  # fmt: skip

    def lead(self, text: str) -> None:
        """The brief's main figures, in bold under the title."""
        self.blocks.append(f'<p class="lead">{escape(text)}</p>')

    def paragraph(self, text: str, *, small: bool = False) -> None:
        self.blocks.append(f"<p{' class=small' if small else ''}>{escape(text)}</p>")

    def heading(self, text: str) -> None:
        self.blocks.append(f"<h2>{escape(text)}</h2>")

    def table(self, rows: Sequence[Sequence[object]], header: Sequence[str] | None = None, *, small=False) -> None:
        """A table; with `header`, its first row is column headers, so each cell is read with its column's name."""
        head = "<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr></thead>" if header else ""
        body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        self.blocks.append(f"<table{' class=small' if small else ''}>{head}<tbody>{body}</tbody></table>")

    def chart(self, svg: bytes, text: ChartText, *, width: str = "100%") -> None:
        """An app's chart, its finding as the figure's alternative text (what the app's chart view says)."""
        src = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
        self.blocks.append(f'<figure><img src="{src}" alt="{escape(text.finding)}" style="width:{width}"></figure>')

    def html(self) -> str:
        return (
            f'<!doctype html><html lang="{LANG}"><head><meta charset="utf-8"><title>{escape(self.title)}</title>'
            f"<style>{STYLE}</style></head><body><main>{''.join(self.blocks)}</main></body></html>"
        )

    def pdf(self) -> bytes:
        return tagged_pdf(self.html())


def fitted(build: Callable[[int], Brief], most: int) -> Brief:
    """The brief `build(n)` with the largest `n` up to `most` that fits one page (n counts rows of a long table)."""
    whole = build(most)
    if page_count(whole.html()) <= 1:
        return whole
    lo, hi = 0, most - 1  # build(lo) is taken to fit: the rest of the brief is made to fit one page
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if page_count(build(mid).html()) <= 1:
            lo = mid
        else:
            hi = mid - 1
    return build(lo)


def links(doc: Brief, stem: str) -> str:
    """A download link for the brief as `stem`.pdf, rendered now and carried in the page."""
    from simulations.ui.apps.common import download_link

    return download_link(doc.pdf(), f"{stem}.pdf", "application/pdf", "Brief (PDF)")
