"""Every notebook in courses/ is committed stripped, names the learner kernel and carries valid nbgrader metadata."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.utils import is_grade

from graders.course.manifest import load_manifest
from graders.paths import COURSES, SOURCE

NOTEBOOKS = sorted(p for p in COURSES.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
SOURCE_NOTEBOOKS = [p for p in NOTEBOOKS if SOURCE in p.parents]


def ids(paths):
    return [str(p.relative_to(COURSES)) for p in paths]


def test_there_are_notebooks():
    assert SOURCE_NOTEBOOKS, "no source notebooks found under courses/source"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_outputs_stripped_and_learner_kernel(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path}: cells {dirty} have outputs; strip them before committing"
    assert nb.metadata.kernelspec.name == "smtk", f"{path}: must name the learner kernel 'smtk'"


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=ids(SOURCE_NOTEBOOKS))
def test_nbgrader_metadata(path: Path):
    nb = nbformat.read(path, as_version=4)
    MetadataValidator().validate_nb(nb)  # nbgrader's own schema check; raises on bad metadata
    grade_ids = [c.metadata.nbgrader["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(grade_ids) == len(set(grade_ids)), f"{path}: duplicate grade_id"
    graded = [c for c in nb.cells if is_grade(c)]
    assert graded, f"{path}: no graded cells"
    assert all(float(c.metadata.nbgrader["points"]) > 0 for c in graded), f"{path}: a graded cell has no points"
    assert sum(1 for c in nb.cells if "parameters" in c.metadata.get("tags", [])) == 1, f"{path}: one parameters cell"


def test_manifest_points_match_notebooks():
    for module in load_manifest().modules:
        nb = nbformat.read(module.source_notebook(), as_version=4)
        points = sum(float(c.metadata.nbgrader["points"]) for c in nb.cells if is_grade(c))
        assert points == module.points, f"{module.id}: manifest says {module.points} points, notebook has {points}"


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=ids(SOURCE_NOTEBOOKS))
def test_module_has_required_items(path: Path):
    """At least 3 autograded items with hidden tests, 1 manually graded answer, a widget, a feedback cell."""
    nb = nbformat.read(path, as_version=4)
    tests = [c for c in nb.cells if is_grade(c) and c.cell_type == "code"]
    assert len(tests) >= 3
    assert all("### BEGIN HIDDEN TESTS" in c.source for c in tests), "every test cell hides some tests"
    manual = [c for c in nb.cells if is_grade(c) and c.metadata.nbgrader.get("solution")]
    assert manual, "no manually graded answer"
    assert any("feedback" in c.metadata.get("tags", []) for c in nb.cells), "no feedback cell"
    assert any("simulations.ui" in c.source for c in nb.cells if c.cell_type == "code"), "no widget"
