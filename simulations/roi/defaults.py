"""A default program built from an organisation's headcount and loaded wages per audience.

Each audience is trained in its own format (docs/domain.md#formats-by-level): private sessions for leaders, group
sessions for managers, webinars and on-demand modules for the workforce, scalable resources for partners.
Every unit cost and benefit estimate below is an ASSUMED planning figure unless a source is named: an organisation
should replace them with its own (or upload actual costs and benefits as CSV). `assumption_rows` lists them all, with
their basis, for the apps and the printed brief.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from simulations.common.audiences import AUDIENCE_LABELS, AUDIENCES
from simulations.common.facts import shipped_facts
from simulations.common.money import money, percent
from simulations.common.tabular import Problems, Record, check_columns
from simulations.roi.model import Benefit, CostLine, Program


@dataclass(frozen=True)
class DeliveryFormat:
    """How one audience is trained: format, hours of each participant's time, and the delivery unit cost."""

    label: str
    hours: float
    unit_cost: float  # per session when group_size is set, else per participant
    group_size: int | None = None


# Unit costs are ASSUMED list prices for planning, to be replaced by actual costs. The workforce's hours follow
# Edelman's internal certification (fact edelman-belts of the registry): a belt is at most so many modules of at
# most so many minutes and a quiz (assumed QUIZ_MINUTES), one belt a year; the other audiences' hours are ASSUMED.
_BELTS = shipped_facts()["edelman-belts"]
QUIZ_MINUTES = 12.0
EMPLOYEE_HOURS = (max(_BELTS.numbers("per_belt")) * _BELTS.number("minutes") + QUIZ_MINUTES) / 60
HOURS_BASIS = {
    "employees": f"Edelman's certification: a belt is {_BELTS.text('per_belt')} modules of up to "
    f"{_BELTS.text('minutes')} min and a quiz (upper end)"
}
RISK_BASIS = "the risk engine already isolates training; confidence assumed (its figures are illustrative)"
DEFAULT_FORMATS: dict[str, DeliveryFormat] = {
    "executives": DeliveryFormat("private sessions", hours=3, unit_cost=2_500, group_size=3),
    "coe": DeliveryFormat("conferences, peer groups and vendor sessions", hours=24, unit_cost=1_500),
    "business-units": DeliveryFormat("group policy-and-process sessions", hours=4, unit_cost=1_500, group_size=25),
    "employees": DeliveryFormat("bite-sized on-demand modules and webinars", hours=EMPLOYEE_HOURS, unit_cost=5),
    "partners": DeliveryFormat("on-demand partner resources", hours=1, unit_cost=3),
}


@dataclass(frozen=True)
class Assumptions:
    """The ASSUMED unit costs and benefit estimates behind `default_program`; every one can be overridden."""

    formats: Mapping[str, DeliveryFormat] = field(default_factory=lambda: dict(DEFAULT_FORMATS))
    design_and_development: float = 25_000.0  # one-off: tailoring modules, policy excerpts, exercises
    platform_per_learner: float = 4.0  # per learner per year: hosting, learning system seats
    evaluation: float = 5_000.0  # one-off: surveys, follow-up, isolating the training effect
    hours_saved: Mapping[str, float] = field(default_factory=lambda: {"business-units": 4.0, "employees": 2.0})
    productivity_attribution: float = 0.5
    productivity_confidence: float = 0.6
    risk_attribution: float = 1.0  # the risk engine already isolates the effect of training
    risk_confidence: float = 0.7
    # Phillips converts revenue to profit contribution; the margin is the kit's model (fact roi-profit-margin).
    revenue_margin: float = shipped_facts()["roi-profit-margin"].number()
    revenue_attribution: float = 0.3
    revenue_confidence: float = 0.5


def default_program(
    headcount: Mapping[str, float],
    wages: Mapping[str, float],
    *,
    coverage: Mapping[str, float] | None = None,
    risk_reduction: float = 0.0,
    revenue_change: float = 0.0,
    assumptions: Assumptions | None = None,
) -> Program:
    """Fully loaded costs and adjusted benefits for training each audience once a year.

    `headcount` and `wages` map audiences (executives, coe, business-units, employees, partners) to people and to
    loaded hourly wages; `coverage` maps audiences to the share of them trained (default: everyone; the number trained
    is rounded to whole people); `risk_reduction` is the expected annual loss avoided (from the risk engine), in money.
    Bad values raise a TableError listing every problem.
    """
    a = assumptions or Assumptions()
    people, pay = _read_audiences(headcount, wages, coverage)
    costs = [CostLine("design", "design", 1, a.design_and_development, label="Design and development")]
    for audience in (x for x in AUDIENCES if people[x] > 0):
        fmt, n = a.formats[audience], people[audience]
        units = math.ceil(n / fmt.group_size) if fmt.group_size else n
        costs.append(
            CostLine(
                f"delivery:{audience}",
                "delivery",
                units,
                fmt.unit_cost,
                recurring=True,
                label=f"Delivery, {audience}: {fmt.label}",
            )
        )
        costs.append(
            CostLine(
                f"time:{audience}",
                "participants_time",
                n * fmt.hours,
                pay[audience],
                recurring=True,
                label=f"Participants' time, {audience}: {fmt.hours:g} h each at the loaded wage",
            )
        )
    learners = sum(people.values())
    costs.append(
        CostLine(
            "platform",
            "platform",
            learners,
            a.platform_per_learner,
            recurring=True,
            label="Platform, per learner per year",
        )
    )
    costs.append(CostLine("evaluation", "evaluation", 1, a.evaluation, label="Evaluation"))
    benefits = [
        Benefit(
            "risk",
            "risk",
            risk_reduction,
            1.0,
            a.risk_attribution,
            a.risk_confidence,
            label="Risk reduction: expected annual loss avoided",
        )
    ]
    for audience, hours in a.hours_saved.items():
        if people.get(audience, 0) > 0 and hours > 0:
            benefits.append(
                Benefit(
                    f"productivity:{audience}",
                    "productivity",
                    people[audience] * hours,
                    pay[audience],
                    a.productivity_attribution,
                    a.productivity_confidence,
                    label=f"Productivity, {audience}: {hours:g} h saved a year each",
                )
            )
    benefits.append(
        Benefit(
            "revenue",
            "revenue",
            revenue_change,
            a.revenue_margin,
            a.revenue_attribution,
            a.revenue_confidence,
            label="Revenue, counted at its profit margin",
        )
    )
    return Program(tuple(costs), tuple(benefits))


