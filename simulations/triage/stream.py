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
from simulations.triage.chatter import CategoryModel, Chatter, load_chatter, render
from simulations.triage.policy import Policy
from simulations.triage.policy_file import load_policy
from simulations.triage.posts import post_table, recommend_table, table_from_records
from simulations.triage.scenario import SCENARIO_DIR, Scenario, load_scenario


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
        return replace(self, posts=recommend_table(self.posts, policy, self.scenario), policy=policy)

    def public(self) -> list[dict[str, Any]]:
        """The posts as plain dicts with only what a learner may see (the input of a learner's `route(post)`)."""
        return self.posts[list(vocab.PUBLIC_COLUMNS)].to_dict("records")


def generate_stream(
    scenario: Scenario | str,
    *,
    seed: int = 0,
    org_name: str = "Acme",
    products: Sequence[str] = ("SmartKettle", "HomeHub"),
    n_posts: int | None = None,
    policy: Policy | None = None,
) -> Stream:
    """Draw a scenario's shift: Poisson background chatter (exactly `n_posts` if given) plus its injects."""
    if isinstance(products, str) or not products or not org_name.strip() or not all(p.strip() for p in products):
        raise ValueError("org_name must be non-empty text and products a non-empty list of non-empty names")
    policy = policy or load_policy()
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, policy=policy)
    chatter = load_chatter()
    rng = np.random.default_rng(seed)
    n = int(rng.poisson(sc.posts_per_hour * sc.shift_hours)) if n_posts is None else int(n_posts)
    models = [chatter.categories[c] for c in vocab.CATEGORIES]
    templates = [t for m in models for t in m.templates]
    first = np.cumsum([0] + [len(m.templates) for m in models])
    cols = _background(rng, sc, chatter, models, n, first)
    extra = _injects(rng, sc, first, templates)
    order = np.argsort(extra["time_s"], kind="stable")
    at = np.searchsorted(cols["time_s"], extra["time_s"][order], side="right")
    cols = {key: np.insert(v, at, extra[key][order]) for key, v in cols.items()}
    product = rng.integers(len(products), size=len(cols["time_s"]))
    texts, text_index = render(templates, org_name, list(products))
    cols["text"] = text_index[cols.pop("template") * len(products) + product]
    posts = post_table(cols, texts)
    builtin = sc.path.parent.resolve() == SCENARIO_DIR.resolve()
    spec = {
        "scenario": sc.id if builtin else str(sc.path),
        "seed": seed,
        "org_name": org_name,
        "products": list(products),
        "n_posts": n_posts,
    }
    return Stream(
        recommend_table(posts, policy, sc), policy, sc.shift_hours * 3600.0, sc.horizon_hours * 3600.0, sc, spec
    )


def _background(
    rng: np.random.Generator, sc: Scenario, chatter: Chatter, models: list[CategoryModel], n: int, first: np.ndarray
) -> dict[str, np.ndarray]:
    """n chatter posts in time order: category from the scenario's mix, then who, tone and severity given it."""
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
        parts.append(
            {
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
            }
        )
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def stream_from_records(
    records: Sequence[Mapping[str, Any]],
    *,
    shift_hours: float,
    horizon_hours: float = 24.0,
    policy: Policy | None = None,
) -> Stream:
    """A hand-made stream (worked examples, graded routing questions, tests) from dicts of post fields.

    Each record needs time_s, platform, author, category, sentiment, followers and severity; text and virality
    are optional. Posts are numbered in time order.
    """
    if not 0 < shift_hours <= horizon_hours:
        raise ValueError(f"expected 0 < shift_hours <= horizon_hours, got {shift_hours} and {horizon_hours}")
    policy = policy or load_policy()
    posts = table_from_records(records, shift_hours * 3600.0)
    return Stream(recommend_table(posts, policy, None), policy, shift_hours * 3600.0, horizon_hours * 3600.0)


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
