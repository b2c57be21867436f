"""JupyterLab settings the kit needs in its environment, written as overrides that users can still change."""

from __future__ import annotations

import json
import sys
from pathlib import Path

SETTINGS = {
    # Widget state saved in the notebook is how recorded simulation decisions survive a re-run
    # (simulations.ui.lessons.record).
    "@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True},
    # JupyterLab otherwise greets every learner with "Would you like to get notified about official Jupyter news?"
    # (and, once news is on, with notices of new JupyterLab versions): questions a learner can do nothing with.
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    # A Markdown file opens as a page, not as source text: the "Start here" pages a learner opens first
    # (graders.course.start_here). Open With > Editor still edits one.
    "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}},
}


def install_lab_settings(prefix: str | Path = sys.prefix) -> Path:
    """Merge the kit's settings into `prefix`/share/jupyter/lab/settings/overrides.json, keeping other entries."""
    path = Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    try:
        current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc}); fix or remove it, then run `smtk kernels install`") from None
    merged = {**current}
    for plugin, values in SETTINGS.items():
        merged[plugin] = {**current.get(plugin, {}), **values}
    if merged != current:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    return path
