"""Triage data files: the built-in scenarios and policy load; broken files and overrides name file and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import simulations.triage as triage
from simulations.common.datafiles import DataError
from simulations.triage.policy_file import DEFAULT_POLICY

GOOD = """\
title: Test scenario
summary: A small scenario for tests.
shift_hours: 2
background:
  posts_per_hour: 10
injects:
  - at_min: 5
    author: customer
    category: complaint
    severity: medium
    followers: 500
"""


def write(tmp_path: Path, text: str, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_there_are_the_eight_required_scenarios():
    assert set(triage.list_scenarios()) >= {
        "defect-viral",
        "employee-leak",
        "undisclosed-endorsement",
        "rumour",
        "executive-off-brand",
        "franchisee-account",
        "troll-swarm",
        "safety-incident",
    }


@pytest.mark.parametrize("scenario_id", triage.list_scenarios())
def test_every_scenario_file_loads_and_generates(scenario_id):
    scenario = triage.load_scenario(scenario_id)
    assert scenario.id == scenario_id and scenario.injects and scenario.title
    stream = triage.generate_stream(scenario, seed=1)
    assert set(stream.posts["inject"]) >= set(range(len(scenario.injects)))


def test_a_trainer_adds_a_scenario_by_dropping_a_file(tmp_path):
    write(tmp_path, GOOD, "my-drill.yaml")
    assert triage.list_scenarios(tmp_path) == ["my-drill"]
    stream = triage.generate_stream(tmp_path / "my-drill.yaml", seed=3)
    inject = stream.posts[stream.posts["inject"] == 0].iloc[0]
    assert inject["time_s"] == 300 and inject["route"] == "restore" and inject["followers"] == 500
    assert stream.spec["scenario"] == str(tmp_path / "my-drill.yaml")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (("    severity: medium\n", ""), "injects[0].severity", "required field is missing"),
        (("followers: 500", "followers: lots"), "injects[0].followers", "whole number"),
        (
            ("followers: 500", "followers: 500\n    route: escalate_to_mars\n    why: because"),
            "injects[0].route",
            "expected one of concur",
        ),
        (("severity: medium", "severity: dire"), "injects[0].severity", "expected one of none"),
        (("category: complaint", "category: gossip"), "injects[0].category", "expected one of praise"),
        (("severity: medium", "severty: medium"), "injects[0].severty", "unknown field (did you mean severity?)"),
        (("at_min: 5", "at_min: 500"), "injects[0].at_min", "inside the shift"),
        (("followers: 500", "followers: 500\n    route: monitor"), "injects[0].why", "must say why"),
        (("followers: 500", "followers: 500\n    text: 'Dear {customer}'"), "injects[0].text", "{customer}"),
        (("followers: 500", "followers: [900, 100]"), "injects[0].followers", "low <= high"),
        (("shift_hours: 2", "shift_hours: 2\nhorizon_hours: 1"), "horizon_hours", ">= 2"),
        (
            ("posts_per_hour: 10", "posts_per_hour: 10\n  mix: {praise: 1, gossip: 2}"),
            "background.mix.gossip",
            "unknown field",
        ),
        (("posts_per_hour: 10", "posts_per_hour: 10\n  mix: {praise: 0}"), "background.mix", "positive weight"),
        (("posts_per_hour: 10", "posts_per_hour: 10\n  mix: gossip"), "background.mix", "expected one of praise"),
        (("posts_per_hour: 10", "posts_per_hour: ten"), "background.posts_per_hour", "expected a number"),
        (("title: Test scenario\n", ""), "title", "required field is missing"),
    ],
)
def test_a_broken_scenario_names_file_and_field(tmp_path, change, field, words):
    assert change[0] in GOOD
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(DataError) as err:
        triage.load_scenario(path)
    assert {e.path for e in err.value.errors} == {str(path)}
    assert any(e.field == field and words in e.problem for e in err.value.errors), str(err.value)


def test_bad_yaml_names_the_file_and_the_line(tmp_path):
    path = write(tmp_path, "title: [unclosed\nsummary: x\n")
    with pytest.raises(DataError) as err:
        triage.load_scenario(path)
    assert err.value.path == str(path) and "not valid YAML" in err.value.problem
    assert (err.value.line, err.value.column) == (2, 8)


def test_an_unknown_scenario_id_lists_the_built_in_ones():
    with pytest.raises(DataError, match="troll-swarm"):
        triage.load_scenario("no-such-scenario")


def test_default_policy_has_a_rationale_for_every_node_and_ends_in_a_catch_all():
    policy = triage.load_policy()
    assert all(rule.why and rule.ask for rule in policy.rules)
    assert policy.rules[-1].when == {} and policy.rules[-1].route == "let_stand"
    assert {"concur", "monitor", "fix_facts", "restore", "let_stand"} <= set(policy.routes)
    assert {r.name for r in policy.routes.values() if r.kind == "escalate"} == {
        "escalate_pr",
        "escalate_legal",
        "escalate_crisis",
        "escalate_coe",
        "verify_synthetic",
    }


POSTS = [
    {
        "time_s": 0,
        "platform": "x",
        "author": "customer",
        "category": "complaint",
        "sentiment": "negative",
        "followers": 20000,
        "severity": "medium",
    },
    {
        "time_s": 10,
        "platform": "x",
        "author": "influencer",
        "category": "praise",
        "sentiment": "positive",
        "followers": 200000,
        "severity": "none",
    },
    {
        "time_s": 20,
        "platform": "x",
        "author": "journalist",
        "category": "safety",
        "sentiment": "negative",
        "followers": 5000,
        "severity": "critical",
    },
]


def routes_of(policy: triage.Policy) -> list[str]:
    return list(triage.stream_from_records(POSTS, shift_hours=1, policy=policy).posts["route"])


def test_the_default_tree_routes_the_sample_posts():
    assert routes_of(triage.load_policy()) == ["restore", "escalate_pr", "escalate_crisis"]


def test_overrides_add_disable_and_move_nodes_and_change_limits():
    policy = triage.load_policy(
        overrides={
            "severities": {"critical": {"time_limit_min": 10}},
            "routes": {"escalate_crisis": {"time_limit_min": None}},
            "rules": [
                {
                    "id": "vip",
                    "ask": "A customer with a large audience?",
                    "when": {"author": "customer", "min_followers": 10000},
                    "route": "escalate_pr",
                    "why": "Our VIP programme answers them.",
                },
                {"id": "large_influencer", "enabled": False},
                {"id": "journalist", "before": "safety"},
            ],
        }
    )
    assert routes_of(policy) == ["escalate_pr", "concur", "escalate_pr"]
    assert [r.id for r in policy.rules][:3] == ["vip", "journalist", "safety"]
    assert "large_influencer" not in [r.id for r in policy.rules]
    stream = triage.stream_from_records(POSTS, shift_hours=1, policy=policy)
    assert stream.posts["time_limit_s"].iloc[2] == 600
    assert triage.load_policy().time_limit_min["critical"] == 15, "the default policy must stay untouched"


def test_replaying_a_stream_under_another_policy_changes_only_the_recommendations():
    stream = triage.generate_stream("defect-viral", seed=2)
    strict = triage.load_policy(overrides={"rules": [{"id": "unhappy", "route": "escalate_coe"}]})
    replay = stream.with_policy(strict)
    rec = triage.recommend(stream, strict)
    complaints = stream.posts["category"] == "complaint"
    assert (replay.posts["route"][complaints & (stream.posts["rule"] == "unhappy")] == "escalate_coe").all()
    assert (rec["route"] == replay.posts["route"]).all()
    assert replay.posts["text"].equals(stream.posts["text"])


@pytest.mark.parametrize(
    ("override", "field", "words"),
    [
        ("routes:\n  restore:\n    damping: 1.5\n", "routes.restore.damping", "<= 1"),
        ("rules:\n  - id: x\n    ask: q?\n    when: {}\n    route: shout\n    why: w\n", "rules[0].route", "one of"),
        (
            "rules:\n  - id: x\n    ask: q?\n    when: {mood: angry}\n    route: monitor\n    why: w\n",
            "rules[0].when.mood",
            "unknown field; expected one of category, author, sentiment, platform, min_followers",
        ),
        ("rules:\n  - id: otherwise\n    enabled: false\n", "rules", "last node"),
        ("rules:\n  - id: ghost\n    enabled: false\n", "rules[0].id", "no node 'ghost'"),
        ("rules:\n  - id: troll\n    before: nowhere\n", "rules[0].before", "one of"),
        ("severities:\n  dire: {time_limit_min: 5}\n", "severities.dire", "unknown field; expected one of none, low"),
        ("routes:\n  new_route:\n    kind: reply\n", "routes.new_route.label", "required field is missing"),
    ],
)
def test_a_broken_override_file_names_file_and_field(tmp_path, override, field, words):
    path = write(tmp_path, override, "org.yaml")
    with pytest.raises(DataError) as err:
        triage.load_policy(overrides=path)
    assert (err.value.path, err.value.field) == (str(path), field)
    assert words in err.value.problem


def test_a_broken_policy_file_is_reported_too(tmp_path):
    text = DEFAULT_POLICY.read_text(encoding="utf-8").replace("  - id: troll\n", "  - id: positive\n")
    path = write(tmp_path, text, "policy.yaml")
    with pytest.raises(DataError) as err:
        triage.load_policy(path)
    assert err.value.field.startswith("rules[") and "used twice" in err.value.problem


def test_overrides_inside_an_organisation_profile_are_reported_against_that_file(tmp_path):
    from graders.paths import DEMO_ORG
    from simulations.profile.org import load_org

    text = DEMO_ORG.read_text(encoding="utf-8") + "triage_policy:\n  escalation_review_min: soon\n"
    path = write(tmp_path, text, "globex.yaml")
    with pytest.raises(DataError) as err:
        load_org(path)
    line = text.splitlines().index("  escalation_review_min: soon") + 1
    assert (err.value.path, err.value.line, err.value.column) == (str(path), line, 3)
    assert err.value.field == "triage_policy.escalation_review_min"
    empty = write(tmp_path, "# nothing to change\n", "empty.yaml")
    assert triage.load_policy(overrides=empty) is triage.load_policy()
