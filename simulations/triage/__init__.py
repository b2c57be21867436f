"""Crisis-triage simulation engine: seeded post streams, a triage policy as data, Hawkes-style spread and scoring.

Pure numpy/pandas (no widgets); the same seed and inputs always give the same result. Typical use:

    stream = generate_stream("defect-viral", seed=7, org_name="Acme", products=["SmartKettle"])
    result = simulate(stream, decisions, seed=7)       # decisions: records, mapping or DataFrame
    score(result).points, debrief(result)
    replay(stream, other_policy, staff=2, order="urgency")  # a team's decisions, to compare process designs
"""

from __future__ import annotations

import pandas as pd

from simulations.common.datafiles import DataError
from simulations.triage.decisions import (
    apply_router,
    as_decisions,
    escalate_all,
    follow_policy,
    ignore_all,
    to_records,
)
from simulations.triage.designs import Design, compare, run_design
from simulations.triage.desk import Desk, replay
from simulations.triage.policy import Policy, Route, Rule
from simulations.triage.policy_file import load_policy, with_overrides
from simulations.triage.scenario import Inject, Scenario, list_scenarios, load_scenario
from simulations.triage.scoring import Score, crisis_levels, debrief, score
from simulations.triage.spread import SimResult, SpreadParams, simulate
from simulations.triage.stream import Stream, generate_stream, stream_from_records


def recommend(stream: Stream, policy: Policy | None = None) -> pd.DataFrame:
    """The recommended route, the tree node that chose it, why, and the time limit in seconds, for every post."""
    posts = stream.with_policy(policy).posts if policy is not None else stream.posts
    return posts[["post_id", "route", "rule", "why", "time_limit_s"]].copy()


__all__ = [
    "DataError",
    "Design",
    "Desk",
    "Inject",
    "Policy",
    "Route",
    "Rule",
    "Scenario",
    "Score",
    "SimResult",
    "SpreadParams",
    "Stream",
    "apply_router",
    "as_decisions",
    "compare",
    "crisis_levels",
    "debrief",
    "escalate_all",
    "follow_policy",
    "generate_stream",
    "ignore_all",
    "list_scenarios",
    "load_policy",
    "load_scenario",
    "recommend",
    "replay",
    "run_design",
    "score",
    "simulate",
    "stream_from_records",
    "to_records",
    "with_overrides",
]
