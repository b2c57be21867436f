"""The reading view's two halves without a browser: records written into the notebook by the kernel (Voilà saves
nothing), and the Hand in button's course lookup and its messages. The browser tests (test_browser_reading.py, and
test_hub.py behind the hub) hand in to a real exchange."""

from __future__ import annotations

import json

import nbformat
import pytest

from graders.serving.dashboards import EXTENSION_DENYLIST
from graders.serving.servers import LEARNER_LAB_CONFIG
from simulations.common.records import record_in, saved_record, write_models
from simulations.ui.lessons.handin import NOT_SAVED, NOT_SET_UP, HandIn, HandInError, where
from simulations.ui.lessons.record import Recorder


@pytest.fixture
def notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A lesson")])
    path = tmp_path / "course-a" / "module-1" / "module-1.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def nbgrader_config(tmp_path, monkeypatch):
    """`nbgrader_config(text)`: nbgrader's configuration on Jupyter's config path, as the hub gives its learners."""
    folder = tmp_path / "etc"
    folder.mkdir()
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(folder))

    def write(text: str) -> None:
        (folder / "nbgrader_config.py").write_text(f"c = get_config()  # noqa: F821\n{text}\n", encoding="utf-8")

    return write


def test_the_kernel_writes_a_record_into_the_notebook_in_the_reading_view(notebook, monkeypatch):
    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.13")
    first = Recorder("question:q1", notebook)
    first.save(["b", "d"])
    assert saved_record(notebook, "question:q1") == ["b", "d"]
    again = Recorder("question:q1", notebook)  # the cell run again: the newest record replaces the older copy
    again.save(["b"])
    other = Recorder("question:q2", notebook)
    other.save(7600.0)
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    assert [c.source for c in nb.cells] == ["# A lesson"]  # cells untouched
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    described = [m["state"].get("description") for m in state.values() if "description" in m["state"]]
    assert sorted(described) == ["smtk-record:question:q1", "smtk-record:question:q2"]
    assert record_in(json.loads(notebook.read_text()), "question:q1") == ["b"]


def test_outside_the_reading_view_the_kernel_leaves_the_notebook_to_jupyterlab(notebook, monkeypatch):
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    before = notebook.read_text()
    recorder = Recorder("question:q1", notebook)
    recorder.save(["a"])
    assert notebook.read_text() == before
    assert not recorder.saved()
    box = HandIn(notebook=notebook)
    assert box.press() == NOT_SAVED  # JupyterLab: save first, the button says how
    assert box.status.value.count(NOT_SAVED.split(".")[0]) == 1


def test_write_models_keeps_other_widgets(notebook):
    nb = json.loads(notebook.read_text())
    nb["metadata"]["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {"chart": {"model_name": "OutputModel", "state": {}}},
            "version_major": 2,
            "version_minor": 0,
        }
    }
    notebook.write_text(json.dumps(nb))
    write_models(notebook, "k", {"m1": {"model_name": "TextareaModel", "state": {"description": "smtk-record:k"}}})
    state = json.loads(notebook.read_text())["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    assert sorted(state["state"]) == ["chart", "m1"]


def test_hand_in_finds_the_course_as_nbgrader_laid_the_module_out(notebook, nbgrader_config):
    nbgrader_config("c.Exchange.path_includes_course = True")
    place = where(notebook)
    assert (place.course, place.module, place.root) == ("course-a", "module-1", notebook.parent.parent.parent)
    nbgrader_config("c.CourseDirectory.course_id = 'demo-executives'")
    place = where(notebook)
    assert (place.course, place.module, place.root) == ("demo-executives", "module-1", notebook.parent.parent)


def test_hand_in_without_an_exchange_says_so_in_plain_words(notebook, nbgrader_config):
    nbgrader_config("")
    with pytest.raises(HandInError) as caught:
        where(notebook)
    assert str(caught.value) == NOT_SET_UP
    assert HandIn(notebook=notebook).press() == NOT_SET_UP


def test_the_reading_view_loads_no_extension_the_dashboards_leave_out():
    """Voilà's page in the learner's server skips the JupyterLab extensions that fail in it, as the dashboards do."""
    config = json.loads((LEARNER_LAB_CONFIG / "jupyter_server_config.json").read_text())
    assert config["VoilaConfiguration"]["extension_denylist"] == list(EXTENSION_DENYLIST)
    assert config["VoilaConfiguration"]["template"] == "smtk-reading"
