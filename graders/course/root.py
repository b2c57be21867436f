"""An nbgrader course root made for one organisation: its layout, its nbgrader_config.py and the in-process API."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from graders import paths
from graders.course.report import LearnerResult

CONFIG_FILE = "nbgrader_config.py"
# Where grading keeps its state inside a course root: per-learner results, the lock, archived submissions.
STATE = ".smtk-grading"
# What a released answer cell holds where the solution was: the same stub for `smtk tailor` and `smtk check`.
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"

CONFIG_TEMPLATE = '''\
"""nbgrader configuration of the course instance for {org_name} (written by `smtk tailor`; your edits are kept)."""

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "{course_id}"
c.ClearSolutions.code_stub = {{"python": {code_stub!r}}}
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
        path.write_text(
            CONFIG_TEMPLATE.format(course_id=course_id, org_name=org_name, code_stub=CODE_STUB), encoding="utf-8"
        )
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


def nbgrader_api(root: Path, overrides: dict | None = None):
    """nbgrader's own Python API bound to this course root (one process, no 2-3 s CLI start per command).

    `overrides`: configuration sections to change for this API only, e.g. another course id for the exchange.
    """
    ensure_tools_on_path()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config(root)
    if overrides:
        config.merge(Config(overrides))
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


class GradeError(RuntimeError):
    """A user error in a grading command: the message says what to do."""


class GradeBusy(GradeError):
    """Another grading run holds this course."""


@dataclass
class Course:
    """A course root and nbgrader's view of it, for one grading command."""

    root: Path

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        if not (self.root / "nbgrader_config.py").exists():
            raise GradeError(f"{self.root} is not a course root (no nbgrader_config.py); pass --course DIR")
        ensure_tools_on_path()
        from nbgrader.coursedir import CourseDirectory

        self.config = load_config(self.root)
        self.coursedir = CourseDirectory(config=self.config)

    def release(self, assignment: str) -> Path:
        folder = self.root / "release" / assignment
        if not any(folder.glob("*.ipynb")):
            known = sorted(p.parent.name for p in (self.root / "release").glob("*/*.ipynb"))
            raise GradeError(f"no released assignment {assignment!r} in {self.root}; released: {', '.join(known)}")
        return folder

    def submitted(self, assignment: str) -> dict[str, Path]:
        base = self.root / "submitted"
        found = {p.parent.name: p for p in base.glob(f"*/{assignment}") if p.is_dir()} if base.exists() else {}
        return dict(sorted(found.items()))

    def state_path(self, assignment: str, learner: str) -> Path:
        return self.root / STATE / "state" / assignment / f"{learner}.json"

    def read_state(self, assignment: str, learner: str) -> LearnerResult | None:
        path = self.state_path(assignment, learner)
        try:
            return LearnerResult(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def write_state(self, assignment: str, result: LearnerResult) -> None:
        path = self.state_path(assignment, result.learner)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(result.__dict__, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def protected(self) -> list[str]:
        """Everything learner code must never read: this course, the kit's master content and other courses."""
        found = {self.root, paths.COURSES, paths.BUILD}
        exchange = getattr(self.config, "Exchange", {}).get("root", "/srv/nbgrader/exchange")
        found.add(Path(exchange))
        db = self.coursedir.db_url
        if db.startswith("sqlite:///"):
            found.add(Path(db[len("sqlite:///") :]).resolve().parent)
        return sorted(str(p) for p in found)


def digest(folder: Path, skip: tuple[str, ...] = ()) -> str:
    """A fingerprint of everything a learner submitted, so a resubmission is graded again and nothing else is."""
    sha = hashlib.sha256()
    files = (p for p in folder.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts)
    for path in sorted(p for p in files if p.name not in skip):
        sha.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()
