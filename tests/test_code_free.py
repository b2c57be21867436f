"""A module marked `code_free` in course.yml asks the learner to edit no cell and read no Python, in every release.

Walks the release (every lesson) of every code-free module for every example organisation that builds it: each
code cell is hidden and read-only, and no cell is an answer typed into the notebook. That each release runs from top to
bottom without an error or a word on stderr (the learner answers in widgets after Run All, and a cell that raises
would stop Run All before them) is checked in test_roundtrip, on the blank release stock nbgrader runs.
"""

from __future__ import annotations

import nbformat
import pytest
from nbgrader.utils import is_solution
from roundtrip import EXAMPLE_ORGS

from graders.course.manifest import load_manifest
from graders.course.tailor import modules_for
from simulations.profile.org import load_org

MANIFEST = load_manifest()
CODE_FREE = {m.id for m in MANIFEST.modules if m.code_free}
CASES = [
    pytest.param(slug, module.id, id=f"{slug}-{module.id}")
    for slug, path in EXAMPLE_ORGS.items()
    for module in modules_for(load_org(path), MANIFEST)
    if module.id in CODE_FREE
]


def cells_to_edit(nb: nbformat.NotebookNode) -> list[str]:
    """Every cell of a released notebook that a learner would have to read as code or edit to answer, and why."""
    found = []
    for i, cell in enumerate(nb.cells):
        where = f"cell {i} ({cell.metadata.get('nbgrader', {}).get('grade_id') or cell.cell_type})"
        if cell.cell_type == "code":
            if not cell.metadata.get("jupyter", {}).get("source_hidden"):
                found.append(f"{where}: its code is shown (set metadata jupyter.source_hidden)")
            if cell.metadata.get("editable", True):
                found.append(f"{where}: it can be edited (set metadata editable: false)")
            if "FEEDBACK" in cell.source and "ModuleFeedback" not in cell.source:
                found.append(f"{where}: the rating is typed into code (use the ModuleFeedback widget)")
        elif is_solution(cell):
            found.append(f"{where}: the answer is typed into the cell (use a LongAnswer widget and a task cell)")
    return found


def test_the_walk_finds_what_a_learner_must_edit():
    """The check itself: today's code-based modules fail it, cell by cell."""
    others = [m for m in MANIFEST.modules if not m.code_free]
    assert CODE_FREE and others, "both kinds of module exist"
    nb = nbformat.read(others[0].notebooks()[0], as_version=4)
    found = cells_to_edit(nb)
    assert any("code is shown" in f for f in found) and any("can be edited" in f for f in found)
    marked = nbformat.v4.new_markdown_cell("YOUR ANSWER HERE")
    marked.metadata.nbgrader = {"solution": True, "grade": True, "grade_id": "written", "points": 1, "locked": False}
    assert cells_to_edit(nbformat.v4.new_notebook(cells=[marked])) == [
        "cell 0 (written): the answer is typed into the cell (use a LongAnswer widget and a task cell)"
    ]


@pytest.mark.parametrize(("slug", "module_id"), CASES)
def test_no_cell_to_edit_in_the_release(tailored, slug, module_id):
    course = tailored(slug)
    for release in course.releases(MANIFEST.module(module_id)):  # every lesson of the module
        assert cells_to_edit(nbformat.read(release, as_version=4)) == [], release.name
