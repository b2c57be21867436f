"""Controls: training coverage per audience, switchable controls (policy, CoE triage, ...) and the training style
("open" or "sanitised"), turned into per-risk factors on the annual rate and on the impact of each event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import AfterValidator, Field, ValidationInfo, model_validator

from simulations.common.models import (
    Currency,
    FileModel,
    Money,
    OptionalText,
    Share,
    Text,
    choice,
    invalid,
    items,
    json_schema,
    keyed,
    load_model,
    number,
    unique_by,
)
from simulations.risk.register import AUDIENCES, DATA_DIR, Provenance, Register, load_register

DEFAULT_CONTROLS = DATA_DIR / "controls.yaml"
STYLES: tuple[str, ...] = ("open", "sanitised")


@dataclass(frozen=True)
class Effect:
    """What a control does to one risk at full strength: the fraction of the annual rate and of each event's impact
    it removes (a negative fraction raises it; only a training style may do that)."""

    risk: str
    likelihood: float = 0.0
    impact: float = 0.0


@dataclass(frozen=True)
class Training:
    """One track's training: at coverage c it removes c * share * effectiveness of every risk its audience drives."""

    audience: str
    cost_per_learner: float
    likelihood: float
    impact: float
    title: str = ""


@dataclass(frozen=True)
class Control:
    """A control that is either in place or not (a policy, the CoE triage process, ...), with its annual cost."""

    id: str
    cost: float
    effects: tuple[Effect, ...]
    title: str = ""


@dataclass(frozen=True)
class Catalogue:
    """Every control the organisation could choose, with effectiveness and costs, and the two training styles.
    Risks a style touches take the style's effect, scaled by driver-weighted coverage, instead of the tracks' own."""

    training: Mapping[str, Training]
    controls: Mapping[str, Control]
    styles: Mapping[str, tuple[Effect, ...]]
    currency: str = "USD"
    source: str = "(in code)"

    @property
    def style_risks(self) -> set[str]:
        return {e.risk for effects in self.styles.values() for e in effects}

    def check(self, program: Program) -> None:
        """Raise ValueError if the program names a control or style this catalogue does not define."""
        unknown = sorted(program.controls - set(self.controls))
        if unknown:
            raise ValueError(f"unknown control(s) {', '.join(unknown)}; known: {', '.join(sorted(self.controls))}")
        if program.style not in self.styles:
            raise ValueError(f"unknown training style {program.style!r}; known: {', '.join(self.styles)}")


@dataclass(frozen=True)
class Program:
    """What the organisation does: training coverage 0..1 per audience (missing = 0), the controls in place,
    and the training style. `Program()` is the status quo the register describes."""

    coverage: Mapping[str, float] = field(default_factory=dict)
    controls: frozenset[str] = frozenset()
    style: str = "open"

    def __post_init__(self) -> None:
        for audience, value in self.coverage.items():
            if audience not in AUDIENCES:
                raise ValueError(f"unknown audience {audience!r}; expected some of {', '.join(AUDIENCES)}")
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"coverage for {audience} must be between 0 and 1, got {value}")
        object.__setattr__(self, "coverage", dict(self.coverage))
        object.__setattr__(self, "controls", frozenset(self.controls))

    def plus(self, *candidates: Candidate) -> Program:
        """This program with the candidates added: the higher coverage per audience, the union of controls."""
        coverage = dict(self.coverage)
        controls = set(self.controls)
        for c in candidates:
            for audience, value in c.coverage.items():
                coverage[audience] = max(coverage.get(audience, 0.0), value)
            controls |= c.controls
        return Program(coverage, frozenset(controls), self.style)


@dataclass(frozen=True)
class Candidate:
    """One purchasable option for the budget optimiser: some coverage and/or controls, at an annual cost."""

    id: str
    cost: float
    coverage: Mapping[str, float] = field(default_factory=dict)
    controls: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        Program(self.coverage)  # same checks on audiences and coverage
        object.__setattr__(self, "controls", frozenset(self.controls))


def factors(register: Register, program: Program, catalogue: Catalogue) -> tuple[np.ndarray, np.ndarray]:
    """Per-risk multipliers (on the annual rate, on each event's impact) that the program applies; 1 = no change."""
    catalogue.check(program)
    coverage = np.array([program.coverage.get(a, 0.0) for a in AUDIENCES])
    styled = np.isin(register.ids, sorted(catalogue.style_risks))
    reach = register.drivers * coverage * ~styled[:, None]  # (risks, audiences): share of each risk trained
    tracks = [catalogue.training.get(a, Training(a, 0.0, 0.0, 0.0)) for a in AUDIENCES]
    rate = np.prod(1 - reach * np.array([t.likelihood for t in tracks]), axis=1)
    impact = np.prod(1 - reach * np.array([t.impact for t in tracks]), axis=1)
    for control_id in sorted(program.controls):
        lower_rate, lower_impact = _effect_vectors(register, catalogue.controls[control_id].effects)
        rate *= 1 - lower_rate
        impact *= 1 - lower_impact
    lower_rate, lower_impact = _effect_vectors(register, catalogue.styles[program.style])
    style_reach = register.drivers @ coverage
    rate *= 1 - style_reach * lower_rate
    impact *= 1 - style_reach * lower_impact
    return np.maximum(rate, 0.0), np.maximum(impact, 0.0)


def factor_matrix(
    register: Register, programs: Iterable[Program], catalogue: Catalogue
) -> tuple[np.ndarray, np.ndarray]:
    """`factors` of several programs stacked into (programs, risks) arrays: the scenarios of one simulation."""
    pairs = [factors(register, p, catalogue) for p in programs]
    shape = (len(pairs), len(register))
    return np.array([r for r, _ in pairs]).reshape(shape), np.array([i for _, i in pairs]).reshape(shape)


