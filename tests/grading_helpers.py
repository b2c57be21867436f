"""Build learner submissions of any module from its release and source: correct, partial, blank, broken, hostile."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.utils import is_grade, is_solution

from graders.course_root import gradebook_url


def answer_ids(nb) -> list[str]:
    return [c.metadata.nbgrader["grade_id"] for c in nb.cells if is_solution(c) and c.cell_type == "code"]


def graded_test_ids(nb) -> list[str]:
    return [c.metadata.nbgrader["grade_id"] for c in nb.cells if is_grade(c) and not is_solution(c)]


def answered(root: Path, module_id: str, answers: set[str] | None = None, override: dict[str, str] | None = None):
    """The release with the solution's code for `answers` (all by default), and `override` sources by grade_id."""
    release = nbformat.read(root / "release" / module_id / f"{module_id}.ipynb", as_version=4)
    source = nbformat.read(root / "source" / module_id / f"{module_id}.ipynb", as_version=4)
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


def place(root: Path, module_id: str, learner: str, nb) -> Path:
    target = root / "submitted" / learner / module_id / f"{module_id}.ipynb"
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
