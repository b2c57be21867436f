"""The hub's KPI catalogue on Kirkpatrick's four levels, and what a KPI framework built from it leaves unmeasured."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field

from simulations.common.datafiles import DATA
from simulations.common.models import FileModel, Text, choice, items, json_schema, load_model, unique_by
from simulations.common.vocabulary import CONTACT_ROLES, UNITS

CURRICULUM_DATA = DATA / "curriculum"
KPI_CATALOGUE = CURRICULUM_DATA / "kpis.yaml"

# Kirkpatrick's levels of training evaluation, in order (docs/domain.md#roi-and-evaluation).
LEVELS = ("reaction", "learning", "behaviour", "results")


@dataclass(frozen=True)
class Kpi:
    """One measure the hub offers: its Kirkpatrick level, the team that reports it and where the number comes from."""

    id: str
    name: str
    level: str
    owner: str
    units: tuple[str, ...]
    source: str
    better: str

    @property
    def level_number(self) -> int:
        """1 (reaction) to 4 (results)."""
        return LEVELS.index(self.level) + 1

    def suits(self, unit: str) -> bool:
        return unit in self.units

    def got_worse(self, before: float, after: float) -> bool:
        """Whether a move from `before` to `after` is in the bad direction; no change is not worse."""
        return after < before if self.better == "higher" else after > before


class KpiFile(FileModel):
    """One measure the hub offers: its Kirkpatrick level, the team that reports it and where the number comes from."""

    id: Text
    name: Text = Field(description="the measure as a report names it")
    level: choice(LEVELS, "its Kirkpatrick level: reaction, learning, behaviour or results")
    owner: choice(CONTACT_ROLES, "the team that reports it")
    units: items(choice(UNITS)) = Field([], description="the business units it suits; none: every unit")
    source: Text = Field(description="where the number comes from")
    better: choice(("higher", "lower"), "which way is better")

    def kpi(self) -> Kpi:
        return Kpi(self.id, self.name, self.level, self.owner, tuple(self.units) or UNITS, self.source, self.better)


class KpisFile(FileModel):
    """The hub's KPI catalogue (simulations/data/curriculum/kpis.yaml)."""

    kpis: Annotated[items(KpiFile, min_len=1), unique_by("id", "KPI {value!r} is listed twice")]


def load_kpis(path: str | Path = KPI_CATALOGUE) -> tuple[Kpi, ...]:
    """Read and validate a KPI catalogue; errors name the file, line, column and field."""
    return tuple(k.kpi() for k in load_model(path, KpisFile).kpis)


def kpis_schema() -> dict:
    """The JSON Schema of the KPI catalogue, for editors."""
    return json_schema(KpisFile, "KPI catalogue", "The measures a Center of Excellence offers the business units.")


def by_id(kpis: Iterable[Kpi]) -> dict[str, Kpi]:
    return {k.id: k for k in kpis}


def levels_covered(framework: Iterable[Kpi]) -> dict[str, list[Kpi]]:
    """The framework's KPIs grouped by Kirkpatrick level, every level present (empty when unmeasured)."""
    covered: dict[str, list[Kpi]] = {level: [] for level in LEVELS}
    for kpi in framework:
        covered[kpi.level].append(kpi)
    return covered


def framework_gaps(framework: Iterable[Kpi]) -> list[str]:
    """The Kirkpatrick levels the framework does not measure, in level order.

    A framework that stops at reaction and learning cannot show that behaviour or results changed, which is what
    a sponsor pays for; one that only measures results cannot say whether training had anything to do with it.
    """
    return [level for level, items in levels_covered(framework).items() if not items]


def kpis_for_unit(kpis: Iterable[Kpi], unit: str, *, min_level: str = "reaction") -> list[Kpi]:
    """The KPIs that suit a business unit, from `min_level` up, highest level first (results lead the report)."""
    if unit not in UNITS:
        raise ValueError(f"unknown business unit {unit!r}; expected one of {', '.join(UNITS)}")
    floor = LEVELS.index(min_level)
    chosen = [k for k in kpis if k.suits(unit) and LEVELS.index(k.level) >= floor]
    return sorted(chosen, key=lambda k: -k.level_number)
