"""The risk register: each risk's annual likelihood, lognormal impact (p50, p90) and the audiences driving it."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from simulations.common.datafiles import DATA
from simulations.common.facts import cite
from simulations.common.validate import Field, load_yaml

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


def load_register(path: str | Path = DEFAULT_REGISTER) -> Register:
    """Read and validate a register YAML file; any mistake raises DataError naming the file and the field."""
    root = load_yaml(path)
    root.only({"currency", "reference_audiences", "risks", "notes"})
    risks: list[Risk] = []
    for item in root.get("risks").items(min_len=1):
        risk = _risk(item)
        if risk.id in {r.id for r in risks}:
            item.get("id").fail(f"duplicate risk id {risk.id!r}")
        risks.append(risk)
    reference = root.get("reference_audiences").only(AUDIENCES)
    sizes = {a: reference.get(a).float(min=0) for a in AUDIENCES}
    return Register(tuple(risks), root.get("currency").str(), sizes, str(path))


def _risk(f: Field) -> Risk:
    f.only({"id", "title", "likelihood", "frequency", "impact", "drivers", "basis", "sources", "notes"})
    risk_id = f.get("id").str()
    if not _ID.fullmatch(risk_id):
        f.get("id").fail(f"expected lowercase letters, digits and hyphens (e.g. account-takeover), got {risk_id!r}")
    frequency = f.get("frequency", "bernoulli").choice(FREQUENCIES)
    likelihood = f.get("likelihood").float(min=0, max=1)
    if frequency == "poisson" and likelihood >= 1:
        f.get("likelihood").fail("expected a value below 1 for a poisson risk (P(at least one event) = 1 has no rate)")
    impact = f.get("impact").only({"p50", "p90"})
    p50 = impact.get("p50").float(min=0)
    if p50 <= 0:
        impact.get("p50").fail(f"expected a positive amount, got {p50}")
    p90 = impact.get("p90").float()
    if p90 < p50:
        impact.get("p90").fail(f"expected p90 >= p50 ({p50:g}), got {p90:g}")
    return make_risk(
        risk_id,
        likelihood,
        p50,
        p90,
        _drivers(f.get("drivers")),
        frequency=frequency,
        title=f.get("title").str(),
        basis=f.get("basis").choice(BASES),
        sources=tuple(cite(item) for item in f.get("sources").items(min_len=1)),
        notes=f.get("notes", "").str(nonempty=False),
    )


def check_provenance(f: Field) -> None:
    """Every figure says whether it is sourced or our assumption, and where it comes from."""
    f.get("basis").choice(BASES)
    for item in f.get("sources").items(min_len=1):
        cite(item)


def _drivers(f: Field) -> dict[str, float]:
    """Audiences driving a risk: a list (equal shares) or a mapping audience -> relative share."""
    if isinstance(f.value, list):
        names = [item.choice(AUDIENCES) for item in f.items(min_len=1)]
        weights = dict.fromkeys(names, 1.0)
    else:
        weights = {}
        for name, share in f.entries():
            if name not in AUDIENCES:
                f.fail(f"unknown audience {name!r}; expected some of {', '.join(AUDIENCES)}")
            weights[name] = share.float(min=0)
    if not weights or sum(weights.values()) <= 0:
        f.fail("expected at least one audience with a positive share")
    return weights


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
