"""The JSON Schemas of the files trainers edit: shipped beside the files, named by their first line for editors,
in step with the models, and flagging what the models refuse."""

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import smtk_command
from jsonschema.exceptions import best_match
from test_models import ORG_RANGE, ORG_TYPE, ORG_UNKNOWN, plant

from graders.course.schemas import FILE_KINDS, schema_text
from graders.paths import DASHBOARDS, MANIFEST, ORGS, ROOT, SCHEMAS

TRIAGE = ROOT / "simulations" / "data" / "triage"
CURRICULUM = ROOT / "simulations" / "data" / "curriculum"
EXERCISE = ROOT / "simulations" / "data" / "exercise"
SHIPPED = {
    **{p: "org.schema.json" for p in sorted(ORGS.glob("*.yaml"))},
    MANIFEST: "course.schema.json",
    TRIAGE / "policy.yaml": "triage-policy.schema.json",
    TRIAGE / "chatter.yaml": "triage-chatter.schema.json",
    **{p: "triage-scenario.schema.json" for p in sorted((TRIAGE / "scenarios").glob("*.yaml"))},
    **{p: f"risk-{p.stem}.schema.json" for p in sorted((ROOT / "simulations" / "data" / "risk").glob("*.yaml"))},
    **{p: f"curriculum-{p.stem}.schema.json" for p in sorted(CURRICULUM.glob("*.yaml"))},
    DASHBOARDS / "apps.yml": "dashboard-apps.schema.json",
    **{p: "answer-bank.schema.json" for p in sorted((ROOT / "courses").rglob("*.bank.yml"))},
    ROOT / "courses" / "facts.yml": "facts.schema.json",
    EXERCISE / "roles.yaml": "exercise-roles.schema.json",
    **{p: "exercise.schema.json" for p in sorted((EXERCISE / "exercises").glob("*.yaml"))},
}
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


# ---- schemas -----------------------------------------------------------------------------------------------------


def yaml_as_json(path: Path) -> object:
    """A YAML file's data as an editor's language server sees it: JSON values, dates as text."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("path", list(SHIPPED), ids=lambda p: p.name)
def test_each_shipped_file_names_its_schema_and_validates_against_it(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    named = MODELINE.match(first)
    assert named, f"{path}: the first line should name its schema for editors: {first!r}"
    assert (path.parent / named.group(1)).resolve() == SCHEMAS / SHIPPED[path]
    errors = [
        f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator(SHIPPED[path]).iter_errors(yaml_as_json(path))
    ]
    assert errors == []


@pytest.mark.parametrize("name", list(FILE_KINDS))
def test_each_shipped_schema_is_what_its_model_emits(name):
    assert (SCHEMAS / name).read_text(encoding="utf-8") == schema_text(name), "run `smtk schema` and commit the result"


def test_smtk_schema_writes_every_schema(tmp_path):
    done = subprocess.run(
        [*smtk_command(), "schema", "--out", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILE_KINDS)
    assert all((tmp_path / name).read_text(encoding="utf-8") == schema_text(name) for name in FILE_KINDS)


def test_the_schema_flags_what_the_profile_model_refuses(tmp_path):
    """What an editor shows while the trainer types: the same three planted errors."""
    path, _ = plant(tmp_path, ORGS / "demo.yaml", ORG_RANGE, ORG_TYPE, ORG_UNKNOWN)
    errors = validator("org.schema.json").iter_errors(yaml_as_json(path))
    flagged = sorted(".".join(map(str, best_match([e]).absolute_path)) for e in errors)
    assert flagged == ["", "audiences.employees.headcount", "current_program.coverage.coe"]  # "" : motto at the top