def _effect_vectors(register: Register, effects: Iterable[Effect]) -> tuple[np.ndarray, np.ndarray]:
    """Effects as per-risk arrays; effects on risks this register lacks (a unit's subset) are ignored."""
    rate = np.zeros(len(register))
    impact = np.zeros(len(register))
    ids = register.ids
    for e in effects:
        if e.risk in ids:
            rate[ids.index(e.risk)] = e.likelihood
            impact[ids.index(e.risk)] = e.impact
    return rate, impact


def program_cost(catalogue: Catalogue, program: Program, audience_sizes: Mapping[str, float]) -> float:
    """Annual cost: cost per learner x audience size x coverage for each track, plus each control in place."""
    catalogue.check(program)
    training = sum(
        catalogue.training[a].cost_per_learner * audience_sizes.get(a, 0.0) * c
        for a, c in program.coverage.items()
        if a in catalogue.training
    )
    return float(training + sum(catalogue.controls[c].cost for c in program.controls))


def candidate_controls(
    catalogue: Catalogue, audience_sizes: Mapping[str, float], *, coverage: float = 1.0
) -> list[Candidate]:
    """One candidate per training track (at `coverage`, id "train-<audience>") and one per control, with costs."""
    tracks = [
        Candidate(f"train-{a}", program_cost(catalogue, Program({a: coverage}), audience_sizes), {a: coverage})
        for a in AUDIENCES
        if a in catalogue.training
    ]
    return tracks + [Candidate(c.id, c.cost, controls=frozenset({c.id})) for c in catalogue.controls.values()]


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The shipped catalogue (simulations/data/risk/controls.yaml), loaded once; treat it as read-only."""
    return load_controls()


class EffectFile(FileModel):
    """What a control does to one risk at full strength: the fraction of its annual rate and of each event's impact
    it removes."""

    risk: Text = Field(description="a risk of the register")
    likelihood: number(ge=0, le=1, description="the fraction of the risk's annual rate removed") = 0.0
    impact: number(ge=0, le=1, description="the fraction of each event's cost removed") = 0.0

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> EffectFile:
        risks = (info.context or {}).get("risks")
        if risks is not None and self.risk not in risks:
            raise invalid(f"expected one of {', '.join(risks)}", at="risk")
        return self

    def effect(self) -> Effect:
        return Effect(self.risk, self.likelihood, self.impact)


class StyleEffectFile(EffectFile):
    """What a training style does to one risk: a negative fraction raises the rate or the impact (down to -3)."""

    likelihood: number(ge=-3, le=1, description="the fraction of the rate removed; negative raises it") = 0.0
    impact: number(ge=-3, le=1, description="the fraction of each event's cost removed; negative raises it") = 0.0


class TrainingFile(Provenance):
    """One track's training: at coverage c it removes c * share * effectiveness of every risk its audience drives."""

    audience: choice(AUDIENCES, "the audience the track trains")
    title: Text
    cost_per_learner: Money = Field(description="what training one learner costs a year")
    likelihood: Share = Field(description="how much of the rate of risks its audience drives the training removes")
    impact: Share = Field(description="how much of each event's cost the training removes")

    def training(self) -> Training:
        return Training(self.audience, self.cost_per_learner, self.likelihood, self.impact, self.title)


class ControlFile(Provenance):
    """A control that is either in place or not (a policy, the CoE triage process, ...), with its annual cost."""

    id: Text
    title: Text
    cost: Money = Field(description="what the control costs a year")
    effects: items(EffectFile, min_len=1)

    def control(self) -> Control:
        return Control(self.id, self.cost, tuple(e.effect() for e in self.effects), self.title)


class StyleFile(Provenance):
    """A training style and the risks it moves."""

    title: Text
    effects: items(StyleEffectFile, min_len=1)


StylesFile = keyed("StylesFile", STYLES, StyleFile, "the training style")


def _every_audience(tracks: list[TrainingFile]) -> list[TrainingFile]:
    missing = [a for a in AUDIENCES if a not in {t.audience for t in tracks}]
    if missing:
        raise invalid(f"expected a track for every audience; missing {', '.join(missing)}")
    return tracks


class ControlsFile(FileModel):
    """The controls an organisation could choose (simulations/data/risk/controls.yaml): training per audience,
    switchable controls and the two training styles, with effectiveness and costs."""

    currency: Currency
    training: Annotated[
        items(TrainingFile, min_len=1),
        unique_by("audience", "duplicate training track for {value!r}"),
        AfterValidator(_every_audience),
    ]
    controls: Annotated[items(ControlFile, min_len=1), unique_by("id", "duplicate control id {value!r}")]
    styles: StylesFile
    notes: OptionalText = ""

    def catalogue(self, path: Path) -> Catalogue:
        return Catalogue(
            {t.audience: t.training() for t in self.training},
            {c.id: c.control() for c in self.controls},
            {s: tuple(e.effect() for e in getattr(self.styles, s).effects) for s in STYLES},
            self.currency,
            str(path),
        )


def load_controls(path: str | Path = DEFAULT_CONTROLS, register: Register | None = None) -> Catalogue:
    """Read and validate a controls YAML file; effects must name risks of `register` (default: the shipped one)."""
    register = register if register is not None else load_register()
    return load_model(path, ControlsFile, {"risks": register.ids}).catalogue(Path(path))


def controls_schema() -> dict:
    """The JSON Schema of a controls catalogue, for editors."""
    return json_schema(ControlsFile, "Risk controls", "Training, controls and styles that lower social-media risks.")
