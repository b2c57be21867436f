"""The triage simulation's data files as typed models: the policy, its overrides, the scenarios and the background
chatter load to the same objects as the hand-written parsers gave, and every problem is named by file, line, column
and field, all of a file's at once, in file order."""

import pytest
from before_models import BEFORE, loaded, snapshot
from test_models import at, plant, problems

from simulations import triage
from simulations.triage.chatter import DEFAULT_CHATTER, load_chatter
from simulations.triage.policy_file import DEFAULT_POLICY
from simulations.triage.scenario import SCENARIO_DIR

TRIAGE = [name for name in loaded() if name.startswith("triage-")]


@pytest.mark.parametrize("name", TRIAGE)
def test_shipped_triage_files_load_to_the_same_objects_as_before(name):
    assert snapshot(loaded()[name]()) == (BEFORE / f"{name}.txt").read_text(encoding="utf-8")


def test_every_shipped_scenario_and_organisation_is_in_the_snapshots():
    assert {f"triage-scenario-{s}" for s in triage.list_scenarios()} <= set(TRIAGE)
    assert {"triage-policy", "triage-policy-lti-demo", "triage-chatter"} <= set(TRIAGE)


# ---- the policy file -----------------------------------------------------------------------------------------------

POLICY_TYPE = ("    damping: 0.8\n", "    damping: high\n")  # concur
POLICY_UNKNOWN = ("    label: Concur\n", "    label: Concur\n    colour: green\n")
POLICY_RANGE = ("  critical: {time_limit_min: 15}", "  critical: {time_limit_min: 0}")


@pytest.mark.parametrize(
    ("edit", "where", "field", "problem"),
    [
        (POLICY_TYPE, ("damping: high", "damping"), "routes.concur.damping", 'expected a number (got "high")'),
        (
            POLICY_UNKNOWN,
            ("colour: green", "colour"),
            "routes.concur.colour",
            "unknown field; expected one of kind, label, does, damping, act_after_min, time_limit_min, handle_min,",
        ),
        (
            POLICY_RANGE,
            ("critical: {", "time_limit_min"),
            "severities.critical.time_limit_min",
            "expected a value >= 1 (got 0)",
        ),
        (
            ("    route: escalate_crisis\n    why: A risk", "    route: escalate_police\n    why: A risk"),
            ("route: escalate_police", "route"),
            "rules[0].route",
            "expected one of concur, monitor, fix_facts,",
        ),
        (
            ("  - id: troll\n", "  - id: positive\n"),
            ("- id: positive", "id:", 2),
            "rules[10].id",
            "node id 'positive' is used twice",
        ),
        (
            ("    min_reach: 1000000\n", "    min_reach: 10000000\n"),
            ("crisis_levels:", "crisis_levels"),
            "crisis_levels",
            "expected min_reach to grow from level 1 to level 3",
        ),
        (
            ("    when: {}\n    route: let_stand", "    when: {author: troll}\n    route: let_stand"),
            ("rules:", "rules"),
            "rules",
            "the last node of the tree must have no conditions",
        ),
    ],
    ids=["wrong type", "unknown key", "out of range", "unknown route", "node twice", "levels", "no catch-all"],
)
def test_a_planted_policy_error_names_file_line_column_and_field(tmp_path, edit, where, field, problem):
    path, text = plant(tmp_path, DEFAULT_POLICY, edit)
    (found,) = problems(triage.load_policy, path)
    assert found[:3] == (*at(text, *where), field) and found[3].startswith(problem)


def test_three_errors_in_the_policy_are_all_reported_in_file_order(tmp_path):
    path, text = plant(tmp_path, DEFAULT_POLICY, POLICY_RANGE, POLICY_UNKNOWN, POLICY_TYPE)
    found = problems(triage.load_policy, path)
    assert [(line, column, field) for line, column, field, _ in found] == [
        (*at(text, "colour: green"), "routes.concur.colour"),
        (*at(text, "damping: high", "damping"), "routes.concur.damping"),
        (*at(text, "critical: {", "time_limit_min"), "severities.critical.time_limit_min"),
    ]


