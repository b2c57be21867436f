"""Goals before tools: business goals a sponsor recognises, and the ladder from a goal down to the platforms.

The ladder puts the steps in the order an executive conversation should take them (docs/domain.md#the-five-audiences,
the executives row of the curriculum matrix): the business goal, the changing relationship with customers, how
progress is measured, who must learn what, and only then the tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationInfo, model_validator

from simulations.common.audiences import AUDIENCE_LABELS, AUDIENCES
from simulations.common.facts import Cited
from simulations.common.models import (
    FileModel,
    Text,
    choice,
    invalid,
    items,
    json_schema,
    load_model,
    show,
    unique_by,
)
from simulations.lessons.kpis import CURRICULUM_DATA, Kpi, by_id, load_kpis

GOAL_CATALOGUE = CURRICULUM_DATA / "goals.yaml"
LADDER = ("business goal", "customer relationship", "measures", "who learns", "tools")


@dataclass(frozen=True)
class Goal:
    """One business goal with the relationship change behind it, its KPIs and the audiences it needs trained."""

    id: str
    goal: str
    relationship: str
    kpis: tuple[Kpi, ...]
    audiences: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Rung:
    """One step of the ladder: its name and the lines to show for it."""

    step: str
    lines: tuple[str, ...]


class GoalFile(FileModel):
    """One business goal with the relationship change behind it, its KPIs and the audiences it needs trained."""

    id: Text
    goal: Text = Field(description="the business goal, as a sponsor would say it")
    relationship: Text = Field(description="how the relationship with customers changes")
    kpis: items(Text, min_len=1) = Field(description="ids of the KPI catalogue's measures")
    audiences: items(choice(AUDIENCES), min_len=1) = Field(description="the audiences it needs trained")
    evidence: Cited = ""

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> GoalFile:
        known = (info.context or {}).get("kpis", {})
        for i, ref in enumerate(self.kpis):
            if ref not in known:
                raise invalid(f"expected one of {', '.join(sorted(known))} (got {show(ref)})", at=f"kpis[{i}]")
        return self

    def goal_of(self, known: dict[str, Kpi]) -> Goal:
        measures = tuple(known[ref] for ref in self.kpis)
        return Goal(self.id, self.goal, self.relationship, measures, tuple(self.audiences), self.evidence)


class GoalsFile(FileModel):
    """The business goals of the goals-before-tools lessons (simulations/data/curriculum/goals.yaml)."""

    goals: Annotated[items(GoalFile, min_len=1), unique_by("id", "goal {value!r} is listed twice")]


def load_goals(path: str | Path = GOAL_CATALOGUE, kpis: tuple[Kpi, ...] | None = None) -> tuple[Goal, ...]:
    """Read and validate the goal catalogue; every KPI id must exist in the KPI catalogue."""
    known = by_id(kpis if kpis is not None else load_kpis())
    return tuple(g.goal_of(known) for g in load_model(path, GoalsFile, {"kpis": known}).goals)


def goals_schema() -> dict:
    """The JSON Schema of the goal catalogue, for editors."""
    return json_schema(GoalsFile, "Goal catalogue", "Business goals a sponsor recognises, with their KPIs.")


def ladder(goal: Goal, org: dict) -> tuple[Rung, ...]:
    """The five rungs from `goal` down to the platforms `org` (an ORG parameters dict) already uses."""
    audiences = org["audiences"]
    who = tuple(
        f"{AUDIENCE_LABELS[a]} ({audiences[a]['headcount']:,} people)" if a in audiences else AUDIENCE_LABELS[a]
        for a in goal.audiences
    )
    relationship = (goal.relationship, goal.evidence) if goal.evidence else (goal.relationship,)
    return (
        Rung(LADDER[0], (goal.goal,)),
        Rung(LADDER[1], relationship),
        Rung(LADDER[2], tuple(f"{k.name} ({k.level})" for k in goal.kpis)),
        Rung(LADDER[3], who),
        Rung(LADDER[4], (f"{org['name']} already uses {', '.join(org['platforms'])}: choose among them last.",)),
    )
