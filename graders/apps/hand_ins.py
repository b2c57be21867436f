"""Widget: the trainer's hand-ins page: per module, who handed in, was collected, graded and got feedback, and one
button that runs `smtk grade collect`, `autograde` and `feedback` on the course, as the command line does.

It sits beside the command line (above grading and results) so a trainer signed in to the hub grades from the
browser, on the same gradebook and the same exchange, without a terminal on the machine.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as w

from graders.course.exchange import exchange_root, track_modules
from graders.course.root import GradeError
from graders.grading.collect import collect
from graders.grading.pipeline import autograde
from graders.results.exports import feedback
from graders.results.library_feed import feed_course
from graders.results.trainer_data import course_root

STAGES = (("handed_in", "Handed in"), ("collected", "Collected"), ("graded", "Graded"), ("feedback", "Feedback out"))


@dataclass(frozen=True)
class HandIns:
    """How many learners of one module are at each stage, from the exchange and the course's folders."""

    module: str
    handed_in: int
    collected: int
    graded: int
    feedback: int


def _learners(folder: Path, module: str) -> set[str]:
    return {p.parent.name for p in folder.glob(f"*/{module}") if p.is_dir()}


def hand_ins(root: Path) -> list[HandIns]:
    """Each released module's counts, in the course's order (a module in several tracks once)."""
    modules = list(dict.fromkeys(m for ms in track_modules(root).values() for m in ms))
    inbound = [p for p in exchange_root(root).glob("*/inbound/*+*+*") if p.is_dir()]
    rows = []
    for module in modules:
        handed_in = {p.name.split("+")[0] for p in inbound if p.name.split("+")[1] == module}
        rows.append(
            HandIns(
                module,
                len(handed_in),
                len(_learners(root / "submitted", module)),
                len(_learners(root / "autograded", module)),
                len(_learners(root / "feedback", module)),
            )
        )
    return rows


def grade_module(module: str, root: Path, workers: int = 2) -> list[str]:
    """Collect from the exchange, autograde and release feedback: the three commands' summaries, in order; then the
    learners' closing feedback into the library."""
    lines = [collect(module, exchange_root(root), root).summary()]
    lines.append(autograde(module, root, workers=workers, progress=False).summary())
    lines.append(feedback(module, root).summary())
    try:
        fed = feed_course(root)  # the library the trainer's apps were started with, when there is one
    except (OSError, ValueError) as exc:  # the grades stand: only the library missed the feedback
        lines.append(f"Library: the feedback was not added ({exc})")
    else:
        if fed is not None:
            lines.append(fed.summary())
    return lines


def _table(rows: list[HandIns]) -> str:
    head = "".join(f"<th scope='col'>{label}</th>" for _, label in STAGES)
    body = "".join(
        f"<tr><th scope='row'>{html.escape(r.module)}</th>"
        + "".join(f"<td>{getattr(r, key)}</td>" for key, _ in STAGES)
        + "</tr>"
        for r in rows
    )
    return (
        "<table class='smtk-table'><caption>Learners at each stage, per module</caption>"
        f"<thead><tr><th scope='col'>Module</th>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def hand_ins_app(course: str | Path | None = None) -> w.Widget:
    """The page: the table, a module to grade, the button and what the commands reported."""
    root = course_root(course)
    if not exchange_root(root).is_dir():
        return w.HTML(
            "<div class='smtk-empty'><h3>No hand-ins here</h3><p>"
            + html.escape(f"{root} has no exchange: learners hand in through the hub (`smtk hub`).")
            + "</p></div>"
        )
    table = w.HTML(_table(hand_ins(root)))
    rows = hand_ins(root)
    module = w.Dropdown(
        options=[r.module for r in rows], description="Module to grade", style={"description_width": "initial"}
    )
    run = w.Button(description="Collect, grade and release feedback", button_style="primary")
    run.layout.min_height = "32px"
    status = w.HTML("<p role='status' aria-live='polite'></p>")

    def _say(lines: list[str], state: str) -> None:
        text = "".join(f"<pre>{html.escape(line)}</pre>" for line in lines)
        status.value = f"<div role='status' aria-live='polite'><p><strong>{html.escape(state)}</strong></p>{text}</div>"

    def _grade(_button: w.Button) -> None:
        run.disabled = True
        _say([], f"Grading {module.value}: collecting, grading in the sandbox and writing feedback…")
        try:
            lines = grade_module(module.value, root)
            state = f"{module.value}: done. Written answers wait for you in the formgrader."
        except GradeError as exc:
            lines, state = [str(exc)], f"{module.value} was not graded."
        table.value = _table(hand_ins(root))  # before the message, which is what a screen reader announces
        _say(lines, state)
        run.disabled = False

    run.on_click(_grade)
    intro = w.HTML(
        "<p>Learners hand in from their Assignments panel. Grading collects every hand-in of the module from the "
        "exchange, grades each in its own sandbox and releases the feedback, which learners fetch from the same "
        "panel. Run it again when more learners have handed in.</p>"
    )
    return w.VBox([intro, table, w.HBox([module, run]), status])
