"""Case examples for the business units (fictional composites) and how fast attention to a post fades.

Crisis levels follow Altimeter ("Social Business Readiness", 2011); clusters and response strategies follow Coombs'
Situational Crisis Communication Theory; attention half-lives are Bitly's (2011). See docs/domain.md#triage-policy-as-
data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulations.common.decay import HALF_LIFE_HOURS, remaining_share
from simulations.common.decay import HALF_LIFE_SOURCE as HALF_LIFE_SOURCE
from simulations.common.validate import load_yaml
from simulations.common.vocabulary import PLATFORMS, UNITS
from simulations.lessons.kpis import CURRICULUM_DATA

CASE_CATALOGUE = CURRICULUM_DATA / "cases.yaml"

CRISIS_LEVELS = {
    0: "not a crisis",
    1: "negative mainstream coverage",
    2: "negative coverage and a significant company response or change",
    3: "short-term financial impact",
}
CLUSTERS = {
    "victim": "the organisation is a victim too (rumour, natural disaster, tampering)",
    "accidental": "an unintended act (a technical error, a product failure)",
    "preventable": "the organisation knowingly took a risk or someone made an avoidable mistake",
}
STRATEGIES = {
    "deny": "deny that there is a crisis, or correct the false facts",
    "diminish": "lessen the organisation's responsibility or the harm (excuse, justification)",
    "rebuild": "apologise, compensate and fix",
    "bolster": "remind people of past good works, thank those who help",
}
# The name the case-examples module has always used for the sourced half-lives.
HALF_LIVES_H = HALF_LIFE_HOURS


@dataclass(frozen=True)
class Case:
    """One case example: where and in which unit it happened, how fast the company answered, and the lesson."""

    id: str
    title: str
    unit: str
    platform: str
    what_happened: str
    response_hours: float
    crisis_level: int
    cluster: str
    strategy: str
    what_worked: str
    lesson: str


def load_cases(path: str | Path = CASE_CATALOGUE) -> tuple[Case, ...]:
    """Read and validate a case catalogue; errors name the file and the field."""
    root = load_yaml(path)
    root.only(["cases"])
    cases, seen = [], set()
    for item in root.get("cases").items(min_len=1):
        names = ["id", "title", "unit", "platform", "what_happened", "response_hours", "crisis_level"]
        item.only([*names, "cluster", "strategy", "what_worked", "lesson"])
        case_id = item.get("id").str()
        if case_id in seen:
            item.get("id").fail(f"case {case_id!r} is listed twice")
        seen.add(case_id)
        level = item.get("crisis_level").int(min=0, max=3)
        cases.append(
            Case(
                id=case_id,
                title=item.get("title").str(),
                unit=item.get("unit").choice(UNITS),
                platform=item.get("platform").choice(PLATFORMS),
                what_happened=item.get("what_happened").str(),
                response_hours=item.get("response_hours").float(min=0),
                crisis_level=level,
                cluster=item.get("cluster").choice(CLUSTERS),
                strategy=item.get("strategy").choice(STRATEGIES),
                what_worked=item.get("what_worked").str(),
                lesson=item.get("lesson").str(),
            )
        )
    return tuple(cases)


def attention_left(hours, half_life_h: float):
    """Share of a post's attention still to come after `hours`: the kit's one decay function, by this module's name."""
    return remaining_share(hours, half_life_h)


def half_life(platform: str) -> float | None:
    """The sourced half-life of attention on `platform`, or None where no source gives one."""
    return HALF_LIVES_H.get(platform)
