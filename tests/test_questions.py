"""Question widgets: the judging, and answers recorded in a saved notebook graded by real nbgrader and `smtk grade`.

Records are written the way JupyterLab saves them (a hidden text widget in the notebook's widget state), so these
tests reach the grading without a browser; tests/test_browser_questions.py enters the same answers by hand.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.api import Gradebook
from nbgrader.utils import determine_grade, is_grade
from roundtrip import autograde, submit

from graders.course.manifest import load_manifest
from graders.course.root import gradebook_url
from graders.grading.pipeline import autograde as smtk_autograde
from graders.results.gradebook import read_feedback
from simulations.common.records import FEEDBACK_RECORD, record_in, saved_record, with_records
from simulations.lessons.questions import Question, check, parse_number, seal, unseal

PILOT = "goals-before-tools"
LESSONS = {"goals-before-tools": ("q1", "q2a", "q2b"), "sponsor-conversation": ("q3", "q4")}  # each lesson's questions


# -- the judging, one kind at a time


def test_multiple_choice_names_what_to_look_at_again():
    q = Question("q", "multiple", "Which?", options={k: k.upper() for k in "abcde"}, key=["b", "d"])
    assert check(q, ["a", "d"]).message == "3 of 5 right: look again at a and b."
    assert check(q, ["b", "d"]).all_right and check(q, ["b", "d"]).message == "All 5 right."
    assert not check(q, None).answered and check(q, None).message == "Not answered yet."


@pytest.mark.parametrize(
    ("kind", "extra", "right", "wrong", "unanswered"),
    [
        ("single", {"options": {"a": "A", "b": "B"}, "key": "b"}, "b", "a", "z"),
        (
            "order",
            {"options": {"a": "A", "b": "B", "c": "C"}, "key": ["c", "a", "b"]},
            ["c", "a", "b"],
            ["a", "c", "b"],
            ["c", "c", "b"],
        ),
        (
            "match",
            {"options": {"a": "A", "b": "B"}, "choices": {"x": "X", "y": "Y"}, "key": {"a": "x", "b": "y"}},
            {"a": "x", "b": "y"},
            {"a": "y", "b": "y"},
            {"a": "x"},
        ),
        ("number", {"key": 7600, "tolerance": 1, "unit": "people"}, "7,600.5", 7700, "seven thousand"),
        ("text", {"key": ["Center of Excellence", "CoE"]}, "  center of  EXCELLENCE ", "the hub", "   "),
    ],
)
def test_each_kind_tells_right_wrong_and_unanswered(kind, extra, right, wrong, unanswered):
    q = Question("q", kind, "prompt", **extra)
    assert check(q, right).all_right
    assert check(q, wrong).answered and not check(q, wrong).all_right
    assert not check(q, unanswered).answered


def test_order_feedback_names_the_places():
    q = Question("q", "order", "p", options={"a": "A", "b": "B", "c": "C"}, key=["a", "b", "c"])
    assert check(q, ["b", "a", "c"]).message == "1 of 3 in place: look again at the 1st place and the 2nd place."
    assert check(q, ["b", None, None]).message == "Not answered yet: put every item in a place, each once."


def test_long_answer_asks_for_enough_words():
    q = Question("q", "long", "Write", min_words=5)
    assert check(q, "too short").message == "Write at least 5 words (2 so far)."
    assert check(q, "one two three four five").message == "Saved for your trainer (5 words)."


def test_sealed_keys_read_back_and_bad_questions_are_refused():
    assert unseal(seal(["b", "d"])) == ["b", "d"] and "b" not in seal(["b", "d"]).split(":", 1)[1]
    typed = ["7600", "7,600", "7 600", "7.600,0", "7,600.0", "1,234,567", "0,5", "1.234,5", "nonsense", "", "1,2,3.4.5"]
    assert [parse_number(t) for t in typed] == [7600, 7600, 7600, 7600, 7600, 1234567, 0.5, 1234.5, None, None, None]
    assert parse_number(float("nan")) is None and parse_number(True) is None and parse_number(12) == 12.0
    with pytest.raises(ValueError, match=r"question 'q' \(single\): the key 'c' is not one of the options"):
        Question("q", "single", "p", options={"a": "A", "b": "B"}, key="c")
    with pytest.raises(ValueError, match="must list every option"):
        Question("q", "order", "p", options={"a": "A", "b": "B"}, key=["a"])


# -- every widget kind in a notebook: answers recorded, re-run, and scored as nbgrader scores a test cell

ALL_KINDS = {
    "single": ('SingleChoice("single", "Pick", {"a": "A", "b": "B"}, key="b"', "b", "a"),
    "multiple": (
        'MultipleChoice("multiple", "Tick", {"a": "A", "b": "B", "c": "C"}, key=["a", "c"]',
        ["a", "c"],
        ["a"],
    ),
    "order": (
        'Ordering("order", "Order", {"a": "A", "b": "B", "c": "C"}, key=["c", "b", "a"]',
        ["c", "b", "a"],
        ["c", "a", "b"],
    ),
    "match": (
        'Matching("match", "Match", {"a": "A", "b": "B"}, {"x": "X", "y": "Y"}, key={"a": "y", "b": "x"}',
        {"a": "y", "b": "x"},
        {"a": "x", "b": "x"},
    ),
    "number": ('Number("number", "How many?", key=7600, tolerance=1, unit="people"', 7600.0, 7650.0),
    "text": ('ShortText("text", "Who?", key=["Center of Excellence", "CoE"]', "CoE", "the hub"),
}


def kinds_notebook() -> nbformat.NotebookNode:
    """One question of each autograded kind, each shown by a grade cell that asserts it (as a module's do), then a
    written answer and the feedback widget."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "smtk", "display_name": "Social Media Training (Python 3)", "language": "python"}
    nb.cells.append(nbformat.v4.new_code_cell("from simulations.ui.lessons.questions import *"))
    for kind, (call, _, _) in ALL_KINDS.items():
        cell = nbformat.v4.new_code_cell(
            f'{kind} = {call}, notebook="kinds.ipynb")\ndisplay({kind})\n{kind}.assert_right()'
        )
        cell.metadata.nbgrader = {"grade": True, "solution": False, "locked": True, "points": 2, "grade_id": kind}
        nb.cells.append(cell)
    nb.cells.append(
        nbformat.v4.new_code_cell('long = LongAnswer("long", "Write", notebook="kinds.ipynb")\ndisplay(long)')
    )
    nb.cells.append(nbformat.v4.new_code_cell('display(ModuleFeedback(notebook="kinds.ipynb"))'))
    return nb


def execute(path: Path) -> nbformat.NotebookNode:
    """Run the saved notebook in a fresh kernel in its folder, as nbgrader's autograde does; the notebook it leaves."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, allow_errors=True, resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def test_every_kind_scores_its_own_points_and_a_rerun_keeps_the_answers(tmp_path):
    path = tmp_path / "kinds.ipynb"
    base = json.loads(nbformat.writes(kinds_notebook()))
    right = {f"question:{k}": r for k, (_, r, _) in ALL_KINDS.items()}
    right |= {"question:long": "Our goal is fewer crises.", FEEDBACK_RECORD: {"rating": 4, "comment": "clear"}}
    for wrong_kind in [None, *ALL_KINDS]:
        records = dict(right)
        if wrong_kind:
            records[f"question:{wrong_kind}"] = ALL_KINDS[wrong_kind][2]
        path.write_text(json.dumps(with_records(base, records)))
        ran = execute(path)
        scores = {c.metadata.nbgrader["grade_id"]: determine_grade(c)[0] for c in ran.cells if is_grade(c)}
        assert scores == {k: (0.0 if k == wrong_kind else 2.0) for k in ALL_KINDS}, wrong_kind
        errors = [o for c in ran.cells for o in c.outputs if o.output_type == "error"]
        assert len(errors) == (1 if wrong_kind else 0) and all(e.ename == "AssertionError" for e in errors)
        # the run stored the widgets' state (nbclient writes it as JupyterLab's saveState does): every answer is
        # still there, so a second run, or a second save, keeps them all
        saved = json.loads(nbformat.writes(ran))
        assert {key: record_in(saved, key) for key in records} == records
    path.write_text(nbformat.writes(ran))
    again = json.loads(nbformat.writes(execute(path)))
    assert {key: record_in(again, key) for key in records} == records
    assert read_feedback(path) == (4, "clear")


def test_the_blank_notebook_records_nothing_and_fails_only_its_tests(tmp_path):
    path = tmp_path / "kinds.ipynb"
    nbformat.write(kinds_notebook(), path)
    ran = execute(path)
    failed = [
        c.metadata.get("nbgrader", {}).get("grade_id") for c in ran.cells for o in c.outputs if o.output_type == "error"
    ]
    assert failed == list(ALL_KINDS)
    assert all("Not answered yet" in o.evalue for c in ran.cells for o in c.outputs if o.output_type == "error")
    saved = json.loads(nbformat.writes(ran))
    assert all(record_in(saved, f"question:{k}") is None for k in [*ALL_KINDS, "long"])
    assert read_feedback(path) == (None, "")


# -- the pilot module through real nbgrader and `smtk grade`


def solution_records(course_root: Path, tmp_path: Path) -> dict[str, dict[str, Any]]:
    """The records each lesson's worked answers leave: what a learner who answers everything right saves."""
    found = {}
    for lesson, qids in LESSONS.items():
        source = course_root / "source" / PILOT / f"{lesson}.ipynb"
        folder = tmp_path / "solved" / lesson
        shutil.copytree(source.parent, folder)
        ran = json.loads(nbformat.writes(execute(folder / source.name)))
        found[lesson] = {f"question:{q}": record_in(ran, f"question:{q}") for q in qids}
        assert all(value is not None for value in found[lesson].values()), found[lesson]
    return found


def wrong(qid: str, answer: Any) -> Any:
    """A wrong answer of the same kind as `answer`."""
    if isinstance(answer, list) and qid == "q3":
        return [answer[1], answer[0], *answer[2:]]  # two places swapped
    if isinstance(answer, list):
        return sorted(set(answer) ^ {"a"})  # one more statement ticked
    return float(answer) + 100.0


def item_scores(root: Path, learner: str) -> dict[str, float]:
    with Gradebook(gradebook_url(root)) as gb:
        return {
            g.name: g.score for lesson in LESSONS for g in gb.find_submission_notebook(lesson, PILOT, learner).grades
        }


@pytest.mark.slow
def test_wrong_answer_in_each_item_loses_exactly_its_points(course_copy, tmp_path, sandboxes):
    releases = {lesson: course_copy / "release" / PILOT / f"{lesson}.ipynb" for lesson in LESSONS}
    records = solution_records(course_copy, tmp_path)
    learners = {"ada": records, "bob": {lesson: {} for lesson in LESSONS}}  # every answer right; the blank release
    for qid in ("q1", "q2a", "q2b", "q3"):  # every auto-graded item, in the lesson that asks it
        lesson, key = next(lesson for lesson, qids in LESSONS.items() if qid in qids), f"question:{qid}"
        learners[f"wrong-{qid}"] = records | {lesson: records[lesson] | {key: wrong(qid, records[lesson][key])}}
    for learner, lessons in learners.items():
        for lesson, answers in lessons.items():
            path = tmp_path / learner / f"{lesson}.ipynb"
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps(with_records(json.loads(releases[lesson].read_text()), answers)))
            assert {k: saved_record(path, k) for k in answers} == answers
            submit(course_copy, PILOT, learner, path, lesson)
    ours = tmp_path / "smtk-grade"
    shutil.copytree(course_copy, ours)
    autograde(course_copy, PILOT)  # stock nbgrader
    smtk_autograde(PILOT, ours, progress=False, sandboxes=sandboxes)

    points = {"q1-tests": 2.0, "q2a-tests": 2.0, "q2b-tests": 1.0, "q3-tests": 2.0, "q4-opening": 0.0}
    assert sum(points.values()) + 3 == load_manifest().module(PILOT).points
    for root in (course_copy, ours):
        assert item_scores(root, "ada") == points
        assert item_scores(root, "bob") == dict.fromkeys(points, 0.0)
        for qid in ("q1", "q2a", "q2b", "q3"):
            assert item_scores(root, f"wrong-{qid}") == points | {f"{qid}-tests": 0.0}, qid
    with Gradebook(gradebook_url(course_copy)) as gb:
        assert gb.find_grade("q4-opening", "sponsor-conversation", PILOT, "ada").needs_manual_grade

    # The blank release: every answer missing fails its own test and nothing else errs.
    errors = {
        c.metadata.get("nbgrader", {}).get("grade_id"): o
        for lesson in LESSONS
        for c in nbformat.read(course_copy / "autograded" / "bob" / PILOT / f"{lesson}.ipynb", as_version=4).cells
        for o in c.get("outputs", [])
        if o.output_type == "error"
    }
    assert set(errors) == {"q1-tests", "q2a-tests", "q2b-tests", "q3-tests"}
    assert all(e.ename == "AssertionError" and "Not answered yet" in e.evalue for e in errors.values())
    # The trainer reads the written answer in the graded notebook, under the question it answers.
    solved = nbformat.read(course_copy / "autograded" / "ada" / PILOT / "sponsor-conversation.ipynb", as_version=4)
    shown = "".join(o.get("data", {}).get("text/plain", "") for c in solved.cells for o in c.get("outputs", []))
    assert records["sponsor-conversation"]["question:q4"].split(".")[0] in shown
