"""The exercise's controller and player screens driven from Python, on one SQLite log, as two browsers would."""

from __future__ import annotations

import time

import numpy as np

from simulations.ui.apps.exercise import ControllerApp, PlayerApp, ReviewApp, WallApp


def test_controller_and_players_share_the_exercise(tmp_path):
    target = str(tmp_path / "exercises.db")
    controller = ControllerApp(target)
    controller.code.value = "DRILL1"
    controller.exercise.value = "defect-viral"
    controller.create_button.click()
    assert "DRILL1" in controller.message.value and controller.console.layout.display == ""

    desk = PlayerApp(target, participant="ana")
    desk.code.value = "drill1"
    desk.look.click()
    desk.name.value, desk.role.value = "Ana", "social_desk"
    desk.join_button.click()
    assert desk.inbox.layout.display == "" and "Social media desk" in desk.header.value

    pr = PlayerApp(target, participant="pat")
    pr.code.value = "DRILL1"
    pr.look.click()
    pr.name.value, pr.role.value = "Pat", "pr"
    pr.join_button.click()

    controller.start.click()
    controller.persona.value = "reporter"
    controller.kind.value = "journalist_question"
    controller.severity.value = "high"
    controller.text.value = "Will there be a recall?"
    controller.post.click()
    assert "smtk-message-box" not in controller.message.value
    drawn = pr.queue.value = "(as drawn before)"
    pr.refresh()
    desk.refresh()
    assert "Will there be a recall?" in desk.queue.value  # the inject reached the desk's screen
    assert pr.queue.value == drawn  # and cost PR's screen no redraw: nothing it shows changed
    post = next(v for label, v in desk.item.options if "recall" in label)
    desk.item.value = post
    desk.action.value = "escalate"
    desk.choice.value = "pr"
    desk.go.click()
    assert "Will there be a recall?" not in desk.queue.value
    controller.speed.value = 10
    assert controller.live.world.clock.speed == 10
    controller.refresh()
    assert "Players" in controller.status.value and "2" in controller.status.value

    # A player who closes and reopens the page gets role and queue back.
    again = PlayerApp(target, participant="pat")
    again.code.value = "DRILL1"
    again.look.click()
    assert (again.name.value, again.role.value) == ("Pat", "pr")
    again.join_button.click()
    assert again.role_id == "pr"

    controller.pause.click()
    paused = controller.live.now_s()
    time.sleep(0.2)
    again.refresh()
    assert again.live.now_s() == paused
    wall = WallApp(target, code="drill1")
    assert "Open items per role" in wall.queues.value and "paused" in wall.status.value
    controller.end.click()
    assert "Team alignment" in controller.review.value
    again.tick()
    assert "Team alignment" in again.review.value and again.go.disabled
    wall.tick()
    assert "Ana" in wall.review.value and "escalate" in wall.review.value  # the timeline says who did what
    assert ReviewApp(target, code="DRILL1").review.value == wall.review.value

    # Without a participant id, the name typed says who comes back: same name, same role.
    by_name = PlayerApp(target)
    by_name.code.value = "DRILL1"
    by_name.look.click()
    by_name.name.value, by_name.role.value = "  Rui  ", "legal"
    by_name.join_button.click()
    back = PlayerApp(target)
    back.code.value = "DRILL1"
    back.look.click()
    back.name.value, back.role.value = "rui", "pr"
    back.join_button.click()
    assert back.role_id == "legal" and back.me == by_name.me

    bad = PlayerApp(target)
    bad.code.value = "NOPE"
    bad.look.click()
    assert "no exercise with the code NOPE" in bad.message.value


def test_an_ended_exercise_can_be_played_again_alone_in_the_triage_inbox(tmp_path):
    target = str(tmp_path / "exercises.db")
    controller = ControllerApp(target)
    controller.code.value, controller.exercise.value = "SOLO1", "defect-viral"
    controller.create_button.click()
    controller.start.click()
    controller.speed.value = 10
    controller.persona.value, controller.kind.value, controller.severity.value = (
        "reporter",
        "journalist_question",
        "high",
    )
    controller.text.value = "Typed by the controller: is the recall real?"
    controller.post.click()
    review = ReviewApp(target, code="SOLO1")
    assert review.solo_button.disabled  # not while the exercise runs
    controller.end.click()
    review.tick()
    assert not review.solo_button.disabled
    review.solo_button.click()
    world = review.live.world
    stream = review.inbox.stream
    out = np.flatnonzero(world.posts()["time_s"].to_numpy() <= world.clock.at_s)
    assert len(stream) == len(out) and np.all(np.diff(stream.posts["time_s"].to_numpy()) >= 0)
    assert "Typed by the controller: is the recall real?" in set(stream.posts["text"].astype(str))
    assert stream.posts["post_id"].tolist() == list(range(len(stream)))
    first = review.inbox.desk.waiting()[0]
    review.inbox.decide(stream.posts.loc[first, "route"], int(first))  # the recommended route, by hand
    assert len(review.inbox.decisions()) == 1 and "The same crisis, alone" in review.solo.children[0].value
