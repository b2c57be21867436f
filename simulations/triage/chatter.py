"""The background model (chatter.yaml): per category, who posts, in what tone, how bad, and the text templates.

Also the text templates scenarios share with it.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import AfterValidator, Field, create_model

from simulations.common.models import FileModel, Text, invalid, items, json_schema, load_model, number, weights_over
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


def check_template(text: str) -> str:
    """A text template that uses only the {org} and {product} placeholders."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise invalid(f"broken placeholder in the text ({exc}); write literal braces as {{{{ and }}}}") from None
    unknown = sorted(set(fields) - set(PLACEHOLDERS))
    if unknown:
        said = ", ".join("{" + u + "}" for u in unknown)
        raise invalid(f"unknown placeholder(s) {said}; use only {{org}} and {{product}}")
    return text


Template = Annotated[
    Text, AfterValidator(check_template), Field(description="a post's text; {org} and {product} are filled in")
]
CategoryWeights = weights_over("CategoryWeights", CATEGORIES, "what posts are about")
PlatformWeights = weights_over("PlatformWeights", PLATFORMS, "where posts appear")


class AuthorFile(FileModel):
    """How many followers one kind of author has: lognormal, by its median and shape."""

    median_followers: number(ge=1, description="the median follower count")
    sigma: number(ge=0, le=5, description="the lognormal shape: how widely follower counts spread")


class CategoryFile(FileModel):
    """How posts of one category are drawn."""

    authors: weights_over("AuthorWeights", AUTHORS, "who posts")
    sentiment: weights_over("SentimentWeights", SENTIMENTS, "in what tone")
    severity: weights_over("SeverityWeights", SEVERITIES, "how bad, in truth (hidden from the learner)")
    templates: items(Template, min_len=1)


AuthorsFile = create_model(
    "AuthorsFile", __base__=FileModel, **{a: (AuthorFile, Field(description=f"followers of a {a}")) for a in AUTHORS}
)
CategoriesFile = create_model(
    "CategoriesFile",
    __base__=FileModel,
    **{name: (CategoryFile, Field(description=about)) for name, about in CATEGORIES.items()},
)


class ChatterFile(FileModel):
    """The background model of the crisis-triage simulation (simulations/data/triage/chatter.yaml)."""

    authors: AuthorsFile
    default_mix: CategoryWeights = Field(description="what background posts are about, unless a scenario says")
    default_platforms: PlatformWeights = Field(description="where background posts appear, unless a scenario says")
    categories: CategoriesFile

    def chatter(self) -> Chatter:
        authors = [getattr(self.authors, a) for a in AUTHORS]
        return Chatter(
            np.array([a.median_followers for a in authors]),
            np.array([a.sigma for a in authors]),
            {name: _category(getattr(self.categories, name)) for name in CATEGORIES},
            probabilities(self.default_mix),
            probabilities(self.default_platforms),
        )


def _category(c: CategoryFile) -> CategoryModel:
    return CategoryModel(
        probabilities(c.authors), probabilities(c.sentiment), probabilities(c.severity), tuple(c.templates)
    )


def probabilities(weights: dict[str, float]) -> np.ndarray:
    """Validated weights (`weights_over`) as probabilities, in the vocabulary's order."""
    probs = np.array(list(weights.values()), dtype=float)
    return probs / probs.sum()


def load_chatter(path: str | Path | None = None) -> Chatter:
    """Load and validate the background model (the default file unless a path is given)."""
    path = Path(path) if path is not None else DEFAULT_CHATTER
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> Chatter:
    return load_model(path, ChatterFile).chatter()


def chatter_schema() -> dict:
    """The JSON Schema of the triage background model, for editors."""
    return json_schema(ChatterFile, "Triage background chatter", "Who posts what, how, in the triage simulation.")


def render(templates: Sequence[str], org_name: str, products: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Every template with every product, deduplicated: the distinct texts and, per (template, product) code, its index.

    A post's text code is template_index * len(products) + product_index; rendering once per pair keeps a
    stream of a million posts cheap.
    """
    rendered = [t.format(org=org_name, product=p) for t in templates for p in products]
    texts, index = np.unique(np.array(rendered, dtype=object), return_inverse=True)
    return list(texts), index.astype(np.int32)
