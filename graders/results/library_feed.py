"""Between the gradebook and the library: the learners' closing feedback into the library's ratings of each module,
and the library's accepted contributions back to certification.

So the revision queue weighs what learners said at the end of each module without anyone copying it over. A
learner's rating of a module is the mean of their ratings of its lessons, rounded half up (a module of one lesson:
that lesson's rating), and their comments are kept with the lesson each was left on. Only what changed is stored:
feeding twice stores nothing the second time, and a learner's newer feedback replaces the older in the library.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from graders.course.check import library_database
from graders.course.manifest import Manifest, course_manifest, library_modules
from graders.results.gradebook import feedback
from simulations.exercise.live import DB_VARIABLE
from simulations.library import LibraryStore, Refused
from simulations.library.gate import plain_text


@dataclass(frozen=True)
class Fed:
    """What one feeding did: ratings stored, ratings already in the library, and comments left out (with why)."""

    stored: int
    unchanged: int
    refused: tuple[str, ...] = ()

    def summary(self) -> str:
        line = f"Library: {self.stored} module rating(s) stored from the graded feedback, {self.unchanged} unchanged"
        return "\n".join([line + ".", *(f"  {r}" for r in self.refused)])


def configured_library(named: str | Path | None = None) -> str | None:
    """The library to use: the one `named`, else the one the apps were started with ($SMTK_EXERCISE_DB, as the hub's
    app services and `smtk dashboards` set it) when it exists, else None: nothing is created by looking."""
    if named is not None:
        return str(named)
    found = os.environ.get(DB_VARIABLE, "")
    return found if found.startswith(("postgresql://", "postgres://")) or (found and Path(found).is_file()) else None


def feed_course(root: str | Path, library: str | Path | None = None) -> Fed | None:
    """After grading a course root made by `smtk tailor`: its feedback into the configured library, if there is one."""
    target = configured_library(library)
    if target is None or not (Path(root) / "course.yml").exists():
        return None
    return feed_library(root, target, course_manifest(root))


def module_feedback(root: str | Path, manifest: Manifest) -> dict[tuple[str, str], tuple[int | None, str]]:
    """(module, learner) -> (rating, comment) over the module's graded lessons, as the library keeps one per module;
    the comments in the order of the module's lessons."""
    place = {(m.id, lesson.id): i for m in manifest.modules for i, lesson in enumerate(m.lessons)}
    found: dict[tuple[str, str], list[tuple[str, int | None, str]]] = {}
    table = feedback(root)
    for row in table.itertuples(index=False):
        rating = None if pd.isna(row.rating) else int(row.rating)
        found.setdefault((row.module, row.learner), []).append((row.lesson, rating, row.comment))
    combined = {}
    for key, lessons in found.items():
        ratings = [r for _, r, _ in lessons if r is not None]
        rating = math.floor(sum(ratings) / len(ratings) + 0.5) if ratings else None
        if len(lessons) == 1:
            comment = lessons[0][2]
        else:
            lessons.sort(key=lambda lesson: (place.get((key[0], lesson[0]), len(place)), lesson[0]))
            comment = "; ".join(f"{lesson}: {text}" for lesson, _, text in lessons if text)
        combined[key] = (int(rating) if rating is not None else None, comment)
    return combined


def feed_library(root: str | Path, target: str | Path, manifest: Manifest) -> Fed:
    """Store each learner's closing feedback of each graded module as their rating in the library at `target`. A
    comment the library refuses (markup, too long) is left out with the reason; the rating is still stored."""
    stored, unchanged, refused = 0, 0, []
    with LibraryStore(library_database(target), library_modules(manifest)) as store:
        held = store.state().ratings
        known = {m.id for m in manifest.modules}
        for (module, learner), (rating, comment) in sorted(module_feedback(root, manifest).items()):
            if module not in known:
                continue
            try:
                comment = plain_text("comment", comment) if comment.strip() else ""
            except Refused as why:
                refused.append(f"{learner}, {module}: comment left out: {why}")
                comment = ""
            now = held.get((module, learner))
            if now is not None and (now.rating, now.comment) == (rating, comment):
                unchanged += 1
            elif rating is not None or comment:
                store.rate(learner, module, rating, comment)
                stored += 1
    return Fed(stored, unchanged, tuple(refused))


def accepted_contributions(target: str | Path, manifest: Manifest) -> dict[tuple[str, str], int]:
    """(learner, track) -> how many of the learner's contributions on the track's modules the library accepted."""
    track_of = {m.id: m.track for m in manifest.modules}
    counts: dict[tuple[str, str], int] = {}
    with LibraryStore(library_database(target), library_modules(manifest)) as store:
        for item in store.state().contributions.values():
            if item.visible and item.module in track_of:
                key = (item.author, track_of[item.module])
                counts[key] = counts.get(key, 0) + 1
    return counts
