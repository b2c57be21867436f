"""One ROI scenario for an organisation: its profile and a plan (who is trained, style, years) -> program -> analysis.

The ROI app and its printed brief both go through `plan_program` and `analyse`, so they always show the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulations.common.audiences import AUDIENCES
from simulations.risk import Register
from simulations.roi.defaults import Assumptions, default_program
from simulations.roi.model import COST_CATEGORIES, Program, RoiResult, evaluate
from simulations.roi.risk_benefit import RiskBenefit, risk_benefit
from simulations.roi.uncertainty import MonteCarlo, Tornado, default_ranges, monte_carlo, tornado

DRAWS = 10_000
FIELD_WORDS = {
    "quantity": "amount",
    "unit_value": "unit cost",
    "change": "size",
    "attribution": "share due to training",
    "confidence": "confidence",
}


@dataclass(frozen=True)
class Plan:
    """What the executive chooses: the share of each audience trained, the training style, extra revenue, years."""

    coverage: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(AUDIENCES, 1.0))
    style: str = "open"
    revenue_change: float = 0.0
    years: int = 1


@dataclass(frozen=True)
class Analysis:
    """Everything shown for one program: the Phillips figures, the Monte Carlo band and the tornado."""

    program: Program
    years: int
    result: RoiResult
    band: MonteCarlo
    tornado: Tornado
    risk: RiskBenefit | None = None

    def label(self, key: str) -> str:
        return input_label(self.program, key)


def audiences_of(org: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, float]]:
    """Headcount and loaded hourly wage per audience from an organisation profile (the `ORG` parameters)."""
    audiences = org["audiences"]
    return (
        {a: audiences[a]["headcount"] for a in audiences},
        {a: audiences[a]["hourly_wage"] for a in audiences},
    )


def plan_program(
    org: Mapping[str, Any],
    plan: Plan,
    assumptions: Assumptions | None = None,
    register: Register | None = None,
) -> tuple[Program, RiskBenefit]:
    """The fully loaded program for the plan, its risk benefit taken from the risk engine for this organisation."""
    headcount, wages = audiences_of(org)
    risk = risk_benefit(headcount, plan.coverage, style=plan.style, register=register)
    program = default_program(
        headcount,
        wages,
        coverage=plan.coverage,
        risk_reduction=risk.reduction,
        revenue_change=plan.revenue_change,
        assumptions=assumptions,
    )
    return program, risk


def analyse(
    program: Program, years: int = 1, *, risk: RiskBenefit | None = None, draws: int = DRAWS, seed: int = 0
) -> Analysis:
    """Phillips figures at the current values, a seeded Monte Carlo band and the tornado over the default ranges."""
    ranges = default_ranges(program)
    return Analysis(
        program=program,
        years=years,
        result=evaluate(program, years),
        band=monte_carlo(program, ranges, n=draws, seed=seed, years=years),
        tornado=tornado(program, ranges, years=years),
        risk=risk,
    )


def input_label(program: Program, key: str) -> str:
    """A plain label for an input such as 'time:employees.unit_value': the line's label and what the field is."""
    name, field_name = key.rsplit(".", 1)
    line = next(x for x in (*program.costs, *program.benefits) if x.name == name)
    label = (line.label or line.name).split(":")[0]
    return f"{label} ({FIELD_WORDS.get(field_name, field_name)})"


def cost_rows(result: RoiResult) -> list[tuple[str, float]]:
    """Costs by category in the methodology's order, only those present."""
    return [(COST_CATEGORIES[c], result.cost_categories[c]) for c in COST_CATEGORIES if c in result.cost_categories]
