"""The triage desk: people working through a stream on a simulated clock, so that answers are as late as the queue.

Handling a post takes its route's `handle_min`; a post waits until someone is free, and the answer counts from when
that work is done. One learner clicking through the inbox widget is a desk of one; `replay` runs a whole team that
follows a policy, so two process designs can be compared on the same seeded stream.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from simulations.triage.decisions import as_decisions, to_records
from simulations.triage.policy import Policy
from simulations.triage.stream import Stream

ORDERS = ("arrival", "urgency")


class Desk:
    """`staff` people triaging `stream`: what has arrived, what waits, and when each decision took effect."""

    def __init__(self, stream: Stream, staff: int = 1) -> None:
        if not isinstance(staff, int | np.integer) or staff < 1:
            raise ValueError(f"staff must be a whole number of people >= 1, got {staff!r}")
        self.stream = stream
        self.staff = int(staff)
        self.arrival = stream.posts["time_s"].to_numpy()
        self.free_at = np.zeros(self.staff)
        self.route = np.full(len(stream), -1, dtype=np.int16)
        self.response_s = np.full(len(stream), np.nan)
        self.skipped = np.zeros(len(stream), dtype=bool)
        self.ended = False
        routes = list(stream.policy.routes.values())
        self._handle_s = np.array([r.handle_min * 60.0 for r in routes])

    @property
    def clock_s(self) -> float:
        """Seconds into the shift when the next person is free: what has arrived by then is in the inbox."""
        return float(self.free_at.min())

    def arrived(self) -> int:
        """How many posts have arrived by the clock (posts are in time order)."""
        return int(np.searchsorted(self.arrival, self.clock_s, side="right"))

    def waiting(self) -> np.ndarray:
        """Ids of the posts that have arrived and are neither decided nor skipped, oldest first."""
        n = self.arrived()
        return np.flatnonzero((self.route[:n] < 0) & ~self.skipped[:n])

    def next_arrival_s(self) -> float | None:
        """When the next post arrives, or None when every post is in."""
        n = self.arrived()
        return float(self.arrival[n]) if n < len(self.arrival) else None

    @property
    def finished(self) -> bool:
        """The shift is over: ended early, or every post decided or skipped."""
        return self.ended or not np.any((self.route < 0) & ~self.skipped)

    @property
    def decided(self) -> int:
        return int(np.sum(self.route >= 0))

    def wait(self) -> bool:
        """With nothing waiting, the next free person waits for the next post; False when no post is left to come."""
        upcoming = self.next_arrival_s()
        if upcoming is None:
            return False
        k = int(np.argmin(self.free_at))
        self.free_at[k] = max(self.free_at[k], upcoming)
        return True

    def decide(self, post_id: int, route: str) -> float:
        """The next free person sends an arrived post down `route`; returns the response time in seconds."""
        routes = self.stream.policy.route_names
        if route not in routes:
            raise ValueError(f"unknown route {route!r}; routes are {', '.join(routes)}")
        post = self._open(post_id)
        code = routes.index(route)
        k = int(np.argmin(self.free_at))
        done = max(self.free_at[k], self.arrival[post]) + self._handle_s[code]
        self.free_at[k] = done
        self.route[post] = code
        self.response_s[post] = done - self.arrival[post]
        return float(self.response_s[post])

    def skip(self, post_id: int) -> None:
        """Leave an arrived post without a decision (it spreads as if nobody saw it), at no cost in time."""
        self.skipped[self._open(post_id)] = True

    def _open(self, post_id: int) -> int:
        """Check that a post exists, has arrived by the clock and is still open; its index."""
        post = int(post_id)
        if not 0 <= post < len(self.arrival):
            raise ValueError(f"no post {post_id} (ids run 0 to {len(self.arrival) - 1})")
        if self.arrival[post] > self.clock_s:
            raise ValueError(f"post {post} has not arrived yet (it comes at {self.arrival[post]:.0f} s)")
        if self.route[post] >= 0 or self.skipped[post]:
            raise ValueError(f"post {post} has already been handled")
        if self.ended:
            raise ValueError("the shift has ended")
        return post

    def end(self) -> None:
        """End the shift now; posts not decided by then get no response."""
        self.ended = True

    def work(self, route_of: Callable[[int], str | None], order: str = "arrival") -> None:
        """Work until the shift is over: the next free person takes the next post (by `order`), routed by route_of(id).

        "arrival" takes the oldest post first; "urgency" the one whose route has the shortest time limit (escalations
        before replies), the oldest among equals. route_of returning None skips the post.
        """
        if order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}, got {order!r}")
        names = self.stream.policy.route_names
        limit = np.array([r.time_limit_min or np.inf for r in self.stream.policy.routes.values()])
        codes = np.full(len(self.stream), -2, dtype=np.int64)  # -2: not looked at yet, -1: skip
        while not self.finished:
            waiting = self.waiting()
            if waiting.size == 0:
                if not self.wait():
                    break
                continue
            for pid in waiting[codes[waiting] == -2]:
                choice = route_of(int(pid))
                if choice is not None and choice not in names:
                    raise ValueError(f"post {pid}: unknown route {choice!r}; routes are {', '.join(names)}")
                codes[pid] = -1 if choice is None else names.index(choice)
            self.skipped[waiting[codes[waiting] == -1]] = True
            ready = waiting[codes[waiting] >= 0]
            if ready.size:
                pick = int(ready[np.argmin(limit[codes[ready]])] if order == "urgency" else ready[0])
                self.decide(pick, names[codes[pick]])
        self.end()

    def decisions(self) -> pd.DataFrame:
        """The decisions so far, ready for `simulate`."""
        done = np.flatnonzero(self.route >= 0)
        return as_decisions(
            pd.DataFrame(
                {
                    "post_id": done,
                    "route": pd.Categorical.from_codes(self.route[done], self.stream.policy.route_names),
                    "response_time_s": self.response_s[done],
                }
            ),
            self.stream,
        )

    def to_record(self) -> dict[str, Any]:
        """Plain JSON data from which `from_record` rebuilds this desk on the same stream."""
        return {
            "spec": _plain(self.stream.spec),
            "staff": self.staff,
            "free_at": [float(x) for x in self.free_at],
            "decisions": to_records(self.decisions()),
            "skipped": [int(i) for i in np.flatnonzero(self.skipped)],
            "ended": self.ended,
        }

    @classmethod
    def from_record(cls, stream: Stream, record: Mapping[str, Any]) -> Desk:
        """Rebuild a desk from `to_record` data; ValueError says what is wrong if the record does not fit the stream."""
        if not isinstance(record, Mapping):
            raise ValueError(f"a desk record is a mapping, got {type(record).__name__}")
        if _plain(record.get("spec")) != _plain(stream.spec):
            raise ValueError("the record was made on another stream (scenario, seed, organisation or size differ)")
        try:
            return cls._rebuild(stream, record)
        except (TypeError, KeyError, IndexError) as exc:
            raise ValueError(f"the record is damaged ({type(exc).__name__}: {exc})") from None

    @classmethod
    def _rebuild(cls, stream: Stream, record: Mapping[str, Any]) -> Desk:
        desk = cls(stream, record.get("staff", 1))
        free_at = np.asarray(record.get("free_at", []), dtype=float)
        if free_at.shape != (desk.staff,) or not np.all(np.isfinite(free_at) & (free_at >= 0)):
            raise ValueError(f"free_at must hold {desk.staff} time(s) >= 0 in seconds")
        decisions = as_decisions(record.get("decisions") or None, stream)
        pid = decisions["post_id"].to_numpy()
        desk.route[pid] = decisions["route"].cat.codes.to_numpy()
        desk.response_s[pid] = decisions["response_time_s"].to_numpy()
        skipped = np.asarray(record.get("skipped", []), dtype=np.int64)
        if skipped.ndim != 1 or skipped.size and (skipped.min() < 0 or skipped.max() >= len(stream)):
            raise ValueError(f"skipped must be a list of post ids from 0 to {len(stream) - 1}")
        desk.skipped[skipped] = True
        desk.free_at = free_at
        desk.ended = bool(record.get("ended", False))
        return desk


def replay(
    stream: Stream,
    policy: Policy | None = None,
    *,
    staff: int = 1,
    order: str = "arrival",
    route_fn: Callable[[dict[str, Any]], str | None] | None = None,
) -> pd.DataFrame:
    """Decisions of a team of `staff` that routes each post by `policy`'s tree (or a `route_fn(post)`) in `order`.

    The team sees only what a learner sees: the tree's answer for the public fields of a post, never a scenario's
    answer key. Simulate the decisions on `stream` to judge them against its own policy; replay the same stream
    under two policies or team sizes to compare process designs on the same luck.
    """
    if route_fn is not None:
        public = stream.public()

        def route_of(pid: int) -> str | None:
            choice = route_fn(dict(public[pid]))
            if choice is not None and not isinstance(choice, str):
                raise ValueError(f"route(post) for post {pid} returned {choice!r}; expected a route name or None")
            return choice
    else:
        policy = policy or stream.policy
        names = policy.route_names
        codes, _ = policy.decide(stream.posts)

        def route_of(pid: int) -> str | None:
            return names[codes[pid]]

    on_stream = stream.with_policy(policy) if policy is not None and route_fn is None else stream
    desk = Desk(on_stream, staff)
    desk.work(route_of, order)
    return as_decisions(desk.decisions().astype({"route": object}), stream)


def _plain(value: Any) -> Any:
    """JSON's view of a value (tuples become lists), so that a spec compares equal after a round trip."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
