"""The live exercise's files (the roles and each exercise) as typed models: the shipped files load to the same
objects as the hand-written parser gave, and every problem is named by file, line, column and field, all of a file's
at once."""

import pytest
from before_models import BEFORE, loaded, snapshot
from test_models import at, plant, problems

from simulations.exercise.model import EXERCISE_DIR, ROLES_FILE, load_exercise, load_roles

EXERCISE = [name for name in loaded() if name.startswith("exercise-")]
RUMOUR = EXERCISE_DIR / "rumour.yaml"


@pytest.mark.parametrize("name", EXERCISE)
def test_shipped_exercise_files_load_to_the_same_objects_as_before(name):
    assert snapshot(loaded()[name]()) == (BEFORE / f"{name}.txt").read_text(encoding="utf-8")


ROLE_TYPE = ("    label: Social media desk\n", "    label: [Social, media]\n")
ROLE_UNKNOWN = ("    does: Fixes the customer's problem", "    colour: teal\n    does: Fixes the customer's problem")
ROLE_RANGE = ("    first_response_min: 60\n", "    first_response_min: 0.1\n")
ROLE_NO_TO = (
    "{id: hand_back, label: Hand back, kind: hand_off, to: [social_desk, pr, legal]}",
    "{id: hand_back, label: Hand back, kind: hand_off}",
)
ROLE_ROUTE = ("routes: [restore]}", "routes: [hug]}")
ROLE_CASES = {
    "wrong type": (
        ROLE_TYPE,
        ("label: [Social", "label"),
        "roles.social_desk.label",
        "expected text (got a list of 2)",
    ),
    "unknown key": (
        ROLE_UNKNOWN,
        ("colour: teal", "colour"),
        "roles.customer_care.colour",
        "unknown field; expected one of label, does, contact, first_response_min, actions",
    ),
    "out of range": (
        ROLE_RANGE,
        ("first_response_min: 0.1", "first_response_min"),
        "roles.coe.first_response_min",
        "expected a value >= 0.5 (got 0.1)",
    ),
    "hand-off with nobody to hand to": (
        ROLE_NO_TO,
        ("{id: hand_back", "{"),
        "roles.customer_care.actions[1].to",
        "an action of kind hand_off needs to",
    ),
    "a route the policy lacks": (
        ROLE_ROUTE,
        ("routes: [hug]", "hug"),
        "roles.customer_care.actions[0].routes[0]",
        "expected one of concur, monitor, fix_facts, restore,",
    ),
}


@pytest.mark.parametrize(("edit", "where", "field", "problem"), ROLE_CASES.values(), ids=ROLE_CASES)
def test_a_planted_roles_error_names_file_line_column_and_field(tmp_path, edit, where, field, problem):
    path, text = plant(tmp_path, ROLES_FILE, edit)
    (found,) = problems(load_roles, path)
    assert found[:3] == (*at(text, *where), field) and found[3].startswith(problem), found


def test_three_errors_in_the_roles_file_are_all_reported_in_file_order(tmp_path):
    path, _ = plant(tmp_path, ROLES_FILE, ROLE_RANGE, ROLE_UNKNOWN, ROLE_TYPE)
    found = problems(load_roles, path)
    fields = ["roles.social_desk.label", "roles.customer_care.colour", "roles.coe.first_response_min"]
    assert [field for _, _, field, _ in found] == fields
    assert [line for line, _, _, _ in found] == sorted(line for line, _, _, _ in found)


EX_TYPE = ("handoff_min: 5\n", "handoff_min: soon\n")
EX_UNKNOWN = ("scenario: rumour\n", "scenario: rumour\ncolour: red\n")
EX_RANGE = ("faction: staff, followers: 1500,", "faction: staff, followers: -5,")
EX_AUTHOR = ("kind: journalist_question, persona: reporter,", "kind: journalist_question, persona: staffer,")
EX_CASES = {
    "wrong type": (EX_TYPE, ("handoff_min: soon", "handoff_min"), "handoff_min", 'expected a number (got "soon")'),
    "unknown key": (
        EX_UNKNOWN,
        ("colour: red", "colour"),
        "colour",
        "unknown field; expected one of title, scenario, summary, roles, handoff_min, personas, events",
    ),
    "out of range": (
        EX_RANGE,
        ("followers: -5", "followers"),
        "personas[0].followers",
        "expected a value >= 0 (got -5)",
    ),
    "a journalist's question by an employee": (
        EX_AUTHOR,
        ("persona: staffer, severity: high", "persona: staffer"),
        "events[2].persona",
        "a journalist_question is posted by a journalist persona; 'staffer' is a employee",
    ),
    "after the shift": (
        ("{id: staffer-shares, at_min: 50,", "{id: staffer-shares, at_min: 5000,"),
        ("at_min: 5000", "at_min"),
        "events[0].at_min",
        "expected a minute inside the scenario's shift",
    ),
    "a role not in the roles file": (
        ("roles: [social_desk, customer_care,", "roles: [social_desk, janitor,"),
        ("roles: [social_desk, janitor", "janitor"),
        "roles[1]",
        'expected one of social_desk, customer_care, coe, legal, pr, executive, security, hr (got "janitor")',
    ),
}


@pytest.mark.parametrize(("edit", "where", "field", "problem"), EX_CASES.values(), ids=EX_CASES)
def test_a_planted_exercise_error_names_file_line_column_and_field(tmp_path, edit, where, field, problem):
    path, text = plant(tmp_path, RUMOUR, edit)
    (found,) = problems(load_exercise, path)
    assert found[:3] == (*at(text, *where), field) and found[3].startswith(problem), found


def test_three_errors_in_an_exercise_are_all_reported_in_file_order(tmp_path):
    path, _ = plant(tmp_path, RUMOUR, EX_AUTHOR, EX_TYPE, EX_UNKNOWN)
    found = problems(load_exercise, path)
    assert [field for _, _, field, _ in found] == ["colour", "handoff_min", "events[2].persona"]
    assert [line for line, _, _, _ in found] == sorted(line for line, _, _, _ in found)


@pytest.mark.parametrize(
    ("load", "source"), [(load_roles, ROLES_FILE), (load_exercise, RUMOUR)], ids=["roles", "rumour"]
)
def test_invalid_yaml_in_an_exercise_file_names_the_line_and_column(tmp_path, load, source):
    path, text = plant(tmp_path, source, ("\nroles:", "\nroles: x:"))
    (found,) = problems(load, path)
    line, x = at(text, "roles: x:", "x:")
    assert found[:3] == (line, x + 1, "(top level)")  # the colon after x
    assert found[3].startswith("not valid YAML: mapping values are not allowed here")
