"""The Center of Excellence's analyst exercises, answered without code: each code exercise of governance-kpis,
staying-current and triage-design has a question widget beside it, and a learner who answers only there (the code
cell left as released) gets the exercise's full points from `smtk grade` and from stock nbgrader; a wrong answer in
the widget loses exactly that exercise's points (stock nbgrader checks the first).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from roundtrip import autograde

from graders.course.banks import items
from graders.course.root import open_gradebook
from graders.grading.banks import module_banks
from graders.grading.pipeline import autograde as smtk_grade
from graders.paths import SOURCE
from simulations.common.records import with_records

MODULES = ("governance-kpis", "staying-current", "triage-design")
SLUG = "demo"


def alternatives(module_id: str) -> dict[str, list[tuple[str, object]]]:
    """lesson -> [(test cell, alternative qid)] of the module's code exercises with a widget alternative."""
    found = {}
    for lesson, (_, its_items) in module_banks(module_id).items():
        found[lesson] = [(item.tests[0], item.alternative) for item in its_items if item.alternative]
    return found


def widget_answer(module_id: str, lesson: str, qid: str, verdict: str) -> object:
    """The bank's first right (or wrong) widget answer of `qid`, as the demo organisation's learner gives it."""
    bank, _ = module_banks(module_id)[lesson]
    return next(e for e in bank.of(qid) if e.verdict == verdict).answer_for(SLUG)


def hand_in(root: Path, module_id: str, learner: str, wrong: tuple[str, str] | None) -> None:
    """Every lesson's release with each widget alternative answered (right, or wrong for `wrong` = (lesson, qid)), the
    code cells as released."""
    folder = root / "submitted" / learner / module_id
    folder.mkdir(parents=True)
    for lesson, alts in alternatives(module_id).items():
        release = json.loads((root / "release" / module_id / f"{lesson}.ipynb").read_text(encoding="utf-8"))
        records = {
            f"question:{qid}": widget_answer(module_id, lesson, qid, "wrong" if wrong == (lesson, qid) else "right")
            for _, qid in alts
        }
        notebook = with_records(release, records) if records else release
        (folder / f"{lesson}.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")


def scores(root: Path, module_id: str, learner: str) -> dict[str, float]:
    with open_gradebook(root) as gb:
        sub = gb.find_submission(module_id, learner)
        return {g.name: float(g.score or 0) for nb in sub.notebooks for g in nb.grades if g.auto_score is not None}


def test_every_code_exercise_of_the_analyst_modules_has_a_widget_alternative():
    for module_id in MODULES:
        notebooks = sorted((SOURCE / module_id).glob("*.ipynb"))
        code = [i for path in notebooks for i in items(path) if i.kind == "code"]
        assert code and all(i.alternative for i in code), module_id
    assert sum(len(alts) for m in MODULES for alts in alternatives(m).values()) == 10


@pytest.mark.slow
@pytest.mark.parametrize("module_id", MODULES)
def test_widget_only_answers_get_full_points_and_a_wrong_one_loses_its_exercise(
    module_id, tailored, copy_of, tmp_path, sandboxes
):
    """Stock nbgrader grades the widget-only learner and the first wrong one (stock and smtk grading agree on every
    bank answer in test_answer_banks); `smtk grade` grades every learner, one wrong exercise each."""
    course = tailored(SLUG)
    root = copy_of(course)
    alts = [(lesson, test, qid) for lesson, found in alternatives(module_id).items() for test, qid in found]
    hand_in(root, module_id, "widget-only", None)
    learners = {"widget-only": None}
    for k, (lesson, _, qid) in enumerate(alts):
        learners[f"widget-wrong-{k}"] = (lesson, qid)
        hand_in(root, module_id, f"widget-wrong-{k}", (lesson, qid))
    stock, stock_checked = tmp_path / "stock", list(learners)[:2]
    shutil.copytree(course.root, stock)
    for learner in stock_checked:
        shutil.copytree(root / "submitted" / learner, stock / "submitted" / learner)
    smtk_grade(module_id, root, workers=2, progress=False, sandboxes=sandboxes)
    autograde(stock, module_id)
    points = {test: i.points for _, found in module_banks(module_id).values() for i in found for test in i.tests}
    for learner, wrong in learners.items():
        got = scores(root, module_id, learner)
        if learner in stock_checked:
            assert got == scores(stock, module_id, learner), learner
        got = {test: score for test, score in got.items() if test in points}  # written answers wait for the trainer
        expected = dict(points)
        if wrong:
            (test,) = [t for lesson, t, qid in alts if (lesson, qid) == wrong]
            expected[test] = 0.0
        assert got == expected, (learner, wrong)


def test_a_widget_alternative_holds_an_answer_once_a_box_is_ticked():
    from simulations.ui.lessons.questions import Matching, MultipleChoice

    ticks = MultipleChoice("q9", "Tick.", {"a": "A", "b": "B"}, key=["a"])
    assert not ticks.answered  # never touched: the code is graded
    ticks.record(["b"])
    assert ticks.answered  # a wrong answer is an answer: the widget is graded, and fails
    ticks.record([])
    assert not ticks.answered  # ticked and cleared again: the code is graded
    match = Matching("q8", "Match.", {"a": "A", "b": "B"}, {"x": "X"}, key={"a": "x", "b": "x"})
    match.record({"a": "x", "b": None})
    assert not match.answered  # one item left unset: not an answer the key can judge
