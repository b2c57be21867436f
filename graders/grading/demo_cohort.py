"""The demo cohort: fictional learners whose work is made from the solutions with seeded mistakes, then graded for real.

`smtk demo` builds it so the trainer app, `smtk certify` and the exports have figures at first start. The learners
come from a fictional roster (courses/orgs/demo-cohort.csv); each one works through a prefix of their tracks' modules
(prerequisites from other tracks first), and every submission is one of the documented kinds (docs/guides/trainer.md,
"The demo cohort"): complete, partly right, a typo, blank, and any of them late. The submissions are handed to the
kit's own `smtk grade` steps (collect, then autograde); a demo trainer grades most written answers the way formgrader
does and leaves the rest for the real trainer. Everything is drawn from the seed, the roster and the course, which
together (with the month the timeline ends in) make the cache key: a second build with the same key grades nothing.
A course that already holds real learners' work is never mixed with the fictional cohort.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import datetime as dt
import hashlib
import io
import json
import random
import shutil
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbgrader.utils import is_solution

from graders.course.manifest import Manifest, read_manifest
from graders.course.report import UNGRADABLE, LearnerResult
from graders.course.root import STATE, Course, GradeError, open_gradebook
from graders.course.roster import COLUMNS, ROSTER, Person, read_roster
from graders.grading.collect import TIMESTAMP_FORMAT, collect
from graders.grading.pipeline import autograde, warm_sandboxes
from graders.paths import COURSES

SEED = 20261204
ROSTER_FILE = COURSES / "orgs" / "demo-cohort.csv"
FORMAT = 3  # bump when the way submissions are made changes, so cached cohorts are rebuilt
MARKER = "demo-cohort.json"  # in the course's grading state folder: the cache key and what was built
# The kinds of submission (docs/guides/trainer.md, "The demo cohort"), and how often each kind of learner hands in
# each: a steady learner mostly completes, a struggling one often hands in part of the work or nothing.
KINDS = ("complete", "partly right", "typo", "blank")
PROFILES = {  # name: (share of learners, weights of KINDS, chance that a submission is late, share of modules done)
    "steady": (0.45, (0.80, 0.10, 0.10, 0.00), 0.05, (0.5, 1.0)),
    "uneven": (0.35, (0.45, 0.35, 0.10, 0.10), 0.20, (0.2, 0.7)),
    "struggling": (0.20, (0.15, 0.40, 0.10, 0.35), 0.40, (0.1, 0.4)),
}
UNGRADED_ANSWERS = 0.15  # written answers the demo trainer leaves for the trainer to grade in formgrader
RATINGS = (1, 2, 3, 4, 5)
COMMENTS = (  # fictional, like the learners
    "Short and to the point.",
    "The simulation made the numbers concrete.",
    "Too long for one coffee break.",
    "More examples from our own industry, please.",
    "I was not sure what the written answer should cover.",
    "Good refresher, I will share it with my team.",
    "The tests told me exactly what was wrong.",
)
DUE_DATES_SPAN = dt.timedelta(days=300)  # the modules' due dates are spread evenly over this, in course order


@dataclass
class CohortReport:
    """What a demo cohort build did: built, reused from the cache, or skipped (and why)."""

    course: str
    key: str = ""
    status: str = "built"  # built, reused or skipped
    reason: str = ""
    learners: int = 0
    tracks: list[str] = field(default_factory=list)
    submissions: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    late: int = 0
    answers_left: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        if self.status == "skipped":
            return f"Demo cohort: not built: {self.reason}"
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.kinds.items())
        head = (
            f"Demo cohort (fictional): {self.learners} learners on {', '.join(self.tracks)}, {self.submissions} "
            f"submissions ({kinds}; {self.late} late), {self.answers_left} written answers left to grade in formgrader"
        )
        if self.status == "reused":
            return f"{head}; reused, nothing regraded (cache key {self.key[:12]})."
        return f"{head}; collected and autograded in {self.seconds:.0f} s (cache key {self.key[:12]})."


@dataclass(frozen=True)
class Submission:
    """One fictional learner's work on one module, as drawn from the seed."""

    learner: str
    module: str
    kind: str
    late: bool
    handed_in: dt.datetime
    answered: tuple[str, ...]  # the grade ids answered from the solution
    typo: str | None
    rating: int | None
    comment: str
    grade_answer: bool  # the demo trainer grades its written answers


