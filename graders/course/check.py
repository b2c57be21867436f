"""`smtk check`: modules past their review-by date and everything wrong with the manifest, in one report.

A recurring program keeps its content current (platforms change every quarter), so a module past review_by is a
problem to fix like a broken manifest: the report lists both and `ok` is false when either is found.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from nbgrader.preprocessors import ClearSolutions
from nbgrader.utils import is_grade, is_task

from graders.course.banks import GLOB as BANK_GLOB
from graders.course.banks import bank_problems
from graders.course.manifest import (
    LESSON_MINUTES,
    Manifest,
    Module,
    lesson_fields,
    library_modules,
    manifest_problems,
    read_manifest,
)
from graders.course.minutes import Estimate, estimate, off, restated_minutes
from graders.course.root import CODE_STUB
from graders.course.tailor import facts_path
from graders.paths import MANIFEST, ORGS
from simulations.common.datafiles import DataError
from simulations.common.facts import (
    Registry,
    check_dates,
    check_references,
    load_facts,
    references,
    unregistered_figures,
)
from simulations.common.models import parse_field, read_yaml
from simulations.lessons.freshness import Due, due_soon, overdue
from simulations.library import LibraryStore, QueueEntry, revision_queue
from simulations.profile.org import load_org


@dataclass(frozen=True)
class CheckReport:
    """What `check_course` found: modules overdue for review, due soon (a note, not a problem), manifest problems and
    fact problems (the registry's dates and URLs, and lessons' figures that do not come from it)."""

    manifest: Path
    today: dt.date
    modules: int
    expired: tuple[Due, ...]
    due_soon: tuple[Due, ...]
    problems: tuple[DataError, ...]
    facts: tuple[DataError, ...] = ()
    revision: tuple[QueueEntry, ...] = ()  # the library's revision queue, when a library database was given
    minutes: tuple[DataError, ...] = ()  # lessons whose stated minutes the estimate does not bear out
    minutes_checked: bool = True  # whether those count as problems or are listed as notes (`smtk check --no-minutes`)

    @property
    def ok(self) -> bool:
        return not self.expired and not self.problems and not self.facts and not (self.minutes_checked and self.minutes)


def notebook_points(path: Path) -> float:
    """The points of a notebook's graded cells (tests, manually graded answers and tasks), as nbgrader counts them."""
    nb = nbformat.read(path, as_version=4)
    return sum(float(c.metadata.nbgrader.get("points", 0)) for c in nb.cells if is_grade(c) or is_task(c))


def check_course(
    manifest_path: str | Path = MANIFEST,
    today: dt.date | None = None,
    soon_days: int = 30,
    org_path: str | Path | None = None,
    library: str | Path | None = None,
    minutes: bool = True,
) -> CheckReport:
    """Check the manifest at `manifest_path` as of `today` (the real date unless given, e.g. by a test).

    With `org_path`, also report prerequisites in tracks that organisation does not build (its learners could never
    take them). With `library` (the library's SQLite file or PostgreSQL URL), also list its revision queue: modules
    ranked by the evidence learners left (a list to act on, not a problem). Lessons whose stated minutes differ from
    their estimate (graders.course.minutes) are problems; without `minutes` (while drafting), only listed.
    """
    today = today or dt.date.today()
    try:
        manifest = read_manifest(manifest_path)
        org = load_org(org_path) if org_path is not None else None
    except DataError as exc:  # a file itself is unreadable or malformed: nothing further can be checked
        return CheckReport(Path(manifest_path), today, 0, (), (), exc.errors)
    reviews = [(m.id, m.review_by) for m in manifest.modules]
    problems = manifest_problems(manifest) + _points_problems(manifest)
    problems += _release_problems(manifest) + _lesson_problems(manifest) + _answer_bank_problems(manifest)
    if org is not None:
        problems += _untaught_prerequisites(manifest, org.tracks, org.name)
    queue: tuple[QueueEntry, ...] = ()
    if library is not None:
        try:
            queue = tuple(library_queue(manifest, library, today, soon_days))
        except DataError as exc:
            problems.append(exc)
    return CheckReport(
        manifest=manifest.path,
        today=today,
        modules=len(manifest.modules),
        expired=tuple(overdue(reviews, today)),
        due_soon=tuple(due_soon(reviews, today, soon_days)),
        problems=tuple(problems),
        facts=tuple(fact_problems(manifest, today)),
        revision=queue,
        minutes=tuple(minutes_problems(manifest)),
        minutes_checked=minutes,
    )


