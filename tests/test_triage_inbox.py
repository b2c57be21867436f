"""The inbox widget in-process (real ipywidgets objects, clicked through their buttons): routing, the live chart,
the debrief, the recorded shift and its restoration from a saved notebook."""

from __future__ import annotations

import json
from html import escape

import nbformat
import pandas as pd
import pytest

import simulations.triage as triage
from simulations.profile.org import org_parameters
from simulations.ui.lessons.inbox import Inbox, drill
from simulations.ui.lessons.process_lab import ProcessLab
from simulations.ui.lessons.record import LABEL, WIDGET_STATE

ORG = org_parameters(None)
SEED = 7


def inbox(**kwargs) -> Inbox:
    return Inbox.for_org(ORG, "care-desk", seed=SEED, **kwargs)


def recommended(box: Inbox, pid: int) -> str:
    return str(box.stream.posts.loc[pid, "route"])


def saved_notebook(path, key: str, data) -> None:
    """A notebook whose saved widget state holds a record, as JupyterLab writes it on save."""
    nb = nbformat.v4.new_notebook()
    value = json.dumps({"key": key, "data": data}, sort_keys=True)
    state = {"m1": {"model_name": "TextareaModel", "state": {"description": f"{LABEL}{key}", "value": value}}}
    nb.metadata["widgets"] = {WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}}
    nbformat.write(nb, path)


def test_a_click_routes_the_selected_post_moves_the_clock_and_redraws_the_chart_in_place():
    box = inbox()
    figure, line, before = box.chart.figure, box.chart.so_far, box.chart.image.value
    first = int(box.queue.value)
    assert first == 0 and box.queue.options[0][1] == 0 and "0 of" in box.status.value
    box.buttons[recommended(box, first)].click()
    assert f"1 of {len(box.stream)} handled" in box.status.value
    assert box.chart.image.value != before and box.chart.figure is figure and box.chart.so_far is line
    assert box.desk.clock_s >= box.stream.posts.loc[first, "time_s"] + 60
    made = box.decisions()
    assert list(made["post_id"]) == [first] and str(made["route"].iloc[0]) == recommended(box, first)


def test_an_escalation_names_the_organisations_team():
    box = inbox()
    safety = int(box.stream.posts.index[box.stream.posts["category"] == "safety"][0])
    while safety not in box.desk.waiting():
        box.buttons["let_stand"].click()
    box.queue.value = safety
    assert f"Post {safety}" in box.card.value
    box.buttons["escalate_crisis"].click()
    crisis = ORG["contacts"]["crisis"]
    assert crisis["name"] in box.notice.value and crisis["email"] in box.notice.value
    assert str(box.decisions().set_index("post_id").loc[safety, "route"]) == "escalate_crisis"


def test_the_end_of_the_shift_brings_the_debrief_and_locks_the_buttons():
    box = inbox()
    for _ in range(3):
        box.buttons[recommended(box, int(box.queue.value))].click()
    box.end_button.click()
    assert box.played and "Shift over" in box.status.value
    assert all(b.disabled for b in box.buttons.values())
    html = box.debrief_view.value
    assert "Debrief" in html and html.count("<tr") == len(box.stream) + 1
    assert escape(triage.load_policy().rules[0].why) in html  # why the unanswered safety post needed the crisis team
    box.buttons["monitor"].click()  # refused, and said so instead of failing silently
    assert "shift is over" in box.notice.value and box.score().decided == 3


def test_restarting_needs_a_second_click():
    box = inbox()
    box.buttons[recommended(box, 0)].click()
    box.end_button.click()
    box.restart_button.click()
    assert box.played and "Click again" in box.restart_button.description
    box.restart_button.click()
    assert not box.played and box.score().decided == 0


def test_autoplay_is_a_replay_with_the_route_function_and_says_so():
    box = inbox()

    def route(post):
        return "escalate_coe" if post["author"] == "employee" else "let_stand"

    box.autoplay(route)
    assert box.played and box.autoplayed and "played automatically" in box.debrief_view.value
    expected = triage.replay(box.stream, route_fn=route)
    pd.testing.assert_frame_equal(box.decisions(), expected)