def build_cohort(
    course: str | Path,
    seed: int = SEED,
    roster: str | Path = ROSTER_FILE,
    today: dt.date | None = None,
    workers: int = 2,
    progress: bool = True,
) -> CohortReport:
    """Make, collect and autograde the demo cohort's work in a course root, unless the cache says it is done."""
    started = time.monotonic()
    root = Course(Path(course)).root  # a course root, with nbgrader's tools on PATH
    report = CohortReport(str(root))
    manifest = read_manifest(root / "course.yml", root / "source")  # a course may build only some tracks
    released = [m for m in manifest.modules if any((root / "release" / m.id).glob("*.ipynb"))]
    released_ids = {m.id for m in released}
    tracks = [t.id for t in manifest.tracks if any(m.id in released_ids for m in t.modules)]
    people = [p for p in read_roster(roster, tuple(t.id for t in manifest.tracks)) if p.role == "learner"]
    people = [p for p in people if any(t in tracks for t in p.tracks)]
    end = (today or dt.date.today()).replace(day=1)
    report.key = _key(root, seed, Path(roster), end)
    marker = root / STATE / MARKER
    previous = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else None
    roster_text = _roster_text(people)
    if previous and previous.get("key") == report.key:
        return CohortReport(**{**previous["report"], "status": "reused"})
    if reason := _foreign_work(root, previous, {p.learner for p in people}, roster_text):
        report.status, report.reason = "skipped", reason
        return report
    if previous:
        _remove(root, previous["learners"])
    templates = _Templates(root)
    plan = draw(manifest, templates, released_ids, people, seed, end)
    _set_due_dates(root, released, end)
    inbox = root / STATE / "demo-cohort-inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    for submission in plan:
        templates.write(inbox, submission)
    (root / ROSTER).write_text(roster_text, encoding="utf-8")
    with warm_sandboxes(root, workers) as sandboxes:
        for module in released:
            if (inbox / module.id).exists():
                collected = collect(module.id, inbox / module.id, root)
                graded = autograde(module.id, root, workers=workers, progress=progress, sandboxes=sandboxes)
                _check(module.id, collected.learners + graded.learners)
    shutil.rmtree(inbox, ignore_errors=True)
    report.answers_left = _grade_answers(root, plan, templates)
    report.learners = len({s.learner for s in plan})
    report.tracks = [t for t in tracks if any(t in p.tracks for p in people)]
    report.submissions = len(plan)
    report.kinds = {kind: sum(s.kind == kind for s in plan) for kind in KINDS}
    report.late = sum(s.late for s in plan)
    report.seconds = time.monotonic() - started
    state = {"key": report.key, "learners": sorted({s.learner for s in plan}), "report": asdict(report)}
    marker.write_text(json.dumps(state, indent=1), encoding="utf-8")
    return report


def _check(module_id: str, results: list[LearnerResult]) -> None:
    """Every fictional submission is collected and graded; one that is not is a fault of the cohort, said in full."""
    failed = [r for r in results if r.status in UNGRADABLE]
    if failed:
        lines = "; ".join(f"{r.learner} {r.status}: {' '.join(r.problems)}" for r in failed[:3])
        raise GradeError(f"the demo cohort's work for {module_id} was not graded ({len(failed)}): {lines}")


def _key(root: Path, seed: int, roster: Path, end: dt.date) -> str:
    """What went into the cohort: the course as built, the seed, the roster, the timeline's end, this code's format."""
    sha = hashlib.sha256()
    for folder in (root / "source", root / "release"):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts):
            sha.update(str(path.relative_to(root)).encode() + b"\0" + _content(path) + b"\0")
    sha.update((root / "course.yml").read_bytes())
    sha.update(roster.read_bytes())
    sha.update(f"{seed}|{end.isoformat()}|{FORMAT}".encode())
    return sha.hexdigest()


def _content(path: Path) -> bytes:
    """A file's bytes; for a notebook, its cells' kinds, sources and nbgrader metadata only (papermill gives the cell it
    injects a new random id on every build, which changes nothing a learner sees or grading does)."""
    if path.suffix != ".ipynb":
        return path.read_bytes()
    cells = nbformat.read(path, as_version=4).cells
    kept = [[c.cell_type, c.source, c.metadata.get("nbgrader", {}), c.metadata.get("tags", [])] for c in cells]
    return json.dumps(kept, sort_keys=True).encode()


