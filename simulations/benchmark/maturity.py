"""Maturity stage on Altimeter's social business hierarchy of needs, from documented rules over the peer measures.

The five stage names are Altimeter's ("Social Business Readiness", 2011). Which measures a stage requires is
smtk's own reading of them, an ASSUMPTION stated here so a trainer can see and change it:
- foundation: governance, in Altimeter's hierarchy a policy and the education that reinforces it; every program starts
  here and stays here while it builds them (smtk reads them as a policy and training that recurs beyond hiring);
- safety: a crisis team and its process (smtk reads it as a formal triage process); reaching safety takes the
  foundation's policy and recurring training as well, so its requirements below list all three;
- formation: a Center of Excellence, most of it trained, and at least half of the executives trained;
- enablement: the spokes enabled: at least half of the business units and of the employees trained;
- enlightenment: the ecosystem: a certification program and at least half of the partners trained.
A stage counts only when every stage below it is reached too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

STAGES = ("foundation", "safety", "formation", "enablement", "enlightenment")


@dataclass(frozen=True)
class Requirement:
    """A measure that must reach `minimum` (1 for a yes/no measure); `text` says it in plain words."""

    measure: str
    minimum: float
    text: str


REQUIREMENTS: dict[str, tuple[Requirement, ...]] = {
    "safety": (
        Requirement("policy_in_place", 1, "a social media policy"),
        Requirement("formal_triage", 1, "a formal triage process for posts and complaints"),
        Requirement("recurring_program", 1, "training that recurs, not only at hiring"),
    ),
    "formation": (
        Requirement("coe", 1, "a Center of Excellence"),
        Requirement("coverage_coe", 0.75, "at least 75% of the Center of Excellence trained"),
        Requirement("coverage_executives", 0.5, "at least half of the executives trained"),
    ),
    "enablement": (
        Requirement("coverage_business_units", 0.5, "at least half of the business units trained"),
        Requirement("coverage_employees", 0.5, "at least half of the employees trained"),
    ),
    "enlightenment": (
        Requirement("certification_program", 1, "a certification program"),
        Requirement("coverage_partners", 0.5, "at least half of the partners trained"),
    ),
}


@dataclass(frozen=True)
class Maturity:
    """The stage reached (level 1..5) and, unless at the top, what the next stage still needs."""

    stage: str
    level: int
    next_stage: str | None
    missing: tuple[str, ...]


def stage_levels(values: Mapping[str, Any]) -> np.ndarray:
    """Stage level 1..5 for measures given as scalars (one organisation) or columns (a peer table), vectorised."""
    level = np.ones(np.shape(np.asarray(values["policy_in_place"])), dtype=int)
    reached = np.ones_like(level, dtype=bool)
    for stage in STAGES[1:]:
        reached = reached & np.logical_and.reduce([_meets(values, r) for r in REQUIREMENTS[stage]])
        level = level + reached
    return level


def maturity(measures: Mapping[str, Any]) -> Maturity:
    """The maturity of one organisation from its measures, with the missing requirements of the next stage."""
    level = int(stage_levels(measures))
    if level == len(STAGES):
        return Maturity(STAGES[-1], level, None, ())
    following = STAGES[level]
    missing = tuple(r.text for r in REQUIREMENTS[following] if not _meets(measures, r))
    return Maturity(STAGES[level - 1], level, following, missing)


def stage_shares(peers: Mapping[str, Any]) -> dict[str, float]:
    """The share of peers at each stage, in stage order."""
    counts = np.bincount(stage_levels(peers), minlength=len(STAGES) + 1)[1:]
    return {stage: float(count / counts.sum()) for stage, count in zip(STAGES, counts, strict=True)}


def _meets(values: Mapping[str, Any], requirement: Requirement) -> np.ndarray:
    return np.asarray(values[requirement.measure], dtype=float) >= requirement.minimum