def lesson_estimates(manifest: Manifest) -> list[tuple[Module, str, Estimate]]:
    """Every lesson with a source notebook: its module, its field in the manifest and its estimated minutes."""
    try:
        registry = load_facts(facts_path(manifest.path))
    except DataError:
        registry = None  # the registry's own problems are reported with the facts
    found = []
    for module in manifest.modules:
        fields = lesson_fields(manifest, module)
        for field, notebook in zip(fields, module.notebooks(manifest.source_dir), strict=True):
            try:
                found.append((module, field, estimate(notebook, registry, module.code_free)))
            except (OSError, ValueError):  # missing or unreadable: the manifest and notebook checks say so
                continue
    return found


def minutes_problems(manifest: Manifest) -> list[DataError]:
    """Lessons whose `minutes:` is off from the estimate by more than the tolerance, or whose estimate is over the
    longest a lesson may take; each names the line of that `minutes:` in the manifest."""
    _, positions, _ = read_yaml(manifest.path)
    problems = []
    for module, field, est in lesson_estimates(manifest):
        lesson = next(lesson for f, lesson in zip(lesson_fields(manifest, module), module.lessons, strict=True)
                      if f == field)  # fmt: skip
        why = off(lesson.minutes, est.minutes, LESSON_MINUTES)
        if why is not None:
            line, column = positions.get(parse_field(f"{field}.minutes"), (None, None))
            problems.append(
                DataError(manifest.path, f"{field}.minutes", f"{lesson.id}: {why} ({est.breakdown()})", line, column)
            )
    return problems


def library_database(library: str | Path) -> str:
    """The library's database as the store opens it: a SQLite file that must exist already (a mistyped path must not
    start an empty library), or a PostgreSQL URL."""
    text = str(library)
    if not text.startswith(("postgresql://", "postgres://")) and not Path(text.removeprefix("sqlite:///")).is_file():
        raise DataError(text, "", "no library database here (give the file the Library app writes, or its URL)")
    return text


def library_queue(manifest: Manifest, library: str | Path, today: dt.date, soon_days: int = 30) -> list[QueueEntry]:
    """The revision queue of the library stored at `library` (a SQLite file that must exist, or a PostgreSQL URL)."""
    with LibraryStore(library_database(library), library_modules(manifest)) as store:
        return revision_queue(store.state(), today, soon_days)


def fact_problems(manifest: Manifest, today: dt.date) -> list[DataError]:
    """The fact registry as of `today` (past review_by, old and not history, no URL: each with the cells that show
    the fact) and every lesson's Markdown: unknown fact references, and figures written next to a source's name that
    the registry does not hold."""
    try:
        registry = load_facts(facts_path(manifest.path))
    except DataError as exc:
        return list(exc.errors)  # each problem of the registry on a line of its own
    problems: list[DataError] = []
    shown: dict[str, list[str]] = {}
    for notebook in (n for module in manifest.modules for n in module.notebooks(manifest.source_dir)):
        try:
            nb = nbformat.read(notebook, as_version=4)
        except Exception:  # missing or corrupt: the manifest checks already say so
            continue
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                problems += _cell_fact_problems(notebook, index, cell.source, registry, shown)
    for problem in check_dates(registry, today):
        fact_id = problem.field.split("(", 1)[1].split(")", 1)[0]
        where = "; shown in " + ", ".join(shown[fact_id]) if fact_id in shown else ""
        problems.append(DataError(problem.path, problem.field, problem.problem + where, line=problem.line))
    return problems


