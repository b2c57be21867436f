"""The hub's KPI catalogue on Kirkpatrick's four levels, and what a KPI framework built from it leaves unmeasured."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from simulations.common.datafiles import DATA
from simulations.common.validate import load_yaml
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


def load_kpis(path: str | Path = KPI_CATALOGUE) -> tuple[Kpi, ...]:
    """Read and validate a KPI catalogue; errors name the file and the field."""
    root = load_yaml(path)
    root.only(["kpis"])
    kpis, seen = [], set()
    for item in root.get("kpis").items(min_len=1):
        item.only(["id", "name", "level", "owner", "units", "source", "better"])
        kpi_id = item.get("id").str()
        if kpi_id in seen:
            item.get("id").fail(f"KPI {kpi_id!r} is listed twice")
        seen.add(kpi_id)
        units = [u.choice(UNITS) for u in item.get("units", []).items()]
        kpis.append(
            Kpi(
                id=kpi_id,
                name=item.get("name").str(),
                level=item.get("level").choice(LEVELS),
                owner=item.get("owner").choice(CONTACT_ROLES),
                units=tuple(units) or UNITS,
                source=item.get("source").str(),
                better=item.get("better").choice(("higher", "lower")),
            )
        )
    return tuple(kpis)


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
