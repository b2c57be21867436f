"""Case examples for the business units (fictional composites) and how fast attention to a post fades.

Crisis levels follow Altimeter ("Social Business Readiness", 2011); clusters and response strategies follow Coombs'
Situational Crisis Communication Theory; attention half-lives are Bitly's (2011). See docs/domain.md#triage-policy-as-
data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field

from simulations.common.decay import HALF_LIFE_HOURS, remaining_share
from simulations.common.decay import HALF_LIFE_SOURCE as HALF_LIFE_SOURCE
from simulations.common.models import (
    Count,
    FileModel,
    Platform,
    Text,
    choice,
    hours,
    items,
    json_schema,
    load_model,
    unique_by,
)
from simulations.common.vocabulary import UNITS
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


class CaseFile(FileModel):
    """One case example: where and in which unit it happened, how fast the company answered, and the lesson."""

    id: Text
    title: Text
    unit: choice(UNITS, "the business unit it happened in")
    platform: Platform
    what_happened: Text
    response_hours: hours(description="how long the company took to answer")
    crisis_level: Annotated[Count, Field(le=3, description="Altimeter's crisis level: 0 (not a crisis) to 3")]
    cluster: choice(CLUSTERS, "Coombs' crisis cluster: victim, accidental or preventable")
    strategy: choice(STRATEGIES, "Coombs' response strategy: deny, diminish, rebuild or bolster")
    what_worked: Text
    lesson: Text

    def case(self) -> Case:
        return Case(**self.model_dump())


class CasesFile(FileModel):
    """The case examples of the business units (simulations/data/curriculum/cases.yaml), fictional composites."""

    cases: Annotated[items(CaseFile, min_len=1), unique_by("id", "case {value!r} is listed twice")]


def load_cases(path: str | Path = CASE_CATALOGUE) -> tuple[Case, ...]:
    """Read and validate a case catalogue; errors name the file, line, column and field."""
    return tuple(c.case() for c in load_model(path, CasesFile).cases)


def cases_schema() -> dict:
    """The JSON Schema of the case catalogue, for editors."""
    return json_schema(CasesFile, "Case catalogue", "Case examples for the business units (fictional composites).")


def attention_left(hours, half_life_h: float):
    """Share of a post's attention still to come after `hours`: the kit's one decay function, by this module's name."""
    return remaining_share(hours, half_life_h)


def half_life(platform: str) -> float | None:
    """The sourced half-life of attention on `platform`, or None where no source gives one."""
    return HALF_LIVES_H.get(platform)
