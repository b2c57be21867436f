"""What the kit's data files load to, as plain text that compares exactly: dataclasses with their class name,
arrays with their dtype and every value, mappings in their order, the checkout's folder written <ROOT>. Used to
show that the models give the engines the same objects as the hand-written parsers did."""

from __future__ import annotations

import dataclasses
import pprint
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from graders.paths import ROOT

BEFORE = Path(__file__).parent / "data" / "before-models"


def plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"class": type(value).__name__, **fields}
    if isinstance(value, np.ndarray):
        return {"array": str(value.dtype), "values": value.tolist()}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Path | str):
        return str(value).replace(str(ROOT), "<ROOT>")
    return value


def snapshot(value: object) -> str:
    return pprint.pformat(plain(value), width=120, sort_dicts=False) + "\n"


def loaded() -> dict[str, Callable[[], object]]:
    """Each snapshot's name and what it loads (imported late: the loaders change, the names stay)."""
    from graders.course.apps import load_apps
    from graders.course.banks import read_bank
    from graders.paths import DASHBOARDS, ORGS, ROOT
    from simulations import triage
    from simulations.common.facts import FACTS_FILE, load_facts
    from simulations.exercise.model import list_exercises, load_exercise, load_roles
    from simulations.lessons.cases import load_cases
    from simulations.lessons.goals import load_goals
    from simulations.lessons.kpis import load_kpis
    from simulations.profile.org import load_org
    from simulations.risk.controls import load_controls
    from simulations.risk.profile import load_tailoring
    from simulations.risk.register import load_register
    from simulations.triage.chatter import load_chatter

    def overridden(org: Path) -> Callable[[], object]:
        return lambda: triage.load_policy(overrides=load_org(org).triage_policy)

    found: dict[str, Callable[[], object]] = {
        "triage-policy": triage.load_policy,
        "triage-policy-lti-demo": overridden(BEFORE / "lti-demo.yaml"),
        "triage-chatter": load_chatter,
    }
    for org in sorted(ORGS.glob("*.yaml")):
        if load_org(org).triage_policy:
            found[f"triage-policy-{org.stem}"] = overridden(org)
    for sid in triage.list_scenarios():
        found[f"triage-scenario-{sid}"] = lambda sid=sid: triage.load_scenario(sid)
    found |= {
        "risk-register": load_register,
        "risk-controls": load_controls,
        "risk-tailoring": load_tailoring,
        "lessons-kpis": load_kpis,
        "lessons-cases": load_cases,
        "lessons-goals": load_goals,
        "exercise-roles": load_roles,
    }
    for eid in list_exercises():
        found[f"exercise-{eid}"] = lambda eid=eid: load_exercise(eid)
    found |= {
        "facts": lambda: load_facts(FACTS_FILE),
        "answer-banks": lambda: [read_bank(p) for p in sorted((ROOT / "courses").rglob("*.bank.yml"))],
        "dashboard-apps": lambda: load_apps(DASHBOARDS),
    }
    return found


if __name__ == "__main__":  # record the snapshots (done once per file kind, with its hand-written parser)
    import sys

    for name, load in loaded().items():
        if len(sys.argv) > 1 and not any(name.startswith(prefix) for prefix in sys.argv[1:]):
            continue
        (BEFORE / f"{name}.txt").write_text(snapshot(load()), encoding="utf-8")
        print("wrote", name)
