"""The course's own files as typed models (the dashboards' apps.yml, the answer banks, the fact registry): the shipped
files load to the same objects as the hand-written parsers gave, and every problem is named by file, line, column and
field, all of a file's at once."""

import shutil
from pathlib import Path

import pytest
from before_models import BEFORE, loaded, snapshot
from test_models import at, plant, problems

from graders.course.apps import load_apps
from graders.course.banks import bank_problems, read_bank
from graders.paths import DASHBOARDS, ROOT
from simulations.common.facts import load_facts

COURSE = [name for name in loaded() if name in ("dashboard-apps", "answer-banks", "facts")]


@pytest.mark.parametrize("name", COURSE)
def test_shipped_course_files_load_to_the_same_objects_as_before(name):
    assert snapshot(loaded()[name]()) == (BEFORE / f"{name}.txt").read_text(encoding="utf-8")


# ---- the dashboards' apps.yml ----------------------------------------------------------------------------------------


def dashboards(tmp_path: Path) -> Path:
    """A dashboards folder with the shipped notebooks' names (empty files: apps.yml only names them)."""
    folder = tmp_path / "dashboards"
    folder.mkdir()
    for notebook in DASHBOARDS.glob("*.ipynb"):
        (folder / notebook.name).write_text("{}", encoding="utf-8")
    return folder


def load_folder(path: Path) -> list:
    return load_apps(path.parent)


APPS = DASHBOARDS / "apps.yml"
APP_TYPE = ("    title: Return on the training\n", "    title: 5\n")
APP_UNKNOWN = ("    title: Benchmark against peers\n", "    title: Benchmark against peers\n    colour: teal\n")
APP_CHOICE = (
    "    for: Executives and risk owners, weighing the risk before funding controls\n    audience: executive\n",
    "    for: Executives and risk owners, weighing the risk before funding controls\n    audience: board\n",
)
APP_CASES = {
    "wrong type": (APP_TYPE, ("title: 5", "title"), "apps[0].title", "expected text (got 5)"),
    "unknown key": (
        APP_UNKNOWN,
        ("colour: teal", "colour"),
        "apps[1].colour",
        "unknown field; expected one of notebook, title, question, for, audience",
    ),
    "not an audience": (
        APP_CHOICE,
        ("audience: board", "audience"),
        "apps[2].audience",
        'expected one of executive, trainer, learner (got "board")',
    ),
    "listed twice": (
        ("  - notebook: benchmark.ipynb\n", "  - notebook: roi.ipynb\n"),
        ("- notebook: roi.ipynb", "notebook", 2),
        "apps[1].notebook",
        "'roi.ipynb' is listed twice",
    ),
    "no such notebook": (
        ("  - notebook: roi.ipynb\n", "  - notebook: roi-2.ipynb\n"),
        ("- notebook: roi-2.ipynb", "notebook"),
        "apps[0].notebook",
        "no notebook 'roi-2.ipynb' in ",
    ),
}


@pytest.mark.parametrize(("edit", "where", "field", "problem"), APP_CASES.values(), ids=APP_CASES)
def test_a_planted_apps_error_names_file_line_column_and_field(tmp_path, edit, where, field, problem):
    path, text = plant(dashboards(tmp_path), APPS, edit)
    (found,) = problems(load_folder, path)
    assert found[:3] == (*at(text, *where), field) and found[3].startswith(problem), found


def test_a_notebook_the_apps_file_leaves_out_is_named_at_the_list(tmp_path):
    path, text = plant(dashboards(tmp_path), APPS)
    (path.parent / "new.ipynb").write_text("{}", encoding="utf-8")
    (found,) = problems(load_folder, path)
    assert found[:3] == (*at(text, "apps:"), "apps") and found[3].startswith("not listed: new.ipynb; give each")


def test_three_errors_in_the_apps_file_are_all_reported_in_file_order(tmp_path):
    path, _ = plant(dashboards(tmp_path), APPS, APP_CHOICE, APP_UNKNOWN, APP_TYPE)
    found = problems(load_folder, path)
    assert [field for _, _, field, _ in found] == ["apps[0].title", "apps[1].colour", "apps[2].audience"]
    assert [line for line, _, _, _ in found] == sorted(line for line, _, _, _ in found)


