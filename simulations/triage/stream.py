"""Post streams: a scenario's shift as one columnar DataFrame, each post with its hidden truth and recommended route.

Everything is drawn with vectorised numpy from one seeded Generator, so a million posts take a fraction of a second
and the same seed always gives the same stream.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from simulations.triage import vocab
from simulations.triage.chatter import Chatter, load_chatter, render
from simulations.triage.policy import Policy, load_policy
from simulations.triage.scenario import SCENARIO_DIR, Scenario, load_scenario

HIDDEN_COLUMNS = ("severity", "virality", "inject", "route", "rule", "why", "time_limit_s")


@dataclass(frozen=True)
class Stream:
    """A shift of posts (`posts`, one row per post, ordered by time) with the policy that set its recommendations."""

    posts: pd.DataFrame
    policy: Policy
    shift_s: float
    horizon_s: float
    scenario: Scenario | None = None
    spec: Mapping[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.posts)

    def with_policy(self, policy: Policy) -> Stream:
        """The same posts, recommended by another policy (to replay a stream under an edited policy)."""
        if policy is self.policy:
            return self
        return replace(self, posts=_recommend(self.posts, policy, self.scenario), policy=policy)

    def public(self) -> list[dict[str, Any]]:
        """The posts as plain dicts with only what a learner may see (the input of a learner's `route(post)`)."""
        return self.posts[list(vocab.PUBLIC_COLUMNS)].to_dict("records")


def generate_stream(scenario: Scenario | str, *, seed: int = 0, org_name: str = "Acme",
                    products: Sequence[str] = ("SmartKettle", "HomeHub"), n_posts: int | None = None,
                    policy: Policy | None = None) -> Stream:
    """Draw a scenario's shift: Poisson background chatter (exactly `n_posts` if given) plus its injects."""
    if not org_name.strip() or not products or not all(p.strip() for p in products):
        raise ValueError("org_name and every product must be non-empty text, with at least one product")
    policy = policy or load_policy()
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, policy=policy)
    chatter = load_chatter()
    rng = np.random.default_rng(seed)
    n = int(rng.poisson(sc.posts_per_hour * sc.shift_hours)) if n_posts is None else int(n_posts)
    models = [chatter.categories[c] for c in vocab.CATEGORIES]
    templates = [t for m in models for t in m.templates]
    first = np.cumsum([0] + [len(m.templates) for m in models])
    cols = _background(rng, sc, chatter, n, first)
    extra = _injects(rng, sc, first, templates)
    order = np.argsort(extra["time_s"], kind="stable")
    at = np.searchsorted(cols["time_s"], extra["time_s"][order], side="right")
    cols = {key: np.insert(v, at, extra[key][order]) for key, v in cols.items()}
    product = rng.integers(len(products), size=len(cols["time_s"]))
    texts, text_index = render(templates, org_name, list(products))
    cols["text"] = text_index[cols.pop("template") * len(products) + product]
    posts = _frame(cols, texts)
    builtin = sc.path.parent.resolve() == SCENARIO_DIR.resolve()
    spec = {"scenario": sc.id if builtin else str(sc.path), "seed": seed, "org_name": org_name,
            "products": list(products), "n_posts": n_posts}
    return Stream(_recommend(posts, policy, sc), policy, sc.shift_hours * 3600.0, sc.horizon_hours * 3600.0, sc, spec)


def _background(rng: np.random.Generator, sc: Scenario, chatter: Chatter, n: int,
                first: np.ndarray) -> dict[str, np.ndarray]:
    """n chatter posts in time order: category from the scenario's mix, then who, tone and severity given it."""
    models = [chatter.categories[c] for c in vocab.CATEGORIES]
    cat = _draw(rng, sc.mix, n)
    joint = np.array([np.einsum("a,s,v->asv", m.authors, m.sentiment, m.severity).ravel() for m in models])
    author, rest = np.divmod(_draw_given(rng, cat, joint), len(vocab.SENTIMENTS) * len(vocab.SEVERITIES))
    sentiment, severity = np.divmod(rest, len(vocab.SEVERITIES))
    return {
        "time_s": _sorted_uniform(rng, n, sc.shift_hours * 3600.0),
        "category": cat,
        "author": author,
        "sentiment": sentiment,
        "severity": severity,
        "platform": _draw(rng, sc.platforms, n),
        "followers": _lognormal(rng, chatter.median_followers[author], chatter.sigma[author]),
        "template": first[cat] + (rng.random(n) * np.diff(first)[cat]).astype(np.int64),
        "virality": np.full(n, np.nan),
        "inject": np.full(n, -1),
    }


