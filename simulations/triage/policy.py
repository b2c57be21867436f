"""The triage policy: routes, time limits and an ordered decision tree, and how it routes a stream of posts.

The tree is a list of nodes checked in order; the first node whose conditions all hold gives the route. Escalation
nodes come first, then the US Air Force "Web Posting Response Assessment" (2008), ending in a node that always holds.
Policies are read from data files by `policy_file.load_policy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulations.triage.vocab import AUTHORS, CATEGORY_NAMES, PLATFORMS, SENTIMENTS

KINDS = ("reply", "watch", "escalate")
WHEN_LISTS = {"category": CATEGORY_NAMES, "author": AUTHORS, "sentiment": SENTIMENTS, "platform": PLATFORMS}
WEIGHTS = ("routing", "on_time", "escalation", "reach", "crisis")


@dataclass(frozen=True)
class Route:
    """Where a post can go: what it does, how much it damps spread and how long before it takes effect.

    handle_min is how long the person on the desk spends on it (reading, replying or writing the hand-off), which
    sets how long later posts wait; contact names the team of the organisation profile that takes it over.
    """

    name: str
    kind: str
    label: str
    does: str
    damping: float
    act_after_min: float
    time_limit_min: float | None
    handle_min: float = 2.0
    contact: str | None = None


@dataclass(frozen=True)
class Rule:
    """One node of the tree: the question asked, the conditions that answer yes, the route and the reason why."""

    id: str
    ask: str
    when: Mapping[str, Any]
    route: str
    why: str

    def matches(self, posts: pd.DataFrame) -> np.ndarray:
        """Boolean mask of the posts for which every condition of this node holds."""
        mask = np.ones(len(posts), dtype=bool)
        for key, names in self.when.items():
            if key == "min_followers":
                mask &= posts["followers"].to_numpy() >= names
            else:
                table = np.isin(np.array(WHEN_LISTS[key]), names)
                mask &= table[posts[key].cat.codes.to_numpy()]
        return mask


@dataclass(frozen=True)
class CrisisLevel:
    """An Altimeter crisis level and the single-post negative reach and severity that, in this model, reach it."""

    level: int
    label: str
    min_reach: float
    min_severity: str


@dataclass(frozen=True)
class Policy:
    """A complete triage policy; build it with `load_policy` so that it is validated."""

    routes: Mapping[str, Route]
    rules: tuple[Rule, ...]
    time_limit_min: Mapping[str, float]
    crisis_levels: tuple[CrisisLevel, ...]
    escalation_review_min: float
    weights: Mapping[str, float]
    origin: str

    @property
    def route_names(self) -> tuple[str, ...]:
        return tuple(self.routes)

    def decide(self, posts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Route index and node index for every post: the first node that matches, vectorised over the stream."""
        rule_idx = np.full(len(posts), -1, dtype=np.int16)
        for i, rule in enumerate(self.rules):
            rule_idx[(rule_idx < 0) & rule.matches(posts)] = i
        route_of_rule = np.array([self.route_names.index(r.route) for r in self.rules], dtype=np.int16)
        return route_of_rule[rule_idx], rule_idx
