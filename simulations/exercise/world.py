"""The shared world of a live exercise, folded from its append-only event log; every screen's view derives from it.

Log entries are (kind, payload) pairs: setup (exercise, seed, organisation; first entry), join (participant, name,
role), inject (a scripted event fired early, or a typed post as a persona), decision and handoff (a participant's
action on a post, stamped with the simulated second `at_s` at which it was taken) and clock (start, pause, resume,
speed, end; each with `at_s` and the controller's `wall` time). Nothing here reads a clock or a database: the same
entries always give the same world, to the last number, which is what makes an exercise replayable. An entry that
breaks the rules (a post not in the player's queue, an action the role lacks) is kept in the log and listed in
`rejected`, so a late or doubled click changes nothing.

Spread is the triage model (simulations.triage.spread): a post nobody has closed keeps spreading, a hand-off costs
the sender's time plus the exercise's hand-off delay, and a closing action damps the post from the moment its work
is done when its route is the recommended one. Escalation routes take effect when the role that owns them acts, so
the policy's act_after_min (the triage drill's stand-in for that wait) is set to 0 here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from simulations.exercise.model import INJECT_KINDS, PRIORITIES, VERDICTS, Exercise, load_exercise
from simulations.triage.policy import Policy
from simulations.triage.policy_file import with_overrides
from simulations.triage.posts import recommend_table, table_from_records
from simulations.triage.spread import SimResult, simulate
from simulations.triage.stream import Stream, generate_stream
from simulations.triage.vocab import CATEGORIES, PLATFORMS, SEVERITIES

KINDS = ("setup", "join", "inject", "decision", "handoff", "clock")
CLOCK_ACTIONS = ("start", "pause", "resume", "speed", "end")
MAX_SPEED = 10.0
Entry = tuple[str, Mapping[str, Any]]


class Rejected(ValueError):
    """An entry that the exercise's rules refuse; the message says why in words a player understands."""


@dataclass
class PostState:
    """Where a post is: who holds it since when, whether it is open, a draft under review or closed, and how."""

    holder: str
    entered_s: float
    status: str = "open"  # open | draft | closed
    priority: str = "normal"
    draft: dict[str, Any] | None = None
    route: str | None = None
    closed_s: float | None = None
    closed_by: str | None = None


@dataclass
class Clock:
    """The controller's clock: simulated seconds at the last control entry, the wall time then, and the speed."""

    started: bool = False
    running: bool = False
    ended: bool = False
    at_s: float = 0.0
    wall: float = 0.0
    speed: float = 1.0

    def sim_s(self, wall: float, shift_s: float) -> float:
        """Simulated seconds at wall time `wall` (seconds since the epoch), never past the end of the shift."""
        now = self.at_s + (max(wall - self.wall, 0.0) * self.speed if self.running else 0.0)
        return min(now, shift_s)


