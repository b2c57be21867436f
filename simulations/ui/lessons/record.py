"""Widget work that survives a re-run: a hidden widget holds it, JupyterLab saves it in the notebook, we read it back.

Stock widgets lose their state when the notebook is re-run (by the learner after a restart, or by nbgrader when it
grades). JupyterLab saves every live widget's state into the notebook's metadata on save (the `saveState` setting,
which `smtk kernels install` turns on); a Recorder keeps its data in such a widget and restores it from that
metadata when the notebook runs again, so graders see what the learner did in the widget.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import ipywidgets as w

from simulations.common.records import LABEL, WIDGET_STATE, notebook_path, saved_record

__all__ = ["LABEL", "WIDGET_STATE", "Recorder", "notebook_path", "saved_record"]


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
