"""`smtk facts`: the fact registry as a table, as CSV, or as a one-line summary, each source with its age."""

from __future__ import annotations

import datetime as dt
import statistics
from pathlib import Path

import pandas as pd

from graders.course.tailor import facts_path
from graders.paths import MANIFEST
from simulations.common.facts import Registry, load_facts

COLUMNS = ("id", "kind", "scope", "value", "source", "year", "age", "history", "review_by", "url")


def facts_table(registry: Registry, today: dt.date) -> pd.DataFrame:
    """One row per fact: its values, its source, the source's year and age in years on `today`, and its flags."""
    rows = []
    for fact in registry:
        source = fact.source
        rows.append(
            {
                "id": fact.id,
                "kind": fact.kind,
                "scope": fact.scope,
                "value": "; ".join(v if k == "value" else f"{k}: {v}" for k, v in fact.values.items()),
                "source": f"{source.publisher}, {source.title}" if source else "",
                "year": source.year if source else None,
                "age": fact.age(today),
                "history": fact.history,
                "review_by": fact.review_by.isoformat(),
                "url": (source.url or "") if source else "",
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype({"year": "Int64", "age": "Int64"})


def facts_summary(registry: Registry, today: dt.date) -> str:
    """One line: how many facts, the median year of their sources, the oldest source, and how many are history."""
    sourced = [f for f in registry if f.source is not None]
    years = [f.source.year for f in sourced]
    if not years:
        return f"{len(registry)} fact(s), none with a source"
    oldest = min(sourced, key=lambda f: f.source.year)
    history = sum(f.history for f in registry)
    return (
        f"{len(registry)} fact(s), {len(sourced)} with a source: median source year {statistics.median(years):g}, "
        f"oldest {oldest.source.year} ({oldest.id}, {today.year - oldest.source.year} years old); "
        f"{history} marked history"
    )


def list_facts(manifest_path: str | Path = MANIFEST, today: dt.date | None = None, fmt: str = "table") -> str:
    """The registry of the course whose manifest is `manifest_path` as `fmt`: "table", "csv" or "summary"."""
    today = today or dt.date.today()
    registry = load_facts(facts_path(Path(manifest_path)))
    if fmt == "summary":
        return facts_summary(registry, today)
    table = facts_table(registry, today)
    if fmt == "csv":
        return table.to_csv(index=False).rstrip("\n")
    shown = table.drop(columns=["url"]).astype({"year": object, "age": object}).fillna("")
    return shown.to_string(index=False, max_colwidth=48)
