"""nbgrader's HTML pages from the kit's templates: formgrader's grading page and the learners' feedback, each built on
nbgrader's own template for the job, with a language and the kit's stylesheet (WCAG 2.2 AA).

nbgrader's templates are nbconvert templates named "formgrade" and "feedback" (nbgrader's API insists on the name
"feedback"). The kit's folders of the same names, in its Jupyter data folder, come first on the search path and hold one
file each, `smtk-<name>.html.j2`, chosen as the template file: it extends `index.html.j2`, which only nbgrader's folder
holds."""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config

from graders.paths import JUPYTER_DATA

NBCONVERT_TEMPLATES = JUPYTER_DATA / "nbconvert" / "templates"
FORMGRADE = "formgrade"  # formgrader's grading page
FEEDBACK = "feedback"  # the page per lesson a learner gets back
# The stylesheet both share (with formgrader's other pages), in the kit's feedback folder.
STYLESHEET_FOLDER = NBCONVERT_TEMPLATES / FEEDBACK


def nbgrader_templates() -> Path:
    """nbgrader's formgrader templates folder, where its "formgrade" and "feedback" nbconvert templates are."""
    import nbgrader

    return Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"


def with_kit_template(config: Config, template: str) -> Config:
    """`config` with its HTMLExporter on the kit's file for nbgrader's `template` (FORMGRADE or FEEDBACK)."""
    config.HTMLExporter.template_name = template
    config.HTMLExporter.template_file = f"smtk-{template}.html.j2"
    config.HTMLExporter.extra_template_basedirs = [str(NBCONVERT_TEMPLATES), str(nbgrader_templates())]
    return config
