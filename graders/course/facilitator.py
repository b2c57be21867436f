"""A facilitator's guide per module of a facilitated track, written by `smtk tailor` into the trainer's side.

Group sessions (managers, business units) and private sessions (executives) need someone to run them. The guide
is generated from the tailored source notebooks and the manifest: the objectives and minutes, the lesson's parts
one at a time in the order to show them, each graded question with its widget and its worked answer, the executive
apps to open, and how the session ends. It holds the worked answers, so it is written to `DIR/facilitator/`, next to
`source/`, and never to `release/`, which is what learners get.

The room works in the lesson itself: the facilitator shows the released notebook, code hidden, on the shared screen
and the group answers in its question widgets, so what the room sees is exactly what a learner sees. The guide is a
Markdown page (rendered by the trainer's JupyterLab, printable) rather than a live page of its own: it needs no
server or kernel beside the lesson, and it cannot drift from the lesson because it is rebuilt from it at each tailor.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from graders.course.apps import App
from graders.course.manifest import Manifest, Module, Track
from simulations.lessons.questions import CODE, WRITTEN, widget_kind

FACILITATOR_FOLDER = "facilitator"
_SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)\n\s*### END SOLUTION", re.S)
_HEADING = re.compile(r"^(#{2,3})\s+(.+?)\s*$", re.M)
# How each facilitated format runs, and how its session ends (the mode is data: Track.format.mode in course.yml).
OPENING = {
    "group-session": (
        "Show each lesson on the shared screen, opened from the learners' release so the code stays hidden. Take "
        "the parts below one at a time: read or tell the part, let the room try its widget, then put each question "
        "to the room, let them talk it through and enter the answer the group agrees on. Reveal the worked answer "
        "only after the group has answered."
    ),
    "private-session": (
        "Run it as a conversation with one leader. Open the executive apps listed below before you start and use "
        "them as the material; let the leader answer each question in the lesson's widgets, and discuss the worked "
        "answer afterwards. Never show code: open lessons from the learners' release, where it is hidden."
    ),
}
CLOSING = {
    "group-session": (
        "Close with the live exercise when {org} runs one: the crisis-triage drill (`triage-drill.ipynb` on the "
        "dashboards server) puts the room at one screen routing a stream of posts against the clock. Then ask "
        "everyone to open the module on their own, answer the questions themselves and hand it in."
    ),
    "private-session": (
        "Close by asking what the leader will decide or sponsor next, and offer the module to take again on their own."
    ),
}


@dataclass
class Item:
    """One graded question of a lesson: its nbgrader id, points, widget (or "code" / "written") and worked answer."""

    grade_id: str
    points: float
    widget: str
    heading: str = ""
    answer: str = ""


@dataclass
class Part:
    """One part of a lesson (a `##` heading) and the graded questions inside it."""

    title: str
    items: list[Item] = field(default_factory=list)


def worked_answer(region: str) -> str:
    """A solution region as the facilitator reads it: a literal returned (a letter, a list, a number, a text) as
    plain words; anything computed as its expression; longer code as it is."""
    code = textwrap.dedent(region).strip()
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Return) and tree.body[0].value is not None:
        expression = tree.body[0].value
        try:
            value = ast.literal_eval(expression)
        except ValueError:
            return ast.get_source_segment(code, expression) or code
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        if isinstance(value, dict):
            return "; ".join(f"{k}: {v}" for k, v in value.items())
        return str(value)
    return code


def lesson_parts(nb: nbformat.NotebookNode) -> list[Part]:
    """The lesson's parts in order, each with its graded items: test cells with the widget they show, written
    answers (tasks and manually graded answer cells), each with the worked answer from its solution region."""
    parts = [Part("Opening")]
    heading = ""
    waiting: list[Item] = []  # items whose worked answer comes in a later cell (a task's answer cell)
    solution = ""  # the last solution region seen, for the test cell that checks it
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown":
            for level, title in _HEADING.findall(cell.source):
                if level == "##":
                    parts.append(Part(title))
                else:
                    heading = title
        found = _SOLUTION.search(cell.source) if meta.get("solution") else None
        if found:
            solution = worked_answer(found.group(1))
            for item in waiting:
                item.answer = solution
            waiting = []
        if not (meta.get("grade") or meta.get("task")):
            continue
        points = float(meta.get("points") or 0)
        if meta.get("task"):
            item = Item(meta["grade_id"], points, WRITTEN, heading)
            waiting.append(item)
        elif meta.get("solution"):  # an answer cell the trainer grades by hand
            item = Item(meta["grade_id"], points, WRITTEN, heading, solution)
        else:
            item = Item(meta["grade_id"], points, widget_kind(cell.source) or CODE, heading, solution)
        parts[-1].items.append(item)
    return [p for p in parts if p.title != "Opening" or p.items]


def facilitator_guide(
    track: Track, module: Module, manifest: Manifest, org_name: str, apps: list[App], source: Path
) -> str:
    """The Markdown of one module's guide; `source` holds the module's tailored notebooks (`source/<module>/`)."""
    mode = track.format.mode
    lines = [
        f"# Facilitator's guide: {module.title}",
        "",
        f"*{track.title} · {track.format.description} ({mode}) · {org_name} · about {module.minutes} minutes · "
        f"{module.points:g} points*",
        "",
        "**For the facilitator only.** This guide holds the worked answers: it is not part of the learners' "
        "release. Do not share it before the session.",
        "",
        "## Objectives",
        "",
        *[f"- {objective}" for objective in module.objectives],
        "",
        "## How to run it",
        "",
        OPENING[mode],
        "",
    ]
    chosen = [a for name in module.apps for a in apps if a.notebook == name]
    if chosen:
        lines += ["## Executive apps to open", ""]
        lines += [f"- **{a.title}** (`{a.notebook}` on the dashboards server): {a.question}" for a in chosen]
        lines.append("")
    for number, lesson in enumerate(module.lessons, start=1):
        nb = nbformat.read(source / f"{lesson.id}.ipynb", as_version=4)
        prefix = f"Lesson {number}: " if len(module.lessons) > 1 else "The lesson: "
        lines += [f"## {prefix}{lesson.title}, about {lesson.minutes} minutes", ""]
        where = f"Open `{module.id}/{lesson.id}.ipynb` from the release"
        if module.code_free:
            lines += [f"{where}: its code is hidden and every question is a widget.", ""]
        else:
            lines += [f"{where}. This module still asks for code: you type the group's answer where it goes.", ""]
        for step, part in enumerate(lesson_parts(nb), start=1):
            lines.append(f"- Part {step}: **{part.title}**")
            for item in part.items:
                what = "written, graded by you afterwards" if item.widget == WRITTEN else f"widget: {item.widget}"
                lines.append(f"   - `{item.grade_id}`, {item.points:g} point(s), {what}. {item.heading}".rstrip())
                if item.answer:
                    answer = textwrap.indent(item.answer, "     > ")
                    lines += ["     Worked answer:", "", answer, ""]
        lines.append("")
    lines += ["## Closing", "", CLOSING[mode].format(org=org_name), ""]
    return "\n".join(lines)


def write_guides(root: Path, manifest: Manifest, tracks: tuple[str, ...], org_name: str, apps: list[App]) -> list[Path]:
    """Write one guide per module of every facilitated track the course builds into `root`/facilitator/."""
    folder = Path(root) / FACILITATOR_FOLDER
    written = []
    for track in manifest.tracks:
        if track.id not in tracks or not track.format.facilitated:
            continue
        for module in track.modules:
            text = facilitator_guide(track, module, manifest, org_name, apps, Path(root) / "source" / module.id)
            path = folder / track.id / f"{module.id}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
            written.append(path)
    if folder.exists():
        for stale in set(folder.rglob("*.md")) - set(written):
            stale.unlink()
    return written
