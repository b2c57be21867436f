"""An organisation's own register: the reference register scaled to its headcounts and adjusted for its industry,
and the annual-loss figure its risk appetite plans for (simulations/data/risk/tailoring.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, model_validator

from simulations.common.models import FileModel, Text, choice, invalid, items, json_schema, load_model, number
from simulations.common.vocabulary import INDUSTRIES, RISK_APPETITES
from simulations.risk.budget import METRICS
from simulations.risk.register import (
    AUDIENCES,
    DATA_DIR,
    Provenance,
    Register,
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


class AdjustmentFile(FileModel):
    """Multipliers an industry applies to one risk."""

    risk: Text = Field(description="a risk of the register")
    likelihood: number(ge=0, description="multiplies the risk's chances a year") = 1.0
    impact: Annotated[number(), Field(gt=0, description="multiplies the cost of each event")] = 1.0

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> AdjustmentFile:
        risks = (info.context or {}).get("risks")
        if risks is not None and self.risk not in risks:
            raise invalid(f"expected one of {', '.join(risks)}", at="risk")
        return self


class IndustryFile(Provenance):
    """The risks an industry weighs on more (or less) than the reference organisation."""

    adjust: items(AdjustmentFile) = Field([], description="the risks adjusted; none: the reference register")


class AppetiteFile(Provenance):
    """What a risk appetite plans for."""

    metric: choice(METRICS, "the figure decisions are judged on")
    plans_for: Text = Field(description="that figure in words")


def _every(what: str, expected: tuple[str, ...]) -> AfterValidator:
    def check(found: dict) -> dict:
        missing = [name for name in expected if name not in found]
        if missing:
            raise invalid(f"expected an entry for every {what}; missing {', '.join(missing)}")
        return found

    return AfterValidator(check)


class TailoringFile(FileModel):
    """How an organisation's register is tailored (simulations/data/risk/tailoring.yaml): per industry the risks
    it weighs on, per risk appetite the figure it plans for."""

    industries: Annotated[dict[choice(INDUSTRIES), IndustryFile], _every("industry", INDUSTRIES)]
    appetites: Annotated[dict[choice(RISK_APPETITES), AppetiteFile], _every("risk appetite", RISK_APPETITES)]

    def tailoring(self, path: Path) -> Tailoring:
        industries = {
            name: tuple(Adjustment(a.risk, a.likelihood, a.impact) for a in entry.adjust)
            for name, entry in self.industries.items()
        }
        appetites = {name: Appetite(name, a.metric, a.plans_for) for name, a in self.appetites.items()}
        return Tailoring(industries, appetites, str(path))


def load_tailoring(path: str | Path = DEFAULT_TAILORING, register: Register | None = None) -> Tailoring:
    """Read and validate the tailoring file; every industry and appetite of the org profile must be present and
    adjustments must name risks of `register` (default: the shipped one)."""
    register = register if register is not None else load_register()
    return load_model(path, TailoringFile, {"risks": register.ids}).tailoring(Path(path))


def tailoring_schema() -> dict:
    """The JSON Schema of the risk tailoring file, for editors."""
    return json_schema(TailoringFile, "Risk tailoring", "How industries and risk appetites tailor the risk register.")


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
