"""Old import paths of modules that moved, one table: notebooks of courses built before the move still run and grade.

A gradebook keeps the locked setup and test cells of every module as they were when the course was built, so
`from simulations.attention import ...` must keep working. Each old name is the new module itself (one object in
sys.modules under both names), not a copy: a fact still has one home.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from types import ModuleType

MOVED: dict[str, str] = {
    "simulations.validate": "simulations.common.datafiles",  # its DataError; the field walker is gone
    "simulations.tabular": "simulations.common.tabular",
    "simulations.money": "simulations.common.money",
    "simulations.audiences": "simulations.common.audiences",
    "simulations.org": "simulations.profile.org",
    "simulations.partners": "simulations.profile.partners",
    "simulations.attention": "simulations.lessons.attention",
    "simulations.cases": "simulations.lessons.cases",
    "simulations.confidential": "simulations.lessons.confidential",
    "simulations.contacts": "simulations.lessons.contacts",
    "simulations.disclosure": "simulations.lessons.disclosure",
    "simulations.freshness": "simulations.lessons.freshness",
    "simulations.goals": "simulations.lessons.goals",
    "simulations.hub": "simulations.lessons.hub",
    "simulations.kpis": "simulations.lessons.kpis",
    "simulations.replies": "simulations.lessons.replies",
    "simulations.sources": "simulations.lessons.sources",
    "simulations.ui.attention": "simulations.ui.lessons.attention",
    "simulations.ui.business_case": "simulations.ui.lessons.business_case",
    "simulations.ui.cases": "simulations.ui.lessons.cases",
    "simulations.ui.confidential": "simulations.ui.lessons.confidential",
    "simulations.ui.contacts": "simulations.ui.lessons.contacts",
    "simulations.ui.disclosure": "simulations.ui.lessons.disclosure",
    "simulations.ui.freshness": "simulations.ui.lessons.freshness",
    "simulations.ui.goals": "simulations.ui.lessons.goals",
    "simulations.ui.hub": "simulations.ui.lessons.hub",
    "simulations.ui.kpis": "simulations.ui.lessons.kpis",
    "simulations.ui.org_cards": "simulations.ui.lessons.org_cards",
    "simulations.ui.org_facts": "simulations.ui.lessons.org_facts",
    "simulations.ui.partners": "simulations.ui.lessons.partners",
    "simulations.ui.replies": "simulations.ui.lessons.replies",
    "simulations.ui.sources": "simulations.ui.lessons.sources",
    "simulations.ui.inbox": "simulations.ui.lessons.inbox",
    "simulations.ui.process_lab": "simulations.ui.lessons.process_lab",
    "simulations.ui.risk_curves": "simulations.ui.lessons.risk_curves",
    "simulations.ui.risk_heatmap": "simulations.ui.lessons.risk_heatmap",
    "simulations.ui.record": "simulations.ui.lessons.record",
    "simulations.ui.roi": "simulations.ui.apps.roi",
    "simulations.ui.benchmark": "simulations.ui.apps.benchmark",
    "simulations.ui.common": "simulations.ui.apps.common",
    "simulations.ui.tables": "simulations.ui.apps.tables",
    "simulations.ui.charts": "simulations.ui.render.charts",
    "simulations.ui.figures": "simulations.ui.render.figures",
    "simulations.ui.brief": "simulations.ui.render.brief",
    "simulations.ui.reach_chart": "simulations.ui.render.reach_chart",
    "simulations.ui.triage_cards": "simulations.ui.render.triage_cards",
}


class _Aliases(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old module name and hands back the module at its new path."""

    def find_spec(self, fullname, path=None, target=None):
        return importlib.util.spec_from_loader(fullname, self) if fullname in MOVED else None

    def create_module(self, spec) -> ModuleType:
        return importlib.import_module(MOVED[spec.name])

    def exec_module(self, module: ModuleType) -> None:
        """The module ran under its new name already."""


def install() -> None:
    """Make the old paths importable (once per interpreter)."""
    if not any(isinstance(finder, _Aliases) for finder in sys.meta_path):
        sys.meta_path.append(_Aliases())