def test_invalid_yaml_in_the_policy_names_the_line_and_column(tmp_path):
    path, text = plant(tmp_path, DEFAULT_POLICY, ("    label: Concur\n", "    label: Concur: now\n"))
    (found,) = problems(triage.load_policy, path)
    assert found[:3] == (*at(text, "label: Concur:", ": now"), "(top level)")
    assert found[3].startswith("not valid YAML: mapping values are not allowed here")


def test_an_overrides_file_names_line_column_and_field_of_each_problem(tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text(
        "routes:\n"
        "  restore: {damping: 1.5}\n"
        "  shout: {kind: reply}\n"
        "rules:\n"
        "  - {id: troll, before: nowhere}\n"
        "score_weights: {routing: lots}\n",
        encoding="utf-8",
    )
    found = problems(lambda p: triage.load_policy(overrides=p), path)
    assert [(line, column, field) for line, column, field, _ in found] == [
        (2, 13, "routes.restore.damping"),
        (6, 17, "score_weights.routing"),
    ]
    path.write_text("routes:\n  shout: {kind: reply}\n", encoding="utf-8")
    assert problems(lambda p: triage.load_policy(overrides=p), path) == [
        (2, 3, "routes.shout.label", "required field is missing")
    ]
    path.write_text("rules:\n  - {id: troll, before: nowhere}\n", encoding="utf-8")
    ((line, column, field, problem),) = problems(lambda p: triage.load_policy(overrides=p), path)
    assert (line, column, field) == (2, 17, "rules[0].before") and problem.startswith("expected one of safety,")


# ---- scenarios -----------------------------------------------------------------------------------------------------

SCENARIO = SCENARIO_DIR / "rumour.yaml"
SCENARIO_TYPE = ("    followers: 800\n", "    followers: lots\n")
SCENARIO_UNKNOWN = ("    count: 30\n", "    cuont: 30\n")
SCENARIO_RANGE = ('    virality: 0.7\n    text: "Hearing', '    virality: 1.5\n    text: "Hearing')


@pytest.mark.parametrize(
    ("edit", "where", "field", "problem"),
    [
        (
            SCENARIO_TYPE,
            ("followers: lots", "followers"),
            "injects[0].followers",
            'expected a whole number of followers or a range [low, high] (got "lots")',
        ),
        (
            SCENARIO_UNKNOWN,
            ("cuont: 30", "cuont"),
            "injects[1].cuont",
            "unknown field (did you mean count?); expected one of label, at_min, count,",
        ),
        (SCENARIO_RANGE, ("virality: 1.5", "virality"), "injects[2].virality", "expected a value <= 0.99 (got 1.5)"),
        (
            ("    at_min: 130\n", "    at_min: 300\n"),
            ("at_min: 300", "at_min"),
            "injects[4].at_min",
            "expected a minute inside the shift (< 240), got 300",
        ),
        (
            ("    followers: 30000\n", "    followers: 30000\n    route: monitor\n"),
            ("- label: a journalist asks", "label"),
            "injects[4].why",
            "an inject that sets its own route must say why",
        ),
        (
            ("    followers: [30, 2000]\n", "    followers: [2000, 30]\n"),
            ("followers: [2000, 30]", "followers"),
            "injects[1].followers",
            "expected low <= high in the range, got [2000, 30]",
        ),
        (
            ('    text: "No recalls here. Just saying. #{org}"', '    text: "No recalls here, {customer}. #{org}"'),
            ("No recalls here, {customer}", "text"),
            "injects[3].text",
            "unknown placeholder(s) {customer}; use only {org} and {product}",
        ),
        (
            ("  posts_per_hour: 30\n", "  posts_per_hour: 30\n  mix: {praise: 1, gossip: 2}\n"),
            ("mix: {praise: 1, gossip: 2}", "gossip"),
            "background.mix.gossip",
            "unknown field; expected one of praise, question,",
        ),
    ],
    ids=[
        "wrong type",
        "unknown key",
        "out of range",
        "past the shift",
        "route without why",
        "range upside down",
        "unknown placeholder",
        "unknown category",
    ],
)
def test_a_planted_scenario_error_names_file_line_column_and_field(tmp_path, edit, where, field, problem):
    path, text = plant(tmp_path, SCENARIO, edit)
    (found,) = problems(triage.load_scenario, path)
    assert found[:3] == (*at(text, *where), field) and found[3].startswith(problem)


def test_three_errors_in_a_scenario_are_all_reported_in_file_order(tmp_path):
    path, text = plant(tmp_path, SCENARIO, SCENARIO_RANGE, SCENARIO_UNKNOWN, SCENARIO_TYPE)
    found = problems(triage.load_scenario, path)
    assert [(line, column, field) for line, column, field, _ in found] == [
        (*at(text, "followers: lots", "followers"), "injects[0].followers"),
        (*at(text, "cuont: 30", "cuont"), "injects[1].cuont"),
        (*at(text, "virality: 1.5", "virality"), "injects[2].virality"),
    ]


def test_invalid_yaml_in_a_scenario_names_the_line_and_column(tmp_path):
    path, text = plant(tmp_path, SCENARIO, ("title: A rumour spreads", "title: A rumour: spreads"))
    (found,) = problems(triage.load_scenario, path)
    assert found[:3] == (*at(text, "title: A rumour:", ": spreads"), "(top level)")
    assert found[3].startswith("not valid YAML: mapping values are not allowed here")


# ---- the background chatter ----------------------------------------------------------------------------------------

CHATTER_TYPE = ("  customer: {median_followers: 150, sigma: 1.2}", "  customer: {median_followers: many, sigma: 1.2}")
CHATTER_UNKNOWN = ("    sentiment: positive\n", "    sentiment: positive\n    mood: sunny\n")
CHATTER_RANGE = ("  troll: {median_followers: 100, sigma: 1.2}", "  troll: {median_followers: 100, sigma: 9}")


@pytest.mark.parametrize(
    ("edit", "where", "field", "problem"),
    [
        (
            CHATTER_TYPE,
            ("customer: {median", "median_followers"),
            "authors.customer.median_followers",
            'expected a number (got "many")',
        ),
        (CHATTER_UNKNOWN, ("mood: sunny", "mood"), "categories.praise.mood", "unknown field; expected one of authors,"),
        (CHATTER_RANGE, ("troll: {", "sigma"), "authors.troll.sigma", "expected a value <= 5 (got 9)"),
        (
            ("    sentiment: positive\n", "    sentiment: {positive: 0, negative: 0}\n"),
            ("sentiment: {positive: 0", "sentiment"),
            "categories.praise.sentiment",
            "expected one of positive, neutral, negative, or a mapping of them to weights, with a positive weight",
        ),
    ],
    ids=["wrong type", "unknown key", "out of range", "no positive weight"],
)
def test_a_planted_chatter_error_names_file_line_column_and_field(tmp_path, edit, where, field, problem):
    path, text = plant(tmp_path, DEFAULT_CHATTER, edit)
    (found,) = problems(load_chatter, path)
    assert found[:3] == (*at(text, *where), field) and found[3].startswith(problem)


def test_three_errors_in_the_chatter_are_all_reported_in_file_order(tmp_path):
    path, text = plant(tmp_path, DEFAULT_CHATTER, CHATTER_UNKNOWN, CHATTER_RANGE, CHATTER_TYPE)
    found = problems(load_chatter, path)
    assert [field for _, _, field, _ in found] == [
        "authors.customer.median_followers",
        "authors.troll.sigma",
        "categories.praise.mood",
    ]


def test_invalid_yaml_in_the_chatter_names_the_line_and_column(tmp_path):
    path, text = plant(tmp_path, DEFAULT_CHATTER, ("    sentiment: positive\n", "    sentiment: [positive\n"))
    (found,) = problems(load_chatter, path)
    assert found[2] == "(top level)" and found[0] is not None and found[3].startswith("not valid YAML")