def _read_audiences(
    headcount: Mapping[str, float], wages: Mapping[str, float], coverage: Mapping[str, float] | None = None
) -> tuple[dict[str, float], dict[str, float]]:
    """Validate the audience mappings together, listing every problem; missing audiences have no people.

    Returns the people trained (headcount x coverage, rounded) and the loaded wages of each audience.
    """
    problems = Problems("organisation profile")
    check_columns(problems, list(headcount), (), AUDIENCES, where="headcount", noun="audience")
    check_columns(problems, list(wages), (), AUDIENCES, where="wages", noun="audience")
    check_columns(problems, list(coverage or {}), (), AUDIENCES, where="coverage", noun="audience")
    counts = Record({f"headcount.{k}": v for k, v in headcount.items()}, problems)
    rates = Record({f"wages.{k}": v for k, v in wages.items()}, problems)
    shares = Record({f"coverage.{k}": v for k, v in (coverage or {}).items()}, problems)
    people = {a: counts.number(f"headcount.{a}", min=0, whole=True, default=0.0) for a in AUDIENCES}
    pay = {a: rates.number(f"wages.{a}", min=0, default=0.0) for a in AUDIENCES}
    trained = {a: shares.fraction(f"coverage.{a}", default=1.0) for a in AUDIENCES}
    for audience in AUDIENCES:
        if (people[audience] or 0) > 0 and audience not in wages:
            problems.add(f"wages.{audience}", "expected the loaded hourly wage of this audience (it has people)")
    problems.raise_if_any()
    return {a: float(round(people[a] * trained[a])) for a in AUDIENCES}, pay


def assumption_rows(assumptions: Assumptions | None = None, currency: str = "USD") -> list[tuple[str, str, str]]:
    """Every figure behind `default_program` as (what, value, basis), in plain words for the app and the brief."""
    a = assumptions or Assumptions()
    assumed = "assumed planning figure"
    rows = []
    for audience in AUDIENCES:
        fmt = a.formats[audience]
        unit = f"per session of up to {fmt.group_size}" if fmt.group_size else "per person"
        cost = f"{fmt.hours:g} h each, {money(fmt.unit_cost, currency)} {unit}"
        rows.append((f"{AUDIENCE_LABELS[audience]}: {fmt.label}", cost, HOURS_BASIS.get(audience, assumed)))
    rows += [
        ("Design and development (once)", money(a.design_and_development, currency), assumed),
        ("Platform", f"{money(a.platform_per_learner, currency)} per learner a year", assumed),
        ("Evaluation (once)", money(a.evaluation, currency), assumed),
        ("Participants' time", "hours x the loaded hourly wage in the organisation profile", "Phillips: fully loaded"),
    ]
    for audience, hours in a.hours_saved.items():
        rows.append((f"Time saved, {AUDIENCE_LABELS[audience].lower()}", f"{hours:g} h a year each", assumed))
    shares = "share due to training x confidence"
    rows += [
        (f"Productivity: {shares}", _shares(a.productivity_attribution, a.productivity_confidence), assumed),
        (f"Risk: {shares}", _shares(a.risk_attribution, a.risk_confidence), RISK_BASIS),
        ("Revenue: counted at a profit margin of", percent(a.revenue_margin), "Phillips: revenue as profit; assumed"),
        (f"Revenue: {shares}", _shares(a.revenue_attribution, a.revenue_confidence), assumed),
        ("Benefits counted", "the first year, unless more years are chosen", "Phillips: first year for short programs"),
    ]
    return rows


def _shares(attribution: float, confidence: float) -> str:
    return f"{percent(attribution)} x {percent(confidence)}"


@dataclass(frozen=True)
class FormatCost:
    """What training one audience in its format costs a year: delivery and participants' time, in total and each."""

    audience: str
    format: str
    people: float
    delivery: float
    time: float
    wage: float  # the audience's loaded hourly wage: what an hour of each person is worth to the business

    @property
    def total(self) -> float:
        return self.delivery + self.time

    @property
    def per_person(self) -> float:
        return self.total / self.people if self.people else 0.0


def format_costs(
    headcount: Mapping[str, float], wages: Mapping[str, float], assumptions: Assumptions | None = None
) -> list[FormatCost]:
    """The formats pyramid in money: each audience with people, from `default_program`'s own delivery and
    participants' time lines, so the lesson and the ROI app read the same cost model."""
    a = assumptions or Assumptions()
    people, pay = _read_audiences(headcount, wages)
    lines = {c.name: float(c.amount()) for c in default_program(headcount, wages, assumptions=a).costs}
    return [
        FormatCost(x, a.formats[x].label, people[x], lines[f"delivery:{x}"], lines[f"time:{x}"], pay[x])
        for x in AUDIENCES
        if people[x] > 0
    ]