def test_a_shift_saved_in_the_notebook_is_restored_with_the_same_score(tmp_path):
    played = inbox(record="shift", notebook=tmp_path / "first.ipynb")
    while not played.played:
        played.buttons[recommended(played, int(played.queue.value))].click()
    data = json.loads(played.recorder.widget.value)["data"]
    saved_notebook(tmp_path / "shift.ipynb", "shift", data)

    again = inbox(record="shift", notebook=tmp_path / "shift.ipynb")
    assert again.restored and again.played and not again.autoplayed
    pd.testing.assert_frame_equal(again.decisions(), played.decisions())
    assert again.score() == played.score() and again.score().routing_accuracy == 1.0
    assert "Debrief" in again.debrief_view.value


def test_rerunning_the_cell_in_the_same_kernel_keeps_an_unsaved_shift(tmp_path):
    first = inbox(record="rerun", notebook=tmp_path / "rerun.ipynb")
    first.buttons[recommended(first, 0)].click()
    second = inbox(record="rerun", notebook=tmp_path / "rerun.ipynb")
    assert second.score().decided == 1 and not second.played


def test_a_damaged_or_foreign_record_starts_a_new_shift_and_keeps_the_old_one(tmp_path):
    other = triage.generate_stream("care-desk", seed=SEED + 1, org_name=ORG["name"], products=ORG["products"])
    foreign = triage.Desk(other).to_record()
    for name, data in (("foreign", foreign), ("broken", {"spec": "nonsense"}), ("list", [1, 2])):
        path = tmp_path / f"{name}.ipynb"
        saved_notebook(path, name, data)
        box = inbox(record=name, notebook=path)
        assert not box.restored and not box.played
        assert "could not be restored" in box.notice.value
        assert json.loads(box.recorder.widget.value)["data"] == data, "nothing is lost until the learner acts"


def test_the_drill_starts_a_fresh_shift_when_the_scenario_changes():
    box = drill(ORG, ["care-desk", "troll-swarm"], first="troll-swarm")
    picker, shown = box.children
    assert picker.value == "troll-swarm" and "smtk-inbox" in shown._dom_classes
    picker.value = "care-desk"
    assert box.children[1] is not shown


@pytest.mark.parametrize("route", ["shout", None])
def test_decide_refuses_unknown_routes(route):
    box = inbox()
    with pytest.raises((ValueError, TypeError)):
        box.decide(route)
    assert box.score().decided == 0


def test_the_process_lab_replays_an_edited_process_and_reports_bad_edits():
    stream = triage.generate_stream("defect-viral", seed=5, org_name=ORG["name"], products=ORG["products"])
    lab = ProcessLab(stream, seed=5)
    assert list(lab.result.index) == ["as it is", "your design"]
    assert lab.result.loc["your design", "negative_reach"] == lab.result.loc["as it is", "negative_reach"]
    before = lab.image.value
    lab.staff.value, lab.order.value = 2, "urgency"
    lab.editor.value = "routes:\n  restore: {handle_min: 3}\n"
    lab.run_button.click()
    expected = triage.compare(
        stream,
        {"x": triage.Design(overrides={"routes": {"restore": {"handle_min": 3}}}, staff=2, order="urgency")},
        seed=5,
    )
    assert lab.result.loc["your design", "negative_reach"] == expected.loc["x", "negative_reach"]
    assert lab.result.loc["your design", "negative_reach"] < lab.result.loc["as it is", "negative_reach"]
    assert lab.image.value != before and "2 people, most urgent first" in lab.message.value
    shown = lab.table.value
    lab.editor.value = "rules:\n  - {id: large_influencer, when: {min_followers: fifty}}"
    lab.run_button.click()
    assert "rules[0].when.min_followers: expected a whole number" in lab.message.value
    assert lab.table.value == shown, "a bad edit leaves the last comparison in place"
    lab.editor.value = "rules: [ {id: "
    lab.run_button.click()
    assert "not valid YAML" in lab.message.value
