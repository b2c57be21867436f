"""The triage modules under real nbgrader: a shift played in the inbox and saved with the notebook is graded from
the notebook's widget state; a blank release, or a record that does not fit the shift, scores nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.api import Gradebook
from roundtrip import autograde, output_text, submit

from graders.course.root import gradebook_url
from simulations.profile.org import PROFILE_FILE
from simulations.ui.lessons.record import LABEL, WIDGET_STATE

MODULE = "triage-shift"
ITEM = "q3-tests"
PLAY = """\
while not inbox.played:
    _post = int(inbox.queue.value)
    inbox.buttons[str(inbox.stream.posts.loc[_post, "route"])].click()
print("played", inbox.score().decided)"""


def played_in_the_widget(release: Path, folder: Path) -> Path:
    """The release run in a kernel, its shift played by clicking the inbox's buttons, saved with the widget state
    and without the helper cell or outputs: what a learner who played the shift and saved hands in."""
    shutil.copyfile(release.parent / PROFILE_FILE, folder / PROFILE_FILE)  # the released folder, as handed out
    nb = nbformat.read(release, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PLAY))
    client = NotebookClient(nb, timeout=300, allow_errors=True, resources={"metadata": {"path": str(folder)}})
    client.execute()
    assert nb.cells[-1].outputs and "played" in nb.cells[-1].outputs[0]["text"]
    nb.cells.pop()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    path = folder / f"{MODULE}.ipynb"
    nbformat.write(nb, path)
    return path


def record_of(path: Path) -> tuple[str, dict]:
    """The model id and state of the inbox's record in a notebook's saved widget state."""
    models = json.loads(path.read_text())["metadata"]["widgets"][WIDGET_STATE]["state"]
    found = [(k, m) for k, m in models.items() if m.get("state", {}).get("description") == f"{LABEL}{MODULE}"]
    assert len(found) == 1, "exactly one live record is saved"
    return found[0]


def item_score(root: Path, learner: str) -> float:
    with Gradebook(gradebook_url(root)) as gb:
        return gb.find_grade(ITEM, MODULE, MODULE, learner).score


@pytest.mark.slow
def test_a_shift_saved_in_the_notebook_is_graded_by_autograde(course_copy: Path, tmp_path: Path):
    release = course_copy / "release" / MODULE / f"{MODULE}.ipynb"
    (tmp_path / "play").mkdir()
    played = played_in_the_widget(release, tmp_path / "play")
    model_id, model = record_of(played)
    record = json.loads(model["state"]["value"])["data"]
    assert record["ended"] or len(record["decisions"]) > 0

    tampered = json.loads(played.read_text())
    bad = dict(record, decisions=[dict(d, route="shout") for d in record["decisions"]])
    tampered["metadata"]["widgets"][WIDGET_STATE]["state"][model_id]["state"]["value"] = json.dumps(
        {"key": MODULE, "data": bad}
    )
    (tmp_path / "tampered.ipynb").write_text(json.dumps(tampered))

    submit(course_copy, MODULE, "cleo", played)
    submit(course_copy, MODULE, "bob", release)
    submit(course_copy, MODULE, "dan", tmp_path / "tampered.ipynb")
    autograde(course_copy, MODULE)

    assert item_score(course_copy, "cleo") == 2, "the played shift earns the recorded-decisions item"
    assert item_score(course_copy, "bob") == 0, "a blank release earns nothing"
    assert item_score(course_copy, "dan") == 0, "a record that does not fit the shift is not a played shift"
    outputs = output_text(course_copy / "autograded" / "cleo" / MODULE / f"{MODULE}.ipynb")
    assert "Your shift:" in outputs and "100% routed as the policy recommends" in outputs
    with Gradebook(gradebook_url(course_copy)) as gb:
        others = [g for g in gb.find_submission_notebook(MODULE, MODULE, "cleo").grades if g.name != ITEM]
        assert all(g.score == 0 for g in others if g.auto_score is not None), "only the shift was handed in"
