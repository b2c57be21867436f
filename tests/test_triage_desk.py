"""The triage desk clock, team replays, process designs, route contacts and an organisation's policy overrides."""

from __future__ import annotations

import json
import shutil
import textwrap

import numpy as np
import pandas as pd
import pytest

import simulations.triage as triage
from simulations.common.datafiles import DataError
from simulations.profile.org import load_org
from simulations.triage.desk import Desk

# Handling times in the default policy: restore 5 min, concur 3, escalate_crisis 2, let_stand 1.
POSTS = [
    {"time_s": 0, "platform": "x", "author": "customer", "category": "complaint", "sentiment": "negative"},
    {"time_s": 60, "platform": "x", "author": "customer", "category": "praise", "sentiment": "positive"},
    {"time_s": 120, "platform": "x", "author": "customer", "category": "safety", "sentiment": "negative"},
    {"time_s": 3000, "platform": "x", "author": "customer", "category": "mention", "sentiment": "neutral"},
]


def small_stream() -> triage.Stream:
    return triage.stream_from_records(
        [dict(p, followers=300, severity="medium") for p in POSTS], shift_hours=1, horizon_hours=2
    )


def response_times(decisions: pd.DataFrame) -> list[float]:
    return list(decisions.set_index("post_id")["response_time_s"])


def test_a_desk_of_one_answers_as_late_as_its_queue():
    stream = small_stream()
    assert list(stream.posts["route"]) == ["restore", "concur", "escalate_crisis", "let_stand"]
    # oldest first: 0 done at 300 s; 1 waits, done at 480; 2 done at 600; the desk idles until 3000, 3 done at 3060
    assert response_times(triage.replay(stream)) == [300, 420, 480, 60]
    # urgency: at 300 s the crisis post (limit 15 min) goes before the praise (no route limit)
    assert response_times(triage.replay(stream, order="urgency")) == [300, 540, 300, 60]
    # two people: the second takes the praise when it arrives, then the safety post
    assert response_times(triage.replay(stream, staff=2)) == [300, 180, 240, 60]


def test_the_desk_clock_step_by_step():
    desk = Desk(small_stream())
    assert desk.clock_s == 0 and list(desk.waiting()) == [0]
    with pytest.raises(ValueError, match="has not arrived yet"):
        desk.decide(2, "escalate_crisis")
    assert desk.decide(0, "restore") == 300
    assert desk.clock_s == 300 and list(desk.waiting()) == [1, 2]
    assert desk.decide(2, "monitor") == 240  # any route may be chosen; monitoring takes 1 minute
    with pytest.raises(ValueError, match="already been handled"):
        desk.decide(2, "restore")
    with pytest.raises(ValueError, match="unknown route 'shout'"):
        desk.decide(1, "shout")
    desk.skip(1)
    assert desk.waiting().size == 0 and desk.next_arrival_s() == 3000
    assert desk.wait() and desk.clock_s == 3000 and list(desk.waiting()) == [3]
    assert not desk.finished
    desk.end()
    assert desk.finished and desk.decided == 2
    with pytest.raises(ValueError, match="the shift has ended"):
        desk.decide(3, "let_stand")


def test_a_desk_record_round_trips_through_json_and_rejects_another_stream():
    stream = triage.generate_stream("care-desk", seed=3)
    desk = Desk(stream, staff=2)
    desk.work(lambda pid: "monitor" if pid % 3 else None)
    record = json.loads(json.dumps(desk.to_record()))
    again = Desk.from_record(stream, record)
    pd.testing.assert_frame_equal(again.decisions(), desk.decisions())
    assert list(again.free_at) == list(desk.free_at) and again.finished and again.skipped.sum() == desk.skipped.sum()

    other = triage.generate_stream("care-desk", seed=4)
    with pytest.raises(ValueError, match="another stream"):
        Desk.from_record(other, record)
    with pytest.raises(ValueError, match="unknown route 'shout'"):
        Desk.from_record(stream, dict(record, decisions=[{"post_id": 0, "route": "shout", "response_time_s": 1}]))
    with pytest.raises(ValueError, match="free_at must hold 2"):
        Desk.from_record(stream, dict(record, free_at=[-1, 0]))
    damaged = [{"decisions": [1, 2]}, {"decisions": {"0": 5}}, {"skipped": [[1]]}, {"staff": "two"}, {"free_at": "x"}]
    for change in damaged:
        with pytest.raises(ValueError):
            Desk.from_record(stream, dict(record, **change))


def test_a_replay_follows_the_tree_on_what_the_team_can_see_not_the_answer_key():
    stream = triage.generate_stream("care-desk", seed=5)
    decisions = triage.replay(stream, staff=3)
    tree, _ = stream.policy.decide(stream.posts)
    assert list(decisions["route"].cat.codes) == list(tree)
    mine = triage.replay(stream, route_fn=lambda post: "monitor" if post["author"] == "troll" else None)
    trolls = stream.posts.index[stream.posts["author"] == "troll"]
    assert list(mine["post_id"]) == list(trolls) and set(mine["route"]) == {"monitor"}
    with pytest.raises(ValueError, match="returned 3"):
        triage.replay(stream, route_fn=lambda post: 3)


