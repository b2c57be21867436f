"""Pieces every executive app shares: messages instead of tracebacks, uploads, download links, cards and tables."""

from __future__ import annotations

import base64
import functools
import html
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import ipywidgets as w

from simulations.common.datafiles import DataError
from simulations.common.tabular import TableError

T = TypeVar("T")

STYLE = """<style>
.smtk-app { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; }
.smtk-cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0 10px; }
.smtk-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 12px; min-width: 130px; background: #fff; }
.smtk-card .smtk-label { font-size: 12px; color: #57606a; }
.smtk-card .smtk-value { font-size: 22px; font-weight: 600; }
.smtk-card .smtk-note { font-size: 11px; color: #57606a; }
.smtk-good { color: #1a7f37; } .smtk-bad { color: #b42318; }
.smtk-table { border-collapse: collapse; font-size: 13px; margin: 4px 0; }
.smtk-table th, .smtk-table td { border-bottom: 1px solid #eaeef2; padding: 3px 8px; text-align: left; }
.smtk-table td.smtk-num { text-align: right; font-variant-numeric: tabular-nums; }
.smtk-message-box { border-left: 4px solid #b42318; background: #fff5f5; padding: 6px 12px; margin: 6px 0; }
.smtk-notice { border-left: 4px solid #9a6700; background: #fff8c5; padding: 6px 12px; margin: 6px 0; }
.smtk-info { font-size: 13px; color: #57606a; }
.smtk-app a { color: #0969da; text-decoration: underline; }
</style>"""


def style() -> w.HTML:
    """The apps' stylesheet, as a widget placed once at the top of an app."""
    return w.HTML(STYLE)


def problems_html(error: Exception) -> str:
    """A user's data problem as a message listing every problem (file, where, what was expected)."""
    if isinstance(error, TableError):
        items = "".join(f"<li>{html.escape(p.field)}: {html.escape(p.problem)}</li>" for p in error.problems)
        count = len(error.problems)
        head = f"{html.escape(error.path)}: {count} problem{'s' if count != 1 else ''} to fix, nothing was changed"
        return f'<div class="smtk-message-box"><b>{head}</b><ul>{items}</ul></div>'
    if isinstance(error, DataError):
        where = f"{html.escape(error.path)}: {html.escape(error.field)}"
        return f'<div class="smtk-message-box"><b>{where}</b>: {html.escape(error.problem)}</div>'
    text = html.escape(str(error) or type(error).__name__)
    return (
        '<div class="smtk-message-box"><b>That did not work, and nothing was changed.</b> '
        f"{text}. Try other values, or reload the page.</div>"
    )


def guarded(message: w.HTML) -> Callable[[Callable], Callable]:
    """Wrap a widget callback so any error becomes a plain message in the app, never a traceback."""

    def wrap(callback: Callable) -> Callable:
        @functools.wraps(callback)
        def run(*args, **kwargs):
            try:
                return callback(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - an executive must see a message, whatever went wrong
                message.value = problems_html(exc)
                return None

        return run

    return wrap


def read_upload(upload: w.FileUpload, message: w.HTML, parse: Callable[[bytes, str], T]) -> tuple[str, T] | None:
    """The name of the file last chosen in `upload` and `parse(data, name)` of its bytes; None when nothing is chosen
    or the file has problems, which `message` then lists while the app keeps what it showed."""
    if not upload.value:
        return None
    item = upload.value[-1]
    name = item["name"]
    try:
        return name, parse(bytes(item["content"]), name)
    except Exception as exc:  # noqa: BLE001 - every problem is shown in the app
        message.value = problems_html(exc)
        return None


def upload_controls(
    upload_label: str, back_label: str, back_width: str
) -> tuple[w.FileUpload, w.Button, w.Button, w.HTML]:
    """An app's CSV upload, its hidden way back to the built-in data, and the brief button with its links' place."""
    upload = w.FileUpload(accept=".csv", multiple=False, icon="", description=upload_label)
    upload.add_class("smtk-upload")
    upload.layout.width = "260px"
    back = w.Button(description=back_label, layout=w.Layout(display="none", width=back_width))
    back.add_class("smtk-back")
    brief_button = w.Button(description="Download brief", button_style="primary", layout=w.Layout(width="200px"))
    brief_button.add_class("smtk-brief")
    return upload, back, brief_button, w.HTML().add_class("smtk-brief-links")


def download_link(data: bytes, filename: str, mime: str, text: str) -> str:
    """An HTML link that saves `data` as `filename`: the browser downloads it without a round trip to the server."""
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="smtk-download" download="{html.escape(filename)}" '
        f'href="data:{mime};base64,{encoded}">{html.escape(text)}</a>'
    )


def cards(items: Iterable[tuple[str, str, str, str]]) -> str:
    """KPI cards from (label, value, note, tone) where tone is '', 'good' or 'bad'."""
    body = "".join(
        f'<div class="smtk-card"><div class="smtk-label">{html.escape(label)}</div>'
        f'<div class="smtk-value{" smtk-" + tone if tone else ""}">{html.escape(value)}</div>'
        f'<div class="smtk-note">{html.escape(note)}</div></div>'
        for label, value, note, tone in items
    )
    return f'<div class="smtk-cards">{body}</div>'


def table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """An escaped HTML table; columns listed in `numeric` are right-aligned."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="smtk-num">{html.escape(str(v))}</td>' if i in numeric else f"<td>{html.escape(str(v))}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table class="smtk-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def section(title: str, *children: w.Widget) -> w.VBox:
    """A titled group of widgets."""
    return w.VBox([w.HTML(f"<h3>{html.escape(title)}</h3>"), *children])
