"""The lessons' catalogues (KPIs, cases, goals) as typed models: the shipped files load to the same objects as the
hand-written parsers gave, and every problem is named by file, line, column and field, all of a file's at once."""

import pytest
from before_models import BEFORE, loaded, snapshot
from test_models import at, plant, problems

from simulations.lessons.cases import CASE_CATALOGUE, load_cases
from simulations.lessons.goals import GOAL_CATALOGUE, load_goals
from simulations.lessons.kpis import KPI_CATALOGUE, load_kpis

LESSONS = [name for name in loaded() if name.startswith("lessons-")]


@pytest.mark.parametrize("name", LESSONS)
def test_shipped_catalogues_load_to_the_same_objects_as_before(name):
    assert snapshot(loaded()[name]()) == (BEFORE / f"{name}.txt").read_text(encoding="utf-8")


KPI_TYPE = ("    name: Average learner rating of each module (1 to 5)\n", "    name: 5\n")
KPI_UNKNOWN = (
    "    source: the feedback cell at the end of every module\n",
    "    sorce: the feedback cell\n    source: x\n",
)
KPI_CHOICE = (
    "    level: reaction\n    owner: coe\n    source: the course's",
    "    level: delight\n    owner: coe\n    source: the course's",
)
CASE_TYPE = ("    response_hours: 0.7\n", "    response_hours: soon\n")
CASE_UNKNOWN = ("    strategy: rebuild\n", "    strategy: rebuild\n    mood: calm\n")
CASE_RANGE = ("    crisis_level: 0\n", "    crisis_level: 4\n")
GOAL_TYPE = ("    goal: Fewer and smaller reputation crises\n", "    goal: [fewer, crises]\n")
GOAL_UNKNOWN = (
    "    kpis: [crises, escalation-minutes, certified-share]\n",
    "    kpis: [crises, escalation-minutes, certified-share]\n    owner: coe\n",
)
GOAL_KPI = ("    kpis: [complaint-first-reply,", "    kpis: [followers,")

CASES = {
    "kpi wrong type": (
        load_kpis,
        KPI_CATALOGUE,
        KPI_TYPE,
        ("name: 5", "name"),
        "kpis[0].name",
        "expected text (got 5)",
    ),
    "kpi unknown key": (
        load_kpis,
        KPI_CATALOGUE,
        KPI_UNKNOWN,
        ("sorce:", "sorce"),
        "kpis[0].sorce",
        "unknown field (did you mean source?)",
    ),
    "kpi level": (
        load_kpis,
        KPI_CATALOGUE,
        KPI_CHOICE,
        ("level: delight", "level"),
        "kpis[1].level",
        'expected one of reaction, learning, behaviour, results (got "delight")',
    ),
    "kpi twice": (
        load_kpis,
        KPI_CATALOGUE,
        ("  - id: feedback-acted-on\n", "  - id: module-rating\n"),
        ("- id: module-rating", "id", 2),
        "kpis[1].id",
        "KPI 'module-rating' is listed twice",
    ),
    "case wrong type": (
        load_cases,
        CASE_CATALOGUE,
        CASE_TYPE,
        ("response_hours: soon", "response_hours"),
        "cases[0].response_hours",
        'expected a number (got "soon")',
    ),
    "case unknown key": (
        load_cases,
        CASE_CATALOGUE,
        CASE_UNKNOWN,
        ("mood: calm", "mood"),
        "cases[0].mood",
        "unknown field; expected one of id, title, unit, platform,",
    ),
    "case out of range": (
        load_cases,
        CASE_CATALOGUE,
        CASE_RANGE,
        ("crisis_level: 4", "crisis_level"),
        "cases[0].crisis_level",
        "expected a value <= 3 (got 4)",
    ),
    "case platform": (
        load_cases,
        CASE_CATALOGUE,
        ("    platform: X\n", "    platform: MySpace\n"),
        ("platform: MySpace", "platform"),
        "cases[0].platform",
        "expected one of LinkedIn, Instagram, Facebook, X,",
    ),
    "goal wrong type": (
        load_goals,
        GOAL_CATALOGUE,
        GOAL_TYPE,
        ("goal: [fewer", "goal"),
        "goals[0].goal",
        "expected text (got a list of 2)",
    ),
    "goal unknown key": (
        load_goals,
        GOAL_CATALOGUE,
        GOAL_UNKNOWN,
        ("owner: coe", "owner"),
        "goals[0].owner",
        "unknown field; expected one of id, goal, relationship, kpis, audiences, evidence",
    ),
    "goal unknown kpi": (
        load_goals,
        GOAL_CATALOGUE,
        GOAL_KPI,
        ("kpis: [followers", "followers"),
        "goals[1].kpis[0]",
        "expected one of ",
    ),
    "goal unknown fact": (
        load_goals,
        GOAL_CATALOGUE,
        ("      {{fact:altimeter-preventable}} of the crises", "      {{fact:no-such-fact}} of the crises"),
        ("evidence: >-", "evidence"),
        "goals[0].evidence",
        "no fact 'no-such-fact' in ",
    ),
}


