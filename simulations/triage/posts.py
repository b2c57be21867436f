"""The post table: one row per post, categorical columns with fixed vocabularies, and its recommended routes.

Columns a learner sees: post_id, time_s, platform, author, category, sentiment, followers, text. Hidden truth:
severity, virality (NaN = the model's default for the severity), inject (-1 for background chatter). Set by the
policy: route, rule (the tree node, or "scenario: <label>" for an inject's answer key), why, time_limit_s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simulations.triage import vocab
from simulations.triage.policy import Policy
from simulations.triage.scenario import MAX_VIRALITY, Scenario

DTYPES = {
    "platform": vocab.PLATFORM_DTYPE,
    "author": vocab.AUTHOR_DTYPE,
    "category": vocab.CATEGORY_DTYPE,
    "sentiment": vocab.SENTIMENT_DTYPE,
    "severity": vocab.SEVERITY_DTYPE,
}


def post_table(cols: Mapping[str, np.ndarray], texts: list[str]) -> pd.DataFrame:
    """The observable and hidden columns of the posts, categorical columns built from their codes."""
    n = len(cols["time_s"])
    data: dict[str, Any] = {"post_id": np.arange(n, dtype=np.int64), "time_s": cols["time_s"]}
    for col in ("platform", "author", "category", "sentiment"):
        data[col] = pd.Categorical.from_codes(cols[col], dtype=DTYPES[col])
    data["followers"] = cols["followers"]
    data["text"] = pd.Categorical.from_codes(cols["text"], categories=texts)
    data["severity"] = pd.Categorical.from_codes(cols["severity"], dtype=DTYPES["severity"])
    data["virality"] = cols["virality"]
    data["inject"] = cols["inject"].astype(np.int32)
    return pd.DataFrame(data)


def table_from_records(records: Sequence[Mapping[str, Any]], shift_s: float) -> pd.DataFrame:
    """A post table from dicts of post fields, checked against the vocabularies and the shift, in time order."""
    df = pd.DataFrame.from_records(list(records))
    need = {"time_s", "platform", "author", "category", "sentiment", "followers", "severity"}
    if missing := sorted(need - set(df.columns)):
        raise ValueError(f"every post needs the field(s) {', '.join(missing)}")
    codes = {}
    for col, dtype in DTYPES.items():
        found = pd.Index(dtype.categories).get_indexer(df[col].astype(object))
        if (bad := np.flatnonzero(found < 0)).size:
            raise ValueError(
                f"post {bad[0]}: {col} {df[col].iloc[bad[0]]!r} is not one of {', '.join(dtype.categories)}"
            )
        codes[col] = found.astype(np.int64)
    times = df["time_s"].to_numpy(float)
    if np.any((times < 0) | (times >= shift_s)):
        raise ValueError(f"every time_s must lie inside the shift, 0 <= time_s < {shift_s:g}")
    followers = df["followers"].to_numpy(np.int64)
    virality = df["virality"].to_numpy(float) if "virality" in df else np.full(len(df), np.nan)
    if np.any(followers < 0) or np.any((virality < 0) | (virality > MAX_VIRALITY)):
        raise ValueError(f"followers must be >= 0 and virality (if given) between 0 and {MAX_VIRALITY}")
    text_cat = pd.Categorical(df["text"].fillna("").astype(str) if "text" in df else [""] * len(df))
    cols = {
        "time_s": times,
        **codes,
        "followers": followers,
        "virality": virality,
        "inject": np.full(len(df), -1),
        "text": text_cat.codes.astype(np.int64),
    }
    order = np.argsort(times, kind="stable")
    return post_table({k: v[order] for k, v in cols.items()}, list(text_cat.categories))


def recommend_table(posts: pd.DataFrame, policy: Policy, scenario: Scenario | None) -> pd.DataFrame:
    """Attach the recommended route, the tree node, its reason and the time limit; an inject's answer key wins."""
    route, rule = policy.decide(posts)
    names = [r.id for r in policy.rules]
    whys = [r.why for r in policy.rules]
    inject = posts["inject"].to_numpy()
    for j, inj in enumerate(scenario.injects if scenario else ()):
        if inj.route is not None:
            if inj.route not in policy.routes:
                raise ValueError(
                    f"inject {inj.label!r} of {scenario.path} routes to {inj.route!r}, "
                    f"which the policy {policy.origin} does not have"
                )
            hit = inject == j
            route[hit] = policy.route_names.index(inj.route)
            rule[hit] = len(names)
            names.append(f"scenario: {inj.label}")
            whys.append(inj.why)
    out = posts.drop(columns=[c for c in ("route", "rule", "why", "time_limit_s") if c in posts])
    out["route"] = pd.Categorical.from_codes(route, categories=policy.route_names)
    out["rule"] = _categorical(rule, names)
    out["why"] = _categorical(rule, whys)
    by_severity = np.array([policy.time_limit_min[s] for s in vocab.SEVERITIES])
    by_route = np.array([r.time_limit_min or np.inf for r in policy.routes.values()])
    limit = np.minimum(by_severity[out["severity"].cat.codes.to_numpy()], by_route[route])
    out["time_limit_s"] = limit * 60.0
    return out


def _categorical(codes: np.ndarray, labels: list[str]) -> pd.Categorical:
    """Codes into `labels` as a Categorical over the distinct labels (two codes may share a label)."""
    distinct = list(dict.fromkeys(labels))
    remap = np.array([distinct.index(label) for label in labels])
    return pd.Categorical.from_codes(remap[codes], categories=distinct)
