"""The first module through real nbgrader commands: the solution scores full marks, the blank release scores zero."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest
from roundtrip import autograde, scores, submit

from graders.tailor import PARAMETERS_GRADE_ID

MODULE = "policy-disclosure"
PROBE = "import os\nprint('kernel:', os.environ.get('SMTK_KERNEL'))"


def with_probe(src: Path, dst: Path) -> Path:
    """A copy of a notebook with a last cell that prints which kernelspec runs it (the smtk spec sets SMTK_KERNEL)."""
    nb = nbformat.read(src, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    nbformat.write(nb, dst)
    return dst


def test_release_holds_no_solutions_or_hidden_tests(demo_course):
    source = demo_course.root / "source" / MODULE / f"{MODULE}.ipynb"
    release = demo_course.release(MODULE).read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" in source.read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in release
    # a hidden assertion from the source must not leak into the release
    assert 'is_clear_disclosure("#ad") is True' not in release
    assert "raise NotImplementedError()" in release


def test_release_shows_the_organisation(demo_course):
    release = nbformat.read(demo_course.release(MODULE), as_version=4)
    text = "\n".join(c.source for c in release.cells)
    org = demo_course.org
    assert org.name in text
    for contact in org.contacts.values():
        assert contact.email in text
    injected = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade_id") == PARAMETERS_GRADE_ID]
    assert len(injected) == 1 and injected[0].metadata.nbgrader["locked"]


def test_papermill_executes_source_in_learner_kernel(demo_course, tmp_path):
    source = demo_course.root / "source" / MODULE / f"{MODULE}.ipynb"
    probe = with_probe(source, tmp_path / "probe.ipynb")
    out = papermill.execute_notebook(
        str(probe), str(tmp_path / "out.ipynb"), cwd=str(source.parent), progress_bar=False
    )
    assert out.metadata.kernelspec.name == "smtk"
    assert "kernel: smtk" in out.cells[-1].outputs[0]["text"]


@pytest.mark.slow
def test_solution_full_marks_blank_zero(course_copy: Path, tmp_path):
    source = course_copy / "source" / MODULE / f"{MODULE}.ipynb"
    release = course_copy / "release" / MODULE / f"{MODULE}.ipynb"
    submit(course_copy, MODULE, "ada", with_probe(source, tmp_path / "solution.ipynb"))
    submit(course_copy, MODULE, "bob", release)
    autograde(course_copy, MODULE)

    solution, blank = scores(course_copy, MODULE, "ada"), scores(course_copy, MODULE, "bob")
    assert solution.max_auto == 8 and solution.auto == 8
    assert blank.max_auto == 8 and blank.auto == 0
    assert solution.needs_manual_grade  # the written answer waits for the trainer in formgrader

    graded = nbformat.read(course_copy / "autograded" / "ada" / MODULE / f"{MODULE}.ipynb", as_version=4)
    assert "kernel: smtk" in graded.cells[-1].outputs[0]["text"], "nbgrader did not execute with the smtk kernel"