def _injects(rng: np.random.Generator, sc: Scenario, first: np.ndarray, templates: list[str]) -> dict[str, np.ndarray]:
    """The scenario's injects as columns (not yet in time order); their own texts are appended to `templates`."""
    parts = []
    for j, inj in enumerate(sc.injects):
        k = inj.count
        c = vocab.CATEGORY_NAMES.index(inj.category)
        if inj.text is not None:
            templates.append(inj.text)
            tmpl = np.full(k, len(templates) - 1)
        else:
            tmpl = first[c] + (rng.random(k) * (first[c + 1] - first[c])).astype(np.int64)
        lo, hi = np.log1p(inj.followers[0]), np.log1p(inj.followers[1])
        parts.append({
            "time_s": (inj.at_min + inj.over_min * np.arange(k) / k) * 60.0,
            "category": np.full(k, c),
            "author": np.full(k, vocab.AUTHORS.index(inj.author)),
            "sentiment": np.full(k, vocab.SENTIMENTS.index(inj.sentiment)),
            "severity": np.full(k, vocab.SEVERITIES.index(inj.severity)),
            "platform": np.full(k, vocab.PLATFORMS.index(inj.platform)),
            "followers": np.rint(np.expm1(lo + (hi - lo) * rng.random(k))).astype(np.int64),
            "template": tmpl,
            "virality": np.full(k, np.nan if inj.virality is None else inj.virality),
            "inject": np.full(k, j),
        })
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def stream_from_records(records: Sequence[Mapping[str, Any]], *, shift_hours: float, horizon_hours: float = 24.0,
                        policy: Policy | None = None) -> Stream:
    """A hand-made stream (worked examples, graded routing questions, tests) from dicts of post fields.

    Each record needs time_s, platform, author, category, sentiment, followers and severity; text and virality
    are optional. Posts are numbered in time order.
    """
    if not 0 < shift_hours <= horizon_hours:
        raise ValueError(f"expected 0 < shift_hours <= horizon_hours, got {shift_hours} and {horizon_hours}")
    df = pd.DataFrame.from_records(list(records))
    need = {"time_s", "platform", "author", "category", "sentiment", "followers", "severity"}
    if missing := sorted(need - set(df.columns)):
        raise ValueError(f"every post needs the field(s) {', '.join(missing)}")
    codes = {}
    for col, dtype in _DTYPES.items():
        found = pd.Index(dtype.categories).get_indexer(df[col].astype(object))
        if (bad := np.flatnonzero(found < 0)).size:
            raise ValueError(f"post {bad[0]}: {col} {df[col].iloc[bad[0]]!r} is not one of "
                             f"{', '.join(dtype.categories)}")
        codes[col] = found.astype(np.int64)
    times = df["time_s"].to_numpy(float)
    if np.any((times < 0) | (times >= shift_hours * 3600)):
        raise ValueError(f"every time_s must lie inside the shift, 0 <= time_s < {shift_hours * 3600:g}")
    texts = df["text"].fillna("").astype(str) if "text" in df else pd.Series([""] * len(df))
    text_cat = pd.Categorical(texts)
    cols = {"time_s": times, **codes, "followers": df["followers"].to_numpy(np.int64),
            "virality": df["virality"].to_numpy(float) if "virality" in df else np.full(len(df), np.nan),
            "inject": np.full(len(df), -1), "text": text_cat.codes.astype(np.int64)}
    order = np.argsort(times, kind="stable")
    posts = _frame({k: v[order] for k, v in cols.items()}, list(text_cat.categories))
    policy = policy or load_policy()
    return Stream(_recommend(posts, policy, None), policy, shift_hours * 3600.0, horizon_hours * 3600.0)


_DTYPES = {"platform": vocab.PLATFORM_DTYPE, "author": vocab.AUTHOR_DTYPE, "category": vocab.CATEGORY_DTYPE,
           "sentiment": vocab.SENTIMENT_DTYPE, "severity": vocab.SEVERITY_DTYPE}


def _frame(cols: Mapping[str, np.ndarray], texts: list[str]) -> pd.DataFrame:
    """The observable and hidden columns of the posts, categorical columns built from their codes."""
    n = len(cols["time_s"])
    data: dict[str, Any] = {"post_id": np.arange(n, dtype=np.int64), "time_s": cols["time_s"]}
    for col in ("platform", "author", "category", "sentiment"):
        data[col] = pd.Categorical.from_codes(cols[col], dtype=_DTYPES[col])
    data["followers"] = cols["followers"]
    data["text"] = pd.Categorical.from_codes(cols["text"], categories=texts)
    data["severity"] = pd.Categorical.from_codes(cols["severity"], dtype=vocab.SEVERITY_DTYPE)
    data["virality"] = cols["virality"]
    data["inject"] = cols["inject"].astype(np.int32)
    return pd.DataFrame(data)


def _recommend(posts: pd.DataFrame, policy: Policy, scenario: Scenario | None) -> pd.DataFrame:
    """Attach the recommended route, the tree node, its reason and the time limit; an inject's answer key wins."""
    route, rule = policy.decide(posts)
    names = [r.id for r in policy.rules]
    whys = [r.why for r in policy.rules]
    inject = posts["inject"].to_numpy()
    for j, inj in enumerate(scenario.injects if scenario else ()):
        if inj.route is not None:
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


def _sorted_uniform(rng: np.random.Generator, n: int, span: float) -> np.ndarray:
    """n sorted uniform times in [0, span) without a sort: normalised cumulative exponential gaps."""
    gaps = np.cumsum(rng.exponential(size=n + 1))
    return gaps[:-1] / gaps[-1] * span


def _draw(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(np.cumsum(probs), rng.random(n), side="right"), len(probs) - 1)


def _draw_given(rng: np.random.Generator, given: np.ndarray, table: np.ndarray) -> np.ndarray:
    """One draw per element from row `given` of a probability table, in one searchsorted over stacked CDF rows."""
    cdf = np.cumsum(table, axis=1)
    cdf[:, -1] = 1.0
    k = table.shape[1]
    stacked = (cdf + np.arange(len(table))[:, None]).ravel()
    idx = np.searchsorted(stacked, rng.random(len(given)) + given, side="right") - given * k
    return np.minimum(idx, k - 1)


def _lognormal(rng: np.random.Generator, median: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    return np.rint(median * np.exp(sigma * rng.standard_normal(len(median)))).astype(np.int64)
