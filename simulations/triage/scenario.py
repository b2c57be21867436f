"""Scenarios as data: a shift of background chatter plus timed injects, one YAML file each, validated on load.

A trainer adds a scenario by dropping a file into `simulations/data/triage/scenarios/`; its id is the file name.
Fields: title, summary, lesson?, sources?, shift_hours, horizon_hours? (24), background {posts_per_hour, mix?,
platforms?} and injects, each {at_min, author, category, severity, followers (n or [low, high]), label?, count? (1),
over_min? (0), platform? (x), sentiment?, virality? (0-0.99), text? ({org}, {product}), route? + why?}.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulations.common.validate import DataError, Field, load_yaml
from simulations.triage.chatter import load_chatter, template, weights
from simulations.triage.policy import Policy
from simulations.triage.policy_file import load_policy
from simulations.triage.vocab import AUTHORS, CATEGORIES, DATA_DIR, PLATFORMS, SENTIMENTS, SEVERITIES

SCENARIO_DIR = DATA_DIR / "scenarios"
MAX_HORIZON_H = 72.0
MAX_VIRALITY = 0.99


@dataclass(frozen=True)
class Inject:
    """A scripted post (or `count` alike posts spread evenly over `over_min`) at a set minute of the shift."""

    label: str
    at_min: float
    count: int
    over_min: float
    platform: str
    author: str
    category: str
    sentiment: str
    severity: str
    followers: tuple[int, int]
    virality: float | None
    text: str | None
    route: str | None
    why: str | None


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: shift length, background chatter (rate, category and platform mix) and injects."""

    id: str
    path: Path
    title: str
    summary: str
    lesson: str
    sources: tuple[str, ...]
    shift_hours: float
    horizon_hours: float
    posts_per_hour: float
    mix: np.ndarray
    platforms: np.ndarray
    injects: tuple[Inject, ...]


def list_scenarios(directory: str | Path | None = None) -> list[str]:
    """Ids of the scenarios in a folder (the built-in ones by default), sorted."""
    return sorted(p.stem for p in Path(directory or SCENARIO_DIR).glob("*.yaml"))


def load_scenario(scenario: str | Path, *, policy: Policy | None = None) -> Scenario:
    """Load a scenario by id (a built-in one) or by path; answer-key routes are checked against `policy`'s routes."""
    path = Path(scenario)
    if path.suffix not in (".yaml", ".yml"):
        path = SCENARIO_DIR / f"{scenario}.yaml"
        if not path.exists():
            raise DataError(path, "", f"no scenario {str(scenario)!r}; built-in ones: {', '.join(list_scenarios())}")
    routes = tuple((policy or load_policy()).routes)
    doc = load_yaml(path).only(
        ("title", "summary", "lesson", "sources", "shift_hours", "horizon_hours", "background", "injects")
    )
    shift_h = doc.get("shift_hours").float(min=0.1, max=MAX_HORIZON_H)
    horizon_h = doc.get("horizon_hours", 24.0).float(min=shift_h, max=MAX_HORIZON_H)
    chatter = load_chatter()
    bg = doc.get("background").only(("posts_per_hour", "mix", "platforms"))
    mix = weights(bg.get("mix"), tuple(CATEGORIES)) if bg.has("mix") else chatter.default_mix
    platforms = weights(bg.get("platforms"), PLATFORMS) if bg.has("platforms") else chatter.default_platforms
    injects = tuple(_inject(f, i, shift_h * 60, routes) for i, f in enumerate(doc.get("injects").items(min_len=1)))
    return Scenario(
        id=path.stem,
        path=path,
        title=doc.get("title").str(),
        summary=doc.get("summary").str(),
        lesson=doc.get("lesson", "").str(nonempty=False),
        sources=tuple(doc.get("sources", []).str_list()),
        shift_hours=shift_h,
        horizon_hours=horizon_h,
        posts_per_hour=bg.get("posts_per_hour").float(min=0, max=1e7),
        mix=mix,
        platforms=platforms,
        injects=injects,
    )


def _inject(f: Field, i: int, shift_min: float, routes: tuple[str, ...]) -> Inject:
    f.only(
        (
            "label",
            "at_min",
            "count",
            "over_min",
            "platform",
            "author",
            "category",
            "sentiment",
            "severity",
            "followers",
            "virality",
            "text",
            "route",
            "why",
        )
    )
    at = f.get("at_min").float(min=0)
    if at >= shift_min:
        f.get("at_min").fail(f"expected a minute inside the shift (< {shift_min:g}), got {at:g}")
    over = f.get("over_min", 0).float(min=0)
    if at + over > shift_min:
        f.get("over_min").fail(f"the injects would run past the end of the shift (minute {shift_min:g})")
    category = f.get("category").choice(CATEGORIES)
    likely = SENTIMENTS[int(np.argmax(load_chatter().categories[category].sentiment))]
    route = f.get("route").choice(routes) if f.has("route") else None
    if route is not None and not f.has("why"):
        f.get("why", None).fail("an inject that sets its own route must say why (shown to learners in the debrief)")
    return Inject(
        label=f.get("label", f"inject {i + 1}").str(),
        at_min=at,
        count=f.get("count", 1).int(min=1, max=100_000),
        over_min=over,
        platform=f.get("platform", "x").choice(PLATFORMS),
        author=f.get("author").choice(AUTHORS),
        category=category,
        sentiment=f.get("sentiment", likely).choice(SENTIMENTS),
        severity=f.get("severity").choice(SEVERITIES),
        followers=_followers(f.get("followers")),
        virality=f.get("virality").float(min=0, max=MAX_VIRALITY) if f.has("virality") else None,
        text=template(f.get("text")) if f.has("text") else None,
        route=route,
        why=f.get("why").str() if f.has("why") else None,
    )


def _followers(f: Field) -> tuple[int, int]:
    """A follower count, or a range [low, high] from which each of `count` posts draws one (log-uniform)."""
    if isinstance(f.value, list):
        items = list(f.items(min_len=2))
        if len(items) != 2:
            f.fail(f"expected a number or a range [low, high], got a list of {len(items)}")
        lo, hi = items[0].int(min=0), items[1].int(min=0)
        if hi < lo:
            f.fail(f"expected low <= high in the range, got [{lo}, {hi}]")
        return lo, hi
    if not isinstance(f.value, int) or isinstance(f.value, bool):
        f.fail(f"expected a whole number of followers or a range [low, high], got {f.value!r}")
    n = f.int(min=0)
    return n, n
