"""The background model (chatter.yaml): per category, who posts, in what tone, how bad, and the text templates.

Also the two validators scenarios share with it: weights over a vocabulary, and text templates.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from simulations.common.validate import Field, load_yaml
from simulations.triage.vocab import AUTHORS, CATEGORIES, DATA_DIR, PLATFORMS, SENTIMENTS, SEVERITIES

DEFAULT_CHATTER = DATA_DIR / "chatter.yaml"
PLACEHOLDERS = ("org", "product")


@dataclass(frozen=True)
class CategoryModel:
    """How posts of one category are drawn: probabilities over authors, sentiments and severities, and templates."""

    authors: np.ndarray
    sentiment: np.ndarray
    severity: np.ndarray
    templates: tuple[str, ...]


@dataclass(frozen=True)
class Chatter:
    """The whole background model; arrays follow the order of the vocabularies in `vocab`."""

    median_followers: np.ndarray
    sigma: np.ndarray
    categories: dict[str, CategoryModel]
    default_mix: np.ndarray
    default_platforms: np.ndarray


def load_chatter(path: str | Path | None = None) -> Chatter:
    """Load and validate the background model (the default file unless a path is given)."""
    path = Path(path) if path is not None else DEFAULT_CHATTER
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> Chatter:
    doc = load_yaml(path).only(("authors", "default_mix", "default_platforms", "categories"))
    authors = doc.get("authors").only(AUTHORS)
    median = np.empty(len(AUTHORS))
    sigma = np.empty(len(AUTHORS))
    for i, name in enumerate(AUTHORS):
        a = authors.get(name).only(("median_followers", "sigma"))
        median[i] = a.get("median_followers").float(min=1)
        sigma[i] = a.get("sigma").float(min=0, max=5)
    cats = doc.get("categories").only(CATEGORIES)
    models = {}
    for name in CATEGORIES:
        c = cats.get(name).only(("authors", "sentiment", "severity", "templates"))
        models[name] = CategoryModel(
            authors=weights(c.get("authors"), AUTHORS),
            sentiment=weights(c.get("sentiment"), SENTIMENTS),
            severity=weights(c.get("severity"), SEVERITIES),
            templates=tuple(template(t) for t in c.get("templates").items(min_len=1)),
        )
    return Chatter(
        median,
        sigma,
        models,
        weights(doc.get("default_mix"), tuple(CATEGORIES)),
        weights(doc.get("default_platforms"), PLATFORMS),
    )


def weights(f: Field, names: Sequence[str]) -> np.ndarray:
    """Probabilities over `names` from either one name (always that one) or a mapping of names to weights."""
    probs = np.zeros(len(names))
    if isinstance(f.value, str):
        probs[list(names).index(f.choice(names))] = 1.0
        return probs
    for key, sub in f.only(names).entries():
        probs[list(names).index(key)] = sub.float(min=0)
    if probs.sum() <= 0:
        f.fail(f"expected one of {', '.join(names)} or a mapping of them to weights, with a positive weight")
    return probs / probs.sum()


def template(f: Field) -> str:
    """A text template that uses only the {org} and {product} placeholders."""
    text = f.str()
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        f.fail(f"broken placeholder in the text ({exc}); write literal braces as {{{{ and }}}}")
    unknown = sorted(set(fields) - set(PLACEHOLDERS))
    if unknown:
        f.fail(f"unknown placeholder(s) {', '.join('{' + u + '}' for u in unknown)}; use only {{org}} and {{product}}")
    return text


def render(templates: Sequence[str], org_name: str, products: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Every template with every product, deduplicated: the distinct texts and, per (template, product) code, its index.

    A post's text code is template_index * len(products) + product_index; rendering once per pair keeps a
    stream of a million posts cheap.
    """
    rendered = [t.format(org=org_name, product=p) for t in templates for p in products]
    texts, index = np.unique(np.array(rendered, dtype=object), return_inverse=True)
    return list(texts), index.astype(np.int32)
