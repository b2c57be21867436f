"""Grade every answer of a module's answer banks through `smtk grade`, as one organisation's learners hand them in.

Each bank entry becomes part of a synthetic learner's submission: learner k answers each item with that item's k-th
entry (a widget's answer saved in the notebook's widget state under the widget's record, as JupyterLab saves it; a
code item's answer typed where the release's stub is), and every item without a k-th entry with the worked answer.
One autograde run grades them all with the kit's own pipeline, then the gradebook says whether each right entry got
the item's full points, each wrong one fewer, and every item answered with the worked answer its full points (so no
entry spoils another item).
"""

from __future__ import annotations

import ast
import json
import shutil
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbgrader.utils import is_solution

from graders.course.banks import GLOB, Bank, BankEntry, Item, bank_path, items, read_bank
from graders.course.manifest import load_manifest, read_manifest
from graders.course.report import UNGRADABLE
from graders.course.root import CODE_STUB, Course, GradeError, open_gradebook
from graders.course.tailor import modules_for, tailor
from graders.grading.executor import Executor
from graders.grading.pipeline import autograde
from graders.paths import MANIFEST
from simulations.common.datafiles import DataError
from simulations.common.records import with_records
from simulations.profile.org import load_org

NOT_ANSWERED = "Not answered yet"  # how a question widget's test fails on an answer of the wrong form
LEARNER = "bank-{:03d}"  # the synthetic learners' ids; a course with real learners is never used (see run_banks)


@dataclass(frozen=True)
class EntryScore:
    """How one bank entry fared: the points its item got in that learner's graded submission."""

    entry: BankEntry
    learner: str
    score: float
    points: float

    @property
    def ok(self) -> bool:
        return self.score == self.points if self.entry.right else self.score < self.points

    def problem(self) -> str:
        expected = "full points" if self.entry.right else "fewer than full points"
        return (
            f"{self.entry.where()}: {self.entry.key}: the {self.entry.verdict} answer ({self.entry.why}) scored "
            f"{self.score:g} of {self.points:g}, expected {expected} ({self.learner})"
        )


@dataclass
class BankRun:
    """What grading a module's banks for one organisation found."""

    module: str
    org: str
    learners: int = 0
    scores: list[EntryScore] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # worked answers that lost points, submissions not graded
    seconds: float = 0.0

    @property
    def failures(self) -> list[str]:
        return [s.problem() for s in self.scores if not s.ok] + self.problems

    def summary(self) -> str:
        right = sum(s.entry.right for s in self.scores)
        head = (
            f"{self.module} for {self.org}: {len(self.scores)} bank answers ({right} right, "
            f"{len(self.scores) - right} wrong) graded as {self.learners} learners in {self.seconds:.0f} s"
        )
        return "\n".join([f"{head}: {len(self.failures)} problem(s)", *self.failures])


def module_banks(module_id: str, manifest_path: Path = MANIFEST) -> dict[str, tuple[Bank | None, list[Item]]]:
    """lesson id -> (its bank or None, its auto-graded items), from the master course (banks are never released)."""
    manifest = read_manifest(manifest_path)
    module = manifest.module(module_id)
    found = {}
    for lesson, notebook in zip(module.lessons, module.notebooks(manifest.source_dir), strict=True):
        path = bank_path(notebook)
        found[lesson.id] = (read_bank(path) if path.exists() else None, items(notebook, lesson.id))
    return found


def plan(banks: dict[str, tuple[Bank | None, list[Item]]]) -> list[dict[str, BankEntry]]:
    """Each synthetic learner's answers, item key -> entry: learner k gives each item its k-th entry (a code item with
    a widget alternative: its code answers, then its widget's, so that a learner answers it one way only)."""
    entries = {
        (lesson, item.key): [entry for key in item.keys for entry in bank.of(key)]
        for lesson, (bank, found) in banks.items()
        if bank is not None
        for item in found
    }
    count = max((len(e) for e in entries.values()), default=0)
    return [{key: listed[k] for (_, key), listed in entries.items() if k < len(listed)} for k in range(count)]


