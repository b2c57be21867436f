"""`smtk schema`: the JSON Schema of each kind of file trainers edit, which editors with a YAML language server use to
complete and check the file as it is typed (the files name theirs in their first line)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from graders.course.apps import apps_schema
from graders.course.banks import bank_schema
from graders.course.manifest import manifest_schema
from graders.paths import SCHEMAS
from simulations.common.facts import facts_schema
from simulations.exercise.model import exercise_schema, roles_schema
from simulations.lessons.cases import cases_schema
from simulations.lessons.goals import goals_schema
from simulations.lessons.kpis import kpis_schema
from simulations.profile.org import org_schema
from simulations.risk.controls import controls_schema
from simulations.risk.profile import tailoring_schema
from simulations.risk.register import register_schema
from simulations.triage.chatter import chatter_schema
from simulations.triage.policy_file import policy_schema
from simulations.triage.scenario import scenario_schema

# File name of each schema -> the function giving it, one per kind of file.
FILE_KINDS: dict[str, Callable[[], dict]] = {
    "org.schema.json": org_schema,
    "course.schema.json": manifest_schema,
    "triage-policy.schema.json": policy_schema,
    "triage-scenario.schema.json": scenario_schema,
    "triage-chatter.schema.json": chatter_schema,
    "risk-register.schema.json": register_schema,
    "risk-controls.schema.json": controls_schema,
    "risk-tailoring.schema.json": tailoring_schema,
    "curriculum-kpis.schema.json": kpis_schema,
    "curriculum-cases.schema.json": cases_schema,
    "curriculum-goals.schema.json": goals_schema,
    "dashboard-apps.schema.json": apps_schema,
    "answer-bank.schema.json": bank_schema,
    "facts.schema.json": facts_schema,
    "exercise-roles.schema.json": roles_schema,
    "exercise.schema.json": exercise_schema,
}


def schema_text(name: str) -> str:
    """The schema `name` as `smtk schema` writes it: indented JSON, keys in the models' order, a final newline."""
    return json.dumps(FILE_KINDS[name](), indent=2, ensure_ascii=False) + "\n"


def write_schemas(out: str | Path = SCHEMAS) -> list[Path]:
    """Write every file kind's schema into `out`; returns the files written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILE_KINDS:
        path = out / name
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written
