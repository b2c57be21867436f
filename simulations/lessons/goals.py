"""Goals before tools: business goals a sponsor recognises, and the ladder from a goal down to the platforms.

The ladder puts the steps in the order an executive conversation should take them (docs/domain.md#the-five-audiences,
the executives row of the curriculum matrix): the business goal, the changing relationship with customers, how
progress is measured, who must learn what, and only then the tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulations.common.audiences import AUDIENCE_LABELS, AUDIENCES
from simulations.common.facts import cite
from simulations.common.validate import load_yaml
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


def load_goals(path: str | Path = GOAL_CATALOGUE, kpis: tuple[Kpi, ...] | None = None) -> tuple[Goal, ...]:
    """Read and validate the goal catalogue; every KPI id must exist in the KPI catalogue."""
    known = by_id(kpis if kpis is not None else load_kpis())
    root = load_yaml(path)
    root.only(["goals"])
    goals, seen = [], set()
    for item in root.get("goals").items(min_len=1):
        item.only(["id", "goal", "relationship", "kpis", "audiences", "evidence"])
        goal_id = item.get("id").str()
        if goal_id in seen:
            item.get("id").fail(f"goal {goal_id!r} is listed twice")
        seen.add(goal_id)
        measures = []
        for ref in item.get("kpis").items(min_len=1):
            measures.append(known[ref.choice(sorted(known))])
        goals.append(
            Goal(
                id=goal_id,
                goal=item.get("goal").str(),
                relationship=item.get("relationship").str(),
                kpis=tuple(measures),
                audiences=tuple(a.choice(AUDIENCES) for a in item.get("audiences").items(min_len=1)),
                evidence=cite(item.get("evidence", "")),
            )
        )
    return tuple(goals)


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
