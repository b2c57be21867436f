"""Phillips ROI Methodology: fully loaded cost lines, adjusted benefits, and ROI %, benefit-cost ratio and payback.

Formulas as summarised in docs/domain.md#roi-and-evaluation (after J. J. Phillips' ROI Methodology):
adjusted benefit = change x unit value x share attributed to training x confidence; BCR = benefits / costs;
ROI % = (benefits - costs) / costs x 100; payback months = costs / annual benefits x 12.
Any numeric field may hold a numpy array (one value per Monte Carlo draw): the arithmetic broadcasts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

Number = float | np.ndarray

COST_CATEGORIES: dict[str, str] = {
    "design": "Design and development",
    "delivery": "Delivery",
    "participants_time": "Participants' time",
    "platform": "Platform",
    "evaluation": "Evaluation",
    "overhead": "Overhead and administration",
}
BENEFIT_KINDS: dict[str, str] = {
    "risk": "Risk reduction",
    "productivity": "Productivity",
    "revenue": "Revenue (profit contribution)",
}
COST_INPUTS = ("quantity", "unit_value")
BENEFIT_INPUTS = ("change", "unit_value", "attribution", "confidence")


@dataclass(frozen=True)
class CostLine:
    """One fully loaded cost: quantity x unit value (e.g. sessions x cost per session); recurring ones repeat yearly."""

    name: str
    category: str
    quantity: Number
    unit_value: Number
    recurring: bool = False
    label: str = ""

    def __post_init__(self) -> None:
        if self.category not in COST_CATEGORIES:
            expected = ", ".join(COST_CATEGORIES)
            raise ValueError(f"cost {self.name!r}: category {self.category!r} is not one of {expected}")
        if np.any(np.asarray(self.quantity) < 0) or np.any(np.asarray(self.unit_value) < 0):
            raise ValueError(f"cost {self.name!r}: quantity and unit value must be >= 0")

    def amount(self, years: int = 1) -> Number:
        return self.quantity * self.unit_value * (years if self.recurring else 1)


@dataclass(frozen=True)
class Benefit:
    """One annual monetary benefit: change x unit value, adjusted by the share attributed to training and confidence."""

    name: str
    kind: str
    change: Number
    unit_value: Number
    attribution: Number = 1.0
    confidence: Number = 1.0
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in BENEFIT_KINDS:
            raise ValueError(f"benefit {self.name!r}: kind {self.kind!r} is not one of {', '.join(BENEFIT_KINDS)}")
        for share in (self.attribution, self.confidence):
            if np.any((np.asarray(share) < 0) | (np.asarray(share) > 1)):
                raise ValueError(f"benefit {self.name!r}: attribution and confidence must lie between 0 and 1")

    def adjusted(self) -> Number:
        return self.change * self.unit_value * self.attribution * self.confidence


@dataclass(frozen=True)
class Program:
    """A training program's cost lines and benefits; line names are unique and address inputs as 'name.field'."""

    costs: tuple[CostLine, ...]
    benefits: tuple[Benefit, ...] = ()

    def __post_init__(self) -> None:
        names = [line.name for line in (*self.costs, *self.benefits)]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"line names must be unique; repeated: {', '.join(repeated)}")
        if not self.costs:
            raise ValueError("a program needs at least one cost line: ROI is measured against fully loaded costs")

    def inputs(self) -> dict[str, float]:
        """Every input a range or slider may vary, as {'line.field': value}."""
        return {f"{line.name}.{f}": getattr(line, f) for line, fields in self._lines() for f in fields}

    def with_inputs(self, values: Mapping[str, Number]) -> Program:
        """A copy with some inputs replaced (scalars or arrays of draws); an unknown input name is an error."""
        unknown = sorted(set(values) - set(self.inputs()))
        if unknown:
            raise ValueError(f"unknown input(s) {', '.join(unknown)}; expected names like {next(iter(self.inputs()))}")
        changed = {}
        for key, value in values.items():
            name, field = key.rsplit(".", 1)
            changed.setdefault(name, {})[field] = value
        costs = tuple(replace(c, **changed[c.name]) if c.name in changed else c for c in self.costs)
        benefits = tuple(replace(b, **changed[b.name]) if b.name in changed else b for b in self.benefits)
        return Program(costs, benefits)

    def _lines(self) -> list[tuple[CostLine | Benefit, tuple[str, ...]]]:
        return [(c, COST_INPUTS) for c in self.costs] + [(b, BENEFIT_INPUTS) for b in self.benefits]


@dataclass(frozen=True)
class RoiResult:
    """Phillips outputs for one evaluation horizon; floats, or arrays when the inputs were arrays."""

    years: int
    costs: dict[str, Number]  # by line, over the horizon
    cost_categories: dict[str, Number]  # by COST_CATEGORIES key, over the horizon
    benefits: dict[str, Number]  # adjusted, by line, per year
    total_costs: Number
    annual_benefits: Number
    total_benefits: Number
    net_benefits: Number
    roi_pct: Number
    bcr: Number
    payback_months: Number


def evaluate(program: Program, years: int = 1) -> RoiResult:
    """Costs, adjusted benefits, ROI %, BCR and payback; first-year benefits by default, as Phillips recommends.

    With `years` > 1, recurring costs and the annual benefits count once per year; payback then says how many
    months of benefits repay the costs of the whole horizon.
    """
    if years < 1:
        raise ValueError(f"years must be 1 or more, got {years}")
    costs = {c.name: c.amount(years) for c in program.costs}
    categories: dict[str, Number] = {}
    for line in program.costs:
        categories[line.category] = categories.get(line.category, 0.0) + costs[line.name]
    benefits = {b.name: b.adjusted() for b in program.benefits}
    total_costs = sum(costs.values())
    annual = sum(benefits.values(), 0.0)
    total_benefits = annual * years
    return RoiResult(
        years=years,
        costs=costs,
        cost_categories=categories,
        benefits=benefits,
        total_costs=total_costs,
        annual_benefits=annual,
        total_benefits=total_benefits,
        net_benefits=total_benefits - total_costs,
        roi_pct=_ratio(total_benefits - total_costs, total_costs) * 100,
        bcr=_ratio(total_benefits, total_costs),
        payback_months=_ratio(total_costs, annual) * 12,
    )


def _ratio(numerator: Number, denominator: Number) -> Number:
    """numerator / denominator, infinite (signed like the numerator) where the denominator is not positive."""
    num, den = np.broadcast_arrays(np.asarray(numerator, float), np.asarray(denominator, float))
    out = np.where(num >= 0, np.inf, -np.inf)
    np.divide(num, den, out=out, where=den > 0)
    return float(out) if out.ndim == 0 else out