def test_invalid_yaml_in_the_apps_file_names_the_line_and_column(tmp_path):
    path, text = plant(dashboards(tmp_path), APPS, ("  - notebook: roi.ipynb\n", "  - notebook: roi.ipynb: x\n"))
    (found,) = problems(load_folder, path)
    line, column = at(text, "- notebook: roi.ipynb: x", ": x")
    assert found[:3] == (line, column, "(top level)")
    assert found[3].startswith("not valid YAML: mapping values are not allowed here")


# ---- answer banks ----------------------------------------------------------------------------------------------------

TREE = ROOT / "courses" / "source" / "triage-shift" / "triage-tree.bank.yml"
SHIFT = ROOT / "courses" / "source" / "triage-shift" / "triage-shift.bank.yml"
ORGS_SLUGS = ("demo", "saltmarsh")
BANK_TYPE = ("      form: the key (both example organisations keep the default tree)\n", "      form: 3\n")
BANK_UNKNOWN = (
    "      misconception: a customer reporting a danger",
    "      mood: calm\n      misconception: a customer reporting a danger",
)
BANK_SHAPE = (
    "q2:\n  right:\n    - answer: {P: escalate_crisis, Q: escalate_pr, R: escalate_pr, S: escalate_legal, "
    "T: escalate_coe}\n      form: the key (the first question that says yes, in the tree's order)\n",
    "q2:\n  right: the key\n",
)
BANK_BOTH = (
    "      form: the key (the first question that says yes, in the tree's order)\n",
    "      by_org: {demo: 1, saltmarsh: 2}\n"
    "      form: the key (the first question that says yes, in the tree's order)\n",
)


def load_bank(path: Path) -> object:
    return read_bank(path, ORGS_SLUGS)


BANK_CASES = {
    "wrong type": (TREE, BANK_TYPE, ("form: 3", "form"), "q1.right[0].form", "expected text (got 3)"),
    "unknown key": (
        TREE,
        BANK_UNKNOWN,
        ("mood: calm", "mood"),
        "q1.wrong[0].mood",
        "unknown field; expected one of answer, by_org, misconception",
    ),
    "not a list": (TREE, BANK_SHAPE, ("  right: the key", "right"), "q2.right", 'expected a list (got "the key")'),
    "answer and by_org": (
        TREE,
        BANK_BOTH,
        (
            "- answer: {P: escalate_crisis, Q: escalate_pr, R: escalate_pr, S: escalate_legal, T: escalate_coe}",
            "answer",
        ),
        "q2.right[0]",
        "give either answer: or by_org: (one answer per organisation), not both",
    ),
    "an organisation left out": (
        SHIFT,
        ("      saltmarsh:\n", "      saltmarch:\n"),
        ("  - by_org:", "by_org"),
        "q3.right[0].by_org",
        "expected one answer for each organisation (demo, saltmarsh), got demo, saltmarch",
    ),
}


@pytest.mark.parametrize(("source", "edit", "where", "field", "problem"), BANK_CASES.values(), ids=BANK_CASES)
def test_a_planted_bank_error_names_file_line_column_and_field(tmp_path, source, edit, where, field, problem):
    path, text = plant(tmp_path, source, edit)
    (found,) = problems(load_bank, path)
    assert found[:3] == (*at(text, *where), field) and found[3].startswith(problem), found


def test_three_errors_in_a_bank_are_all_reported_in_file_order(tmp_path):
    path, _ = plant(tmp_path, TREE, BANK_BOTH, BANK_UNKNOWN, BANK_TYPE)
    found = problems(load_bank, path)
    assert [field for _, _, field, _ in found] == ["q1.right[0].form", "q1.wrong[0].mood", "q2.right[0]"]
    assert [line for line, _, _, _ in found] == sorted(line for line, _, _, _ in found)


