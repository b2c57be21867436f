"""An nbgrader course root made for one organisation: its layout, its nbgrader_config.py and the in-process API."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"

CONFIG_TEMPLATE = '''\
"""nbgrader configuration of the course instance for {org_name} (written by `smtk tailor`; your edits are kept)."""

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "{course_id}"
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# A learner's infinite loop must not stall grading: interrupt a cell after a minute and move on.
c.ExecutePreprocessor.timeout = 60
c.ExecutePreprocessor.interrupt_on_timeout = True
'''


def write_config(root: Path, course_id: str, org_name: str) -> Path:
    """Write nbgrader_config.py into `root` unless the trainer already has one there."""
    path = root / CONFIG_FILE
    if not path.exists():
        root.mkdir(parents=True, exist_ok=True)
        path.write_text(CONFIG_TEMPLATE.format(course_id=course_id, org_name=org_name), encoding="utf-8")
    return path


def load_config(root: Path) -> Config:
    """The course's nbgrader configuration, with the course root pinned to `root` wherever we run from."""
    root = Path(root).resolve()
    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return config


def ensure_tools_on_path() -> None:
    """Put this environment's bin folder on PATH: nbgrader runs `alembic` from PATH even when called as a library."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def nbgrader_api(root: Path):
    """nbgrader's own Python API bound to this course root (one process, no 2-3 s CLI start per command)."""
    ensure_tools_on_path()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config(root)
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def open_gradebook(root: Path):
    """nbgrader's Gradebook of the course root, under the course id of its config (a bare `Gradebook(url)` would add a
    stray 'default_course' row to the database)."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=load_config(root))
    return Gradebook(coursedir.db_url, coursedir.course_id)


def gradebook_url(root: Path) -> str:
    """Where the course's gradebook lives (nbgrader's default: gradebook.db in the course root)."""
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=load_config(root)).db_url
