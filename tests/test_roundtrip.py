"""Every module through real nbgrader commands: the solution scores full marks, the blank release scores zero."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest
from nbgrader.utils import is_grade, is_solution
from roundtrip import autograde, scores, submit

from graders.manifest import load_manifest
from graders.tailor import PARAMETERS_GRADE_ID

MODULES = [m.id for m in load_manifest().modules]
PROBE = "import os\nprint('kernel:', os.environ.get('SMTK_KERNEL'))"


def with_probe(src: Path, dst: Path) -> Path:
    """A copy of a notebook with a last cell that prints which kernelspec runs it (the smtk spec sets SMTK_KERNEL)."""
    nb = nbformat.read(src, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    nbformat.write(nb, dst)
    return dst


def autograded_points(notebook: Path) -> float:
    """Points of the test cells (graded cells that are not answers), as the source notebook declares them."""
    nb = nbformat.read(notebook, as_version=4)
    return sum(float(c.metadata.nbgrader["points"]) for c in nb.cells if is_grade(c) and not is_solution(c))


@pytest.mark.parametrize("module_id", MODULES)
def test_release_holds_no_solutions_or_hidden_tests(demo_course, module_id):
    source = nbformat.read(demo_course.root / "source" / module_id / f"{module_id}.ipynb", as_version=4)
    release = demo_course.release(module_id).read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in release
    for cell in source.cells:
        hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1:]
        for block in hidden:
            for line in block.split("### END HIDDEN TESTS")[0].strip().splitlines():
                assert line.strip() not in release, f"hidden test line leaked into the release: {line}"


@pytest.mark.parametrize("module_id", MODULES)
def test_release_shows_the_organisation(demo_course, module_id):
    release = nbformat.read(demo_course.release(module_id), as_version=4)
    text = "\n".join(c.source for c in release.cells)
    assert demo_course.org.name in text
    injected = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade_id") == PARAMETERS_GRADE_ID]
    assert len(injected) == 1 and injected[0].metadata.nbgrader["locked"]


def test_first_module_release_lists_every_contact(demo_course):
    text = demo_course.release("policy-disclosure").read_text(encoding="utf-8")
    for contact in demo_course.org.contacts.values():
        assert contact.email in text


def test_papermill_executes_source_in_learner_kernel(demo_course, tmp_path):
    source = demo_course.root / "source" / MODULES[0] / f"{MODULES[0]}.ipynb"
    probe = with_probe(source, tmp_path / "probe.ipynb")
    out = papermill.execute_notebook(
        str(probe), str(tmp_path / "out.ipynb"), cwd=str(source.parent), progress_bar=False
    )
    assert out.metadata.kernelspec.name == "smtk"
    assert "kernel: smtk" in out.cells[-1].outputs[0]["text"]


@pytest.mark.slow
@pytest.mark.parametrize("module_id", MODULES)
def test_solution_full_marks_blank_zero(course_copy: Path, tmp_path, module_id):
    source = course_copy / "source" / module_id / f"{module_id}.ipynb"
    release = course_copy / "release" / module_id / f"{module_id}.ipynb"
    submit(course_copy, module_id, "ada", with_probe(source, tmp_path / "solution.ipynb"))
    submit(course_copy, module_id, "bob", release)
    autograde(course_copy, module_id)

    expected = autograded_points(source)
    solution, blank = scores(course_copy, module_id, "ada"), scores(course_copy, module_id, "bob")
    assert expected >= 3
    assert solution.max_auto == expected and solution.auto == expected
    assert blank.max_auto == expected and blank.auto == 0
    assert solution.needs_manual_grade  # written answers wait for the trainer in formgrader

    graded = nbformat.read(course_copy / "autograded" / "ada" / module_id / f"{module_id}.ipynb", as_version=4)
    assert "kernel: smtk" in graded.cells[-1].outputs[0]["text"], "nbgrader did not execute with the smtk kernel"