def test_invalid_yaml_in_a_bank_names_the_line_and_column(tmp_path):
    path, text = plant(tmp_path, TREE, ("q2:\n  right:\n    - answer: {P", "q2:\n  right:\n    - answer: x: {P"))
    (found,) = problems(load_bank, path)
    assert found[:3] == (*at(text, "- answer: x: {P", ": {P"), "(top level)")
    assert found[3].startswith("not valid YAML: mapping values are not allowed here")


# ---- the fact registry -----------------------------------------------------------------------------------------------

FACTS = ROOT / "courses" / "facts.yml"
FACT_TYPE = ("    value: 37%\n", "    value: [37, 38]\n")
FACT_UNKNOWN = ("    value: about $23,000\n", "    value: about $23,000\n    currency: USD\n")
FACT_RANGE = (
    "      year: 2011\n      url: http://web-strategist.com/",
    "      year: 1811\n      url: http://web-strategist.com/",
)
FACT_CASES = {
    "wrong type": (FACT_TYPE, ("value: [37", "value"), "facts[0].value", "expected text (got a list of 2)"),
    "unknown key": (
        FACT_UNKNOWN,
        ("currency: USD", "currency"),
        "facts[1].currency",
        "unknown field; expected one of id, statement, value, values, kind,",
    ),
    "out of range": (FACT_RANGE, ("year: 1811", "year"), "facts[0].source.year", "expected a value >= 1900 (got 1811)"),
    "history without why": (
        ("    why: Shown with its year as what companies said then;", "    # why: Shown with its year"),
        ("- id: altimeter-training-priority", "id"),
        "facts[0].why",
        "required with `history: true`: say why the old figure still matters",
    ),
    "value and values": (
        ("    value: 37%\n", "    value: 37%\n    values: {low: 30%}\n"),
        ("- id: altimeter-training-priority", "id"),
        "facts[0]",
        "give either `value` (one text) or `values` (a mapping of key to text), not both or neither",
    ),
    "listed twice": (
        ("  - id: altimeter-training-spend\n", "  - id: altimeter-training-priority\n"),
        ("- id: altimeter-training-priority", "id", 2),
        "facts[1].id",
        "duplicate id 'altimeter-training-priority': a fact has one home",
    ),
}


@pytest.mark.parametrize(("edit", "where", "field", "problem"), FACT_CASES.values(), ids=FACT_CASES)
def test_a_planted_registry_error_names_file_line_column_and_field(tmp_path, edit, where, field, problem):
    path, text = plant(tmp_path, FACTS, edit)
    (found,) = problems(load_facts, path)
    assert found[:3] == (*at(text, *where), field) and found[3].startswith(problem), found


def test_three_errors_in_the_registry_are_all_reported_in_file_order(tmp_path):
    path, _ = plant(tmp_path, FACTS, FACT_UNKNOWN, FACT_RANGE, FACT_TYPE)
    found = problems(load_facts, path)
    assert [field for _, _, field, _ in found] == ["facts[0].value", "facts[0].source.year", "facts[1].currency"]
    assert [line for line, _, _, _ in found] == sorted(line for line, _, _, _ in found)


def test_invalid_yaml_in_the_registry_names_the_line_and_column(tmp_path):
    path, text = plant(tmp_path, FACTS, ("    value: 37%\n", "    value: 37%: x\n"))
    (found,) = problems(load_facts, path)
    assert found[:3] == (*at(text, "value: 37%: x", ": x"), "(top level)")
    assert found[3].startswith("not valid YAML: mapping values are not allowed here")


def test_smtk_check_lists_each_problem_of_a_bank_on_its_own(tmp_path):
    """A bank with two mistakes is two problems of the module's check, not one message of two lines."""
    notebook = tmp_path / "triage-tree.ipynb"
    shutil.copyfile(TREE.with_name("triage-tree.ipynb"), notebook)
    _, text = plant(tmp_path, TREE, BANK_UNKNOWN, BANK_TYPE)
    found = [p for p in bank_problems({"triage-tree": notebook}, ORGS_SLUGS) if p.path.endswith(".bank.yml")]
    lines = [at(text, "form: 3")[0], at(text, "mood: calm")[0]]
    assert [(p.field, p.line) for p in found] == list(zip(["q1.right[0].form", "q1.wrong[0].mood"], lines, strict=True))
