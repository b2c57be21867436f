"""Triage engine: determinism, a hand-checked shift, the reference strategies, decisions as data, stream content."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import simulations.triage as triage
from simulations.triage.vocab import PLATFORMS, PUBLIC_COLUMNS


def run(scenario: str, seed: int, strategy) -> triage.SimResult:
    stream = triage.generate_stream(scenario, seed=seed, org_name="Globex", products=["Toaster X"])
    return triage.simulate(stream, strategy(stream), seed=seed)


def test_same_seed_same_outcome_to_the_last_number():
    a, b = run("defect-viral", 5, triage.follow_policy), run("defect-viral", 5, triage.follow_policy)
    pd.testing.assert_frame_equal(a.stream.posts, b.stream.posts, check_exact=True)
    pd.testing.assert_frame_equal(a.outcome, b.outcome, check_exact=True)
    pd.testing.assert_frame_equal(a.curve, b.curve, check_exact=True)
    assert triage.score(a) == triage.score(b)
    c = run("defect-viral", 6, triage.follow_policy)
    assert len(c.stream) != len(a.stream) or not c.stream.posts["time_s"].equals(a.stream.posts["time_s"])


def test_draws_do_not_depend_on_the_decisions():
    stream = triage.generate_stream("rumour", seed=9)
    ignored = triage.simulate(stream, triage.ignore_all(stream), seed=9)
    handled = triage.simulate(stream, triage.follow_policy(stream), seed=9)
    assert ignored.outcome["reshares"].equals(handled.outcome["reshares"])
    assert ignored.outcome["baseline_reach"].equals(handled.outcome["baseline_reach"])


# The SEISMIC kernel's CDF (Zhao et al. 2015 defaults), written out here independently of the engine.
C, S0, THETA = 6.266e-4, 300.0, 0.2315


def F(t: float) -> float:
    return C * min(t, S0) + C * S0 / THETA * (1 - (max(t, S0) / S0) ** -THETA)


HAND_POSTS = [
    # an unhappy customer, restored after 10 minutes: the fitting route
    {
        "time_s": 0,
        "platform": "x",
        "author": "customer",
        "category": "complaint",
        "sentiment": "negative",
        "followers": 1000,
        "severity": "medium",
        "virality": 0.5,
    },
    # a safety report answered with a reply instead of the crisis team: mishandled
    {
        "time_s": 60,
        "platform": "x",
        "author": "customer",
        "category": "safety",
        "sentiment": "negative",
        "followers": 200,
        "severity": "critical",
        "virality": 0.9,
    },
    # praise, concurred: harmless, no negative reach
    {
        "time_s": 90,
        "platform": "x",
        "author": "customer",
        "category": "praise",
        "sentiment": "positive",
        "followers": 500,
        "severity": "none",
    },
    # a troll nobody looked at
    {
        "time_s": 1200,
        "platform": "x",
        "author": "troll",
        "category": "trolling",
        "sentiment": "negative",
        "followers": 100,
        "severity": "low",
        "virality": 0.3,
    },
    # a harmless mention escalated to the CoE: an over-escalation
    {
        "time_s": 1800,
        "platform": "x",
        "author": "customer",
        "category": "mention",
        "sentiment": "neutral",
        "followers": 50,
        "severity": "none",
    },
]
HAND_DECISIONS = {0: ("restore", 600), 1: ("restore", 300), 2: ("concur", 30), 4: ("escalate_coe", 100)}


def test_hand_checked_shift():
    stream = triage.stream_from_records(HAND_POSTS, shift_hours=1, horizon_hours=2)
    assert list(stream.posts["route"]) == ["restore", "escalate_crisis", "concur", "monitor", "let_stand"]
    assert list(stream.posts["time_limit_s"]) == [240 * 60, 15 * 60, 1440 * 60, 480 * 60, 1440 * 60]
    result = triage.simulate(stream, HAND_DECISIONS, expected=True)
    s = triage.score(result)

    # post 0: 1000 followers, R 0.5 -> mean reshares 0.5/100*1000 = 5, cascade 100*5/(1-0.5) = 1000 people;
    # restore (damping 0.25) after 600 s scales the rest by g = 0.25*0.5/(1-0.125) = 1/7. Horizon 7200 s.
    g = 1 / 7
    reach0 = 1000 * F(7200) + 1000 * (F(600) + g * (F(7200) - F(600)))
    # post 1: arrives in minute 1, 200 followers, R 0.9 -> reshares 1.8, cascade 100*1.8/0.1 = 1800, undamped.
    reach1 = 2000 * F(7140)
    # post 3: arrives at minute 20, 100 followers, R 0.3 -> reshares 0.3, cascade 30/0.7, never answered.
    reach3 = (100 + 30 / 0.7) * F(6000)
    reach, baseline = reach0 + reach1 + reach3, 2000 * F(7200) + reach1 + reach3
    expected = [reach0, reach1, 0, reach3, 0]
    assert result.outcome["negative_reach"].to_numpy() == pytest.approx(expected, rel=1e-12)
    assert s.negative_reach == pytest.approx(reach, rel=1e-12)
    assert s.baseline_reach == pytest.approx(baseline, rel=1e-12)
    assert s.reach_reduction == pytest.approx(1 - reach / baseline, rel=1e-12)

    # the curve: at 600 s post 0 is still unanswered (age 600 s) and post 1 is 540 s old
    curve = result.curve.set_index("time_s")
    assert curve.loc[600, "negative_reach"] == pytest.approx(2000 * F(600) + 2000 * F(540), rel=1e-12)
    at_hour = 1000 * F(3600) + 1000 * (F(600) + g * (F(3600) - F(600))) + 2000 * F(3540) + (100 + 30 / 0.7) * F(2400)
    assert curve.loc[3600, "negative_reach"] == pytest.approx(at_hour, rel=1e-12)
    assert curve["negative_reach"].iloc[-1] == pytest.approx(reach, rel=1e-12)
    assert curve["baseline_reach"].iloc[-1] == pytest.approx(baseline, rel=1e-12)

    assert s.routing_accuracy == 2 / 5  # posts 0 and 2 only
    assert s.on_time_rate == 4 / 5  # every decision was in time; post 3 got none
    assert (s.escalation_precision, s.escalation_recall) == (0.0, 0.0)
    assert (s.over_escalations, s.coe_load_h) == (1, 0.5)  # one needless escalation, 30 minutes of CoE time
    assert (s.crisis_level, s.baseline_crisis_level, s.crisis_label) == (0, 0, "no crisis")
    assert s.by_severity["critical"] == {"posts": 1, "on_time_rate": 1.0, "median_response_s": 300.0}
    assert s.by_severity["low"] == {"posts": 1, "on_time_rate": 0.0, "median_response_s": None}
    # points: 30 x routing + 20 x on time + 20 x escalation F1 + 20 x reach reduction + 10 x (1 - level/3), of 100
    assert s.points == pytest.approx(30 * 0.4 + 20 * 0.8 + 0 + 20 * (1 - reach / baseline) + 10, rel=1e-12)

    table = triage.debrief(result)
    assert list(table["decision"].astype(object).fillna("-")) == ["restore", "restore", "concur", "-", "escalate_coe"]
    assert list(table["correct"]) == [True, False, True, False, False]
    assert table.loc[1, "why"] == triage.load_policy().rules[0].why and table.loc[1, "node"] == "safety"


def test_a_crisis_level_is_reached_when_reach_and_severity_meet_the_thresholds():
    big = dict(HAND_POSTS[1], followers=2_000_000, virality=0.0)  # seen by 2M x F(7140)
    stream = triage.stream_from_records([big], shift_hours=1, horizon_hours=2)
    s = triage.score(triage.simulate(stream, None, expected=True))
    seen = 2_000_000 * F(7140)
    assert 1_000_000 < seen < 5_000_000
    assert (s.crisis_level, s.crisis_label) == (2, "mainstream coverage and a significant company response or change")
    mild = triage.stream_from_records([dict(big, severity="medium")], shift_hours=1, horizon_hours=2)
    assert triage.score(triage.simulate(mild, None, expected=True)).crisis_level == 1


@pytest.mark.parametrize("scenario_id", triage.list_scenarios())
def test_the_recommended_policy_beats_ignoring_and_escalating_everything(scenario_id):
    stream = triage.generate_stream(scenario_id, seed=11)
    best, ignore, escalate = (
        triage.score(triage.simulate(stream, strategy(stream), seed=11))
        for strategy in (triage.follow_policy, triage.ignore_all, triage.escalate_all)
    )
    assert best.points > ignore.points and best.points > escalate.points
    assert best.negative_reach < ignore.negative_reach and best.negative_reach <= escalate.negative_reach
    assert best.crisis_level <= min(ignore.crisis_level, escalate.crisis_level)
    assert (best.routing_accuracy, best.escalation_precision, best.escalation_recall) == (1.0, 1.0, 1.0)
    assert best.over_escalations == 0 and escalate.over_escalations > 0 and escalate.coe_load_h > 0
    assert ignore.escalation_recall == 0.0 and ignore.on_time_rate == 0.0


def test_a_fast_answer_to_the_first_complaint_keeps_the_story_small():
    stream = triage.generate_stream("defect-viral", seed=4)
    first = int(stream.posts.index[stream.posts["inject"] == 0][0])
    fast = triage.simulate(stream, {first: ("restore", 120)}, seed=4, expected=True).outcome
    slow = triage.simulate(stream, {first: ("restore", 6 * 3600)}, seed=4, expected=True).outcome
    assert fast.loc[first, "negative_reach"] < 0.3 * slow.loc[first, "negative_reach"]


def test_decisions_round_trip_through_json_and_replay_identically():
    stream = triage.generate_stream("employee-leak", seed=3)
    rng = np.random.default_rng(0)
    routes = np.array(stream.policy.route_names)
    ids = rng.choice(len(stream), size=len(stream) // 2, replace=False)
    made = pd.DataFrame(
        {
            "post_id": ids,
            "route": routes[rng.integers(len(routes), size=len(ids))],
            "response_time_s": rng.uniform(0, 3600, size=len(ids)),
        }
    )
    records = json.loads(json.dumps(triage.to_records(triage.as_decisions(made, stream))))
    first, again = triage.simulate(stream, made, seed=3), triage.simulate(stream, records, seed=3)
    pd.testing.assert_frame_equal(first.outcome, again.outcome, check_exact=True)
    as_mapping = {str(r["post_id"]): [r["route"], r["response_time_s"]] for r in records}
    pd.testing.assert_frame_equal(triage.as_decisions(as_mapping, stream), first.decisions)


@pytest.mark.parametrize(
    ("decisions", "words"),
    [
        ({0: ("shout", 10)}, "unknown route 'shout'"),
        ({10_000: ("monitor", 10)}, "no such post"),
        ({0: ("monitor", -5)}, "must be a number >= 0"),
        ([{"post_id": 1, "route": "monitor", "response_time_s": 1}] * 2, "more than one decision"),
    ],
)
def test_bad_decisions_are_rejected_with_the_post_named(decisions, words):
    stream = triage.generate_stream("troll-swarm", seed=1)
    with pytest.raises(ValueError, match=words):
        triage.simulate(stream, decisions)


def test_a_learner_route_function_is_applied_to_the_public_view_of_each_post():
    stream = triage.generate_stream("troll-swarm", seed=2)
    seen_keys = set()

    def route(post: dict) -> str | None:
        seen_keys.update(post)
        if post["category"] == "trolling":
            return "monitor"
        return None if post["category"] == "mention" else "concur"

    decisions = triage.apply_router(stream, route, response_time_s=30)
    assert seen_keys == set(PUBLIC_COLUMNS)
    posts = stream.posts.set_index("post_id")
    assert len(decisions) == int((posts["category"] != "mention").sum())
    assert set(decisions["route"][posts.loc[decisions["post_id"], "category"].to_numpy() == "trolling"]) == {"monitor"}
    with pytest.raises(ValueError, match="returned 3"):
        triage.apply_router(stream, lambda post: 3)


def test_posts_use_the_organisation_and_its_products_and_injects_arrive_on_time():
    stream = triage.generate_stream("troll-swarm", seed=8, org_name="Initech", products=["TPS Cover", "Red Stapler"])
    texts = stream.posts["text"].astype(str)
    assert texts.str.contains("Initech").mean() > 0.5
    assert texts.str.contains("TPS Cover").any() and texts.str.contains("Red Stapler").any()
    assert not texts.str.contains("{", regex=False).any()
    swarm = stream.posts[stream.posts["inject"] == 0]
    assert len(swarm) == 60 and swarm["time_s"].min() == 30 * 60 and swarm["time_s"].max() < 120 * 60
    assert (swarm["author"] == "troll").all() and (swarm["route"] == "monitor").all()
    assert stream.posts["time_s"].is_monotonic_increasing
    assert list(stream.posts["post_id"]) == list(range(len(stream)))
    public = stream.public()
    assert set(public[0]) == set(PUBLIC_COLUMNS) and json.loads(json.dumps(public)) == public


def test_a_stream_is_reproduced_from_its_spec_and_n_posts_fixes_the_background():
    stream = triage.generate_stream("rumour", seed=21, n_posts=500)
    assert len(stream) == 500 + sum(inj.count for inj in stream.scenario.injects)
    again = triage.generate_stream(**stream.spec)
    pd.testing.assert_frame_equal(stream.posts, again.posts, check_exact=True)


def test_most_background_posts_never_spread_as_goel_watts_goldstein_report():
    stream = triage.generate_stream("troll-swarm", seed=13, n_posts=50_000)
    result = triage.simulate(stream, None, seed=13)
    background = stream.posts["inject"].to_numpy() < 0
    share = float((result.outcome["reshares"].to_numpy()[background] == 0).mean())
    assert 0.70 <= share <= 0.95


def test_the_kernel_integrates_to_one_and_slower_platforms_spread_later():
    params = triage.SpreadParams()
    assert params.kernel_cdf(1e30) == pytest.approx(1.0, abs=1e-3)
    assert params.kernel_cdf(300.0) == pytest.approx(C * S0)
    table = params.cdf_table(240)
    x, youtube = PLATFORMS.index("x"), PLATFORMS.index("youtube")
    assert np.all(table[youtube, 1:] < table[x, 1:])
    assert np.all(np.diff(table, axis=1) >= 0)


def test_stream_from_records_rejects_unknown_values():
    with pytest.raises(ValueError, match="post 0: author 'bot'"):
        triage.stream_from_records([dict(HAND_POSTS[0], author="bot")], shift_hours=1)
    with pytest.raises(ValueError, match="inside the shift"):
        triage.stream_from_records([dict(HAND_POSTS[0], time_s=4000)], shift_hours=1)
