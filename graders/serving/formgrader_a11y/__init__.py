"""A Jupyter server extension that makes nbgrader's formgrader pass WCAG 2.2 AA: its pages' layout (base.tpl) and its
grading page's template (graders.course.nbgrader_pages) in place of nbgrader's, each with the kit's stylesheet and
script.

nbgrader loads its formgrader before this extension starts; at start this puts the kit's templates ahead of
nbgrader's in the formgrader's own Jinja environment and in its notebook exporter. Enabled for trainers by
graders/serving/trainer-lab (their JupyterLab, the hub's formgrader service); without formgrader it does nothing."""

from __future__ import annotations

import copy
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader
from traitlets.config import Config

from graders.course.nbgrader_pages import FEEDBACK, FORMGRADE, STYLESHEET_FOLDER, with_kit_template

TEMPLATES = Path(__file__).parent / "templates"  # formgrader's layout (base.tpl) and its script


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    """Nothing to load: formgrader's settings exist only once every extension is loaded (see the start hook)."""


async def _start_jupyter_server_extension(serverapp) -> None:
    use_kit_templates(serverapp.web_app.settings, serverapp.log)


def use_kit_templates(settings: dict, log=None) -> bool:
    """Put the kit's templates first in formgrader's Jinja environment and exporter; False where formgrader is off."""
    env, exporter = settings.get("nbgrader_jinja2_env"), settings.get("nbgrader_exporter")
    if env is None or exporter is None:
        return False
    env.loader = ChoiceLoader([FileSystemLoader([str(TEMPLATES), str(STYLESHEET_FOLDER)]), env.loader])
    # A new exporter, since one computes its template paths once; the kit's script and stylesheet on its paths too.
    config = with_kit_template(copy.deepcopy(exporter.config), FORMGRADE)  # its sections are formgrader's own
    config.HTMLExporter.extra_template_paths = [*exporter.extra_template_paths, str(TEMPLATES), str(STYLESHEET_FOLDER)]
    settings["nbgrader_exporter"] = type(exporter)(config=config)
    # Its "Generate Feedback" buttons: nbgrader's API there takes its exporter's configuration from formgrader's, which
    # formgrader's start page sets back to the configuration it started with; both get the feedback template.
    feedback = with_kit_template(Config(), FEEDBACK)
    if settings.get("initial_config") is not None:
        settings["initial_config"].merge(feedback)
    if settings.get("nbgrader_formgrader") is not None:
        settings["nbgrader_formgrader"].update_config(feedback)
    if log is not None:
        log.info("smtk: formgrader's pages use the kit's accessible templates (%s)", TEMPLATES)
    return True