@dataclass(repr=False)
class World:
    """One exercise's state, built by applying log entries in order (`apply`), or all at once (`from_log`)."""

    exercise: Exercise
    seed: int
    org_name: str
    products: tuple[str, ...]
    n_posts: int | None
    policy: Policy
    base: Stream
    clock: Clock = field(default_factory=Clock)
    participants: dict[str, dict[str, str]] = field(default_factory=dict)
    extra: list[dict[str, Any]] = field(default_factory=list)
    fired: dict[str, float] = field(default_factory=dict)
    state: dict[int, PostState] = field(default_factory=dict)
    busy_until: dict[str, float] = field(default_factory=dict)
    actions: list[dict[str, Any]] = field(default_factory=list)
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    first_action: dict[tuple[int, str], float] = field(default_factory=dict)
    received: dict[tuple[int, str], float] = field(default_factory=dict)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    applied: int = 0
    _posts: pd.DataFrame | None = None
    _arrival: np.ndarray | None = None

    def __repr__(self) -> str:
        return (
            f"World({self.exercise.id!r}, seed={self.seed}, posts={len(self.posts())}, "
            f"participants={len(self.participants)}, entries={self.applied}, rejected={len(self.rejected)})"
        )

    # ---- building ---------------------------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        exercise: Exercise | str,
        *,
        seed: int = 0,
        org_name: str = "Acme",
        products: Sequence[str] = ("SmartKettle", "HomeHub"),
        n_posts: int | None = None,
    ) -> World:
        """A fresh world: the scenario's seeded stream of posts, nobody joined, the clock at 0 and stopped."""
        ex = exercise if isinstance(exercise, Exercise) else load_exercise(exercise)
        policy = _spread_policy(ex.policy)
        base = generate_stream(
            ex.scenario, seed=seed, org_name=org_name, products=tuple(products), n_posts=n_posts, policy=policy
        )
        return cls(ex, seed, org_name, tuple(products), n_posts, policy, base)

    @classmethod
    def from_log(cls, entries: Iterable[Any], exercise: Exercise | None = None) -> World:
        """Replay a whole log: the first entry is the setup; the rest are applied in order."""
        it = iter(entries)
        kind, setup = _unpack(next(it))
        if kind != "setup":
            raise Rejected(f"a log starts with its setup entry, not {kind!r}")
        world = cls.create(
            exercise or setup["exercise"],
            seed=int(setup.get("seed", 0)),
            org_name=setup.get("org_name", "Acme"),
            products=tuple(setup.get("products", ("SmartKettle", "HomeHub"))),
            n_posts=setup.get("n_posts"),
        )
        world.applied = 1
        for entry in it:
            world.apply(*_unpack(entry))
        return world

    def setup_payload(self) -> dict[str, Any]:
        """The setup entry that recreates this world's starting point."""
        return {
            "exercise": self.exercise.id,
            "seed": self.seed,
            "org_name": self.org_name,
            "products": list(self.products),
            "n_posts": self.n_posts,
        }

    def apply(self, kind: str, payload: Mapping[str, Any]) -> bool:
        """Apply one entry; False (and a line in `rejected`) when the rules refuse it."""
        try:
            commit = self._plan(kind, payload)
        except Rejected as exc:
            self.rejected.append({"entry": self.applied, "kind": kind, "payload": dict(payload), "why": str(exc)})
            self.applied += 1
            return False
        commit()
        self.applied += 1
        return True

    def check(self, kind: str, payload: Mapping[str, Any]) -> None:
        """Raise Rejected if the entry would be refused, changing nothing (a screen asks before it writes)."""
        self._plan(kind, payload)

    # ---- the rules ----------------------------------------------------------------------------------------------
    def _plan(self, kind: str, p: Mapping[str, Any]) -> Any:
        if kind not in KINDS or kind == "setup":
            raise Rejected(f"unknown entry kind {kind!r}; expected one of {', '.join(KINDS[1:])}")
        return getattr(self, f"_plan_{kind}")(p)

    def _plan_join(self, p: Mapping[str, Any]) -> Any:
        who, role, name = str(p.get("participant", "")), p.get("role"), str(p.get("name", "")).strip()
        if not who or not name:
            raise Rejected("a participant needs an id and a name")
        if role not in self.exercise.roles:
            raise Rejected(f"no role {role!r} in this exercise; roles are {', '.join(self.exercise.roles)}")
        if who in self.participants and self.participants[who]["role"] != role:
            raise Rejected(f"{who} has already joined as {self.participants[who]['role']}")

        def commit() -> None:
            self.participants[who] = {"name": name, "role": str(role)}

        return commit

    def _plan_clock(self, p: Mapping[str, Any]) -> Any:
        action, c = p.get("action"), self.clock
        at_s, wall = _number(p, "at_s"), _number(p, "wall")
        speed = _number(p, "speed") if "speed" in p else c.speed
        if action not in CLOCK_ACTIONS:
            raise Rejected(f"unknown clock action {action!r}; expected one of {', '.join(CLOCK_ACTIONS)}")
        if c.ended:
            raise Rejected("the exercise has ended")
        if c.started and wall < c.wall:
            raise Rejected("the controller's wall time cannot go back")
        if at_s < (now := c.sim_s(wall, self.base.shift_s)) - 1e-6:
            raise Rejected(f"the clock cannot go back (it is at {now:.0f} s, got {at_s:.0f} s)")
        if not 1.0 <= speed <= MAX_SPEED:
            raise Rejected(f"speed runs from x1 to x{MAX_SPEED:g}, got x{speed:g}")
        allowed = {"start": not c.started, "pause": c.running, "resume": c.started and not c.running}
        if not allowed.get(action, c.started or action == "end"):
            raise Rejected(f"cannot {action} the clock now")

        def commit() -> None:
            c.started = True
            c.at_s, c.wall, c.speed = min(at_s, self.base.shift_s), wall, speed
            c.running = action in ("start", "resume") or (action == "speed" and c.running)
            c.ended = action == "end"
            c.running = c.running and not c.ended

        return commit

    def _plan_inject(self, p: Mapping[str, Any]) -> Any:
        at_s = self._sim_time(p)
        if "event" in p:
            event = next((e for e in self.exercise.events if e.id == p["event"]), None)
            if event is None:
                raise Rejected(f"no scripted event {p['event']!r} in this exercise")
            if event.id in self.fired or event.at_min * 60 <= at_s:
                raise Rejected(f"the event {event.id!r} is already out")

            def commit_event() -> None:
                self.fired[event.id] = at_s
                self._posts = self._arrival = None

            return commit_event
        post = self._typed_post(p, at_s)

        def commit_post() -> None:
            self.extra.append(post)
            self._posts = self._arrival = None

        return commit_post

    def _typed_post(self, p: Mapping[str, Any], at_s: float) -> dict[str, Any]:
        """A post the controller types as a persona, checked field by field."""
        persona = self.exercise.personas.get(p.get("persona"))
        if persona is None:
            raise Rejected(f"no persona {p.get('persona')!r}; personas are {', '.join(self.exercise.personas)}")
        kind = p.get("kind", "post")
        if kind not in INJECT_KINDS:
            raise Rejected(f"unknown inject kind {kind!r}; expected one of {', '.join(INJECT_KINDS)}")
        category = p.get("category") or INJECT_KINDS[kind][0]
        text = str(p.get("text", "")).strip()
        checks = {
            "category": (category, CATEGORIES),
            "severity": (p.get("severity"), SEVERITIES),
            "platform": (p.get("platform", persona.platform), PLATFORMS),
        }
        for name, (value, options) in checks.items():
            if value not in options:
                raise Rejected(f"{name}: expected one of {', '.join(options)}, got {value!r}")
        if not text:
            raise Rejected("the post needs a text")
        to = p.get("to") or self.exercise.entry_role
        if to not in self.exercise.roles:
            raise Rejected(f"no role {to!r} in this exercise")
        return {
            "time_s": at_s,
            "platform": checks["platform"][0],
            "author": persona.author,
            "category": category,
            "sentiment": persona.sentiment,
            "followers": int(p.get("followers", persona.followers)),
            "severity": p["severity"],
            "text": text,
            "to": to,
            "persona": persona.id,
            "label": f"typed: {kind}",
        }

    def _plan_handoff(self, p: Mapping[str, Any]) -> Any:
        return self._plan_action(p, ("hand_off", "reroute"))

    def _plan_decision(self, p: Mapping[str, Any]) -> Any:
        return self._plan_action(p, ("respond", "review", "prioritise"))

    def _plan_action(self, p: Mapping[str, Any], kinds: tuple[str, ...]) -> Any:
        who = str(p.get("participant", ""))
        if who not in self.participants:
            raise Rejected(f"{who or 'someone'} has not joined this exercise")
        role = self.exercise.roles[self.participants[who]["role"]]
        action = role.actions.get(p.get("action"))
        if action is None:
            raise Rejected(f"{role.label} cannot {p.get('action')!r}; it can {', '.join(role.actions)}")
        if action.kind not in kinds:
            raise Rejected(f"{action.id} is not recorded as this kind of entry")
        at_s = self._sim_time(p)
        post = _post_id(p)
        arrival = self.arrival_s()
        if not 0 <= post < len(arrival) or arrival[post] > at_s:
            raise Rejected(f"post {post} is not out yet")
        st = self.post_state(post)
        if st.status == "closed":
            raise Rejected(f"post {post} has already been dealt with")
        if action.kind in ("respond", "hand_off", "review") and (st.holder != role.id or st.entered_s > at_s):
            raise Rejected(f"post {post} is not in {role.label}'s queue")
        if (action.kind == "review") != (st.status == "draft"):
            raise Rejected(f"post {post} is {'a draft to review' if st.status == 'draft' else 'not a draft'}")
        start = max(at_s, self.busy_until.get(who, 0.0))
        handle = action.handle_min
        route = p.get("route")
        if action.kind == "respond":
            if route not in action.routes:
                raise Rejected(f"{action.label}: the route is one of {', '.join(action.routes)}, got {route!r}")
            handle = self.policy.routes[route].handle_min if handle is None else handle
        done = start + 60.0 * (2.0 if handle is None else handle)
        record = {
            "at_s": at_s,
            "done_s": done,
            "post": post,
            "participant": who,
            "role": role.id,
            "action": action.id,
            "kind": action.kind,
        }
        if action.kind in ("hand_off", "reroute"):
            to = p.get("to")
            if to not in action.to or to == st.holder:
                raise Rejected(f"{action.label}: hand to one of {', '.join(t for t in action.to if t != st.holder)}")
            if st.status != "open":
                raise Rejected(f"post {post} is a draft under review; it cannot move now")
            record["to"] = to
        elif action.kind == "review":
            verdict = p.get("verdict")
            if verdict not in VERDICTS:
                raise Rejected(f"a review's verdict is one of {', '.join(VERDICTS)}, got {verdict!r}")
            allowed = st.draft["routes"]
            if verdict == "rewrite" and (route not in allowed or route == st.draft["route"]):
                raise Rejected(f"a rewrite picks another of {', '.join(allowed)}")
            record.update(verdict=verdict, route=route if verdict == "rewrite" else st.draft["route"])
        elif action.kind == "prioritise":
            if p.get("priority") not in PRIORITIES:
                raise Rejected(f"priority is one of {', '.join(PRIORITIES)}, got {p.get('priority')!r}")
            record["priority"] = p["priority"]
        else:
            record["route"] = route

        def commit() -> None:
            self.state[post] = st
            self.busy_until[who] = done
            self.first_action.setdefault((post, role.id), done)
            self.actions.append(record)
            self._commit(st, record, action.review_by)

        return commit

    def _commit(self, st: PostState, r: dict[str, Any], review_by: str | None) -> None:
        kind, done = r["kind"], r["done_s"]
        if kind in ("hand_off", "reroute"):
            arrive = done + 60.0 * self.exercise.handoff_min
            self.handoffs.append(
                {
                    "post": r["post"],
                    "from": st.holder,
                    "to": r["to"],
                    "by": r["role"],
                    "sent_s": done,
                    "arrives_s": arrive,
                }
            )
            st.holder, st.entered_s = r["to"], arrive
            self.received.setdefault((r["post"], r["to"]), arrive)
        elif kind == "prioritise":
            st.priority = r["priority"]
        elif kind == "respond" and review_by is not None:
            routes = self.exercise.roles[r["role"]].actions[r["action"]].routes
            st.draft = {"route": r["route"], "routes": routes, "role": r["role"], "participant": r["participant"]}
            st.status, st.holder, st.entered_s = "draft", review_by, done
            self.received.setdefault((r["post"], review_by), done)
        elif kind == "review" and r["verdict"] == "block":
            st.status, st.holder, st.entered_s = "open", st.draft["role"], done
            st.draft = None
        else:
            by = st.draft["role"] if kind == "review" else r["role"]
            st.status, st.route, st.closed_s, st.closed_by, st.draft = "closed", r["route"], done, by, None

    def _sim_time(self, p: Mapping[str, Any]) -> float:
        at_s = _number(p, "at_s")
        if self.clock.ended and at_s > self.clock.at_s:
            raise Rejected("the exercise has ended")
        if not 0 <= at_s < self.base.shift_s:
            raise Rejected(f"at_s must lie inside the shift, 0 <= at_s < {self.base.shift_s:g}")
        return at_s

    # ---- posts ----------------------------------------------------------------------------------------------
    def post_state(self, post: int) -> PostState:
        """A post's state (a copy for untouched posts: in their entry role's queue since they came out)."""
        if post in self.state:
            return self.state[post]
        return PostState(holder=self.entry_role_of(post), entered_s=float(self.arrival_s()[post]))

    def entry_role_of(self, post: int) -> str:
        n, m = len(self.base), len(self.exercise.events)
        if post < n:
            return self.exercise.entry_role
        if post < n + m:
            return self.exercise.events[post - n].to or self.exercise.entry_role
        return self.extra[post - n - m]["to"]

    def arrival_s(self) -> np.ndarray:
        """When every post (out or still to come) comes out, in simulated seconds, by post id: the post table's
        times, without building the table (a screen asks this on every look at the log)."""
        if self._arrival is None:
            own = [self.fired.get(e.id, e.at_min * 60.0) for e in self.exercise.events]
            own += [float(x["time_s"]) for x in self.extra]
            self._arrival = np.concatenate([self.base.posts["time_s"].to_numpy(float), np.array(own, dtype=float)])
        return self._arrival

    def posts(self) -> pd.DataFrame:
        """Every post by id: the scenario's stream, then the scripted events, then the typed posts, recommended."""
        if self._posts is None:
            self._posts = self._build_posts()
        return self._posts

    def _build_posts(self) -> pd.DataFrame:
        ex, base = self.exercise, self.base
        records = []
        for j, e in enumerate(ex.events):
            persona = ex.personas[e.persona]
            product = self.products[j % len(self.products)]
            records.append(
                {
                    "time_s": self.fired.get(e.id, e.at_min * 60.0),
                    "platform": persona.platform,
                    "author": persona.author,
                    "category": e.category,
                    "sentiment": persona.sentiment,
                    "followers": persona.followers,
                    "severity": e.severity,
                    "virality": np.nan if e.virality is None else e.virality,
                    "text": e.text.format(org=self.org_name, product=product),
                }
            )
        records += [{k: v for k, v in x.items() if k not in ("to", "persona", "label")} for x in self.extra]
        if not records:
            return base.posts
        rows = table_from_records(records, base.shift_s)
        order = np.argsort(np.array([r["time_s"] for r in records]), kind="stable")
        rows = rows.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)  # back to event order
        rows = recommend_table(rows, self.policy, None)
        keyed = [(j, e) for j, e in enumerate(ex.events) if e.route is not None]
        if keyed:
            for col in ("rule", "why"):
                names = dict.fromkeys(f"exercise: {e.id}" if col == "rule" else e.why for _, e in keyed)
                rows[col] = rows[col].cat.add_categories([c for c in names if c not in rows[col].cat.categories])
            for j, e in keyed:
                limit = min(
                    self.policy.time_limit_min[e.severity], self.policy.routes[e.route].time_limit_min or np.inf
                )
                rows.loc[j, ["route", "rule", "why", "time_limit_s"]] = [
                    e.route,
                    f"exercise: {e.id}",
                    e.why,
                    limit * 60,
                ]
        out = pd.concat([base.posts, rows], ignore_index=True)
        for col in ("text", "rule", "why"):
            out[col] = union_categoricals([base.posts[col], rows[col]]).set_categories(
                list(dict.fromkeys([*base.posts[col].cat.categories, *rows[col].cat.categories]))
            )
        out["post_id"] = np.arange(len(out), dtype=np.int64)
        return out

    # ---- views ----------------------------------------------------------------------------------------------
    def now_s(self, wall: float) -> float:
        """The controller's simulated time at wall time `wall`: the one clock every screen shows."""
        return self.clock.sim_s(wall, self.base.shift_s)

    def waiting(self, role: str, now_s: float) -> list[tuple[int, str, float, str, str | None, str | None]]:
        """What waits in a role's queue at `now_s`, by post id: (post, kind, since, priority, draft route, drafted
        by). Cheap, with no post table: a screen compares it with what it shows to know whether to redraw."""
        arrival = self.arrival_s()
        out = np.flatnonzero(arrival <= now_s)
        rows = []
        for pid in out:
            st = self.state.get(int(pid))
            if st is None:
                if self.entry_role_of(int(pid)) == role:
                    rows.append((int(pid), "post", float(arrival[pid]), "normal", None, None))
            elif st.holder == role and st.status != "closed" and st.entered_s <= now_s:
                kind = "draft" if st.status == "draft" else "post"
                draft = st.draft["route"] if st.draft else None
                by = st.draft["role"] if st.draft else None
                rows.append((int(pid), kind, st.entered_s, st.priority, draft, by))
        return rows

    def queue(self, role: str, now_s: float) -> pd.DataFrame:
        """What waits in a role's queue at `now_s`: public fields, kind (post or draft), since when, priority.

        Sorted by priority, then oldest first; age_s is how long it has waited with this role.
        """
        posts = self.posts()
        rows = self.waiting(role, now_s)
        frame = pd.DataFrame(rows, columns=["post_id", "kind", "since_s", "priority", "draft_route", "draft_by"])
        public = posts.loc[frame["post_id"], ["platform", "author", "category", "sentiment", "followers", "text"]]
        frame = pd.concat([frame, public.reset_index(drop=True).astype(object)], axis=1)
        frame["age_s"] = now_s - frame["since_s"].astype(float)
        rank = frame["priority"].map({p: i for i, p in enumerate(PRIORITIES)})
        return (
            frame.assign(_rank=rank)
            .sort_values(["_rank", "since_s", "post_id"])
            .drop(columns="_rank")
            .reset_index(drop=True)
        )

    def decisions(self, until_s: float) -> pd.DataFrame:
        """The team's closing decisions by `until_s`, as the triage model takes them (route, seconds after arrival)."""
        arrival = self.arrival_s()
        rows = [
            (pid, st.route, st.closed_s - arrival[pid])
            for pid, st in sorted(self.state.items())
            if st.status == "closed" and st.closed_s <= until_s
        ]
        return pd.DataFrame(rows, columns=["post_id", "route", "response_time_s"])

    def simulate(self, until_s: float | None = None) -> tuple[SimResult, np.ndarray]:
        """Spread of every post out by `until_s` (default: the clock) to the horizon; also their post ids.

        Posts not closed by then keep spreading; the result's curve is negative reach against the no-response
        baseline.
        """
        until = self.clock.at_s if until_s is None else until_s
        stream, ids = self._stream_until(until)
        posts = self.posts()
        where = np.full(len(posts), -1, dtype=np.int64)
        where[ids] = np.arange(len(ids))
        decided = self.decisions(until)
        decided["post_id"] = where[decided["post_id"].to_numpy(np.int64)]
        decided = decided[decided["post_id"] >= 0]
        return simulate(stream, decided, seed=self.seed), ids

    def _stream_until(self, until: float) -> tuple[Stream, np.ndarray]:
        """The posts out by `until` as a stream (renumbered from 0, by post id), and their post ids."""
        posts = self.posts()
        ids = np.flatnonzero(posts["time_s"].to_numpy() <= until)
        subset = posts.iloc[ids].reset_index(drop=True)
        subset["post_id"] = np.arange(len(ids), dtype=np.int64)
        spec = dict(self.base.spec)
        return Stream(subset, self.policy, self.base.shift_s, self.base.horizon_s, self.base.scenario, spec), ids

    def solo_stream(self) -> Stream:
        """Every post that came out during the exercise (the controller's typed ones too), in time order, as the
        single-player inbox takes a shift: to play the team's crisis again alone."""
        stream, _ = self._stream_until(self.clock.at_s)
        order = np.argsort(stream.posts["time_s"].to_numpy(), kind="stable")
        posts = stream.posts.iloc[order].reset_index(drop=True)
        posts["post_id"] = np.arange(len(posts), dtype=np.int64)
        return replace(stream, posts=posts)


def _spread_policy(policy: Policy) -> Policy:
    """The policy with act_after_min 0: in a team exercise the owner's own action is when an escalation acts."""
    waits = {name: {"act_after_min": 0} for name, r in policy.routes.items() if r.act_after_min}
    return with_overrides(policy, {"routes": waits}) if waits else policy


def _unpack(entry: Any) -> Entry:
    """A log entry as (kind, payload), from a pair or from an object with `kind` and `payload` (a stored event)."""
    if isinstance(entry, tuple):
        return entry[0], entry[1]
    return entry.kind, entry.payload


def _number(p: Mapping[str, Any], key: str) -> float:
    value = p.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise Rejected(f"{key} must be a number, got {value!r}")
    return float(value)


def _post_id(p: Mapping[str, Any]) -> int:
    value = p.get("post")
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise Rejected(f"post must be a post id, got {value!r}")
    return int(value)


__all__ = ["CLOCK_ACTIONS", "KINDS", "Clock", "PostState", "Rejected", "World"]
