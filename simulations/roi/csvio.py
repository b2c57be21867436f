"""Actual costs and benefits as CSV: read an upload into a Program (every problem listed at once), or write a template.

Format, one line per cost or benefit (header names are case-insensitive):
    type,category,item,quantity,unit_value,attribution,confidence,recurring
    cost,design,Course design,1,25000,,,no
    cost,participants_time,Employees' time (hours),1500,48,,,yes
    benefit,productivity,Hours saved by employees,2000,48,0.5,60%,
type is cost or benefit; category is a cost category (design, delivery, participants_time, platform, evaluation,
overhead) or a benefit kind (risk, productivity, revenue); a line's money is quantity x unit_value (a benefit's
quantity is its change and may be negative, a cost's may not); attribution and confidence (0..1 or a percentage)
are required for benefits and left empty for costs; recurring (yes/no, optional column) marks costs that repeat
every year and is left empty for benefits. Item names must be unique.
"""

from __future__ import annotations

import csv
import io

from simulations.common.tabular import Record, Source, read_csv
from simulations.roi.model import BENEFIT_KINDS, COST_CATEGORIES, Benefit, CostLine, Program

COLUMNS = ("type", "category", "item", "quantity", "unit_value", "attribution", "confidence")
OPTIONAL_COLUMNS = ("recurring",)


def read_costs_benefits_csv(path_or_bytes: Source, name: str | None = None) -> Program:
    """Read actual costs and benefits; raises a TableError (a DataError) naming the file and listing every problem.

    `name` is what the message calls the file (an upload's file name); it defaults to the path.
    """
    records, problems = read_csv(path_or_bytes, name, COLUMNS, OPTIONAL_COLUMNS)
    rows = [(record, _read_row(record)) for record in records]
    first_row: dict[str, int] = {}
    for record, row in rows:
        item = row["name"]
        if item in first_row:
            problems.add(
                record.where("item"), f"expected a unique item name; {item!r} is already on row {first_row[item]}"
            )
        elif item is not None:
            first_row[item] = record.row
    if records and not any(row.get("type") == "cost" for _, row in rows):
        problems.add("file", "expected at least one cost line: ROI is measured against fully loaded costs")
    problems.raise_if_any()
    costs = [CostLine(**_fields(row)) for _, row in rows if row["type"] == "cost"]
    benefits = [Benefit(**_fields(row)) for _, row in rows if row["type"] == "benefit"]
    return Program(tuple(costs), tuple(benefits))


def program_to_csv(program: Program) -> str:
    """The program in the upload format: a template an organisation can fill in with its actual figures."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*COLUMNS, *OPTIONAL_COLUMNS))
    for c in program.costs:
        writer.writerow(
            (
                "cost",
                c.category,
                c.label or c.name,
                _num(c.quantity),
                _num(c.unit_value),
                "",
                "",
                "yes" if c.recurring else "no",
            )
        )
    for b in program.benefits:
        writer.writerow(
            (
                "benefit",
                b.kind,
                b.label or b.name,
                _num(b.change),
                _num(b.unit_value),
                _num(b.attribution),
                _num(b.confidence),
                "",
            )
        )
    return out.getvalue()


def _read_row(r: Record) -> dict:
    """One line's values (None where a value is wrong); the problems go to the record's collector."""
    kind = r.choice("type", ("cost", "benefit"))
    is_cost = kind == "cost"
    categories = list(COST_CATEGORIES if is_cost else BENEFIT_KINDS) if kind else [*COST_CATEGORIES, *BENEFIT_KINDS]
    row = {
        "type": kind,
        "category": r.choice("category", categories),
        "name": r.text("item"),
        "quantity": r.number("quantity", min=0 if is_cost else None),
        "unit_value": r.number("unit_value", min=0),
    }
    if kind == "benefit":
        row["attribution"] = r.fraction("attribution")
        row["confidence"] = r.fraction("confidence")
        r.empty("recurring", "for a benefit (benefits count per year)")
    elif is_cost:
        r.empty("attribution", "for a cost")
        r.empty("confidence", "for a cost")
        row["recurring"] = r.flag("recurring", default=False)
    return row


def _fields(row: dict) -> dict:
    """Keyword arguments for CostLine or Benefit from a validated row."""
    fields = {k: v for k, v in row.items() if k not in ("type", "category")}
    fields["label"] = row["name"]
    fields["category" if row["type"] == "cost" else "kind"] = row["category"]
    if row["type"] == "benefit":
        fields["change"] = fields.pop("quantity")
    return fields


def _num(value: float) -> str:
    return f"{value:.15g}"