def _roster_text(people: Iterable[Person]) -> str:
    """The course's roster.csv for the cohort (graders.course.roster's columns): names, business units and regions."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in people:
        values = {**{c: getattr(p, c) for c in COLUMNS if c != "tracks"}, "tracks": " ".join(p.tracks)}
        writer.writerow([values[c] for c in COLUMNS])
    return out.getvalue()


def _foreign_work(root: Path, previous: dict | None, cohort: set[str], roster_text: str) -> str:
    """Why the cohort must not go into this course (real learners' work or roster), or '' when it may."""
    ours = cohort | set(previous["learners"] if previous else ())
    if (root / "gradebook.db").exists():
        with open_gradebook(root) as gb:
            others = sorted(s.id for s in gb.students if s.id not in ours)
        if others:
            return (
                f"{root} already holds work of {len(others)} learner(s) not in the demo cohort "
                f"({', '.join(others[:3])}{', ...' if len(others) > 3 else ''}); fictional learners are never mixed "
                "with real ones"
            )
    roster = root / ROSTER
    if roster.exists() and not previous and roster.read_text(encoding="utf-8") != roster_text:
        return f"{roster} is not the demo cohort's roster; fictional learners are never mixed with real ones"
    return ""


def draw(
    manifest: Manifest, templates: _Templates, released: set[str], people: list[Person], seed: int, end: dt.date
) -> list[Submission]:
    """Every submission of the cohort, drawn from the seed: the same inputs always give the same cohort."""
    due = due_dates([m.id for m in manifest.modules if m.id in released], end)
    plan = []
    profiles = _profiles([p.learner for p in people], seed)
    for person in people:
        rng = random.Random(f"{seed}|{person.learner}")
        _, weights, late_chance, (low, high) = PROFILES[profiles[person.learner]]
        modules = _path(manifest, released, person.tracks)
        done = max(1, round(len(modules) * rng.uniform(low, high)))
        for module_id in modules[:done]:
            kind = rng.choices(KINDS, weights=weights)[0]
            late = rng.random() < late_chance
            hours = rng.uniform(2, 120) if late else -rng.uniform(6, 240)
            answers, written = templates.answers(module_id)
            code = [a for a in answers if a not in written]
            answered: tuple[str, ...] = ()
            if kind in ("complete", "typo"):
                answered = answers
            elif kind == "partly right":
                keep = set(rng.sample(code, k=max(1, len(code) // 2)) if code else [])
                keep |= {a for a in written if rng.random() < 0.5}
                answered = tuple(a for a in answers if a in keep)
            code_answered = [a for a in answered if a in code]
            typo = rng.choice(code_answered) if kind == "typo" and code_answered else None
            blank = kind == "blank"
            rating = None if blank or rng.random() < 0.15 else rng.choices(RATINGS, weights=_rating_weights(kind))[0]
            comment = "" if blank or rng.random() < 0.6 else rng.choice(COMMENTS)
            plan.append(
                Submission(
                    learner=person.learner,
                    module=module_id,
                    kind=kind,
                    late=late,
                    handed_in=due[module_id] + dt.timedelta(hours=hours),
                    answered=answered,
                    typo=typo,
                    rating=rating,
                    comment=comment,
                    grade_answer=rng.random() >= UNGRADED_ANSWERS,
                )
            )
    return plan


def _profiles(learners: list[str], seed: int) -> dict[str, str]:
    """Each learner's profile, in the exact shares of PROFILES: the roster shuffled by the seed, then cut in order."""
    order = sorted(learners)
    random.Random(seed).shuffle(order)
    profiles, start = {}, 0.0
    for name, (share, *_) in PROFILES.items():
        end = start + share * len(order)
        profiles |= {learner: name for learner in order[round(start) : round(end)]}
        start = end
    return profiles


def due_dates(module_ids: list[str], end: dt.date) -> dict[str, dt.datetime]:
    """A due date per module, in course order, evenly over DUE_DATES_SPAN, the last a month before `end`."""
    last = dt.datetime.combine(end - dt.timedelta(days=30), dt.time(17), tzinfo=dt.UTC)
    step = DUE_DATES_SPAN / max(len(module_ids) - 1, 1)
    return {m: last - step * (len(module_ids) - 1 - i) for i, m in enumerate(module_ids)}


def _rating_weights(kind: str) -> tuple[int, ...]:
    return (0, 1, 3, 5, 3) if kind in ("complete", "typo") else (1, 3, 4, 2, 1)


def _path(manifest: Manifest, released: set[str], tracks: Iterable[str]) -> list[str]:
    """A learner's modules in order: their tracks' modules, each after its prerequisites (from any released track)."""
    order: list[str] = []

    def add(module_id: str) -> None:
        if module_id in order or module_id not in released:
            return
        for before in manifest.module(module_id).prerequisites:
            add(before)
        order.append(module_id)

    for track in manifest.tracks:
        if track.id in tracks:
            for module in track.modules:
                add(module.id)
    return order


class _Templates:
    """Each released module's notebooks, with its solutions, read once per build from the course root."""

    def __init__(self, root: Path):
        self.root = root
        self._read: dict[str, list[tuple[str, nbformat.NotebookNode, dict[str, str]]]] = {}

    def notebooks(self, module_id: str) -> list[tuple[str, nbformat.NotebookNode, dict[str, str]]]:
        """(file name, release notebook, solution source by grade id) for each notebook of the module."""
        if module_id not in self._read:
            found = []
            for release in sorted((self.root / "release" / module_id).glob("*.ipynb")):
                source = nbformat.read(self.root / "source" / module_id / release.name, as_version=4)
                solutions = {c.metadata.nbgrader["grade_id"]: c.source for c in source.cells if is_solution(c)}
                found.append((release.name, nbformat.read(release, as_version=4), solutions))
            self._read[module_id] = found
        return self._read[module_id]

    def answers(self, module_id: str) -> tuple[tuple[str, ...], set[str]]:
        """The module's answer cells (grade ids, in order) and which of them are written answers graded by hand."""
        ids, written = [], set()
        for _, release, _ in self.notebooks(module_id):
            for cell in release.cells:
                if is_solution(cell):
                    ids.append(cell.metadata.nbgrader["grade_id"])
                    if cell.cell_type == "markdown":
                        written.add(cell.metadata.nbgrader["grade_id"])
        return tuple(ids), written

    def task_answers(self, module_id: str) -> dict[str, str]:
        """Written answers kept in a widget: the trainer's task cell (grade id) -> the answer cell that follows it."""
        pairs = {}
        for _, release, _ in self.notebooks(module_id):
            task = None
            for cell in release.cells:
                nbgrader = cell.get("metadata", {}).get("nbgrader", {})
                if nbgrader.get("task"):
                    task = nbgrader["grade_id"]
                elif task and is_solution(cell):
                    pairs[task], task = nbgrader["grade_id"], None
        return pairs

    def write(self, inbox: Path, submission: Submission) -> None:
        """The submission as a learner's folder (`<learner>/<module>/`), with nbgrader's timestamp.txt."""
        folder = inbox / submission.module / submission.learner / submission.module
        folder.mkdir(parents=True, exist_ok=True)
        for name, release, solutions in self.notebooks(submission.module):
            nb = copy.deepcopy(release)
            for cell in nb.cells:
                gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                if gid in submission.answered and gid in solutions:
                    cell.source = _without_markers(solutions[gid])
                    if gid == submission.typo:
                        cell.source += "\n)"  # a stray bracket: the cell does not even parse
                tags = cell.get("metadata", {}).get("tags", [])
                if "feedback" in tags and (submission.rating or submission.comment):
                    cell.source = f"FEEDBACK = {{{_feedback(submission)}}}"
            nbformat.write(nb, folder / name)
        (folder / "timestamp.txt").write_text(submission.handed_in.strftime(TIMESTAMP_FORMAT), encoding="utf-8")


def _feedback(submission: Submission) -> str:
    return f'"rating": {submission.rating!r}, "comment": {json.dumps(submission.comment)}'


def _without_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line and "### END" not in line)


def _set_due_dates(root: Path, modules, end: dt.date) -> None:
    """The modules' due dates in the gradebook, so nbgrader counts late work (its penalty is the course's config)."""
    due = due_dates([m.id for m in modules], end)
    with open_gradebook(root) as gb:
        for module_id, when in due.items():
            gb.update_or_create_assignment(module_id, duedate=when.strftime(TIMESTAMP_FORMAT))


def _grade_answers(root: Path, plan: list[Submission], templates: _Templates) -> int:
    """The demo trainer grades written answers as formgrader does; the ones left wait for the real trainer."""
    left = 0
    chosen = {(s.learner, s.module): s for s in plan}
    with open_gradebook(root) as gb:
        for (learner, module), submission in sorted(chosen.items()):
            for notebook in gb.find_submission(module, learner).notebooks:
                for grade in notebook.grades:
                    if not grade.needs_manual_grade:
                        continue
                    if not submission.grade_answer:
                        left += 1
                        continue
                    # an answer taken from the solution earns its points, unless the typo broke the cell that records
                    # it (a written answer kept in a widget); formgrader's handler sets the same fields
                    answer = templates.task_answers(module).get(grade.name, grade.name)
                    given = answer in submission.answered and answer != submission.typo
                    grade.manual_score = grade.max_score if given else 0.0
                    grade.needs_manual_grade = False
        gb.db.commit()
    return left


def _remove(root: Path, learners: Iterable[str]) -> None:
    """Take an earlier cohort out of the course (its gradebook entries and folders) before building the new one."""
    from nbgrader.api import MissingEntry

    with open_gradebook(root) as gb:
        for learner in learners:
            with contextlib.suppress(MissingEntry):
                gb.remove_student(learner)
    for learner in learners:
        for folder in ("submitted", "autograded", "feedback"):
            shutil.rmtree(root / folder / learner, ignore_errors=True)
        for state in (root / STATE / "state").glob(f"*/{learner}.json"):
            state.unlink()
    (root / ROSTER).unlink(missing_ok=True)
