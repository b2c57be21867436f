"""Controls: training coverage per audience, switchable controls (policy, CoE triage, ...) and the training style
("open" or "sanitised"), turned into per-risk factors on the annual rate and on the impact of each event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from simulations.common.validate import Field, load_yaml
from simulations.risk.register import AUDIENCES, DATA_DIR, Register, check_provenance, load_register

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


def load_controls(path: str | Path = DEFAULT_CONTROLS, register: Register | None = None) -> Catalogue:
    """Read and validate a controls YAML file; effects must name risks of `register` (default: the shipped one)."""
    register = register if register is not None else load_register()
    root = load_yaml(path).only({"currency", "training", "controls", "styles", "notes"})
    training: dict[str, Training] = {}
    for item in root.get("training").items(min_len=1):
        item.only({"audience", "title", "cost_per_learner", "likelihood", "impact", "basis", "sources"})
        check_provenance(item)
        audience = item.get("audience").choice(AUDIENCES)
        if audience in training:
            item.get("audience").fail(f"duplicate training track for {audience}")
        training[audience] = Training(
            audience,
            item.get("cost_per_learner").float(min=0),
            item.get("likelihood").float(min=0, max=1),
            item.get("impact").float(min=0, max=1),
            item.get("title").str(),
        )
    missing = [a for a in AUDIENCES if a not in training]
    if missing:
        root.get("training").fail(f"expected a track for every audience; missing {', '.join(missing)}")
    controls: dict[str, Control] = {}
    for item in root.get("controls").items(min_len=1):
        check_provenance(item.only({"id", "title", "cost", "effects", "basis", "sources"}))
        control_id = item.get("id").str()
        if control_id in controls:
            item.get("id").fail(f"duplicate control id {control_id!r}")
        effects = _effects(item.get("effects"), register, lowest=0.0)
        controls[control_id] = Control(control_id, item.get("cost").float(min=0), effects, item.get("title").str())
    styles_field = root.get("styles").only(STYLES)
    styles = {}
    for name in STYLES:
        style = styles_field.get(name).only({"title", "effects", "basis", "sources"})
        check_provenance(style)
        style.get("title").str()
        styles[name] = _effects(style.get("effects"), register, lowest=-3.0)
    return Catalogue(training, controls, styles, root.get("currency").str(), str(path))


def _effects(f: Field, register: Register, *, lowest: float) -> tuple[Effect, ...]:
    effects = []
    for item in f.items(min_len=1):
        item.only({"risk", "likelihood", "impact"})
        effects.append(
            Effect(
                item.get("risk").choice(register.ids),
                item.get("likelihood", 0.0).float(min=lowest, max=1),
                item.get("impact", 0.0).float(min=lowest, max=1),
            )
        )
    return tuple(effects)
