"""The risk register: each risk's annual likelihood, lognormal impact (p50, p90) and the audiences driving it."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema, model_validator

from simulations.common.datafiles import DATA
from simulations.common.facts import Cited
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
    show,
    unique_by,
)

AUDIENCES: tuple[str, ...] = ("executives", "coe", "business-units", "employees", "partners")
FREQUENCIES: tuple[str, ...] = ("bernoulli", "poisson")
BASES: tuple[str, ...] = ("sourced", "assumption", "mixed")
DATA_DIR = DATA / "risk"
DEFAULT_REGISTER = DATA_DIR / "register.yaml"
Z90 = 1.2815515655446004  # standard normal quantile at 0.90
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Risk:
    """One risk. `rate` is the expected number of events a year: the likelihood itself for a Bernoulli risk, and
    -ln(1 - likelihood) for a Poisson risk, so that P(at least one event) equals `likelihood` in both cases."""

    id: str
    title: str
    likelihood: float
    rate: float
    frequency: str
    impact_p50: float
    impact_p90: float
    drivers: Mapping[str, float]
    basis: str = "assumption"
    sources: tuple[str, ...] = ()
    notes: str = ""

    @property
    def sigma(self) -> float:
        """Lognormal shape: the p90/p50 ratio is exp(sigma * z90)."""
        return math.log(self.impact_p90 / self.impact_p50) / Z90

    @property
    def impact_mean(self) -> float:
        """Mean impact of one event: p50 * exp(sigma^2 / 2)."""
        return self.impact_p50 * math.exp(self.sigma**2 / 2)


def make_risk(
    id: str,
    likelihood: float,
    impact_p50: float,
    impact_p90: float,
    drivers: Mapping[str, float],
    *,
    frequency: str = "bernoulli",
    title: str = "",
    **extra: object,
) -> Risk:
    """Build a Risk in code (tests, notebooks), with the same normalisation as the YAML loader."""
    total = sum(drivers.values())
    weights = {a: w / total for a, w in drivers.items()}
    rate = likelihood if frequency == "bernoulli" else -math.log1p(-likelihood)
    return Risk(id, title or id, likelihood, rate, frequency, impact_p50, impact_p90, weights, **extra)


@dataclass(frozen=True)
class Register:
    """An ordered set of risks, the currency, and the audience sizes the likelihoods were estimated for."""

    risks: tuple[Risk, ...]
    currency: str = "USD"
    reference_audiences: Mapping[str, float] | None = None
    source: str = "(in code)"

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.risks]

    def __len__(self) -> int:
        return len(self.risks)

    def index(self, risk_id: str) -> int:
        """Position of a risk; KeyError names the unknown id."""
        try:
            return self.ids.index(risk_id)
        except ValueError:
            raise KeyError(f"unknown risk {risk_id!r}; known: {', '.join(self.ids)}") from None

    @cached_property
    def rates(self) -> np.ndarray:
        return np.array([r.rate for r in self.risks])

    @cached_property
    def poisson(self) -> np.ndarray:
        return np.array([r.frequency == "poisson" for r in self.risks])

    @cached_property
    def mu(self) -> np.ndarray:
        return np.log([r.impact_p50 for r in self.risks])

    @cached_property
    def sigma(self) -> np.ndarray:
        return np.array([r.sigma for r in self.risks])

    @cached_property
    def impact_mean(self) -> np.ndarray:
        return np.array([r.impact_mean for r in self.risks])

    @cached_property
    def drivers(self) -> np.ndarray:
        """(risks, audiences) matrix of driver shares; each row sums to 1."""
        return np.array([[r.drivers.get(a, 0.0) for a in AUDIENCES] for r in self.risks])


def _equal_shares(value: Any) -> Any:
    """A list of audiences drives a risk in equal shares."""
    if not isinstance(value, list):
        return value
    for i, name in enumerate(value):
        if name not in AUDIENCES:
            raise invalid(f"expected one of {', '.join(AUDIENCES)} (got {show(name)})", at=i)
    return dict.fromkeys(value, 1.0)


def _some_share(value: dict[str, float]) -> dict[str, float]:
    if not value or sum(value.values()) <= 0:
        raise invalid("expected at least one audience with a positive share")
    return value


Drivers = Annotated[
    dict[choice(AUDIENCES), number(ge=0)],
    BeforeValidator(_equal_shares),
    AfterValidator(_some_share),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": {"type": "string", "enum": list(AUDIENCES)}, "minItems": 1},
                {
                    "type": "object",
                    "propertyNames": {"enum": list(AUDIENCES)},
                    "additionalProperties": {"type": "number", "minimum": 0},
                },
            ],
            "description": "the audiences driving the risk: a list (equal shares) or audience: relative share",
        }
    ),
]


class Provenance(FileModel):
    """Every figure says whether it is sourced or our assumption, and where it comes from."""

    basis: choice(BASES, "whether the figures are sourced, our assumption, or both")
    sources: items(Cited, min_len=1) = Field(description="where the figures come from, or why we assume them")


class ImpactFile(FileModel):
    """The cost of one event, lognormal: its median and its 90th percentile."""

    p50: Annotated[Money, Field(gt=0)] = Field(description="the median cost of one event")
    p90: Money = Field(description="the cost one event in ten exceeds; at least p50")

    @model_validator(mode="after")
    def _ordered(self) -> ImpactFile:
        if self.p90 < self.p50:
            raise invalid(f"expected p90 >= p50 ({self.p50:g}), got {self.p90:g}", at="p90")
        return self


def _risk_id(value: str) -> str:
    if not _ID.fullmatch(value):
        raise invalid("expected lowercase letters, digits and hyphens (e.g. account-takeover)")
    return value


class RiskFile(Provenance):
    """One risk: its annual likelihood, the cost of each event and the audiences driving it."""

    id: Annotated[Text, AfterValidator(_risk_id), Field(json_schema_extra={"pattern": _ID.pattern})]
    title: Text
    likelihood: Share = Field(description="the chance of at least one event in a year")
    frequency: choice(FREQUENCIES, "one event a year at most (bernoulli), or any number (poisson)") = "bernoulli"
    impact: ImpactFile
    drivers: Drivers
    notes: OptionalText = ""

    @model_validator(mode="after")
    def _rate(self) -> RiskFile:
        if self.frequency == "poisson" and self.likelihood >= 1:
            raise invalid(
                "expected a value below 1 for a poisson risk (P(at least one event) = 1 has no rate)", at="likelihood"
            )
        return self

    def risk(self) -> Risk:
        return make_risk(
            self.id,
            self.likelihood,
            self.impact.p50,
            self.impact.p90,
            self.drivers,
            frequency=self.frequency,
            title=self.title,
            basis=self.basis,
            sources=tuple(self.sources),
            notes=self.notes,
        )


ReferenceAudiences = keyed(
    "ReferenceAudiences", AUDIENCES, number(ge=0), "the headcount the likelihoods were estimated for"
)


class RegisterFile(FileModel):
    """A social-media risk register (simulations/data/risk/register.yaml): each risk's annual likelihood, the cost
    of its events and the audiences driving it, for a reference organisation."""

    currency: Currency
    reference_audiences: ReferenceAudiences
    risks: Annotated[items(RiskFile, min_len=1), unique_by("id", "duplicate risk id {value!r}")]
    notes: OptionalText = ""

    def register(self, path: Path) -> Register:
        sizes = self.reference_audiences.model_dump(by_alias=True)
        return Register(tuple(r.risk() for r in self.risks), self.currency, sizes, str(path))


def load_register(path: str | Path = DEFAULT_REGISTER) -> Register:
    """Read and validate a register YAML file; mistakes raise DataErrors naming file, line, column and field."""
    return load_model(path, RegisterFile).register(Path(path))


def register_schema() -> dict:
    """The JSON Schema of a risk register, for editors."""
    return json_schema(RegisterFile, "Risk register", "Social-media risks: likelihood, impact and their drivers.")


def scale_register(register: Register, audience_sizes: Mapping[str, float], *, impact_scale: float = 1.0) -> Register:
    """The register for an organisation of other audience sizes: each risk's rate scales with the driver-weighted
    ratio of headcounts to the reference sizes (more people, more chances), impacts scale by `impact_scale`
    (e.g. the ratio of revenues). Audiences left out keep their reference size."""
    if register.reference_audiences is None:
        raise ValueError("this register has no reference_audiences, so it cannot be scaled by headcount")
    unknown = set(audience_sizes) - set(AUDIENCES)
    if unknown:
        raise ValueError(f"unknown audience(s) {', '.join(sorted(unknown))}; expected some of {', '.join(AUDIENCES)}")
    if impact_scale <= 0:
        raise ValueError(f"impact_scale must be positive, got {impact_scale}")
    ratio = {}
    for a in AUDIENCES:
        ref = register.reference_audiences[a]
        size = float(audience_sizes.get(a, ref))
        if size < 0:
            raise ValueError(f"audience size for {a} must be >= 0, got {size}")
        ratio[a] = size / ref if ref > 0 else 1.0
    risks = [
        more_chances(risk, sum(w * ratio[a] for a, w in risk.drivers.items()), impact_scale) for risk in register.risks
    ]
    sizes = {a: float(audience_sizes.get(a, register.reference_audiences[a])) for a in AUDIENCES}
    return replace(register, risks=tuple(risks), reference_audiences=sizes)


def more_chances(risk: Risk, factor: float, impact_scale: float = 1.0) -> Risk:
    """The risk with `factor` times as many chances to happen a year (a Poisson rate x factor; for a Bernoulli risk
    independent chances, P = 1 - (1 - p)^factor) and impacts x `impact_scale`."""
    if risk.frequency == "poisson":
        rate = risk.rate * factor
        likelihood = -math.expm1(-rate)
    else:
        likelihood = -math.expm1(factor * math.log1p(-risk.likelihood)) if risk.likelihood < 1 else 1.0
        rate = likelihood
    return replace(
        risk,
        likelihood=likelihood,
        rate=rate,
        impact_p50=risk.impact_p50 * impact_scale,
        impact_p90=risk.impact_p90 * impact_scale,
    )
