"""Scenarios as data: a shift of background chatter plus timed injects, one YAML file each, validated on load.

A trainer adds a scenario by dropping a file into `simulations/data/triage/scenarios/`; its id is the file name.
Fields: title, summary, lesson?, sources?, shift_hours, horizon_hours? (24), background {posts_per_hour, mix?,
platforms?} and injects, each {at_min, author, category, severity, followers (n or [low, high]), label?, count? (1),
over_min? (0), platform? (x), sentiment?, virality? (0-0.99), text? ({org}, {product}), route? + why?}.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, WithJsonSchema, model_validator

from simulations.common.datafiles import DataError
from simulations.common.models import (
    Count,
    FileModel,
    OptionalText,
    Text,
    choice,
    hours,
    invalid,
    items,
    json_schema,
    load_model,
    minutes,
    number,
)
from simulations.triage.chatter import CategoryWeights, PlatformWeights, Template, load_chatter, probabilities
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


def _followers(value: Any) -> Any:
    """A follower count is read as the range [n, n]."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [value, value]
    if not isinstance(value, list):
        raise invalid("expected a whole number of followers or a range [low, high]")
    return value


def _low_high(value: list[int]) -> tuple[int, int]:
    if value[1] < value[0]:
        raise invalid(f"expected low <= high in the range, got [{value[0]}, {value[1]}]")
    return value[0], value[1]


Followers = Annotated[
    items(Count, min_len=2),
    Field(max_length=2),
    BeforeValidator(_followers),
    AfterValidator(_low_high),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 2, "maxItems": 2},
            ],
            "description": "a follower count, or a range [low, high] each post draws one from (log-uniform)",
        }
    ),
]


class InjectFile(FileModel):
    """A scripted post (or `count` alike posts spread evenly over `over_min`) at a set minute of the shift."""

    label: Text | None = Field(None, description="its name in the debrief; 'inject N' by default")
    at_min: minutes(description="when it is posted, from the start of the shift")
    count: Annotated[Count, Field(ge=1, le=100_000)] = Field(1, description="how many alike posts")
    over_min: minutes(description="the minutes the posts are spread over") = 0.0
    platform: choice(PLATFORMS, "where it is posted") = "x"
    author: choice(AUTHORS, "who posts it")
    category: choice(CATEGORIES, "what it is about")
    sentiment: choice(SENTIMENTS, "its tone; by default the category's most likely one") | None = None
    severity: choice(SEVERITIES, "how bad it is, in truth (hidden from the learner)")
    followers: Followers
    virality: number(ge=0, le=MAX_VIRALITY) | None = Field(
        None, description="how readily it spreads (0-0.99); by default the severity's"
    )
    text: Template | None = None
    route: Text | None = Field(None, description="the answer key: a route of the policy; needs why")
    why: Text | None = Field(None, description="why that route, shown to learners in the debrief")

    @model_validator(mode="after")
    def _answer_key(self, info: ValidationInfo) -> InjectFile:
        routes = (info.context or {}).get("routes")
        if self.route is not None and routes is not None and self.route not in routes:
            raise invalid(f"expected one of {', '.join(routes)}", at="route")
        if self.route is not None and self.why is None:
            raise invalid("an inject that sets its own route must say why (shown to learners in the debrief)", at="why")
        return self

    def inject(self, i: int, likely: dict[str, str]) -> Inject:
        return Inject(
            label=self.label or f"inject {i + 1}",
            at_min=self.at_min,
            count=self.count,
            over_min=self.over_min,
            platform=self.platform,
            author=self.author,
            category=self.category,
            sentiment=self.sentiment or likely[self.category],
            severity=self.severity,
            followers=self.followers,
            virality=self.virality,
            text=self.text,
            route=self.route,
            why=self.why,
        )


class BackgroundFile(FileModel):
    """The chatter around the injects."""

    posts_per_hour: number(ge=0, le=1e7, description="background posts an hour")
    mix: CategoryWeights | None = Field(None, description="what they are about; the background model's by default")
    platforms: PlatformWeights | None = Field(None, description="where they appear; the background model's by default")


class ScenarioFile(FileModel):
    """A scenario of the crisis-triage simulation: a shift of background chatter plus timed injects."""

    title: Text
    summary: Text
    lesson: OptionalText = Field("", description="what the debrief teaches")
    sources: items(Text) = Field([], description="where the scenario's pattern comes from")
    shift_hours: hours(ge=0.1, le=MAX_HORIZON_H, description="how long the learner is on the desk")
    horizon_hours: hours(le=MAX_HORIZON_H, description="how long spread is followed; at least the shift") = 24.0
    background: BackgroundFile
    injects: items(InjectFile, min_len=1)

    @model_validator(mode="after")
    def _in_the_shift(self) -> ScenarioFile:
        if self.horizon_hours < self.shift_hours:
            raise invalid(f"expected a value >= {self.shift_hours:g} (the shift's length)", at="horizon_hours")
        shift_min = self.shift_hours * 60
        for i, inject in enumerate(self.injects):
            if inject.at_min >= shift_min:
                raise invalid(
                    f"expected a minute inside the shift (< {shift_min:g}), got {inject.at_min:g}",
                    at=f"injects[{i}].at_min",
                )
            if inject.at_min + inject.over_min > shift_min:
                raise invalid(
                    f"the injects would run past the end of the shift (minute {shift_min:g})",
                    at=f"injects[{i}].over_min",
                )
        return self

    def scenario(self, path: Path) -> Scenario:
        chatter = load_chatter()
        likely = {c: SENTIMENTS[int(np.argmax(m.sentiment))] for c, m in chatter.categories.items()}
        bg = self.background
        return Scenario(
            id=path.stem,
            path=path,
            title=self.title,
            summary=self.summary,
            lesson=self.lesson,
            sources=tuple(self.sources),
            shift_hours=self.shift_hours,
            horizon_hours=self.horizon_hours,
            posts_per_hour=bg.posts_per_hour,
            mix=probabilities(bg.mix) if bg.mix else chatter.default_mix,
            platforms=probabilities(bg.platforms) if bg.platforms else chatter.default_platforms,
            injects=tuple(inject.inject(i, likely) for i, inject in enumerate(self.injects)),
        )


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
    return load_model(path, ScenarioFile, {"routes": routes}).scenario(path)


def scenario_schema() -> dict:
    """The JSON Schema of a triage scenario, for editors."""
    return json_schema(ScenarioFile, "Triage scenario", "A shift of the crisis-triage simulation: chatter and injects.")
