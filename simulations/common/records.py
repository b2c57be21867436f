"""Reading widget records back from a saved notebook: the pure half of simulations.ui.lessons.record.

A widget's record is a hidden text widget whose description is `smtk-record:<key>` and whose value is
`{"key": ..., "data": ...}` as JSON; JupyterLab saves it in the notebook's widget state. Pure, so the trainer's side
(the feedback table) reads records without loading ipywidgets. In the reading view (Voilà), which saves nothing, the
kernel writes each record into the notebook itself (`write_models`), in the same widget state JupyterLab writes.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
LABEL = "smtk-record:"
# The module's closing rating and comment, when given in the feedback widget: {"rating": 1-5 or None, "comment": str}.
FEEDBACK_RECORD = "module-feedback"


def rating_and_comment(value: object) -> tuple[int | None, str]:
    """(rating, comment) of a feedback answer ({"rating": 1-5 or None, "comment": str}); blanks where unusable."""
    if not isinstance(value, dict):
        return None, ""
    rating = value.get("rating")
    valid = isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5
    comment = value.get("comment")
    return (rating if valid else None), (comment.strip() if isinstance(comment, str) else "")


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
    return record_in(nb, key)


def record_in(nb: dict, key: str) -> Any:
    """The record saved under `key` in a notebook already read as JSON, or None when there is none."""
    models = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    found = None
    for model in models.values() if isinstance(models, dict) else ():
        state = model.get("state", {}) if isinstance(model, dict) else {}
        if state.get("description") != f"{LABEL}{key}":
            continue
        try:
            record = json.loads(state.get("value", ""))
        except (TypeError, ValueError):
            continue
        if isinstance(record, dict) and record.get("key") == key:
            found = record.get("data")
    return found


def in_reading_view() -> bool:
    """Whether this kernel runs a notebook rendered by Voilà (which sets SERVER_SOFTWARE for its kernels): there no
    frontend saves the notebook, so records are written into it by the kernel."""
    return os.environ.get("SERVER_SOFTWARE", "").startswith("voila/")


def write_models(notebook: Path, key: str, models: dict[str, dict]) -> None:
    """Put the widget models of record `key` (ipywidgets' widget-state form: model id -> model) into the notebook's
    saved widget state, in place of any older copy of that record, and write the file atomically (a reader never
    sees half a notebook). Cells and other widgets' state are kept as they are."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    widgets = nb.setdefault("metadata", {}).setdefault("widgets", {})
    saved = widgets.setdefault(WIDGET_STATE, {"state": {}, "version_major": 2, "version_minor": 0})
    state = saved.setdefault("state", {})
    for model_id in [i for i, m in state.items() if m.get("state", {}).get("description") == f"{LABEL}{key}"]:
        del state[model_id]
    state.update(models)
    handle, temporary = tempfile.mkstemp(prefix=f".{notebook.name}.", suffix=".tmp", dir=notebook.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(nb, out, indent=1, ensure_ascii=False)
            out.write("\n")
        os.chmod(temporary, notebook.stat().st_mode & 0o777)
        os.replace(temporary, notebook)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def record_model(key: str, data: Any) -> dict:
    """A record as JupyterLab saves it: the model of the hidden text widget that holds it, in the widget state."""
    return {
        "model_name": "TextareaModel",
        "model_module": "@jupyter-widgets/controls",
        "model_module_version": "2.0.0",
        "state": {"description": f"{LABEL}{key}", "value": json.dumps({"key": key, "data": data}, sort_keys=True)},
    }


def with_records(nb: dict, records: dict[str, Any]) -> dict:
    """A copy of a notebook (read as JSON) whose saved widget state holds `records` and nothing else: what a learner
    who gave those answers and saved leaves in the file (answer banks and tests write submissions this way)."""
    nb = json.loads(json.dumps(nb))
    state = {f"smtk-record-{i}": record_model(key, data) for i, (key, data) in enumerate(records.items())}
    nb.setdefault("metadata", {})["widgets"] = {WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}}
    return nb
