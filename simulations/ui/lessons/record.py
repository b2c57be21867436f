"""Widget work that survives a re-run: a hidden widget holds it, JupyterLab saves it in the notebook, we read it back.

Stock widgets lose their state when the notebook is re-run (by the learner after a restart, or by nbgrader when it
grades). JupyterLab saves every live widget's state into the notebook's metadata on save (the `saveState` setting,
which `smtk kernels install` turns on); a Recorder keeps its data in such a widget and restores it from that
metadata when the notebook runs again, so graders see what the learner did in the widget. In the reading view
(Voilà), where nothing saves the notebook, each change is written into the notebook by the kernel at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import ipywidgets as w
from ipywidgets.embed import dependency_state

from simulations.common.records import LABEL, WIDGET_STATE, in_reading_view, notebook_path, saved_record, write_models

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
        self.writes_through = self.notebook is not None and in_reading_view()
        if saved is not None:
            self.save(saved, write=carried is not None)  # a copy read from the file needs no writing back
            self.restored = True

    def save(self, data: Any, *, write: bool = True) -> None:
        """Replace the record; JupyterLab writes it into the notebook on the next save, the reading view at once."""
        self.data = data
        self.widget.value = json.dumps({"key": self.key, "data": data}, sort_keys=True)
        if write and self.writes_through and self.notebook is not None:
            write_models(self.notebook, self.key, dependency_state([self.widget]))

    def saved(self) -> bool:
        """Whether the notebook file holds this record as it is now (what a hand-in would send)."""
        return self.notebook is None or saved_record(self.notebook, self.key) == self.data
