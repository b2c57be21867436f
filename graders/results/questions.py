"""Every graded question of the course with its widget, and its item statistics once a cohort has been graded.

The course overview app shows it: which questions each module asks and in what form (a question widget, code, or
a written answer the trainer grades), and, for the course the dashboards read, how hard each one was and whether it
goes with its module (graders.results.item_stats). The questions come from the source notebooks, walked as the
facilitator's guides walk them, so both list the same items.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd

from graders.course.facilitator import lesson_parts
from graders.course.manifest import Manifest, course_manifest, load_manifest
from graders.course.root import CONFIG_FILE
from graders.results.gradebook import item_scores
from graders.results.item_stats import HEADERS, item_statistics
from graders.results.trainer_data import course_root
from simulations.lessons.questions import item_form

COLUMNS = ["track", "module", "lesson", "question", "item", "widget", "points"]
STATS = ["learners", "difficulty", "discrimination", "flags"]


def question_table(manifest: Manifest, source: Path, stats: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per graded item of every module whose notebooks are under `source`, in course order, with its track,
    module and lesson titles, widget and points, and the item's statistics from `stats` when given."""
    tracks = {t.id: t.title for t in manifest.tracks}
    rows = []
    for module in manifest.modules:
        for lesson in module.lessons:
            path = Path(source) / module.id / f"{lesson.id}.ipynb"
            if not path.exists():
                continue
            nb = nbformat.read(path, as_version=4)
            for part in lesson_parts(nb):
                for item in part.items:
                    rows.append(
                        {
                            "track": tracks[module.track],
                            "module": module.title,
                            "lesson": lesson.title,
                            "question": item.heading or item.grade_id,
                            "item": item.grade_id,
                            "widget": item_form(item.widget, module.code_free),
                            "points": item.points,
                            "_key": (module.id, lesson.id, item.grade_id),
                        }
                    )
    frame = pd.DataFrame(rows, columns=[*COLUMNS, "_key"])
    if stats is not None:
        found = {(s.module, s.notebook, s.item): s for s in stats.itertuples(index=False)}
        for column in STATS:
            frame[column] = [getattr(found[k], column) if k in found else None for k in frame["_key"]]
        # Whole people, and blank (None, shown as a dash) where no one took it: not 2.0, not <NA>.
        frame["learners"] = pd.Series([None if pd.isna(n) else int(n) for n in frame["learners"]], dtype=object)
    return frame.drop(columns="_key").rename(columns=HEADERS)


def course_questions(course: str | Path | None = None) -> pd.DataFrame:
    """The questions of the course the dashboards read (as the trainer app finds it), with its item statistics when
    it has a gradebook; the master course's questions, without statistics, when there is no such course."""
    root = course_root(course)
    if not (root / CONFIG_FILE).exists() or not (root / "course.yml").exists():
        manifest = load_manifest()
        return question_table(manifest, manifest.source_dir)
    stats = item_statistics(item_scores(root)) if (root / "gradebook.db").exists() else None
    return question_table(course_manifest(root), root / "source", stats)
