"""Widget work that survives a re-run: a hidden widget holds it, JupyterLab saves it in the notebook, we read it back.

Stock widgets lose their state when the notebook is re-run (by the learner after a restart, or by nbgrader when it
grades). JupyterLab saves every live widget's state into the notebook's metadata on save (the `saveState` setting,
which `smtk kernels install` turns on); a Recorder keeps its data in such a widget and restores it from that
metadata when the notebook runs again, so graders see what the learner did in the widget.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, ClassVar

import ipywidgets as w

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
LABEL = "smtk-record:"


class Recorder:
    """Keeps one JSON-able record under `key` in a hidden widget; starts from the copy saved in `notebook`, if any.

    A new Recorder for the same key and notebook in the same kernel (the cell run again) starts from the live record,
    which may be newer than the saved one.
    """

    _live: ClassVar[dict[str, Recorder]] = {}

    def __init__(self, key: str, notebook: str | Path | None = None) -> None:
        self.key = key
        self.widget = w.Textarea(description=f"{LABEL}{key}", layout=w.Layout(display="none"))
        self.notebook = notebook_path(notebook)
        previous = Recorder._live.pop(key, None)
        if previous is not None:
            previous.widget.close()  # a closed widget is not saved, so only the newest record lands in the notebook
        Recorder._live[key] = self
        self.data: Any = None
        self.restored = False
        # Re-running the cell in the same kernel keeps what was done since the last save; else the saved copy.
        carried = previous.data if previous is not None and previous.notebook == self.notebook else None
        saved = carried if carried is not None else saved_record(self.notebook, key) if self.notebook else None
        if saved is not None:
            self.save(saved)
            self.restored = True

    def save(self, data: Any) -> None:
        """Replace the record; JupyterLab writes it into the notebook on the next save."""
        self.data = data
        self.widget.value = json.dumps({"key": self.key, "data": data}, sort_keys=True)


def notebook_path(notebook: str | Path | None) -> Path | None:
    """The notebook to read saved records from: the one named, else the one JupyterLab says this kernel runs."""
    if notebook is not None:
        return Path(notebook)
    session = os.environ.get("JPY_SESSION_NAME", "")
    return Path(session) if session.endswith(".ipynb") else None


def saved_record(notebook: Path, key: str) -> Any:
    """The record saved under `key` in the notebook's widget state, or None when there is none."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    models = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    found = None
    for model in models.values():
        state = model.get("state", {}) if isinstance(model, dict) else {}
        if state.get("description") != f"{LABEL}{key}":
            continue
        try:
            record = json.loads(state.get("value", ""))
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("key") == key:
            found = record.get("data")
    return found
