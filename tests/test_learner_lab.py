"""The learner's first minutes in JupyterLab: no question about Jupyter news."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema

from graders.course.lab_settings import SETTINGS

SHARE = Path(sys.prefix) / "share" / "jupyter"
NEWS = "@jupyterlab/apputils-extension:notification"


def schema_of(plugin: str) -> dict:
    """The settings schema the installed JupyterLab has for `plugin` (core, or from an installed extension)."""
    package, name = plugin.split(":")
    for folder in (SHARE / "lab" / "schemas", SHARE / "labextensions" / package / "schemas"):
        path = folder / package / f"{name}.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    raise AssertionError(f"the installed JupyterLab has no plugin {plugin!r}")


def test_the_kits_lab_settings_fit_the_installed_jupyterlab():
    """Every setting the kit overrides names a real plugin and a value its schema accepts: a misspelt plugin id or
    value would be ignored by JupyterLab without a word."""
    for plugin, values in SETTINGS.items():
        schema = schema_of(plugin)
        assert set(values) <= set(schema["properties"]), plugin
        jsonschema.validate({**values}, {**schema, "required": []})
    assert SETTINGS[NEWS]["fetchNews"] == "false"
