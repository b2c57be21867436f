"""The live crisis exercise's engine: data files, the rules of the shared world, spread, replay, after-action."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from simulations.common.datafiles import DataError
from simulations.exercise import (
    Rejected,
    World,
    after_action,
    list_exercises,
    load_exercise,
    load_roles,
    play,
    timeline,
    wall,
)
from simulations.exercise.model import EXERCISE_DIR


@pytest.fixture(scope="module")
def fresh():
    """A factory of fresh worlds on the defect exercise, with one player per role already joined and the clock on."""

    def make(**kwargs) -> World:
        world = World.create("defect-viral", seed=kwargs.pop("seed", 3), **kwargs)
        for role in world.exercise.roles:
            assert world.apply("join", {"participant": role, "name": role.title(), "role": role})
        assert world.apply("clock", {"action": "start", "at_s": 0.0, "wall": 1000.0})
        return world

    return make


def scripted(world: World, event_id: str) -> int:
    """The post id of a scripted event (they follow the scenario's stream, in the exercise file's order)."""
    ids = [e.id for e in world.exercise.events]
    return len(world.base) + ids.index(event_id)


# ---- data -----------------------------------------------------------------------------------------------------------
def test_shipped_exercises_load_on_existing_scenarios():
    names = list_exercises()
    assert len(names) >= 3
    for name in names:
        ex = load_exercise(name)
        assert ex.scenario.path.exists() and ex.roles and ex.personas and ex.events
        assert all(e.persona in ex.personas for e in ex.events)
        assert ex.entry_role == "social_desk"
    roles = load_roles()
    assert {"social_desk", "legal", "pr", "executive", "coe"} <= set(roles)
    assert {a.kind for a in roles["legal"].actions.values()} >= {"respond", "review"}


def _write(tmp_path: Path, name: str, change) -> Path:
    doc = yaml.safe_load((EXERCISE_DIR / "defect-viral.yaml").read_text())
    change(doc)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d["roles"].append("janitor"), "roles[6]", "expected one of"),
        (lambda d: d["events"][1].update(persona="fan"), "events[1].persona", "journalist persona"),
        (lambda d: d["events"][0].update(at_min=900), "events[0].at_min", "inside the scenario's shift"),
        (lambda d: d["events"][0].update(route="restore"), "events[0].why", "must say why"),
        (lambda d: d["personas"][0].update(disposition="grumpy"), "personas[0].disposition", "hostile"),
        (lambda d: d.update(scenario="no-such-scenario"), "scenario", "no scenario"),
        (lambda d: d["events"][2].update(text="{ceo} says hi"), "events[2].text", "unknown placeholder"),
        (lambda d: d.update(colour="red"), "colour", "unknown field; expected one of title, scenario"),
    ],
)
def test_a_malformed_exercise_names_file_and_field(tmp_path, change, field, words):
    path = _write(tmp_path, "broken", change)
    with pytest.raises(DataError) as err:
        load_exercise(path)
    assert err.value.path == str(path)
    assert err.value.field == field
    assert words in err.value.problem


def test_a_malformed_roles_file_names_file_and_field(tmp_path):
    path = tmp_path / "roles.yaml"
    path.write_text(
        "roles:\n  desk:\n    label: Desk\n    does: x\n    first_response_min: 5\n"
        "    actions:\n      - {id: reply, label: Reply, kind: respond, routes: [hug]}\n"
    )
    with pytest.raises(DataError) as err:
        load_roles(path)
    assert (err.value.path, err.value.field) == (str(path), "roles.desk.actions[0].routes[0]")


# ---- the rules ------------------------------------------------------------------------------------------------------
def test_a_post_waits_in_the_entry_queue_and_a_hand_off_moves_it_after_the_delay(fresh):
    world = fresh()
    press = scripted(world, "press-ask")
    at = world.arrival_s()[press]
    assert press not in world.queue("social_desk", at - 1)["post_id"].tolist()
    assert press in world.queue("social_desk", at)["post_id"].tolist()
    with pytest.raises(Rejected, match="not in PR's queue"):
        world.check(
            "decision",
            {"participant": "pr", "action": "answer", "post": press, "route": "escalate_pr", "at_s": at + 10},
        )
    assert world.apply(
        "handoff", {"participant": "social_desk", "action": "escalate", "post": press, "to": "pr", "at_s": at + 60}
    )
    sent = at + 60 + 3 * 60  # the escalation takes the desk 3 minutes
    arrives = sent + world.exercise.handoff_min * 60
    assert press not in world.queue("social_desk", arrives)["post_id"].tolist()
    assert press not in world.queue("pr", arrives - 1)["post_id"].tolist()
    assert press in world.queue("pr", arrives)["post_id"].tolist()
    assert not world.apply(
        "decision",
        {"participant": "pr", "action": "answer", "post": press, "route": "escalate_pr", "at_s": arrives - 1},
    )
    assert "not in PR's queue" in world.rejected[-1]["why"]
    assert world.apply(
        "decision",
        {"participant": "pr", "action": "answer", "post": press, "route": "escalate_pr", "at_s": arrives + 30},
    )
    st = world.post_state(press)
    assert (st.status, st.route, st.closed_by) == ("closed", "escalate_pr", "pr")
    assert not world.apply(
        "decision",
        {"participant": "pr", "action": "answer", "post": press, "route": "escalate_pr", "at_s": arrives + 90},
    )
    assert "already been dealt with" in world.rejected[-1]["why"]


def test_legal_approves_rewrites_or_blocks_a_reply(fresh):
    world = fresh()
    first = 0
    at = world.arrival_s()[first] + 5
    reply = {"participant": "social_desk", "action": "reply_checked", "post": first, "route": "concur", "at_s": at}
    assert world.apply("decision", reply)
    st = world.post_state(first)
    assert (st.status, st.holder) == ("draft", "legal")
    queue = world.queue("legal", st.entered_s)
    assert queue.loc[queue["post_id"] == first, ["kind", "draft_route", "draft_by"]].values.tolist() == [
        ["draft", "concur", "social_desk"]
    ]
    t = st.entered_s
    assert world.apply(
        "decision", {"participant": "legal", "action": "review", "post": first, "verdict": "block", "at_s": t}
    )
    st = world.post_state(first)
    assert (st.status, st.holder) == ("open", "social_desk")
    assert world.apply("decision", {**reply, "at_s": st.entered_s})
    t = world.post_state(first).entered_s
    assert not world.apply(
        "decision",
        {
            "participant": "legal",
            "action": "review",
            "post": first,
            "verdict": "rewrite",
            "route": "escalate_pr",
            "at_s": t,
        },
    )
    assert world.apply(
        "decision",
        {
            "participant": "legal",
            "action": "review",
            "post": first,
            "verdict": "rewrite",
            "route": "fix_facts",
            "at_s": t,
        },
    )
    st = world.post_state(first)
    assert (st.status, st.route, st.closed_by) == ("closed", "fix_facts", "social_desk")


def test_a_role_can_only_take_its_own_actions_and_a_player_keeps_one_role(fresh):
    world = fresh()
    assert not world.apply(
        "decision", {"participant": "pr", "action": "reply", "post": 0, "route": "concur", "at_s": 5000.0}
    )
    assert "PR cannot 'reply'" in world.rejected[-1]["why"]
    assert not world.apply("join", {"participant": "pr", "name": "Pat", "role": "legal"})
    assert world.apply("join", {"participant": "pr", "name": "Pat again", "role": "pr"})  # reconnecting
    assert not world.apply(
        "decision", {"participant": "ghost", "action": "reply", "post": 0, "route": "concur", "at_s": 5000.0}
    )


def test_the_coe_sets_priorities_that_order_every_queue(fresh):
    world = fresh()
    now = 3000.0
    before = world.queue("social_desk", now)["post_id"].tolist()
    last = before[-1]
    assert world.apply(
        "decision", {"participant": "coe", "action": "prioritise", "post": last, "priority": "high", "at_s": now}
    )
    assert world.queue("social_desk", now)["post_id"].tolist() == [last] + before[:-1]


def test_pause_stops_the_clock_and_speed_scales_it(fresh):
    world = fresh()  # started at wall 1000 at x1
    assert world.now_s(1060.0) == 60.0
    assert world.apply("clock", {"action": "pause", "at_s": 60.0, "wall": 1060.0})
    assert world.now_s(5000.0) == 60.0
    assert not world.apply("clock", {"action": "pause", "at_s": 60.0, "wall": 1100.0})
    assert world.apply("clock", {"action": "resume", "at_s": 60.0, "wall": 2000.0, "speed": 10})
    assert world.now_s(2010.0) == 160.0
    assert not world.apply("clock", {"action": "speed", "at_s": 100.0, "wall": 2011.0, "speed": 4})  # backwards
    assert world.apply("clock", {"action": "end", "at_s": 200.0, "wall": 2014.0})
    assert world.now_s(9999.0) == 200.0
    assert not world.apply(
        "decision", {"participant": "social_desk", "action": "watch", "post": 0, "route": "monitor", "at_s": 300.0}
    )


def test_the_controller_fires_an_event_early_and_types_a_post_as_a_persona(fresh):
    world = fresh()
    rival = scripted(world, "rival-jab")
    assert world.arrival_s()[rival] == 130 * 60
    assert world.apply("inject", {"event": "rival-jab", "at_s": 600.0})
    assert world.arrival_s()[rival] == 600.0
    assert not world.apply("inject", {"event": "rival-jab", "at_s": 700.0})
    n = len(world.posts())
    assert world.apply(
        "inject",
        {
            "persona": "reporter",
            "kind": "journalist_question",
            "severity": "high",
            "text": "Is the recall real?",
            "at_s": 900.0,
            "to": "pr",
        },
    )
    typed = world.posts().iloc[n]
    assert (typed["author"], typed["category"], typed["route"], typed["time_s"]) == (
        "journalist",
        "question",
        "escalate_pr",
        900.0,
    )
    assert n in world.queue("pr", 900.0)["post_id"].tolist()
    assert not world.apply("inject", {"persona": "nobody", "severity": "high", "text": "x", "at_s": 950.0})


def test_the_cheap_queue_and_arrival_times_agree_with_the_post_table(fresh):
    world = fresh()
    for at_s, kind in ((300.0, "journalist_question"), (420.0, "post"), (480.0, "journalist_question")):
        world.apply(
            "inject", {"persona": "reporter", "kind": kind, "severity": "high", "text": f"t{at_s}", "at_s": at_s}
        )
        arrival = world.arrival_s()  # before any post table is built for the new post
        assert np.array_equal(arrival, world.posts()["time_s"].to_numpy())
    world.apply("inject", {"event": "rival-jab", "at_s": 600.0})
    assert np.array_equal(world.arrival_s(), world.posts()["time_s"].to_numpy())
    for role in world.exercise.roles:
        for now in (0.0, 450.0, 600.0, 5_000.0):
            queue = world.queue(role, now)
            assert sorted(queue["post_id"]) == [row[0] for row in world.waiting(role, now)]


# ---- spread --------------------------------------------------------------------------------------------------------
def _reach_of(world: World, post: int) -> tuple[float, float]:
    result, ids = world.simulate(world.base.shift_s - 1)
    row = result.outcome.iloc[int(np.flatnonzero(ids == post)[0])]
    return float(row["negative_reach"]), float(row["baseline_reach"])


def test_a_waiting_post_keeps_spreading_and_a_hand_off_costs_reach(fresh):
    press_reach = []
    for wait_min in (1, 30):
        world = fresh()
        press = scripted(world, "press-ask")
        at = world.arrival_s()[press] + wait_min * 60
        world.apply(
            "handoff", {"participant": "social_desk", "action": "escalate", "post": press, "to": "pr", "at_s": at}
        )
        got = world.post_state(press).entered_s
        world.apply(
            "decision", {"participant": "pr", "action": "answer", "post": press, "route": "escalate_pr", "at_s": got}
        )
        press_reach.append(_reach_of(world, press))
    (early, baseline), (late, baseline2) = press_reach
    assert baseline == baseline2
    assert early < late < baseline
    # An answer that does not fit (the desk's own reply to a journalist) damps nothing.
    world = fresh()
    press = scripted(world, "press-ask")
    world.apply(
        "decision",
        {
            "participant": "social_desk",
            "action": "reply",
            "post": press,
            "route": "concur",
            "at_s": world.arrival_s()[press] + 60,
        },
    )
    wrong, base = _reach_of(world, press)
    assert wrong == pytest.approx(base, rel=1e-12)


# ---- replay and review ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list_exercises())
def test_replaying_the_log_gives_the_same_world_to_the_last_number(name):
    live = World.create(name, seed=11)
    entries = play(live, per_role=2, seed=5)
    assert live.rejected == []
    log = [("setup", live.setup_payload()), *entries]
    again = World.from_log(log)
    a, b = after_action(live), after_action(again)
    assert a.as_dict() == b.as_dict()
    ra, _ = live.simulate()
    rb, _ = again.simulate()
    assert ra.curve.equals(rb.curve) and ra.outcome.equals(rb.outcome)
    assert timeline(live).equals(timeline(again))
    # A different decision at one moment is a different world.
    changed = list(log)
    k = next(i for i, (kind, p) in enumerate(changed) if kind == "decision" and p.get("route") == "restore")
    changed[k] = (changed[k][0], {**changed[k][1], "at_s": changed[k][1]["at_s"] + 1800})
    assert after_action(World.from_log(changed)).as_dict() != a.as_dict()


def test_after_action_figures_follow_the_team(fresh):
    world = World.create("employee-leak", seed=2)
    play(world, per_role=3, lag_s=(10, 120), mistakes=0.0, seed=1)
    good = after_action(world)
    sloppy_world = World.create("employee-leak", seed=2)
    play(sloppy_world, per_role=1, lag_s=(60, 1200), mistakes=0.4, seed=1)
    sloppy = after_action(sloppy_world)
    assert good.posts == sloppy.posts
    assert good.team_alignment > sloppy.team_alignment
    assert good.negative_reach < sloppy.negative_reach <= sloppy.baseline_reach
    assert good.routing_accuracy > sloppy.routing_accuracy
    assert good.escalation_recall == 1.0
    assert good.roles["legal"]["received"] > 0 and good.roles["legal"]["on_time_rate"] is not None
    assert good.handoffs == sum(p["count"] for p in good.handoff_delays.values()) > 0
    shown = wall(world, world.clock.at_s)
    assert shown.negative_reach <= shown.baseline_reach
    assert set(shown.open_by_role) == set(world.exercise.roles)


def test_an_event_s_own_answer_key_sets_its_recommended_route(tmp_path):
    def key(doc):
        doc["events"][2].update(route="escalate_legal", why="A rival's claim about our product is for legal.")

    world = World.create(load_exercise(_write(tmp_path, "keyed", key)), seed=3)
    posts = world.posts()
    jab = scripted(world, "rival-jab")
    assert (posts.loc[jab, "route"], posts.loc[jab, "rule"]) == ("escalate_legal", "exercise: rival-jab")
    assert posts.loc[jab, "why"] == "A rival's claim about our product is for legal."
    assert posts.loc[jab, "time_limit_s"] == 60 * 60  # escalate_legal's limit, below the medium severity's
    assert posts.loc[jab - 1, "route"] == World.create("defect-viral", seed=3).posts().loc[jab - 1, "route"]