def test_more_people_never_answer_later_and_urgency_puts_escalations_first():
    stream = triage.generate_stream("defect-viral", seed=5)
    one, two = triage.replay(stream), triage.replay(stream, staff=2)
    assert np.all(two["response_time_s"].to_numpy() <= one["response_time_s"].to_numpy() + 1e-9)
    urgent = triage.replay(stream, order="urgency")
    escalated = np.array([stream.policy.routes[r].kind == "escalate" for r in urgent["route"]])
    assert urgent["response_time_s"][escalated].mean() < one["response_time_s"][escalated].mean()


def test_process_designs_are_compared_on_the_same_stream_and_luck():
    stream = triage.generate_stream("defect-viral", seed=5)
    table = triage.compare(
        stream,
        {
            "as is": triage.Design(),
            "urgent first": triage.Design(order="urgency"),
            "two people": triage.Design(staff=2),
            "PR from 50k": triage.Design(
                overrides={"rules": [{"id": "large_influencer", "when": {"min_followers": 50_000}}]}
            ),
        },
        seed=5,
    )
    assert list(table.index) == ["as is", "urgent first", "two people", "PR from 50k"]
    assert table.loc["urgent first", "negative_reach"] < table.loc["as is", "negative_reach"]
    assert table.loc["two people", "last_answer_h"] < table.loc["as is", "last_answer_h"]
    assert table.loc["two people", "desk_hours"] == table.loc["as is", "desk_hours"]  # same work, shared out
    assert table.loc["PR from 50k", "over_escalations"] > 0 == table.loc["as is", "over_escalations"]
    assert table.loc["as is", "routing_accuracy"] == 1.0
    again = triage.compare(stream, {"as is": triage.Design()}, seed=5)
    pd.testing.assert_frame_equal(again, table.loc[["as is"]])
    with pytest.raises(ValueError, match="order must be one of"):
        triage.run_design(stream, triage.Design(order="loudest"))


def test_routes_name_who_takes_them_and_how_long_they_take():
    policy = triage.load_policy()
    assert {n: r.contact for n, r in policy.routes.items() if r.contact} == {
        "restore": "customer_care",
        "escalate_pr": "pr",
        "escalate_legal": "legal",
        "escalate_crisis": "crisis",
        "escalate_coe": "coe",
        "verify_synthetic": "crisis",
    }
    assert all(r.handle_min > 0 for r in policy.routes.values())
    edited = triage.with_overrides(policy, {"routes": {"restore": {"handle_min": 8, "contact": "hr"}}})
    assert (edited.routes["restore"].handle_min, edited.routes["restore"].contact) == (8, "hr")
    assert edited.routes["restore"].damping == policy.routes["restore"].damping
    with pytest.raises(DataError, match=r"routes\.restore\.contact: expected one of coe"):
        triage.with_overrides(policy, {"routes": {"restore": {"contact": "the boss"}}})
    with pytest.raises(DataError, match=r"routes\.monitor\.handle_min: expected a value >= 0.1"):
        triage.with_overrides(policy, {"routes": {"monitor": {"handle_min": 0}}})


def test_an_organisation_profile_carries_its_triage_policy_overrides(tmp_path):
    from graders.paths import DEMO_ORG

    assert load_org(DEMO_ORG).triage_policy is None
    good = tmp_path / "good.yaml"
    shutil.copyfile(DEMO_ORG, good)
    extra = """
        triage_policy:
          rules:
            - {id: large_influencer, when: {min_followers: 20000}}
          routes:
            escalate_pr: {time_limit_min: 30}
        """
    good.write_text(good.read_text() + textwrap.dedent(extra))
    org = load_org(good)
    params = json.loads(json.dumps(org.to_parameters()))
    policy = triage.load_policy(overrides=params["triage_policy"])
    assert policy.routes["escalate_pr"].time_limit_min == 30
    assert next(r for r in policy.rules if r.id == "large_influencer").when == {"min_followers": 20000}

    bad = tmp_path / "bad.yaml"
    shutil.copyfile(DEMO_ORG, bad)
    bad.write_text(bad.read_text() + "triage_policy:\n  routes:\n    restore: {damping: 3}\n")
    with pytest.raises(DataError) as err:
        load_org(bad)
    assert err.value.path == str(bad) and err.value.field == "triage_policy.routes.restore.damping"


def test_escalations_count_for_the_team_only_when_they_reach_the_team_the_policy_names():
    """Every needed escalation sent to the crisis team: all of them passed on (recall 1), but only the crisis team's
    own reach their team; the recommended routes reach every one."""
    stream = triage.generate_stream("care-desk", seed=7, n_posts=None)
    recommended = stream.posts["route"].astype(str).to_numpy()
    escalate = {name for name, r in stream.policy.routes.items() if r.kind == "escalate"}
    needed = [r for r in recommended if r in escalate]
    assert len(set(needed)) > 1, "the stream must need more than one team for this test to mean anything"

    def played(route_of) -> triage.Score:
        desk = Desk(stream)
        desk.work(route_of)
        return triage.score(triage.simulate(stream, desk.decisions(), seed=7))

    one_team = played(lambda pid: "escalate_crisis" if recommended[pid] in escalate else recommended[pid])
    assert one_team.escalation_recall == 1.0
    assert one_team.escalations_to_team == pytest.approx(needed.count("escalate_crisis") / len(needed))
    assert played(lambda pid: recommended[pid]).escalations_to_team == 1.0
    assert played(lambda pid: "monitor").escalations_to_team == 0.0
