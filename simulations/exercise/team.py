"""A scripted team that plays an exercise: seeded role-players for demos, tests and the benchmark.

Each role has `per_role` players. A player takes the oldest item in the role's queue after a seeded reading lag,
closes it when the role owns the recommended route, hands it to the owner otherwise, and errs now and then (a wrong
route, a reply sent for legal's check, a blocked draft), so that every figure of the after-action review moves.
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

from simulations.exercise.model import Action
from simulations.exercise.world import Entry, World


def play(
    world: World,
    *,
    per_role: int = 1,
    lag_s: tuple[float, float] = (30.0, 600.0),
    mistakes: float = 0.1,
    end_s: float | None = None,
    seed: int = 0,
) -> list[Entry]:
    """Play `world` from its current state to `end_s` (default: the end of the shift); returns the entries applied.

    The entries, written after a setup entry, make the log of the exercise the team played.
    """
    rng = np.random.default_rng(seed)
    ex = world.exercise
    end = world.base.shift_s - 1.0 if end_s is None else end_s
    entries: list[Entry] = []

    def put(kind: str, payload: dict[str, Any]) -> bool:
        entries.append((kind, payload))
        return world.apply(kind, payload)

    players = {r: [f"{r}-{i + 1}" for i in range(per_role)] for r in ex.roles}
    for role, names in players.items():
        for name in names:
            put("join", {"participant": name, "name": name.replace("_", " ").title(), "role": role})
    if not world.clock.started:
        put("clock", {"action": "start", "at_s": 0.0, "wall": 0.0})
    arrival = world.arrival_s()
    todo: list[tuple[float, int, str]] = [
        (float(arrival[p]), int(p), world.entry_role_of(int(p))) for p in np.flatnonzero(arrival < end)
    ]
    heapq.heapify(todo)
    routes = world.posts()["route"].astype(str).to_numpy()
    while todo:
        t, post, role = heapq.heappop(todo)
        at = t + float(rng.uniform(*lag_s))
        if at >= end:
            continue
        st = world.post_state(post)
        if st.status == "closed" or st.holder != role:
            continue
        who = min(players[role], key=lambda p: world.busy_until.get(p, 0.0))
        kind, payload = _choose(world, role, post, routes[post], rng, mistakes)
        if payload is None:
            continue
        payload.update(participant=who, post=post, at_s=at)
        if put(kind, payload):
            st = world.post_state(post)
            if st.status != "closed":
                heapq.heappush(todo, (max(st.entered_s, at), post, st.holder))
    put("clock", {"action": "end", "at_s": end, "wall": end})
    return entries


def _choose(
    world: World, role: str, post: int, route: str, rng: np.random.Generator, mistakes: float
) -> tuple[str, dict[str, Any] | None]:
    """What a player of `role` does with `post`, whose recommended route is `route`."""
    actions = list(world.exercise.roles[role].actions.values())
    st = world.post_state(post)
    if st.status == "draft":
        review = next((a for a in actions if a.kind == "review"), None)
        if review is None:
            return "decision", None
        verdict = "block" if rng.random() < mistakes else "approve"
        return "decision", {"action": review.id, "verdict": verdict}
    owner = world.exercise.owner(route)
    err = rng.random() < mistakes
    respond = [a for a in actions if a.kind == "respond"]
    if owner == role or err:
        fits = [a for a in respond if route in a.routes and (a.review_by is None or err)]
        if fits and not (err and rng.random() < 0.5):
            return "decision", {"action": fits[-1 if err else 0].id, "route": route}
        if respond:
            a: Action = respond[int(rng.integers(len(respond)))]
            return "decision", {"action": a.id, "route": a.routes[int(rng.integers(len(a.routes)))]}
    hand = next((a for a in actions if a.kind == "hand_off" and owner in a.to), None)
    if hand is not None:
        return "handoff", {"action": hand.id, "to": owner}
    if respond:
        return "decision", {"action": respond[0].id, "route": respond[0].routes[0]}
    other = next((a for a in actions if a.kind == "hand_off"), None)
    return ("handoff", {"action": other.id, "to": other.to[0]}) if other else ("decision", None)
