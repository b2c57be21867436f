"""Triage process designs compared on the same seeded stream: a policy edit, a team size and an order of work.

A design is run by `replay` (a team that follows the edited tree on what it can see) and judged by the stream's own
policy, the reference for what actually helps: so a design is better when it routes more posts fittingly, answers
in time, escalates what needs it and no more, and keeps negative reach down, at the cost of desk hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulations.triage.desk import ORDERS, replay
from simulations.triage.policy import Policy
from simulations.triage.policy_file import with_overrides
from simulations.triage.scoring import score
from simulations.triage.spread import SimResult, simulate
from simulations.triage.stream import Stream


@dataclass(frozen=True)
class Design:
    """How the desk runs: overrides on the stream's policy (the policy file's shape), people on the desk, order of work
    ("arrival": oldest first; "urgency": the route with the shortest time limit first)."""

    overrides: Mapping[str, Any] | None = None
    staff: int = 1
    order: str = "arrival"

    def policy(self, base: Policy) -> Policy:
        return with_overrides(base, self.overrides)


def run_design(stream: Stream, design: Design, *, seed: int = 0) -> SimResult:
    """Replay `stream` with `design` and simulate the spread; scored against the stream's own policy."""
    if design.order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, got {design.order!r}")
    decisions = replay(stream, design.policy(stream.policy), staff=design.staff, order=design.order)
    return simulate(stream, decisions, seed=seed)


def summary(result: SimResult, design: Design) -> dict[str, Any]:
    """The figures a CoE weighs for one design: the shift's score and what the design cost the desk."""
    s = score(result)
    policy = design.policy(result.stream.policy)
    routes = result.decisions["route"].astype(str)
    handle_min = routes.map({n: r.handle_min for n, r in policy.routes.items()}).to_numpy(float)
    kinds = routes.map({n: r.kind for n, r in policy.routes.items()})
    arrival = result.stream.posts["time_s"].to_numpy()[result.decisions["post_id"].to_numpy()]
    done = arrival + result.decisions["response_time_s"].to_numpy()
    return {
        "staff": design.staff,
        "order": design.order,
        "points": s.points,
        "negative_reach": s.negative_reach,
        "reach_reduction": s.reach_reduction,
        "crisis_level": s.crisis_level,
        "on_time_rate": s.on_time_rate,
        "routing_accuracy": s.routing_accuracy,
        "escalation_recall": s.escalation_recall,
        "escalations": int((kinds == "escalate").sum()),
        "over_escalations": s.over_escalations,
        "coe_load_h": s.coe_load_h,
        "desk_hours": float(handle_min.sum() / 60.0),
        "last_answer_h": float(done.max(initial=0.0) / 3600.0),
    }


def compare(stream: Stream, designs: Mapping[str, Design], *, seed: int = 0) -> pd.DataFrame:
    """One row per design (in the order given), replayed on the same stream and the same luck."""
    rows = {name: summary(run_design(stream, d, seed=seed), d) for name, d in designs.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table.astype({"crisis_level": np.int64, "escalations": np.int64, "over_escalations": np.int64})
