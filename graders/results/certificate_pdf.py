"""A one-page certificate as a tagged PDF (PDF/UA-1), laid out in HTML by WeasyPrint: real text, a heading, reading
order and the document's language, so a screen reader reads it as it reads a page."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from simulations.ui.render.brief import tagged_pdf

LANG = "en-GB"
STYLE = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: sans-serif; color: #1a1a1a; text-align: center; margin: 0; }
main { border: 3px solid #1f3b5c; height: 180mm; padding: 14mm 10mm; box-sizing: border-box; }
.org { font-size: 18pt; margin: 0 0 8mm; }
h1 { font-size: 26pt; margin: 0 0 8mm; }
.to { font-size: 14pt; margin: 0; }
.name { font-size: 30pt; font-weight: bold; margin: 4mm 0 6mm; }
.tier { font-size: 20pt; margin: 0 0 6mm; }
.modules { font-size: 10pt; margin: 0 0 10mm; }
.dates { font-size: 13pt; margin: 0 0 14mm; }
.id { font-size: 10pt; margin: 0; }
"""


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
    """Write an A4 landscape certificate; the learner's name and the verification id are real, tagged text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    e = escape
    title = f"Certificate: {name}, {track} {tier}"
    html = f"""<!doctype html>
<html lang="{LANG}"><head><meta charset="utf-8"><title>{e(title)}</title>
<meta name="author" content="{e(organisation)}"><meta name="description" content="verification id {e(verification_id)}">
<style>{STYLE}</style></head>
<body><main>
<p class="org">{e(organisation)}</p>
<h1>Certificate of achievement in social media</h1>
<p class="to">awarded to</p>
<p class="name">{e(name)}</p>
<p class="tier">{e(track)} · {e(tier)}</p>
<p class="modules">Modules: {e(", ".join(modules))}</p>
<p class="dates">Issued {issued:%d %B %Y} · valid until {expires:%d %B %Y}</p>
<p class="id">Verification id {e(verification_id)}</p>
</main></body></html>"""
    path.write_bytes(tagged_pdf(html))
    return path
