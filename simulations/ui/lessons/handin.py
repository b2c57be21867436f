"""Hand in a module from the lesson itself: a button that does what nbgrader's Assignments panel does on Submit (its
own `AssignmentList.submit_assignment`), so a learner in the reading view, where there is no panel, hands in too.

The module's folder is where nbgrader fetched it: `<course>/<module>/` under the server's folder when the exchange
keeps courses apart (`Exchange.path_includes_course`, as on the kit's hub), else `<module>/` with the course named in
the nbgrader configuration. What is handed in is the folder as saved: in the reading view every answer is written
into the notebook as it is given; in JupyterLab the learner saves first, and the button says so when they have not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as w

from simulations.common.records import notebook_path
from simulations.ui.lessons.record import Recorder

LOG = logging.getLogger("smtk.handin")
NOT_SET_UP = (
    "Handing in is not set up on this server, so your trainer cannot receive this module from here. "
    "Your answers are saved in this lesson. Ask your trainer how to hand it in."
)
NOT_SAVED = "Your latest answers are not saved yet. Choose File > Save Notebook, then press Hand in again."
FAILED = (
    "Your module could not be handed in: {reason}. Nothing is lost: your answers stay saved in this lesson. "
    "Try again in a minute; if it happens again, tell your trainer."
)


class HandInError(Exception):
    """A hand-in that did not reach the trainer, with the sentence to show the learner."""


@dataclass(frozen=True)
class Where:
    """Where a module is handed in from: nbgrader's course id, the module (assignment) id, the server's folder."""

    course: str
    module: str
    root: Path


def _nbgrader_config(folder: Path):
    """nbgrader's configuration as its Assignments panel reads it from `folder` (Jupyter's config path, then the
    folder's own nbgrader_config.py)."""
    from nbgrader.server_extensions.assignment_list.handlers import AssignmentList, chdir

    with chdir(str(folder)):
        return AssignmentList().load_config()


def where(notebook: Path) -> Where:
    """The course and module a fetched notebook belongs to, from its folder and nbgrader's configuration."""
    folder = notebook.resolve().parent
    config = _nbgrader_config(folder.parent)
    if config.get("Exchange", {}).get("path_includes_course", False):
        return Where(folder.parent.name, folder.name, folder.parent.parent)
    course = config.get("CourseDirectory", {}).get("course_id", "")
    if not course:
        raise HandInError(NOT_SET_UP)
    return Where(str(course), folder.name, folder.parent)


def _reason(trace: str) -> str:
    """The last line of nbgrader's error, in words a learner can pass on (no traceback)."""
    last = next((line for line in reversed(trace.strip().splitlines()) if line.strip()), "an unknown error")
    text = last.split(":", 1)[1].strip() if ":" in last.split(" ", 1)[0] else last.strip()
    if "Unrecognized course code" in text or "Assignment not found" in text or "does not exist" in text:
        return "this module is not open for hand-in on this server"
    if "Permission denied" in text:
        return "the server may not put it where your trainer collects it"
    return text.rstrip(".")


def hand_in(notebook: Path) -> Where:
    """Submit the module of `notebook` to nbgrader's exchange exactly as the Assignments panel's Submit does."""
    from nbgrader.server_extensions.assignment_list.handlers import AssignmentList

    place = where(notebook)
    manager = AssignmentList()
    manager.root_dir = str(place.root)
    here = os.getcwd()
    try:
        os.chdir(place.root)  # the panel runs in the server, whose folder is the root; this kernel runs in the module's
        outcome = manager.submit_assignment(place.course, place.module)
    except Exception as error:  # noqa: BLE001 - nbgrader raised before its own catch: show it as a sentence
        LOG.exception("hand-in of %s failed", notebook)
        raise HandInError(FAILED.format(reason=_reason(f"{type(error).__name__}: {error}"))) from error
    finally:
        with contextlib.suppress(OSError):
            os.chdir(here)  # nbgrader changes the directory and does not always change it back
    if not outcome.get("success"):
        LOG.error("hand-in of %s failed:\n%s", notebook, outcome.get("value", ""))
        raise HandInError(FAILED.format(reason=_reason(str(outcome.get("value", "")))))
    return place


class HandIn:
    """The module's Hand in button and a line that says, in plain words, what happened."""

    def __init__(self, *, notebook: str | Path | None = None) -> None:
        self.notebook = notebook_path(notebook)
        self.button = w.Button(
            description="Hand in this module",
            button_style="primary",
            tooltip="Send this module, with every answer saved in it, to your trainer",
            layout=w.Layout(width="auto"),
        )
        self.button.on_click(lambda _: self.press())
        self.status = w.HTML(value=status_line(""), layout=w.Layout(min_height="1.6em"))
        intro = w.HTML(
            "<p>When you have answered every question, hand the module in: your trainer receives it as it is "
            "now. You can change answers and hand it in again; the last one counts.</p>"
        )
        self.box = w.VBox([intro, w.HBox([self.button]), self.status], layout=w.Layout(max_width="52em"))
        self.box.add_class("smtk-question")
        self.box.add_class("smtk-hand-in")

    def press(self) -> str:
        """Hand the module in; the sentence shown (and returned) says when, or what went wrong."""
        self.button.disabled = True
        self.status.value = status_line("Handing in…")
        try:
            message = self._hand_in()
        finally:
            self.button.disabled = False
        self.status.value = status_line(message)
        return message

    def _hand_in(self) -> str:
        if self.notebook is None:
            return NOT_SET_UP
        mine = [r for r in Recorder._live.values() if r.notebook == self.notebook]
        if not all(r.saved() for r in mine):
            return NOT_SAVED
        try:
            hand_in(self.notebook)
        except HandInError as error:
            return str(error)
        now = dt.datetime.now().astimezone()
        return (
            f"Handed in at {now:%H:%M} on {now:%d %B}. Your trainer now has this module with your answers. "
            "You can still change an answer and hand in again."
        )

    def _repr_mimebundle_(self, **kwargs) -> dict:
        return self.box._repr_mimebundle_(**kwargs)


def status_line(message: str) -> str:
    """A line of feedback as a status region: screen readers announce it when it changes."""
    return f'<div class="smtk-feedback" role="status" aria-live="polite">{html.escape(message)}</div>'
