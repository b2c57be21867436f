"""How long a lesson takes a learner, estimated from what it holds: the words to read and the things to do.

A lesson's `minutes:` in the manifest is a promise to the learner and to the manager who gives them the time, so
`smtk check` compares it with this estimate. The constants below are the course's planning assumptions, not
measurements: a reading speed for plain instructional text, and a time per kind of question or activity that
covers reading its choices and answering. docs/guides/trainer.md says what each assumes; change them here only.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

from simulations.common.facts import Registry, render_markdown
from simulations.lessons.questions import WIDGETS, widget_kind

READING_WPM = 200  # words a minute, reading a lesson's text on screen
# Seconds per thing to do, by what it is: a question widget by the kind it asks, and the lesson's other activities.
SECONDS = {
    "single": 40,  # read a question and up to five choices, pick one
    "multiple": 60,  # the same, weighing each choice
    "order": 75,  # put four to six items in order
    "match": 75,  # match four to eight items with their answers
    "number": 60,  # work out a figure from what the lesson showed
    "text": 45,  # a word or a short phrase
    "long": 240,  # a written answer of a few sentences (about 40-80 words, thought through)
    "simulation": 240,  # a graded simulation played in the lesson (the triage shift, the heat map)
    "code": 240,  # a code exercise of an analyst's module: write, run, check
    "activity": 30,  # a widget, chart or card to look at and try, not graded
    "feedback": 30,  # the closing rating and comment
}
KIND_OF = dict(WIDGETS)  # question widget class -> the kind it asks
TOLERANCE = 0.2  # a lesson's stated minutes may differ from the estimate by this share of it
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.,%$€£-]*")
_SKIPPED = ("setup",)  # grade ids of cells that only prepare the lesson
ALTERNATIVE = "-alternative"  # grade id suffix of a cell that offers a code exercise's question as a widget
# A lesson's minutes live in the manifest alone (the Start-here pages, the hub and the facilitator guides show them
# from there): a notebook that says them too goes stale the day the lesson changes.
_RESTATED = re.compile(r"\b(?:about|takes?|in)\s+\d+\s+minutes\b", re.IGNORECASE)


@dataclass(frozen=True)
class Estimate:
    """A lesson's estimated minutes and what they are made of: the words to read and the things to do by kind."""

    words: int
    activities: tuple[tuple[str, int], ...]  # (kind, how many), in the order of SECONDS

    @property
    def seconds(self) -> float:
        return self.words / READING_WPM * 60 + sum(SECONDS[kind] * n for kind, n in self.activities)

    @property
    def minutes(self) -> float:
        return self.seconds / 60

    def breakdown(self) -> str:
        """The estimate in words: `12.4 min: 1,100 words to read (5.5 min), 2 single, 1 long, feedback`."""
        parts = [f"{self.words:,} words to read ({self.words / READING_WPM:.1f} min)"]
        parts += [f"{n} {kind}" if n > 1 or kind != "feedback" else kind for kind, n in self.activities]
        return f"{self.minutes:.1f} min: " + ", ".join(parts)


def words(text: str) -> int:
    return len(_WORD.findall(text))


def estimate(notebook: Path, registry: Registry | None = None, code_free: bool = True) -> Estimate:
    """The estimate for one lesson notebook: its Markdown's words (facts written in as the learner reads them) and
    one activity per question widget, graded simulation or code exercise, widget shown, and the feedback cell."""
    nb = nbformat.read(notebook, as_version=4)
    count = 0
    kinds: Counter[str] = Counter()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        graded, solution = meta.get("grade", False), meta.get("solution", False)
        if cell.cell_type == "markdown":
            if graded and solution:  # a written answer typed into the lesson itself: the learner writes it, and
                kinds["long"] += 1  # its source is the trainer's worked answer, which the release leaves out
                continue
            text = render_markdown(cell.source, registry, ("US", "EU", "UK")) if registry is not None else cell.source
            count += words(text)
            continue
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        widget = widget_kind(cell.source)
        if widget is not None and meta.get("grade_id", "").endswith(ALTERNATIVE):
            continue  # a code exercise's widget alternative: the learner does one or the other, counted once as code
        if widget is not None:
            kinds[KIND_OF[widget]] += 1
        elif "feedback" in cell.metadata.get("tags", []) or "ModuleFeedback(" in cell.source:
            kinds["feedback"] += 1
        elif graded and not solution:
            kinds["simulation" if code_free else "code"] += 1
        elif solution or meta.get("grade_id", "") in _SKIPPED or meta.get("grade_id", "").endswith("-context"):
            continue  # the trainer's worked answer (hidden, or the code an analyst writes: counted with its test)
        elif meta.get("grade_id") or not cell.metadata.get("tags"):
            kinds["activity"] += 1
    ordered = tuple((kind, kinds[kind]) for kind in SECONDS if kinds[kind])
    return Estimate(count, ordered)


def restated_minutes(notebook: Path) -> str | None:
    """The words of a lesson's first cell that state its length in minutes (e.g. "about 9 minutes"), or None."""
    cells = nbformat.read(notebook, as_version=4).cells
    found = _RESTATED.search(cells[0].source) if cells else None
    return found.group(0) if found else None


def off(stated: int, estimated: float, most: float) -> str | None:
    """Why a lesson's stated minutes are wrong for its estimate, or None: over `most`, or off by over TOLERANCE."""
    if estimated > most:
        return f"estimated {estimated:.1f} minutes, over the {most} a lesson may take: split or shorten it"
    if abs(stated - estimated) > TOLERANCE * estimated:
        return f"says {stated} minutes, estimated {estimated:.1f}: write {max(1, math.floor(estimated + 0.5))}"
    return None