def run_banks(
    module_id: str,
    course: str | Path,
    org: str,
    manifest_path: Path = MANIFEST,
    workers: int = 2,
    progress: bool = False,
    sandboxes: Executor | None = None,
) -> BankRun:
    """Grade every bank entry of `module_id` in `course` (a course root tailored for the organisation `org`).

    Use a scratch copy of a course root: the synthetic learners' submissions and grades go into its gradebook.
    `sandboxes` (from `warm_sandboxes`) grades through a warm parent already running.
    """
    root = Course(Path(course)).root
    with open_gradebook(root) as gb:
        others = sorted(s.id for s in gb.students if not s.id.startswith("bank-"))
    if others:
        raise GradeError(f"{root} holds real learners' work ({', '.join(others[:3])}); grade the banks in a copy")
    banks = module_banks(module_id, manifest_path)
    learners = plan(banks)
    run = BankRun(module_id, org, len(learners))
    for k, answers in enumerate(learners):
        learner = LEARNER.format(k + 1)
        folder = root / "submitted" / learner / module_id
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for lesson, (_, found) in banks.items():
            nb = submission(root, module_id, lesson, found, answers, org)
            (folder / f"{lesson}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    report = autograde(module_id, root, workers=workers, progress=progress, sandboxes=sandboxes)
    run.seconds = report.seconds
    ungraded = [r for r in report.learners if r.status in UNGRADABLE]
    run.problems += [f"{r.learner}: {r.status}: {' '.join(r.problems)}" for r in ungraded]
    scored = _item_scores(root, module_id)
    every = [item for _, found in banks.values() for item in found]
    for k, answers in enumerate(learners):
        learner = LEARNER.format(k + 1)
        got, errors = scored.get(learner, {}), cell_errors(root / "autograded" / learner / module_id)
        for item in every:
            score = sum(got.get(test, 0.0) for test in item.tests)
            if item.key in answers:
                entry = answers[item.key]
                run.scores.append(EntryScore(entry, learner, score, item.points))
                coded = item.kind == "code" and entry.key == item.key  # not answered through its widget alternative
                if item.answer_cell in errors and coded:  # the answer itself must run: only tests fail
                    run.problems.append(
                        f"{entry.where()}: {item.key}: the {entry.verdict} answer ({entry.why}) raises "
                        f"{errors[item.answer_cell][0]} in its own cell ({learner})"
                    )
                if any(NOT_ANSWERED in errors.get(test, ("", ""))[1] for test in item.tests):
                    run.problems.append(
                        f"{entry.where()}: {item.key}: the {entry.verdict} answer ({entry.why}) is not one the "
                        f"widget can record (it reads as not answered), so it proves nothing ({learner})"
                    )
            elif score != item.points:
                run.problems.append(
                    f"{learner}: {item.key} answered with the worked answer scored {score:g} of {item.points:g}"
                )
    return run


def submission(root: Path, module_id: str, lesson: str, found: list[Item], answers: dict[str, BankEntry], org: str):
    """One lesson as a learner hands it in: the release with the bank's answers for `answers`, worked answers else."""
    release = json.loads((root / "release" / module_id / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    source = nbformat.read(root / "source" / module_id / f"{lesson}.ipynb", as_version=4)
    worked = {c.metadata.nbgrader["grade_id"]: c.source for c in source.cells if is_solution(c)}
    by_cell = {item.answer_cell: item for item in found if item.answer_cell}
    records = {}
    for cell in release["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        item = by_cell.get(gid)
        if item is None:
            continue
        entry = answers.get(item.key)
        if entry is None:
            cell["source"] = _without_markers(worked[gid])
        elif item.kind == "code" and entry.key == item.key:
            cell["source"] = typed(_source(cell), entry.answer_for(org), entry)
        # answered through its widget alternative: the code cell stays as released, the widget's record holds it
    for item in found:
        if item.key in answers and item.alternative and answers[item.key].key == item.alternative:
            records[f"question:{item.alternative}"] = answers[item.key].answer_for(org)
        elif item.key in answers and item.kind != "code":
            if item.record is None:
                entry = answers[item.key]
                problem = f"no widget built with solution={item.key}_solution names its record (key=...)"
                raise DataError(entry.path, item.key, problem, entry.line)
            records[item.record] = answers[item.key].answer_for(org)
    return with_records(release, records) if records else release


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _without_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line and "### END" not in line)


def typed(released: str, answer: Any, entry: BankEntry) -> str:
    """A released code answer cell with `answer` typed where the stub is, at the stub's indentation.

    A text answer is source code; any other value is what the cell's variable is set to (`name = value`).
    """
    if not isinstance(answer, str):
        answer = f"{_variable(released, entry)} = {answer!r}"
    lines = released.splitlines()
    first, second = CODE_STUB.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.strip() == first and lines[i + 1].strip() == second:
            indent = line[: len(line) - len(line.lstrip())]
            return "\n".join([*lines[:i], textwrap.indent(answer.rstrip("\n"), indent), *lines[i + 2 :]])
    raise DataError(entry.path, entry.key, "the released answer cell has no stub to type the answer into", entry.line)


def _variable(released: str, entry: BankEntry) -> str:
    """The name a released answer cell assigns first, for an answer given as a value."""
    try:
        tree = ast.parse(released)
    except SyntaxError:
        tree = None
    for node in tree.body if tree else ():
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            return node.targets[0].id
    problem = "an answer given as a value needs an answer cell that sets a variable"
    raise DataError(entry.path, entry.key, problem, entry.line)


def cell_errors(folder: Path) -> dict[str, tuple[str, str]]:
    """grade id -> (name, message) of the error its cell raised, in the graded notebooks of one learner's module."""
    found = {}
    for path in sorted(folder.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            for output in cell.get("outputs", []):
                if gid and output.get("output_type") == "error":
                    found[gid] = (output.get("ename", ""), output.get("evalue", ""))
    return found


def _item_scores(root: Path, module_id: str) -> dict[str, dict[str, float]]:
    """learner -> grade id -> score, for the synthetic learners, from the gradebook."""
    found: dict[str, dict[str, float]] = {}
    with open_gradebook(root) as gb:
        for sub in gb.find_assignment(module_id).submissions:
            if sub.student.id.startswith("bank-"):
                found[sub.student.id] = {g.name: float(g.score or 0.0) for nb in sub.notebooks for g in nb.grades}
    return found


def prove_banks(
    org_path: str | Path,
    modules: list[str] | None = None,
    manifest_path: Path = MANIFEST,
    workdir: str | Path | None = None,
    workers: int = 2,
    progress: bool = True,
) -> list[BankRun]:
    """Build the organisation's course in a scratch folder and grade the banks of `modules` (default: every module of
    its tracks that has a bank): what `smtk banks` runs, for a course author after changing a question or a bank."""
    org = load_org(org_path)
    manifest = load_manifest(manifest_path)
    ours = list(modules_for(org, manifest))
    banked = [m.id for m in ours if any((manifest.source_dir / m.id).glob(GLOB))]
    unknown = sorted(set(modules or ()) - {m.id for m in ours})
    if unknown:
        known = ", ".join(m.id for m in ours)
        raise GradeError(f"{org.name} does not build {', '.join(unknown)}; its modules: {known}")
    with tempfile.TemporaryDirectory(prefix="smtk-banks-", dir=workdir) as scratch:
        course = tailor(org_path, Path(scratch) / org.slug, manifest_path, progress=progress, only=modules).root
        return [run_banks(m, course, org.slug, manifest_path, workers, progress) for m in modules or banked]