def _cell_fact_problems(
    notebook: Path, index: int, source: str, registry: Registry, shown: dict[str, list[str]]
) -> list[DataError]:
    for fact_id, _ in references(source):
        cells = shown.setdefault(fact_id, [])
        if f"{notebook.name} cells[{index}]" not in cells:
            cells.append(f"{notebook.name} cells[{index}]")
    problems = [DataError(notebook, f"cells[{index}]", problem) for problem in check_references(source, registry)]
    for found in unregistered_figures(source, registry):
        problems.append(
            DataError(
                notebook,
                f"cells[{index}]",
                f"the figure {found.figure!r} next to a source's name is in no fact of {registry.path.name} "
                f"({found.unit[:80]}...): register it there and write {{{{fact:ID}}}}",
            )
        )
    return problems


def _untaught_prerequisites(manifest: Manifest, tracks: tuple[str, ...], org_name: str) -> list[DataError]:
    """Prerequisites of the organisation's modules that sit in a track it does not build."""
    track_of = {m.id: m.track for m in manifest.modules}
    problems = []
    for module in (m for m in manifest.modules if m.track in tracks):
        for pi, prereq in enumerate(module.prerequisites):
            if prereq in track_of and track_of[prereq] not in tracks:
                problems.append(
                    DataError(
                        manifest.path,
                        f"{manifest.where(module.id)}.prerequisites[{pi}]",
                        f"{module.id} needs {prereq} from track {track_of[prereq]}, which {org_name} does not build",
                    )
                )
    return problems


def _points_problems(manifest: Manifest) -> list[DataError]:
    """Modules whose points differ from their lessons' graded points (a missing notebook is reported once)."""
    problems = []
    for module in manifest.modules:
        notebooks = [n for n in module.notebooks(manifest.source_dir) if n.exists()]
        if len(notebooks) < len(module.lessons):
            continue
        points = 0.0
        for notebook in notebooks:
            try:
                points += notebook_points(notebook)
            except Exception as exc:  # a corrupt notebook: say which and why, keep checking the others
                problems.append(DataError(notebook, "", f"cannot read the notebook ({type(exc).__name__}: {exc})"))
                points = None
                break
        if points is None:
            continue
        if points != module.points:
            kind = "its lessons have" if len(notebooks) > 1 else "the notebook has"
            problems.append(
                DataError(
                    manifest.path,
                    f"{manifest.where(module.id)}.points",
                    f"{module.id}: the manifest says {module.points:g}, {kind} {points:g}",
                )
            )
    return problems


def release_syntax_errors(notebook: nbformat.NotebookNode) -> list[tuple[int, str, SyntaxError]]:
    """Code cells that do not parse once nbgrader has cleared the solutions: (cell index, grade id, error).

    nbgrader's own ClearSolutions makes the release; IPython turns magics into Python first, as the kernel does.
    """
    released, _ = ClearSolutions(code_stub={"python": CODE_STUB}).preprocess(notebook, {})
    found = []
    for index, cell in enumerate(released.cells):
        if cell.cell_type != "code":
            continue
        try:
            compile(TransformerManager().transform_cell(cell.source), f"cell {index}", "exec", dont_inherit=True)
        except SyntaxError as exc:
            found.append((index, cell.metadata.get("nbgrader", {}).get("grade_id", ""), exc))
    return found


