"""The peer dataset: its columns, size bands and measures, and loading it (built-in or uploaded) with validation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from simulations.common.audiences import AUDIENCE_LABELS, AUDIENCES, coverage_column
from simulations.common.datafiles import DATA
from simulations.common.tabular import Problems, Record, Source, read_csv

BUILTIN_PEERS = DATA / "peers" / "peers.csv"
# The year whose US dollars the built-in peers' spend is in: their 2011 survey mean is converted with the consumer
# price index of this year (facts bls-cpi-u-2011 and bls-cpi-u-<year>).
PRICE_YEAR = 2024

SIZE_BANDS: dict[str, tuple[int, int | None]] = {"small": (1, 999), "mid": (1_000, 9_999), "large": (10_000, None)}
SIZE_LABELS: dict[str, str] = {
    "small": "fewer than 1,000 employees",
    "mid": "1,000 to 9,999 employees",
    "large": "10,000 employees or more",
}


@dataclass(frozen=True)
class Measure:
    """One compared measure: its label, how a value reads ('money', 'share', 'flag', 'rate') and which way is better."""

    label: str
    kind: str
    higher_is_better: bool = True


COVERAGES: tuple[str, ...] = tuple(coverage_column(a) for a in AUDIENCES)
FLAGS = ("certification_program", "recurring_program", "policy_in_place", "coe", "formal_triage")
MEASURES: dict[str, Measure] = {
    "training_spend_per_employee": Measure("Training spend per employee (USD a year)", "money"),
    **{coverage_column(a): Measure(f"{AUDIENCE_LABELS[a]} trained", "share") for a in AUDIENCES},
    "certification_program": Measure("Certification program", "flag"),
    "recurring_program": Measure("Recurring training program", "flag"),
    "policy_in_place": Measure("Social media policy in place", "flag"),
    "coe": Measure("Center of Excellence", "flag"),
    "formal_triage": Measure("Formal triage process", "flag"),
    "crises_per_year": Measure("Social media crises a year", "rate", higher_is_better=False),
}
COLUMNS: tuple[str, ...] = ("company", "industry", "size_band", "employees", *MEASURES)


def size_band(employees: float) -> str:
    """The size band of a headcount."""
    for band, (low, high) in SIZE_BANDS.items():
        if employees >= low and (high is None or employees <= high):
            return band
    raise ValueError(f"expected a headcount of 1 or more, got {employees}")


def read_measures(record: Record) -> dict[str, float | bool | None]:
    """The compared measures of one peer row or one organisation profile (None where a value is wrong)."""
    values: dict[str, float | bool | None] = {}
    for name, measure in MEASURES.items():
        if measure.kind == "share":
            values[name] = record.fraction(name)
        elif measure.kind == "flag":
            values[name] = record.flag(name)
        else:
            values[name] = record.number(name, min=0)
    return values


def read_size(record: Record, *, both: bool) -> tuple[str | None, float | None]:
    """(size band, headcount): a peer row needs both; a profile needs either, and when it gives both they must agree."""
    if not both and record.is_blank("size_band") and record.is_blank("employees"):
        record.problems.add(
            record.where("size_band"),
            f"expected one of {', '.join(SIZE_BANDS)} (or a headcount in employees), got nothing (empty)",
        )
        return None, None
    optional = {} if both else {"default": None}
    band = record.choice("size_band", tuple(SIZE_BANDS), **optional)
    employees = record.number("employees", min=1, whole=True, **optional)
    if band is not None and employees is not None and size_band(employees) != band:
        expected = size_band(employees)
        record.problems.add(
            record.where("size_band"),
            f"expected {expected} for {employees:,.0f} employees ({SIZE_LABELS[expected]}), got {band!r}",
        )
        return None, employees
    return band or (size_band(employees) if employees is not None else None), employees


def load_peers(source: Source | None = None, name: str | None = None) -> pd.DataFrame:
    """Peer companies, one row each: the built-in SYNTHETIC data, or an uploaded CSV that replaces it.

    An upload is validated like the built-in file; a TableError (a DataError) names the file and lists every
    problem. `attrs['source']` names where the data came from and `attrs['synthetic']` says if it is synthetic.
    """
    if source is None:
        return _builtin().copy()
    return _read(source, name, synthetic=False)


@lru_cache(maxsize=1)
def _builtin() -> pd.DataFrame:
    return _read(BUILTIN_PEERS, "built-in peer data (synthetic)", synthetic=True)


def _read(source: Source, name: str | None, *, synthetic: bool) -> pd.DataFrame:
    records, problems = read_csv(source, name, COLUMNS)
    rows = [_read_row(record) for record in records]
    _check_unique(problems, records, rows)
    problems.raise_if_any()
    peers = pd.DataFrame(rows, columns=list(COLUMNS))
    peers["employees"] = peers["employees"].astype(int)
    peers[list(FLAGS)] = peers[list(FLAGS)].astype(bool)
    peers.attrs.update(source=problems.name, synthetic=synthetic)
    return peers


def _read_row(r: Record) -> dict:
    band, employees = read_size(r, both=True)
    industry = r.text("industry")
    row = {
        "company": r.text("company"),
        "industry": industry and industry.lower(),
        "size_band": band,
        "employees": employees,
    }
    return row | read_measures(r)


def _check_unique(problems: Problems, records: list[Record], rows: list[dict]) -> None:
    first: dict[str, int | None] = {}
    for record, row in zip(records, rows, strict=True):
        company = row["company"]
        if company in first:
            problems.add(
                record.where("company"), f"expected a unique company; {company!r} is already on row {first[company]}"
            )
        elif company is not None:
            first[company] = record.row
