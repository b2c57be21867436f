"""Everything the trainer app shows, read from one course root (the gradebook, the manifest, the roster)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from graders.course.certification import load_rules
from graders.course.check import library_queue
from graders.course.manifest import Manifest, course_manifest
from graders.course.root import CONFIG_FILE
from graders.paths import BUILD
from graders.results.gradebook import feedback, item_scores, learners, module_scores, modules_table
from graders.results.library_feed import configured_library
from graders.results.tiers import award, expiring
from simulations.lessons.questions import item_form
from simulations.profile.org import load_org

COURSE_ENV = "SMTK_COURSE"


def course_root(course: str | Path | None = None) -> Path:
    """The course the app reads: the one given, else $SMTK_COURSE, else the demo course that `make demo` builds."""
    return Path(course or os.environ.get(COURSE_ENV) or BUILD / "demo").resolve()


@dataclass(frozen=True)
class TrainerData:
    """Everything the trainer app shows; with no graded submission, `empty_message` says why the tables are empty."""

    scores: pd.DataFrame
    items: pd.DataFrame
    feedback: pd.DataFrame
    learners: pd.DataFrame
    modules: pd.DataFrame
    certificates_due: pd.DataFrame
    today: dt.date
    pass_mark: float
    empty_message: str = ""
    certificates: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The library's revision queue (rank, module, track, weight, evidence), when the apps have a library.
    revision: pd.DataFrame = field(default_factory=pd.DataFrame)


def item_forms(items: pd.DataFrame, manifest: Manifest) -> pd.DataFrame:
    """The item table with each item's form as the learner meets it (a simulation, not code, in code-free modules)."""
    code_free = {m.id for m in manifest.modules if m.code_free}
    forms = [item_form(w, m in code_free) for w, m in zip(items["widget"], items["module"], strict=True)]
    return items.assign(widget=forms)


def revision_table(manifest: Manifest, today: dt.date, library: str | Path | None = None) -> pd.DataFrame:
    """The library's revision queue as a table, one row per module with each piece of evidence on a line; empty when
    no library is configured (the one named, else the one the apps were started with, if it exists)."""
    target = configured_library(library)
    columns = ["Rank", "Module", "Track", "Weight", "Evidence"]
    if target is None:
        return pd.DataFrame(columns=columns)
    rows = [
        (rank, e.title, e.track, e.score, "; ".join(f"{ev.kind}: {ev.summary}" for ev in e.evidence))
        for rank, e in enumerate(library_queue(manifest, target, today), start=1)
    ]
    return pd.DataFrame(rows, columns=columns)


def trainer_data(course: str | Path | None = None, today: dt.date | None = None, within_days: int = 60) -> TrainerData:
    """What the trainer app shows of one course root; a missing or ungraded course gives empty tables and a message."""
    root = course_root(course)
    today = today or dt.date.today()
    if not (root / CONFIG_FILE).exists() or not (root / "course.yml").exists():
        empty = pd.DataFrame()
        return TrainerData(
            empty,
            empty,
            empty,
            empty,
            empty,
            empty,
            today,
            pass_mark=0.7,
            empty_message=f"No course at {root}. Build one with `smtk tailor` (or `make demo`), grade "
            f"submissions, then reload this page. To look at another course, start Voilà with {COURSE_ENV}=DIR.",
        )
    manifest = course_manifest(root)
    rules = load_rules(root / "course.yml")
    built = set(load_org(root / "org.yaml").tracks)
    modules = modules_table(manifest)
    modules = modules[modules["track"].isin(built)].reset_index(drop=True)  # the tracks this course was built with
    scores = module_scores(root) if (root / "gradebook.db").exists() else pd.DataFrame()
    if scores.empty:
        return TrainerData(
            scores,
            scores,
            scores,
            scores,
            modules,
            scores,
            today,
            pass_mark=rules.pass_mark,
            empty_message=f"The course at {root} has no graded submissions yet. Collect and autograde "
            "learners' work, then reload this page.",
        )
    people = learners(root)
    certificates = award(scores, manifest, rules)
    due = expiring(certificates, today, within_days)
    due = due.assign(name=due["learner"].map(dict(zip(people["learner"], people["name"], strict=True))))
    return TrainerData(
        revision=revision_table(manifest, today),
        scores=scores,
        items=item_forms(item_scores(root), manifest),
        feedback=feedback(root),
        learners=people,
        modules=modules,
        certificates_due=due[["name", "track", "tier_title", "expires", "days_left"]],
        certificates=certificates,
        today=today,
        pass_mark=rules.pass_mark,
    )