def _lesson_problems(manifest: Manifest) -> list[DataError]:
    """Lessons longer than the course's promise of one 5-10 minute sitting, and lesson notebooks whose intro states
    their minutes (the manifest is their one home)."""
    problems = [
        DataError(
            manifest.path,
            f"{field}.minutes",
            f"{lesson.minutes} minutes: a lesson takes {LESSON_MINUTES} at most; split it",
        )
        for module in manifest.modules
        for field, lesson in zip(lesson_fields(manifest, module), module.lessons, strict=True)
        if lesson.minutes > LESSON_MINUTES
    ]
    for module in manifest.modules:
        for field, notebook in zip(lesson_fields(manifest, module), module.notebooks(manifest.source_dir), strict=True):
            try:
                said = restated_minutes(notebook)
            except (OSError, ValueError):  # missing or unreadable: the notebook checks say so
                continue
            if said:
                problems.append(
                    DataError(notebook, "cells[0]", f"says {said!r}: a lesson's minutes live in {field}.minutes of "
                              f"{manifest.path.name} alone, and the Start-here pages show them from there")
                )  # fmt: skip
    return problems


def _answer_bank_problems(manifest: Manifest) -> list[DataError]:
    """Auto-graded items without an answer bank, banks that do not read or do not match their lesson, and free-text
    items that grade judgement by matching text.

    A module's banks must be complete once it has one, once it is code-free, or once every other module has banks;
    modules not yet proven this way are left until then.
    """
    orgs_dir = manifest.path.parent / "orgs"
    orgs = sorted(load_org(path).slug for path in (orgs_dir if orgs_dir.is_dir() else ORGS).glob("*.yaml"))
    banked = {m.id for m in manifest.modules if any((manifest.source_dir / m.id).glob(BANK_GLOB))}
    problems = []
    for module in manifest.modules:
        required = module.code_free or module.id in banked or banked >= {m.id for m in manifest.modules} - {module.id}
        lessons = (lesson.id for lesson in module.lessons)
        notebooks = dict(zip(lessons, module.notebooks(manifest.source_dir), strict=True))
        problems += bank_problems(notebooks, orgs, required=required)
    return problems


def _release_problems(manifest: Manifest) -> list[DataError]:
    """Released code cells that raise a SyntaxError before the learner has typed anything (a solution region cut
    inside a statement, for example)."""
    problems = []
    for notebook in (n for module in manifest.modules for n in module.notebooks(manifest.source_dir)):
        try:
            nb = nbformat.read(notebook, as_version=4)
        except Exception:  # missing or corrupt: _points_problems and the manifest checks already say so
            continue
        for index, grade_id, exc in release_syntax_errors(nb):
            name = f" ({grade_id})" if grade_id else ""
            problems.append(
                DataError(
                    notebook,
                    f"cells[{index}]{name}",
                    f"the released cell does not parse: line {exc.lineno}: {exc.msg}",
                )
            )
    return problems


def format_report(report: CheckReport) -> str:
    """The report as the `smtk check` command prints it: one line per finding, then a summary line."""
    lines = []
    for due in report.expired:
        lines.append(f"EXPIRED {due.id}: review_by {due.review_by} passed {-due.days_left} day(s) ago; review it")
    for problem in report.problems:
        lines.append(f"PROBLEM {problem}")
    for problem in report.facts:
        lines.append(f"FACT {problem}")
    for due in report.due_soon:
        lines.append(f"due soon {due.id}: review_by {due.review_by}, in {due.days_left} day(s)")
    for problem in report.minutes:
        lines.append(f"{'PROBLEM' if report.minutes_checked else 'minutes'} {problem}")
    for rank, entry in enumerate(report.revision, 1):
        first, *evidence = entry.lines()
        lines.append(f"REVISE {rank}. {first}")
        lines.extend(evidence)
    found = len(report.expired) + len(report.problems) + (len(report.minutes) if report.minutes_checked else 0)
    if report.minutes and not report.minutes_checked:
        lines.append(
            f"{len(report.minutes)} lesson(s) whose minutes the estimate does not bear out (`--no-minutes`: not failed)"
        )
    if report.facts:
        lines.append(f"{len(report.facts)} problem(s) with the facts (FACT lines above)")
    verdict = "OK" if report.ok else f"{found} problem(s)"
    lines.append(f"{report.manifest}: {report.modules} module(s) checked on {report.today}: {verdict}")
    return "\n".join(lines)
