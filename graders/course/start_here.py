"""A "Start here" page per track, written by `smtk tailor` into the learners' release from courses/course.yml.

Each page says what the track is for and whom, its modules in order with their minutes (each a link to its notebook),
how to work through a module and how to hand it in. The pages sit in `release/0-start-here/<track>.md`: JupyterLab's
file browser lists folders first, by name, so a folder whose name starts with 0 is the first thing a learner sees,
above the module folders (lower-case module ids). The kit's JupyterLab settings open Markdown files rendered.
"""

from __future__ import annotations

import re
from pathlib import Path

from graders.course.manifest import Lesson, Manifest, Module, Track
from simulations.profile.org import OrgProfile

START_FOLDER = "0-start-here"
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|])")

# What each format means for the learner, under "How it runs" (the mode is data: Track.format.mode in course.yml).
HOW_IT_RUNS = {
    "on-demand": (
        "On demand: you take each lesson on your own, when it suits you, in the order below, and hand each module "
        "in when its last lesson is done."
    ),
    "group-session": (
        "In group sessions: a facilitator shows each lesson on a shared screen and walks the room through it one "
        "part at a time; the group talks each question through and answers it together in the lesson's boxes, then "
        "plays the live exercise when your organisation runs one. Afterwards you can open the same lessons below on "
        "your own, answer them yourself and hand them in."
    ),
    "private-session": (
        "In private sessions: a facilitator takes you through each module in a conversation, with the executive "
        "apps (the business case, the peer benchmark, risk in money) as the material. You answer each question by "
        "choosing or typing in the lesson's boxes; you never read or write code. You can also open the modules below "
        "on your own."
    ),
}

HOW_TO_WORK = """\
## How to work through a module

1. Open the module's notebook: the links above, or its folder in the file browser on the left.
2. Check that the kernel, at the top right of the notebook, is "Social Media Training (Python 3)".
3. Run the notebook from the top: *Run → Run All Cells*. The first cells load your organisation's profile.
4. Read each part and try its widget. Answer each question in the cell below it, then run the check under your
   answer: if it stops with an error, the message says what is wrong.
5. At the end, fill in the feedback cell, then save the notebook (Ctrl+S).

A longer module comes in lessons of ten minutes or less, one notebook each, in the same folder: take one lesson
per sitting, in order, and hand the module in once, when its last lesson is done.
"""

HOW_TO_HAND_IN = """\
## How to hand in a module

1. Save the notebook (Ctrl+S).
2. Press **Validate** in the notebook's toolbar. It runs the notebook and lists every check that fails, so you can
   fix an answer before you hand it in. Some checks are hidden and run only when your trainer grades the module.
3. Open **Nbgrader → Assignment List**. Under *Downloaded assignments*, press **Submit** next to the module. You may
   submit again: your trainer grades the last notebook you submitted.

If your trainer asks you to hand in another way (a shared folder or a zip), hand in the saved notebook file itself,
for example `{example}`, without renaming it.
"""


def _text(value: str) -> str:
    """Text from the manifest or the profile, shown as itself in Markdown (no accidental links or emphasis)."""
    return _MARKDOWN.sub(r"\\\1", " ".join(value.split()))


def _link(module: Module, built: set[str], lesson: Lesson | None = None) -> str:
    """The module's title linked to its first lesson, or `lesson`'s title linked to its notebook; the title alone
    when this release does not hold the module."""
    title = _text(lesson.title if lesson else module.title)
    if module.id not in built:
        return f"*{title}*"
    return f"[{title}](../{module.id}/{(lesson or module.lessons[0]).id}.ipynb)"


def start_page(track: Track, manifest: Manifest, org: OrgProfile, built: set[str]) -> str:
    """The Markdown of one track's "Start here" page; `built` holds the ids of the modules in this release."""
    lines = [f"# Start here: {_text(track.title)}", "", f"This course is prepared for **{_text(org.name)}**.", ""]
    lines += ["## What this track is for", ""]
    if track.purpose:
        lines += [_text(track.purpose), ""]
    lines += [f"- **For:** {_text(track.audience)}", f"- **Format:** {_text(track.format.description)}", ""]
    lines += ["## How it runs", "", HOW_IT_RUNS[track.format.mode], ""]
    lines += ["## Your modules, in order", ""]
    before: set[str] = set()
    for number, module in enumerate(track.modules, start=1):
        line = f"{number}. {_link(module, built)}, about {module.minutes} minutes"
        if len(module.lessons) > 1:
            line += f" in {len(module.lessons)} lessons"
        earlier = [manifest.module(p) for p in module.prerequisites if p not in before]
        if earlier:
            line += ". Do first: " + ", ".join(_link(m, built) for m in earlier)
        lines.append(line)
        if len(module.lessons) > 1:
            lines += [
                f"   - {_link(module, built, lesson)}, about {lesson.minutes} minutes" for lesson in module.lessons
            ]
        before.add(module.id)
    total = sum(m.minutes for m in track.modules)
    longest = max(lesson.minutes for m in track.modules for lesson in m.lessons)
    lines += ["", f"About {total} minutes in all. Each lesson takes at most {longest} minutes: one sitting.", ""]
    lines.append(HOW_TO_WORK)
    lines.append(HOW_TO_HAND_IN.format(example=f"{track.modules[0].id}.ipynb"))
    return "\n".join(lines)


def write_start_pages(release: Path, manifest: Manifest, org: OrgProfile) -> list[Path]:
    """Write one page per track the organisation builds into `release`/0-start-here/ (and nothing else there)."""
    folder = Path(release) / START_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    built = {p.parent.name for p in Path(release).glob("*/*.ipynb")}
    written = []
    for track in manifest.tracks:
        if track.id not in org.tracks or not track.modules:
            continue
        path = folder / f"{track.id}.md"
        text = start_page(track, manifest, org, built)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    for stale in set(folder.iterdir()) - set(written):
        if stale.is_file():
            stale.unlink()
    return written