@pytest.mark.parametrize(("load", "source", "edit", "where", "field", "problem"), CASES.values(), ids=CASES)
def test_a_planted_catalogue_error_names_file_line_column_and_field(
    tmp_path, load, source, edit, where, field, problem
):
    path, text = plant(tmp_path, source, edit)
    (found,) = problems(load, path)
    assert found[:3] == (*at(text, *where), field) and found[3].startswith(problem), found


@pytest.mark.parametrize(
    ("load", "source", "edits", "fields"),
    [
        (
            load_kpis,
            KPI_CATALOGUE,
            (KPI_CHOICE, KPI_UNKNOWN, KPI_TYPE),
            ["kpis[0].name", "kpis[0].sorce", "kpis[1].level"],
        ),
        (
            load_cases,
            CASE_CATALOGUE,
            (CASE_UNKNOWN, CASE_RANGE, CASE_TYPE),
            ["cases[0].response_hours", "cases[0].crisis_level", "cases[0].mood"],
        ),
        (load_goals, GOAL_CATALOGUE, (GOAL_UNKNOWN, GOAL_TYPE, CASE_TYPE), None),
    ],
    ids=["kpis", "cases", "goals"],
)
def test_three_errors_in_a_catalogue_are_all_reported_in_file_order(tmp_path, load, source, edits, fields):
    if fields is None:  # goals: the KPI check runs once the fields are right, so three field errors
        edits = (GOAL_UNKNOWN, GOAL_TYPE, ("    audiences: [executives, coe, employees]\n", "    audiences: [fans]\n"))
        fields = ["goals[0].goal", "goals[0].owner", "goals[0].audiences[0]"]
    path, _ = plant(tmp_path, source, *edits)
    found = problems(load, path)
    assert [field for _, _, field, _ in found] == fields
    assert [line for line, _, _, _ in found] == sorted(line for line, _, _, _ in found)


@pytest.mark.parametrize(
    ("load", "source"),
    [(load_kpis, KPI_CATALOGUE), (load_cases, CASE_CATALOGUE), (load_goals, GOAL_CATALOGUE)],
    ids=["kpis", "cases", "goals"],
)
def test_invalid_yaml_in_a_catalogue_names_the_line_and_column(tmp_path, load, source):
    key = source.stem  # kpis:, cases:, goals:
    path, text = plant(tmp_path, source, (f"{key}:\n  - id: ", f"{key}:\n  - id: x: "))
    (found,) = problems(load, path)
    line, x = at(text, "- id: x:", "x: ")
    assert found[:3] == (line, x + 1, "(top level)")  # the colon after x
    assert found[3].startswith("not valid YAML: mapping values are not allowed here")
