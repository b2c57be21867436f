"""Scoring a simulated shift (timeliness, routing, escalation, CoE load, reach, crisis level) and its debrief table."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulations.triage.spread import SimResult
from simulations.triage.vocab import SEVERITIES


@dataclass(frozen=True)
class Score:
    """The scores of one shift; `points` (0-100) weighs them with the policy's score_weights."""

    posts: int
    decided: int
    on_time_rate: float
    by_severity: dict[str, dict[str, Any]]
    routing_accuracy: float
    escalation_precision: float
    escalation_recall: float
    escalations_to_team: float
    over_escalations: int
    coe_load_h: float
    negative_reach: float
    baseline_reach: float
    reach_reduction: float
    crisis_level: int
    crisis_label: str
    baseline_crisis_level: int
    points: float

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (for a notebook's recorded results and nbgrader tests)."""
        return asdict(self)


def score(result: SimResult) -> Score:
    """Score a simulated shift against the recommendations of the policy it was simulated with.

    A post without a decision is neither routed right nor on time. Precision is 1 when nothing was escalated and
    recall is 1 when nothing needed escalating, so that doing the right nothing is not punished. Recall counts an
    escalation to any team; `escalations_to_team` only those passed to the team the policy names.
    """
    posts, out, policy = result.stream.posts, result.outcome, result.stream.policy
    n = len(posts)
    decided = out["decision"].cat.codes.to_numpy() >= 0
    seconds = out["response_time_s"].to_numpy()
    on_time = decided & (seconds <= posts["time_limit_s"].to_numpy())
    escalation = np.array([r.kind == "escalate" for r in policy.routes.values()] + [False])
    escalated = escalation[out["decision"].cat.codes.to_numpy()]
    should = escalation[posts["route"].cat.codes.to_numpy()]
    hits = int(np.sum(escalated & should))
    precision = hits / escalated.sum() if escalated.any() else 1.0
    recall = hits / should.sum() if should.any() else 1.0
    chosen, recommended = out["decision"].cat.codes.to_numpy(), posts["route"].cat.codes.to_numpy()
    to_team = float(np.mean(chosen[should] == recommended[should])) if should.any() else 1.0
    over = int(np.sum(escalated & ~should))
    accuracy = float(out["fitting"].mean()) if n else 1.0
    reach, baseline = float(out["negative_reach"].sum()), float(out["baseline_reach"].sum())
    reduction = 1.0 - reach / baseline if baseline > 0 else 0.0
    level = int(crisis_levels(result, "negative_reach").max(initial=0))
    base_level = int(crisis_levels(result, "baseline_reach").max(initial=0))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    parts = {
        "routing": accuracy,
        "on_time": float(on_time.mean()) if n else 1.0,
        "escalation": f1,
        "reach": reduction,
        "crisis": 1.0 - level / 3,
    }
    weights = policy.weights
    points = 100.0 * sum(weights[k] * v for k, v in parts.items()) / sum(weights.values())
    labels = {lv.level: lv.label for lv in policy.crisis_levels}
    return Score(
        posts=n,
        decided=int(decided.sum()),
        on_time_rate=parts["on_time"],
        by_severity=_by_severity(posts, decided, on_time, seconds),
        routing_accuracy=accuracy,
        escalation_precision=float(precision),
        escalation_recall=float(recall),
        escalations_to_team=to_team,
        over_escalations=over,
        coe_load_h=over * policy.escalation_review_min / 60.0,
        negative_reach=reach,
        baseline_reach=baseline,
        reach_reduction=reduction,
        crisis_level=level,
        crisis_label=labels.get(level, "no crisis"),
        baseline_crisis_level=base_level,
        points=points,
    )


def crisis_levels(result: SimResult, column: str = "negative_reach") -> np.ndarray:
    """The Altimeter crisis level (0-3) each post reaches: its reach and severity meet that level's thresholds."""
    reach = result.outcome[column].to_numpy()
    severity = result.stream.posts["severity"].cat.codes.to_numpy()
    level = np.zeros(len(reach), dtype=np.int8)
    for lv in result.stream.policy.crisis_levels:
        hit = (reach >= lv.min_reach) & (severity >= SEVERITIES.index(lv.min_severity))
        level[hit] = np.maximum(level[hit], lv.level)
    return level


def _by_severity(
    posts: pd.DataFrame, decided: np.ndarray, on_time: np.ndarray, seconds: np.ndarray
) -> dict[str, dict[str, Any]]:
    """Per severity: posts, share answered in time, median time to first response (None if none answered)."""
    severity = posts["severity"].cat.codes.to_numpy()
    table = {}
    for i, name in enumerate(SEVERITIES):
        mine = severity == i
        answered = seconds[mine & decided]
        table[name] = {
            "posts": int(mine.sum()),
            "on_time_rate": float(on_time[mine].mean()) if mine.any() else None,
            "median_response_s": float(np.median(answered)) if answered.size else None,
        }
    return table


def debrief(result: SimResult) -> pd.DataFrame:
    """One row per post: what was decided and when, what the policy recommends, why, and what it cost in reach."""
    posts, out = result.stream.posts, result.outcome
    cols = ["post_id", "time_s", "platform", "author", "category", "sentiment", "followers", "severity", "text"]
    table = posts[cols].copy()
    table["decision"] = out["decision"].to_numpy()
    table["response_time_s"] = out["response_time_s"].to_numpy()
    table["time_limit_s"] = posts["time_limit_s"].to_numpy()
    table["on_time"] = table["response_time_s"].to_numpy() <= table["time_limit_s"].to_numpy()
    table["recommended"] = posts["route"].to_numpy()
    table["correct"] = out["fitting"].to_numpy()
    table["node"] = posts["rule"].to_numpy()
    table["why"] = posts["why"].to_numpy()
    table["negative_reach"] = out["negative_reach"].to_numpy()
    table["reach_if_ignored"] = out["baseline_reach"].to_numpy()
    table["crisis_level"] = crisis_levels(result)
    return table
