"""Recorded widget work survives a re-run: JupyterLab saves it into the notebook, a fresh kernel reads it back."""

from __future__ import annotations

import json
import secrets
import socket
import time
from pathlib import Path

import nbformat
import pytest
from lab import run_all_cells
from nbclient import NotebookClient

from graders.course.lab_settings import install_lab_settings
from graders.serving.servers import HOST, lab_command, start, tail
from simulations.ui.lessons.record import LABEL, WIDGET_STATE, Recorder, saved_record

RECORDER_CELL = """\
import ipywidgets as w
from simulations.ui.lessons.record import Recorder

rec = Recorder("clicks", "rec.ipynb")
clicks = list(rec.data or [])
button = w.Button(description="Record a click")

def on_click(_):
    clicks.append(len(clicks))
    rec.save(clicks)

button.on_click(on_click)
w.VBox([button, rec.widget])"""
REPORT_CELL = "print('restored:', rec.restored, rec.data)"


def notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(RECORDER_CELL), nbformat.v4.new_code_cell(REPORT_CELL)]
    nb.metadata.kernelspec = {"name": "smtk", "display_name": "Social Media Training (Python 3)", "language": "python"}
    nbformat.write(nb, path)
    return path


def rerun(path: Path) -> str:
    """Execute the notebook in a fresh kernel in its own folder, as nbgrader's autograde does; the report's text."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb.cells[1].outputs[0]["text"]


def with_saved_state(path: Path, models: dict) -> None:
    nb = json.loads(path.read_text())
    nb["metadata"]["widgets"] = {WIDGET_STATE: {"state": models, "version_major": 2, "version_minor": 0}}
    path.write_text(json.dumps(nb))


def textarea(key: str, value: str) -> dict:
    return {"model_name": "TextareaModel", "state": {"description": f"{LABEL}{key}", "value": value}}


def test_saved_record_read_back_and_restored(tmp_path):
    path = notebook(tmp_path / "rec.ipynb")
    record = json.dumps({"key": "clicks", "data": [0, 1, 2]})
    with_saved_state(
        path, {"a": textarea("other", json.dumps({"key": "other", "data": 9})), "b": textarea("clicks", record)}
    )
    assert saved_record(path, "clicks") == [0, 1, 2]
    assert saved_record(path, "other") == 9
    assert saved_record(path, "missing") is None
    assert "restored: True [0, 1, 2]" in rerun(path)


def test_no_or_damaged_record_starts_empty(tmp_path):
    path = notebook(tmp_path / "rec.ipynb")
    assert "restored: False None" in rerun(path)
    with_saved_state(path, {"a": textarea("clicks", "{not json")})
    assert saved_record(path, "clicks") is None
    (tmp_path / "broken.ipynb").write_text("{")
    assert saved_record(tmp_path / "broken.ipynb", "clicks") is None
    assert Recorder("clicks", tmp_path / "nowhere.ipynb").data is None


def test_settings_merge_keeps_other_entries(tmp_path):
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    install_lab_settings(tmp_path)
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert settings["@jupyter-widgets/jupyterlab-manager:plugin"] == {"saveState": True}
    path.write_text("{broken")
    with pytest.raises(ValueError, match="overrides.json: not valid JSON"):
        install_lab_settings(tmp_path)
    assert path.read_text() == "{broken", "a broken settings file is left for the user to fix, not overwritten"


@pytest.mark.browser
def test_clicks_in_jupyterlab_are_saved_in_the_notebook_and_survive_a_rerun(page, tmp_path):
    root = tmp_path / "lab"
    root.mkdir()
    path = notebook(root / "rec.ipynb")
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    token = secrets.token_hex(8)
    lab = start("JupyterLab", lab_command(root, port, token), root, f"http://{HOST}:{port}/api", tmp_path / "lab.log")
    try:
        lab.wait_ready()
        button = page.get_by_role("button", name="Record a click")
        try:
            run_all_cells(page, f"http://{HOST}:{port}/lab/tree/rec.ipynb?reset&token={token}")
            button.wait_for(timeout=60_000)
        except Exception:
            page.screenshot(path=str(tmp_path / "lab.png"))
            pytest.fail(f"the widget never appeared; screenshot {tmp_path / 'lab.png'}; log:\n{tail(lab.log)}")
        for _ in range(3):
            button.click()
        page.wait_for_timeout(300)
        page.keyboard.press("Control+s")
        deadline = time.monotonic() + 60
        while saved_record(path, "clicks") != [0, 1, 2] and time.monotonic() < deadline:
            time.sleep(0.25)
        assert saved_record(path, "clicks") == [0, 1, 2], "JupyterLab did not save the record in the notebook"
    finally:
        lab.stop()
    assert "restored: True [0, 1, 2]" in rerun(path)
