"""Decisions: what was done with each post (route, seconds from the post's arrival), as plain JSON-able data.

A widget records `to_records(...)` in the notebook and replays it; a learner's `route(post)` function, or one of the
reference strategies, produces the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simulations.triage.stream import Stream

COLUMNS = ("post_id", "route", "response_time_s")
Decisions = pd.DataFrame | Mapping[Any, Any] | Sequence[Mapping[str, Any]] | None


def as_decisions(decisions: Decisions, stream: Stream) -> pd.DataFrame:
    """Normalise decisions to a DataFrame (post_id, route, response_time_s) sorted by post, checked against the stream.

    Accepts a DataFrame with those columns, a list of records with those keys, or a mapping
    post_id -> (route, response_time_s) or -> {"route": .., "response_time_s": ..}; post ids may be JSON strings.
    """
    if decisions is None:
        df = pd.DataFrame({"post_id": np.array([], np.int64), "route": [], "response_time_s": np.array([], float)})
    elif isinstance(decisions, pd.DataFrame):
        missing = [c for c in COLUMNS if c not in decisions]
        if missing:
            raise ValueError(f"decisions need the column(s) {', '.join(missing)}")
        df = decisions[list(COLUMNS)]
    elif isinstance(decisions, Mapping):
        rows = []
        for pid, value in decisions.items():
            route, seconds = (value["route"], value["response_time_s"]) if isinstance(value, Mapping) else value
            rows.append((pid, route, seconds))
        df = pd.DataFrame(rows, columns=list(COLUMNS))
    else:
        df = pd.DataFrame.from_records(list(decisions), columns=list(COLUMNS))
    return _checked(df, stream)


def _checked(df: pd.DataFrame, stream: Stream) -> pd.DataFrame:
    routes = stream.policy.route_names
    try:
        pid = df["post_id"].astype(np.int64).to_numpy()
        seconds = df["response_time_s"].astype(float).to_numpy()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"decisions: post_id must be whole numbers and response_time_s numbers ({exc})") from None
    route = df["route"]
    if isinstance(route.dtype, pd.CategoricalDtype) and tuple(route.cat.categories) == routes:
        codes = route.cat.codes.to_numpy()
    else:
        codes = pd.Index(routes).get_indexer(route.astype(object))
    if (bad := np.flatnonzero(codes < 0)).size:
        raise ValueError(
            f"decision for post {pid[bad[0]]}: unknown route {df['route'].iloc[bad[0]]!r}; "
            f"routes are {', '.join(routes)}"
        )
    if (bad := np.flatnonzero((pid < 0) | (pid >= len(stream)))).size:
        raise ValueError(f"decision for post {pid[bad[0]]}: no such post (ids run 0 to {len(stream) - 1})")
    if (bad := np.flatnonzero(~(np.isfinite(seconds) & (seconds >= 0)))).size:
        raise ValueError(
            f"decision for post {pid[bad[0]]}: response_time_s must be a number >= 0, got {seconds[bad[0]]}"
        )
    if (twice := np.flatnonzero(np.bincount(pid, minlength=len(stream)) > 1)).size:
        raise ValueError(f"post {twice[0]} has more than one decision; keep the first response only")
    order = np.argsort(pid, kind="stable")
    return pd.DataFrame(
        {
            "post_id": pid[order],
            "route": pd.Categorical.from_codes(codes[order], categories=routes),
            "response_time_s": seconds[order],
        }
    )


def decision_arrays(decisions: pd.DataFrame, n_posts: int) -> tuple[np.ndarray, np.ndarray]:
    """Per post: the chosen route's index (-1 if none) and the response time in seconds (inf if none)."""
    chosen = np.full(n_posts, -1, dtype=np.int16)
    seconds = np.full(n_posts, np.inf)
    pid = decisions["post_id"].to_numpy()
    chosen[pid] = decisions["route"].cat.codes.to_numpy()
    seconds[pid] = decisions["response_time_s"].to_numpy()
    return chosen, seconds


def to_records(decisions: pd.DataFrame) -> list[dict[str, Any]]:
    """Decisions as a list of plain dicts, ready for JSON (and for `as_decisions` to read back)."""
    return [
        {"post_id": int(p), "route": str(r), "response_time_s": float(s)}
        for p, r, s in zip(decisions["post_id"], decisions["route"], decisions["response_time_s"], strict=True)
    ]


def ignore_all(stream: Stream) -> pd.DataFrame:
    """The "ignore everything" reference strategy: no decisions at all."""
    return as_decisions(None, stream)


def follow_policy(stream: Stream, response_time_s: float = 120.0) -> pd.DataFrame:
    """The reference strategy: the recommended route for every post, each after `response_time_s`."""
    n = len(stream)
    return as_decisions(
        pd.DataFrame(
            {
                "post_id": np.arange(n),
                "route": stream.posts["route"],
                "response_time_s": np.full(n, float(response_time_s)),
            }
        ),
        stream,
    )


def escalate_all(stream: Stream, route: str = "escalate_coe", response_time_s: float = 120.0) -> pd.DataFrame:
    """The "escalate everything" reference strategy: every post to one escalation route."""
    routes = stream.policy.route_names
    if route not in routes or stream.policy.routes[route].kind != "escalate":
        raise ValueError(f"{route!r} is not an escalation route of the policy")
    n = len(stream)
    codes = np.full(n, routes.index(route), dtype=np.int16)
    return as_decisions(
        pd.DataFrame(
            {
                "post_id": np.arange(n),
                "route": pd.Categorical.from_codes(codes, routes),
                "response_time_s": np.full(n, float(response_time_s)),
            }
        ),
        stream,
    )


def apply_router(
    stream: Stream, route_fn: Callable[[dict[str, Any]], str | None], response_time_s: float = 120.0
) -> pd.DataFrame:
    """Decisions of a learner-written `route(post) -> str` over a stream; returning None leaves a post undecided."""
    rows = []
    for post in stream.public():
        choice = route_fn(dict(post))
        if choice is not None:
            if not isinstance(choice, str):
                raise ValueError(
                    f"route(post) for post {post['post_id']} returned {choice!r}; "
                    f"expected one of {', '.join(stream.policy.route_names)} or None"
                )
            rows.append((post["post_id"], choice, float(response_time_s)))
    return as_decisions(pd.DataFrame(rows, columns=list(COLUMNS)) if rows else None, stream)
