"""What the screens show, derived from a World: the wall display's figures, the timeline and the after-action review.

Spread, reach, crisis levels, on-time rate, escalation precision and recall and team alignment come from the triage
engine's own scoring (one home for each figure); the team figures (first response per role against its limit,
routing to the owning role, hand-off delays) are computed here from the world's actions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulations.exercise.world import World
from simulations.triage.scoring import crisis_levels, score


@dataclass(frozen=True)
class Wall:
    """The wall display at one moment: reach so far against the baseline, open items per role, the crisis level."""

    now_s: float
    negative_reach: float
    baseline_reach: float
    open_by_role: dict[str, int]
    crisis_level: int
    crisis_label: str


@dataclass(frozen=True)
class AfterAction:
    """The after-action figures of an exercise; `as_dict` gives plain JSON values."""

    ended_s: float
    posts: int
    closed: int
    team_alignment: float
    on_time_rate: float
    routing_accuracy: float
    escalation_precision: float
    escalation_recall: float
    roles: dict[str, dict[str, Any]]
    handoffs: int
    handoff_delay_median_s: float | None
    handoff_delays: dict[str, dict[str, Any]]
    negative_reach: float
    baseline_reach: float
    reach_reduction: float
    crisis_level: int
    baseline_crisis_level: int
    crisis_label: str
    rejected: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def wall(world: World, now_s: float) -> Wall:
    """The wall display at `now_s`: reach and baseline so far, items waiting per role, the projected crisis level."""
    result, _ = world.simulate(now_s)
    curve = result.curve
    k = int(np.searchsorted(curve["time_s"].to_numpy(), now_s, side="right")) - 1
    level = int(crisis_levels(result).max(initial=0))
    labels = {lv.level: lv.label for lv in world.policy.crisis_levels}
    return Wall(
        now_s=now_s,
        negative_reach=float(curve["negative_reach"].iloc[max(k, 0)]),
        baseline_reach=float(curve["baseline_reach"].iloc[max(k, 0)]),
        open_by_role={role: len(world.waiting(role, now_s)) for role in world.exercise.roles},
        crisis_level=level,
        crisis_label=labels.get(level, "no crisis"),
    )


def timeline(world: World) -> pd.DataFrame:
    """Every post's coming out and every accepted action, in simulated time: when, who, in which role, what."""
    posts = world.posts()
    until = world.clock.at_s
    out = posts[posts["time_s"] <= until]
    rows = [
        {"time_s": float(t), "post": int(p), "who": "", "role": "", "what": "out", "detail": str(a)}
        for t, p, a in zip(out["time_s"], out["post_id"], out["author"], strict=True)
    ]
    for a in world.actions:
        detail = a.get("route") or a.get("to") or a.get("priority") or ""
        if a.get("verdict"):
            detail = f"{a['verdict']} {detail}".strip()
        name = world.participants[a["participant"]]["name"]
        rows.append(
            {
                "time_s": a["done_s"],
                "post": a["post"],
                "who": name,
                "role": a["role"],
                "what": a["action"],
                "detail": detail,
            }
        )
    return pd.DataFrame(rows).sort_values(["time_s", "post"], kind="stable").reset_index(drop=True)


