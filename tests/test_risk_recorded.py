"""Heat-map placements recorded in a learner's saved notebook score the graded item under real nbgrader autograde
and under `smtk grade`, and the blank release scores zero on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.api import Gradebook
from roundtrip import autograde, submit

from graders.course.root import gradebook_url
from graders.grading.pipeline import autograde as smtk_autograde
from simulations.profile.org import PROFILE_FILE
from simulations.ui.lessons.record import WIDGET_STATE, saved_record

pytestmark = pytest.mark.slow

MODULES = ["risk-framing", "risk-register"]
ITEM = "q1-tests"  # the recorded placements
# The learner's clicks: each click places the risk the picker shows and moves to the next one.
CLICKS = """\
for cell in [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (0, 4), (4, 0), (1, 3), (3, 1), (2, 0), (2, 4), (0, 2), (4, 2)]:
    heatmap.cells[cell].click()
heatmap.reveal_button.click()
print("placed", heatmap.placed_all, heatmap.revealed)"""


def learner_notebook(release: Path, folder: Path) -> tuple[Path, dict]:
    """Work through the released notebook as a learner would in JupyterLab: run it, click the heat map, save. The
    saved file holds the widget state (nbclient stores it in the format JupyterLab's saveState writes), not the
    clicks, and the learner left every other answer blank."""
    folder.mkdir()
    shutil.copyfile(release.parent / PROFILE_FILE, folder / PROFILE_FILE)  # the released folder, as handed out
    nb = nbformat.read(release, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "RiskHeatMap(" in c.source) + 1
    nb.cells.insert(at, nbformat.v4.new_code_cell(CLICKS))
    NotebookClient(nb, timeout=300, allow_errors=True, resources={"metadata": {"path": str(folder)}}).execute()
    assert "placed True True" in nb.cells[at].outputs[0]["text"]
    del nb.cells[at]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    path = folder / release.name
    nbformat.write(nb, path)
    record = saved_record(path, release.stem)
    assert record["revealed"] is True and len(record["placements"]) == 13
    return path, record


def item_score(root: Path, module_id: str, learner: str) -> tuple[float, float]:
    with Gradebook(gradebook_url(root)) as gb:
        grade = gb.find_grade(ITEM, module_id, module_id, learner)
        return grade.score, grade.max_score


@pytest.mark.parametrize("module_id", MODULES)
def test_saved_placements_score_the_item_and_the_blank_release_does_not(course_copy, tmp_path, module_id, sandboxes):
    release = course_copy / "release" / module_id / f"{module_id}.ipynb"
    saved, record = learner_notebook(release, tmp_path / "learner")
    submit(course_copy, module_id, "cleo", saved)
    submit(course_copy, module_id, "dan", release)
    ours = tmp_path / "smtk-grade"
    shutil.copytree(course_copy, ours)
    autograde(course_copy, module_id)  # stock nbgrader

    assert item_score(course_copy, module_id, "cleo") == (2.0, 2.0)
    assert item_score(course_copy, module_id, "dan") == (0.0, 2.0)
    # the graded run restored the learner's own placements, not the solution's
    graded = course_copy / "autograded" / "cleo" / module_id / f"{module_id}.ipynb"
    assert WIDGET_STATE in nbformat.read(graded, as_version=4).metadata.get("widgets", {})
    assert saved_record(graded, module_id) == record

    # `smtk grade` runs learner code in a sandbox that never sees the notebook file; the widget state still reaches it
    smtk_autograde(module_id, ours, progress=False, sandboxes=sandboxes)
    assert item_score(ours, module_id, "cleo") == (2.0, 2.0)
    assert item_score(ours, module_id, "dan") == (0.0, 2.0)
