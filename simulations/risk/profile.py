"""An organisation's own register: the reference register scaled to its headcounts and adjusted for its industry,
and the annual-loss figure its risk appetite plans for (simulations/data/risk/tailoring.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from simulations.common.validate import Field, load_yaml
from simulations.common.vocabulary import INDUSTRIES, RISK_APPETITES
from simulations.risk.budget import METRICS
from simulations.risk.register import (
    AUDIENCES,
    DATA_DIR,
    Register,
    check_provenance,
    load_register,
    more_chances,
    scale_register,
)

DEFAULT_TAILORING = DATA_DIR / "tailoring.yaml"


@dataclass(frozen=True)
class Adjustment:
    """Multipliers an industry applies to one risk: on its chances a year and on the cost of each event."""

    risk: str
    likelihood: float = 1.0
    impact: float = 1.0


@dataclass(frozen=True)
class Appetite:
    """What a risk appetite plans for: the metric decisions are judged on, and its name in words."""

    name: str
    metric: str
    plans_for: str


@dataclass(frozen=True)
class Tailoring:
    industries: Mapping[str, tuple[Adjustment, ...]]
    appetites: Mapping[str, Appetite]
    source: str = "(in code)"


@dataclass(frozen=True)
class OrgRisk:
    """The register an organisation faces and how its appetite reads it."""

    name: str
    industry: str
    register: Register
    appetite: Appetite
    audience_sizes: Mapping[str, float]


def load_tailoring(path: str | Path = DEFAULT_TAILORING, register: Register | None = None) -> Tailoring:
    """Read and validate the tailoring file; every industry and appetite of the org profile must be present and
    adjustments must name risks of `register` (default: the shipped one)."""
    register = register if register is not None else load_register()
    root = load_yaml(path).only({"industries", "appetites"})
    industries = {}
    for name, entry in root.get("industries").entries():
        if name not in INDUSTRIES:
            entry.fail(f"unknown industry {name!r}; expected one of {', '.join(INDUSTRIES)}")
        check_provenance(entry.only({"adjust", "basis", "sources"}))
        industries[name] = tuple(_adjustment(item, register) for item in entry.get("adjust").items())
    _require(root.get("industries"), industries, INDUSTRIES, "industry")
    appetites = {}
    for name, entry in root.get("appetites").entries():
        if name not in RISK_APPETITES:
            entry.fail(f"unknown risk appetite {name!r}; expected one of {', '.join(RISK_APPETITES)}")
        check_provenance(entry.only({"metric", "plans_for", "basis", "sources"}))
        appetites[name] = Appetite(name, entry.get("metric").choice(METRICS), entry.get("plans_for").str())
    _require(root.get("appetites"), appetites, RISK_APPETITES, "risk appetite")
    return Tailoring(industries, appetites, str(path))


@lru_cache(maxsize=1)
def default_tailoring() -> Tailoring:
    """The shipped tailoring file, loaded once; treat it as read-only."""
    return load_tailoring()


def risk_for_org(org: Mapping, *, register: Register | None = None, tailoring: Tailoring | None = None) -> OrgRisk:
    """The organisation's register from its profile (the `ORG` dict of a notebook): headcounts scale each risk's
    chances, the industry adjusts the risks it weighs on, and the appetite picks the metric to plan for."""
    register = register if register is not None else load_register()
    tailoring = tailoring if tailoring is not None else default_tailoring()
    for key in ("name", "industry", "risk_appetite", "audiences"):
        if key not in org:
            raise ValueError(f"the organisation profile has no {key!r}; expected a profile like courses/orgs/demo.yaml")
    if org["industry"] not in tailoring.industries:
        raise ValueError(f"no tailoring for industry {org['industry']!r} in {tailoring.source}")
    if org["risk_appetite"] not in tailoring.appetites:
        raise ValueError(f"no tailoring for risk appetite {org['risk_appetite']!r} in {tailoring.source}")
    sizes = {a: float(org["audiences"][a]["headcount"]) for a in AUDIENCES if a in org["audiences"]}
    scaled = scale_register(register, sizes)
    adjust = {a.risk: a for a in tailoring.industries[org["industry"]]}
    risks = tuple(
        more_chances(r, adjust[r.id].likelihood, adjust[r.id].impact) if r.id in adjust else r for r in scaled.risks
    )
    tailored = replace(scaled, risks=risks, source=f"{register.source} for {org['name']}")
    return OrgRisk(
        org["name"], org["industry"], tailored, tailoring.appetites[org["risk_appetite"]], scaled.reference_audiences
    )


def _adjustment(item: Field, register: Register) -> Adjustment:
    item.only({"risk", "likelihood", "impact"})
    likelihood = item.get("likelihood", 1.0).float(min=0)
    impact = item.get("impact", 1.0).float(min=0)
    if impact <= 0:
        item.get("impact").fail(f"expected a positive factor, got {impact:g}")
    return Adjustment(item.get("risk").choice(register.ids), likelihood, impact)


def _require(f: Field, found: Mapping, expected: tuple[str, ...], what: str) -> None:
    missing = [name for name in expected if name not in found]
    if missing:
        f.fail(f"expected an entry for every {what}; missing {', '.join(missing)}")