def after_action(world: World, until_s: float | None = None) -> AfterAction:
    """The review of the exercise up to `until_s` (default: the controller's clock, the end once it has ended)."""
    until = world.clock.at_s if until_s is None else until_s
    result, ids = world.simulate(until)
    s = score(result)
    posts = result.stream.posts
    closed_by = [
        world.state[i].closed_by
        if i in world.state and world.state[i].status == "closed" and world.state[i].closed_s <= until
        else None
        for i in ids.tolist()
    ]
    owner = [world.exercise.owner(r) for r in posts["route"].astype(str)]
    routed = float(np.mean([c == o for c, o in zip(closed_by, owner, strict=True)])) if len(ids) else 1.0
    handoffs = [h for h in world.handoffs if h["sent_s"] <= until]
    delays = _handoff_delays(world, handoffs, until)
    all_delays = [d for pair in delays.values() for d in pair.pop("_delays")]
    return AfterAction(
        ended_s=until,
        posts=len(ids),
        closed=s.decided,
        team_alignment=s.routing_accuracy,
        on_time_rate=s.on_time_rate,
        routing_accuracy=routed,
        escalation_precision=s.escalation_precision,
        escalation_recall=s.escalation_recall,
        roles=_roles(world, until),
        handoffs=len(handoffs),
        handoff_delay_median_s=float(np.median(all_delays)) if all_delays else None,
        handoff_delays=delays,
        negative_reach=s.negative_reach,
        baseline_reach=s.baseline_reach,
        reach_reduction=s.reach_reduction,
        crisis_level=s.crisis_level,
        baseline_crisis_level=s.baseline_crisis_level,
        crisis_label=s.crisis_label,
        rejected=len(world.rejected),
    )


def _roles(world: World, until: float) -> dict[str, dict[str, Any]]:
    """Per role: posts received, how many got a first action, its median delay and the share within the role's limit.

    A post that reached the role and got no action by `until` counts as late once its limit has passed.
    """
    arrival = world.arrival_s()
    received: dict[str, list[tuple[int, float]]] = {r: [] for r in world.exercise.roles}
    for (post, role), t in world.received.items():
        if t <= until and role != world.entry_role_of(post):
            received[role].append((post, t))
    for post in np.flatnonzero(arrival <= until):
        received[world.entry_role_of(int(post))].append((int(post), float(arrival[post])))
    table = {}
    for rid, role in world.exercise.roles.items():
        limit = role.first_response_min * 60.0
        waits, on_time, counted = [], 0, 0
        for post, t in received[rid]:
            first = world.first_action.get((post, rid))
            if first is not None and first <= until:
                waits.append(first - t)
                counted += 1
                on_time += first - t <= limit
            elif until - t > limit:
                counted += 1
        table[rid] = {
            "received": len(received[rid]),
            "acted": len(waits),
            "limit_min": role.first_response_min,
            "median_first_response_s": float(np.median(waits)) if waits else None,
            "on_time_rate": on_time / counted if counted else None,
        }
    return table


def _handoff_delays(world: World, handoffs: list[dict[str, Any]], until: float) -> dict[str, dict[str, Any]]:
    """Per sender -> receiver: hand-offs, and the median time from sending to the receiver's first action."""
    pairs: dict[str, dict[str, Any]] = {}
    for h in handoffs:
        key = f"{h['from']}->{h['to']}"
        pair = pairs.setdefault(key, {"count": 0, "_delays": []})
        pair["count"] += 1
        first = world.first_action.get((h["post"], h["to"]))
        if first is not None and first <= until and first >= h["arrives_s"]:
            pair["_delays"].append(first - h["sent_s"])
    for pair in pairs.values():
        pair["median_delay_s"] = float(np.median(pair["_delays"])) if pair["_delays"] else None
    return dict(sorted(pairs.items()))


def participants(world: World) -> list[dict[str, Any]]:
    """Per participant: name, role, actions taken, answers given and how many of those matched the policy's route
    for the post (their share of the team's alignment), in the order they joined."""
    routes = world.posts().set_index("post_id")["route"].astype(str)
    out = []
    for pid, p in world.participants.items():
        mine = [a for a in world.actions if a["participant"] == pid]
        answers = [a for a in mine if a.get("route")]
        aligned = sum(routes.get(a["post"]) == a["route"] for a in answers)
        out.append(
            {
                "participant": pid,
                "name": p["name"],
                "role": p["role"],
                "actions": len(mine),
                "answers": len(answers),
                "aligned": int(aligned),
                "alignment": aligned / len(answers) if answers else None,
                "first_action_s": min((a["done_s"] for a in mine), default=None),
            }
        )
    return out
