"""Every notebook in courses/ is committed stripped, names the learner kernel and carries valid nbgrader metadata."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.utils import is_grade, is_task

from graders.course.check import notebook_points
from graders.course.manifest import load_manifest
from graders.course.minutes import restated_minutes
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
    graded = [c for c in nb.cells if is_grade(c) or is_task(c)]  # a lesson may hold only a written task
    assert graded, f"{path}: no graded cells"
    assert all(float(c.metadata.nbgrader["points"]) > 0 for c in graded), f"{path}: a graded cell has no points"
    assert sum(1 for c in nb.cells if "parameters" in c.metadata.get("tags", [])) == 1, f"{path}: one parameters cell"


MODULES = load_manifest().modules


def test_every_source_notebook_is_a_lesson_of_a_module():
    assert sorted(SOURCE_NOTEBOOKS) == sorted(n for m in MODULES for n in m.notebooks())


def test_manifest_points_match_notebooks():
    for module in MODULES:
        points = sum(notebook_points(path) for path in module.notebooks())
        assert points == module.points, f"{module.id}: manifest says {module.points} points, lessons have {points}"


@pytest.mark.parametrize("module", MODULES, ids=[m.id for m in MODULES])
def test_module_has_required_items(module):
    """At least 3 autograded items with hidden tests and 1 manually graded answer (or a task: a written answer given
    in a widget) across the module's lessons; a widget in the module; a feedback cell in every lesson."""
    lessons = [nbformat.read(path, as_version=4) for path in module.notebooks()]
    cells = [c for nb in lessons for c in nb.cells]
    tests = [c for c in cells if is_grade(c) and c.cell_type == "code"]
    assert len(tests) >= 3
    assert all("### BEGIN HIDDEN TESTS" in c.source for c in tests), "every test cell hides some tests"
    manual = [c for c in cells if (is_grade(c) and c.metadata.nbgrader.get("solution")) or is_task(c)]
    assert manual, "no manually graded answer"
    assert all(any("feedback" in c.metadata.get("tags", []) for c in nb.cells) for nb in lessons), "no feedback cell"
    assert any("simulations.ui" in c.source for c in cells if c.cell_type == "code"), "no widget"
    grade_ids = [c.metadata.nbgrader["grade_id"] for c in cells if is_grade(c)]
    assert len(grade_ids) == len(set(grade_ids)), "a graded item's id is used twice in the module"


@pytest.mark.parametrize("module", [m for m in MODULES if len(m.lessons) > 1], ids=lambda m: m.id)
def test_each_lesson_says_its_place_but_leaves_its_minutes_to_the_manifest(module):
    for number, path in enumerate(module.notebooks(), start=1):
        intro = nbformat.read(path, as_version=4).cells[0].source
        expected = f"lesson {number} of {len(module.lessons)} · "
        assert expected in intro, f"{path.name}: the intro should say '{expected}'"
        assert restated_minutes(path) is None, f"{path.name}: the manifest alone says a lesson's minutes"
