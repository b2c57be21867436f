"""Build learner submissions of any module from its release and source: correct, partial, blank, broken, hostile."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.utils import is_grade, is_solution

from graders.course.root import gradebook_url


def answer_ids(nb) -> list[str]:
    return [c.metadata.nbgrader["grade_id"] for c in nb.cells if is_solution(c) and c.cell_type == "code"]


def graded_test_ids(nb) -> list[str]:
    return [c.metadata.nbgrader["grade_id"] for c in nb.cells if is_grade(c) and not is_solution(c)]


def lessons(root: Path, module_id: str) -> list[str]:
    """The module's released notebooks by name (one per lesson), in order."""
    return sorted(p.stem for p in (root / "release" / module_id).glob("*.ipynb"))


def answered(
    root: Path,
    module_id: str,
    answers: set[str] | None = None,
    override: dict[str, str] | None = None,
    lesson: str | None = None,
):
    """The release with the solution's code for `answers` (all by default), and `override` sources by grade_id."""
    lesson = lesson or module_id
    release = nbformat.read(root / "release" / module_id / f"{lesson}.ipynb", as_version=4)
    source = nbformat.read(root / "source" / module_id / f"{lesson}.ipynb", as_version=4)
    solutions = {c.metadata.nbgrader["grade_id"]: c.source for c in source.cells if is_solution(c)}
    for cell in release.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in solutions and (answers is None or gid in answers):
            cell.source = "\n".join(
                line
                for line in solutions[gid].splitlines()
                if "### BEGIN SOLUTION" not in line and "### END" not in line
            )
        if override and gid in override:
            cell.source = override[gid]
    return release


def place(root: Path, module_id: str, learner: str, nb, lesson: str | None = None) -> Path:
    target = root / "submitted" / learner / module_id / f"{lesson or module_id}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, str | bytes):
        target.write_text(nb if isinstance(nb, str) else nb.decode(), encoding="utf-8")
    else:
        nbformat.write(nb, target)
    return target


def item_scores(root: Path, module_id: str) -> dict[str, dict[str, float | None]]:
    """learner -> grade_id -> auto_score, from the gradebook."""
    found = {}
    with Gradebook(gradebook_url(root)) as gb:
        for submission in gb.find_assignment(module_id).submissions:
            found[submission.student.id] = {g.name: g.auto_score for nb in submission.notebooks for g in nb.grades}
    return found


def make_late(root: Path, module_id: str, learner: str, nb, lesson: str | None = None) -> None:
    """`learner` hands `nb` in an hour past the due date, in a course that scores late work 0 (nbgrader's plugin)."""
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write('c.LateSubmissionPlugin.penalty_method = "zero"\n')
    with Gradebook(gradebook_url(root)) as gb:
        gb.update_or_create_assignment(module_id, duedate="2030-01-01 00:00:00.000000 UTC")
    target = place(root, module_id, learner, nb, lesson)
    (target.parent / "timestamp.txt").write_text("2030-01-01 01:00:00.000000 UTC\n", encoding="utf-8")


def late_penalties(root: Path, module_id: str) -> dict[str, tuple[float, float | None]]:
    """learner -> (seconds late, late penalty of all the module's notebooks), from the gradebook."""
    with Gradebook(gradebook_url(root)) as gb:
        return {
            s.student.id: (s.total_seconds_late, sum(nb.late_submission_penalty or 0 for nb in s.notebooks))
            for s in gb.find_assignment(module_id).submissions
        }


def release_of(root: Path, module_id: str, lesson: str | None = None):
    """A released lesson notebook: `lesson`, or the one named like the module; every lesson's cells with lesson="*"."""
    if lesson == "*":
        merged = nbformat.v4.new_notebook()
        merged.cells = [c for name in lessons(root, module_id) for c in release_of(root, module_id, name).cells]
        return merged
    return nbformat.read(root / "release" / module_id / f"{lesson or module_id}.ipynb", as_version=4)


def mixed(root: Path, module_id: str) -> list[str]:
    """Correct, partial, blank, broken and late submissions of a module, every lesson of it; returns the learner ids.

    The partial learner answers every other question of the module; the broken one breaks its last answer."""
    answers = answer_ids(release_of(root, module_id, "*"))
    last = lessons(root, module_id)[-1]
    for lesson in lessons(root, module_id):
        place(root, module_id, "correct", answered(root, module_id, lesson=lesson), lesson)
        place(root, module_id, "partial", answered(root, module_id, set(answers[::2]), lesson=lesson), lesson)
        place(root, module_id, "blank", release_of(root, module_id, lesson), lesson)
        broken = {answers[-1]: "def broken(:\n    pass"} if lesson == last else None
        place(root, module_id, "broken", answered(root, module_id, override=broken, lesson=lesson), lesson)
        make_late(root, module_id, "late", answered(root, module_id, lesson=lesson), lesson)
    return ["correct", "partial", "blank", "broken", "late"]


def cell_errors(root: Path, module_id: str, learner: str) -> dict[str, str]:
    """grade_id (or lesson:cell index) -> the name of the error its cell raised, in the learner's autograded lessons."""
    found = {}
    for path in sorted((root / "autograded" / learner / module_id).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    key = cell.metadata.get("nbgrader", {}).get("grade_id", f"{path.stem}:{index}")
                    found[key] = output["ename"]
    return found
