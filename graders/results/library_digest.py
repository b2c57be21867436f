"""The library's digest for its followers, as files the company's mail or intranet sends on: one accessible HTML page
per learner with what is new on the topics they follow since the last digest sent to them. Each page written is
recorded in the library, so the next run starts after it and a run with nothing new writes nothing."""

from __future__ import annotations

import hashlib
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

from graders.course.check import library_database
from graders.course.manifest import Manifest, library_modules
from simulations.library import DigestItem, Library, LibraryStore, due_digests


@dataclass(frozen=True)
class Sent:
    """One learner's digest: the file written and how many new things it lists."""

    learner: str
    path: Path
    items: int


def file_stem(learner: str) -> str:
    """A file name for a learner's id (a hub name or a typed name): safe characters only, and, when any had to be
    replaced, a short hash of the id so that two ids never share a file."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", learner).strip("-.")[:80]
    if stem == learner:
        return stem
    return f"{stem or 'learner'}-{hashlib.sha256(learner.encode('utf-8')).hexdigest()[:8]}"


def digest_html(library: Library, learner: str, items: list[DigestItem], org_name: str) -> str:
    """The digest page: a title and heading, the followed topics, and a table of what is new (every text escaped)."""
    who, where = html.escape(learner), html.escape(org_name or "your organisation")
    topics = ", ".join(sorted(library.subscriptions.get(learner, set())))
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(cell)}</td>"
            for cell in (item.what, library.modules[item.module].title, item.author, item.text)
        )
        + "</tr>"
        for item in items
    )
    head = "".join(f'<th scope="col">{h}</th>' for h in ("What", "Module", "Who", "Text"))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{where} library: {len(items)} new for {who}</title>"
        "<style>body{font-family:sans-serif;color:#1a1a1a;background:#fff;max-width:48rem;margin:1rem auto;"
        "padding:0 1rem;line-height:1.5}table{border-collapse:collapse}th,td{border:1px solid #595959;"
        "padding:.3rem .5rem;text-align:left;vertical-align:top}</style></head>"
        f"<body><main><h1>What is new in {where}'s library</h1>"
        f"<p>For {who}, on the topics you follow: {html.escape(topics)}.</p>"
        f"<table><caption>{len(items)} new since your last digest</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        "<p>Open the Library app to read everything, answer a question or change what you follow.</p>"
        "</main></body></html>\n"
    )


def write_digests(library: str | Path, manifest: Manifest, out: str | Path, org_name: str = "") -> list[Sent]:
    """Write the digest of every follower with something new into `out` (a file each, replaced whole) and record it
    in the library at `library` (a SQLite file that must exist, or a PostgreSQL URL)."""
    out = Path(out)
    sent = []
    with LibraryStore(library_database(library), library_modules(manifest)) as store:
        state = store.state()
        upto = state.seq
        for learner, items in due_digests(state).items():
            out.mkdir(parents=True, exist_ok=True)
            path = out / f"{file_stem(learner)}.html"
            partial = path.with_suffix(".html.partial")
            partial.write_text(digest_html(state, learner, items, org_name), encoding="utf-8")
            os.replace(partial, path)
            store.digested(learner, upto)
            sent.append(Sent(learner, path, len(items)))
    return sent
