"""`smtk grade`: autograde a course's submissions in parallel sandboxes while nbgrader keeps its layout and gradebook.

nbgrader's own Autograde converter does everything it always did (students and submissions in the gradebook,
timestamps and late penalties, restoring locked and hidden test cells, scoring, the autograded/ folder) except run
the kernel: its Execute step replays the outputs of a sandboxed run (graders.zygote) instead. The converter runs in
this process only, so the gradebook has one writer however many submissions execute at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
import warnings
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution, setenv
from sqlalchemy.exc import SAWarning
from tqdm.auto import tqdm

from graders import integrity, paths
from graders.course_root import ensure_tools_on_path, load_config
from graders.sandbox import Limits
from graders.zygote import Job, JobResult, Zygote

STATE = ".smtk-grading"
STAGED = f"{STATE}/staged"
MAX_FILES_BYTES = 64 * 1024 * 1024
OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error"}


class GradeError(RuntimeError):
    """A user error in a grading command: the message says what to do."""


class GradeBusy(GradeError):
    """Another grading run holds this course."""


# ---------------------------------------------------------------------------------------------------------------------
# What a run reports


@dataclass
class LearnerResult:
    """One learner's line in the summary, also kept as the resumable state of a graded submission."""

    learner: str
    status: str  # graded | repaired | tampered | corrupt | refused | ...
    score: float | None = None
    max_score: float | None = None
    needs_manual: bool = False
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    digest: str = ""
    seconds: float = 0.0

    def line(self) -> str:
        score = "" if self.score is None else f"{self.score:g}/{self.max_score:g}"
        manual = " (+ answers to grade by hand)" if self.needs_manual else ""
        text = f"  {self.learner:<24} {self.status:<9} {score}{manual}"
        for problem in self.problems:
            text += f"\n      - {problem}"
        for note in self.notes:
            text += f"\n      note: {note}"
        return text


@dataclass
class GradeReport:
    """The outcome of one command over one assignment: a line per learner and the figures of the run."""

    assignment: str
    learners: list[LearnerResult] = field(default_factory=list)
    graded_now: int = 0
    skipped: int = 0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    protections: dict[str, bool] = field(default_factory=dict)

    def summary(self) -> str:
        head = f"{self.assignment}: {self.graded_now} graded now, {self.skipped} already graded"
        if self.seconds:
            head += f", {self.seconds:.1f} s"
        if self.peak_rss_mb:
            head += f", peak memory {self.peak_rss_mb:.0f} MB per sandboxed process"
        return "\n".join([head, *(r.line() for r in sorted(self.learners, key=lambda r: r.learner))])


# ---------------------------------------------------------------------------------------------------------------------
# nbgrader's converter, with the kernel replaced by replayed sandbox outputs


class ReplayOutputs(NbGraderPreprocessor):
    """In place of nbgrader's Execute: put the outputs of the sandboxed run into the cells."""

    def preprocess(self, nb, resources):
        replay = resources.get("smtk_outputs") or {}
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                result = replay.get(index, {})
                cell.outputs = [nbformat.from_dict(o) for o in result.get("outputs", [])]
                cell.execution_count = result.get("execution_count")
        return nb, resources


class SandboxAutograde(Autograde):
    """nbgrader's Autograde in two halves around a sandboxed run: sanitize, then score what the sandbox produced."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from nbconvert.writers import FilesWriter

        self.force = True
        self.writer = FilesWriter(parent=self, config=self.config)
        self.exporter = self.exporter_class(parent=self, config=self.config)
        self.autograde_preprocessors = [ReplayOutputs if p is Execute else p for p in self.autograde_preprocessors]
        self._replay: dict[str, dict] = {}

    @property
    def _input_directory(self) -> str:
        return STAGED if self._sanitizing else self.coursedir.autograded_directory

    def init_single_notebook_resources(self, notebook_filename: str) -> dict:
        resources = super().init_single_notebook_resources(notebook_filename)
        resources["smtk_outputs"] = self._replay.get(resources["nbgrader"]["notebook"])
        return resources

    def sanitize(self, assignment: str, learner: str) -> list[Path]:
        """nbgrader's first half: gradebook entries, files copied, locked and test cells restored from source."""
        self._sanitizing = True
        self.init_destination(assignment, learner)
        staged = Path(self._format_source(assignment, learner))
        self.notebooks = sorted(str(p) for p in staged.glob("*.ipynb"))
        self.init_assignment(assignment, learner)
        self._init_preprocessors()
        for notebook in self.notebooks:
            super(Autograde, self).convert_single_notebook(notebook)
        dest = Path(self._format_dest(assignment, learner))
        return [dest / Path(n).name for n in self.notebooks]

    def score(self, assignment: str, learner: str, sanitized: list[Path], replay: dict[str, dict]) -> None:
        """nbgrader's second half on the replayed outputs: limit output, save grades, late penalties, permissions."""
        self._sanitizing, self._replay = False, replay
        self._init_preprocessors()
        try:
            with setenv(NBGRADER_EXECUTION="autograde"):
                for notebook in sanitized:
                    super(Autograde, self).convert_single_notebook(str(notebook))
        finally:
            self._sanitizing, self._replay = True, {}
        self.set_permissions(assignment, learner)


# ---------------------------------------------------------------------------------------------------------------------
# Course helpers


@dataclass
class Course:
    """A course root and nbgrader's view of it, for one grading command."""

    root: Path

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        if not (self.root / "nbgrader_config.py").exists():
            raise GradeError(f"{self.root} is not a course root (no nbgrader_config.py); pass --course DIR")
        ensure_tools_on_path()
        from nbgrader.coursedir import CourseDirectory

        self.config = load_config(self.root)
        self.coursedir = CourseDirectory(config=self.config)

    def release(self, assignment: str) -> Path:
        folder = self.root / "release" / assignment
        if not any(folder.glob("*.ipynb")):
            known = sorted(p.name for p in (self.root / "release").glob("*") if p.is_dir())
            raise GradeError(f"no released assignment {assignment!r} in {self.root}; released: {', '.join(known)}")
        return folder

    def submitted(self, assignment: str) -> dict[str, Path]:
        base = self.root / "submitted"
        found = {p.parent.name: p for p in base.glob(f"*/{assignment}") if p.is_dir()} if base.exists() else {}
        return dict(sorted(found.items()))

    def state_path(self, assignment: str, learner: str) -> Path:
        return self.root / STATE / "state" / assignment / f"{learner}.json"

    def read_state(self, assignment: str, learner: str) -> LearnerResult | None:
        path = self.state_path(assignment, learner)
        try:
            return LearnerResult(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def write_state(self, assignment: str, result: LearnerResult) -> None:
        path = self.state_path(assignment, result.learner)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(result.__dict__, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def protected(self) -> list[str]:
        """Everything learner code must never read: this course, the kit's master content and other courses."""
        found = {self.root, paths.COURSES, paths.BUILD}
        exchange = getattr(self.config, "Exchange", {}).get("root", "/srv/nbgrader/exchange")
        found.add(Path(exchange))
        db = self.coursedir.db_url
        if db.startswith("sqlite:///"):
            found.add(Path(db[len("sqlite:///") :]).resolve().parent)
        return sorted(str(p) for p in found)


def digest(folder: Path, skip: tuple[str, ...] = ()) -> str:
    """A fingerprint of everything a learner submitted, so a resubmission is graded again and nothing else is."""
    sha = hashlib.sha256()
    files = (p for p in folder.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts)
    for path in sorted(p for p in files if p.name not in skip):
        sha.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


@contextlib.contextmanager
def course_lock(root: Path, wait: bool = False) -> Iterator[None]:
    """One grading run per course at a time: a second one waits (wait=True) or is refused with a message."""
    path = root / STATE / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise GradeBusy(
                f"another `smtk grade` run ({holder}) is grading {root}; wait for it to finish or pass --wait"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------------------------------------------------
# Autograde


@dataclass
class _Pending:
    learner: str
    digest: str
    checked: dict[str, integrity.Checked]
    sanitized: list[Path]
    jobs: dict[str, Job]
    results: dict[str, JobResult] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)


class _Local:
    """Jobs run through one warm zygote on this machine, `workers` at a time."""

    def __init__(self, workers: int, log: Path):
        self.zygote = Zygote(log=log)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="smtk-grade")

    def submit(self, job: Job):
        return self.pool.submit(self.zygote.run, job)

    def wait(self, futures):
        return wait(futures, return_when=FIRST_COMPLETED).done

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.zygote.close()


def _executor(workers: int, scheduler: str | None, log: Path):
    if scheduler:
        from graders.cluster import DaskExecutor

        return DaskExecutor(scheduler)
    return _Local(workers, log)


def _probe(executor) -> dict[str, bool]:
    probe = Job("probe", [{"index": 0, "source": "pass", "test": False}], protected=[])
    result = executor.submit(probe).result(timeout=180)
    return result.protections


def autograde(
    assignment: str,
    course: str | Path = ".",
    workers: int = 2,
    scheduler: str | None = None,
    limits: Limits | None = None,
    wait: bool = False,
    progress: bool = True,
) -> GradeReport:
    """Grade every submission of `assignment` not graded yet, each notebook in a fresh sandboxed process.

    Resumable: a submission is done once its state file is written after nbgrader saved its grades, so a run killed
    at any point grades the rest next time and regrades nothing already graded (a resubmission is graded again).
    """
    started = time.monotonic()
    course = Course(Path(course))
    release = course.release(assignment)
    limits = limits or _limits_from_config(course)
    report = GradeReport(assignment)
    with course_lock(course.root, wait=wait):
        todo, done = [], []
        for learner, folder in course.submitted(assignment).items():
            state, fingerprint = course.read_state(assignment, learner), digest(folder)
            if state is not None and state.digest == fingerprint:
                done.append(state)
            else:
                todo.append((learner, folder, fingerprint))
        report.learners += done
        report.skipped = len(done)
        if todo:
            report.learners += _grade(course, assignment, release, todo, workers, scheduler, limits, progress, report)
        _fill_scores(course, assignment, report.learners)
        for result in report.learners:
            if result.status not in ("corrupt", "refused"):
                course.write_state(assignment, result)
    report.seconds = time.monotonic() - started
    return report


def _limits_from_config(course: Course) -> Limits:
    """The course's nbgrader cell timeout (nbgrader_config.py) is our per-cell wall clock too."""
    for section in ("Execute", "ExecutePreprocessor"):
        timeout = course.config.get(section, {}).get("timeout")
        if isinstance(timeout, int | float) and timeout > 0:
            return Limits(cell_seconds=float(timeout))
    return Limits()


def _grade(course, assignment, release, todo, workers, scheduler, limits, progress, report) -> list[LearnerResult]:
    releases = {p.name: integrity.read_notebook(p) for p in sorted(release.glob("*.ipynb"))}
    sources = {n: course.root / "source" / assignment / n for n in releases}
    sources = {n: integrity.read_notebook(p) for n, p in sources.items() if p.exists()}
    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's gradebook on SQLAlchemy 2 (harmless)
    converter = SandboxAutograde(coursedir=course.coursedir, config=course.config)
    converter.log.setLevel("ERROR")
    log = course.root / STATE / "logs" / "sandbox.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    executor = _executor(workers, scheduler, log)
    results: list[LearnerResult] = []
    try:
        report.protections = _probe(executor)
        if not report.protections.get("files_confined"):
            raise GradeError(
                "this machine cannot confine learner code to its own folder (Linux Landlock is missing or disabled); "
                "grading here would let a submission read the solutions. Use a Linux kernel 5.13 or newer."
            )
        queue = deque(todo)
        inflight: dict = {}
        pending: dict[str, _Pending] = {}
        bar = tqdm(total=len(todo), desc=f"Autograding {assignment}", unit="submission", disable=not progress)
        with bar:
            while queue or inflight:
                while queue and len(pending) < max(workers, 1) + 1:
                    learner, folder, fingerprint = queue.popleft()
                    try:
                        prepared = _prepare(
                            course, converter, assignment, learner, folder, fingerprint, releases, sources, limits
                        )
                    except Exception as exc:  # noqa: BLE001 - one bad submission must not stop the others
                        prepared = LearnerResult(
                            learner, "refused", problems=[f"not graded: {exc}"], digest=fingerprint
                        )
                    if isinstance(prepared, LearnerResult):
                        results.append(prepared)
                        bar.update(1)
                        continue
                    pending[learner] = prepared
                    for name, job in prepared.jobs.items():
                        inflight[executor.submit(job)] = (learner, name)
                    if not prepared.jobs:
                        results.append(_finish(converter, assignment, pending.pop(learner), limits))
                        report.graded_now += 1
                        bar.update(1)
                if not inflight:
                    continue
                for future in executor.wait(list(inflight)):
                    learner, name = inflight.pop(future)
                    item = pending[learner]
                    item.results[name] = future.result()
                    report.peak_rss_mb = max(report.peak_rss_mb, item.results[name].max_rss_kb / 1024)
                    if len(item.results) == len(item.jobs):
                        result = _finish(converter, assignment, pending.pop(learner), limits)
                        course.write_state(assignment, result)
                        results.append(result)
                        report.graded_now += 1
                        bar.update(1)
    finally:
        executor.close()
    return results


def _prepare(
    course, converter, assignment, learner, folder, fingerprint, releases, sources, limits
) -> _Pending | LearnerResult:
    """Check and repair each notebook, stage it, and let nbgrader sanitize it; then build one job per notebook."""
    staged = Path(course.coursedir.format_path(STAGED, learner, assignment))
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(folder, staged, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    checked: dict[str, integrity.Checked] = {}
    for name, release in releases.items():
        path = folder / name
        if not path.exists():
            continue
        try:
            checked[name] = integrity.check(integrity.read_notebook(path), release, sources.get(name))
        except integrity.CorruptNotebook as exc:
            shutil.rmtree(staged, ignore_errors=True)
            return LearnerResult(learner, "corrupt", problems=[f"not graded: {exc}"], digest=fingerprint)
        nbformat.write(checked[name].notebook, staged / name)
    sanitized = converter.sanitize(assignment, learner)
    jobs = {}
    dest = Path(converter._format_dest(assignment, learner))
    files = _job_files(dest)
    for notebook in sanitized:
        nb = nbformat.read(notebook, as_version=4)
        cells = [
            {"index": i, "source": c.source, "test": bool(is_grade(c) and not is_solution(c))}
            for i, c in enumerate(nb.cells)
            if c.cell_type == "code"
        ]
        spec = nb.metadata.get("kernelspec", {}).get("name", "")
        job_files = {**files, notebook.name: _widget_state_only(nb)}
        jobs[notebook.name] = Job(
            f"{learner}/{assignment}/{notebook.name}", cells, job_files, _kernel_env(spec), limits, course.protected()
        )
    return _Pending(learner, fingerprint, checked, sanitized, jobs)


def _job_files(folder: Path) -> dict[str, bytes]:
    """The files beside the notebooks (data the module ships, files the learner handed in), never a notebook."""
    files, total = {}, 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix != ".ipynb" and ".ipynb_checkpoints" not in path.parts:
            total += path.stat().st_size
            if total > MAX_FILES_BYTES:
                break
            files[str(path.relative_to(folder))] = path.read_bytes()
    return files


def _widget_state_only(nb) -> bytes:
    """The notebook with no cells, only the widget state JupyterLab saved in it: widget work a learner recorded
    (simulations.ui.record reads it from the notebook's file) is restored when the notebook runs again, as under
    stock nbgrader, while the cells, hidden tests included, stay out of the sandbox."""
    widgets = nb.metadata.get("widgets")
    stub = nbformat.v4.new_notebook(metadata={"widgets": widgets} if isinstance(widgets, dict) else {})
    return nbformat.writes(stub, version=4).encode()


def _kernel_env(name: str) -> dict[str, str]:
    """The environment the notebook's kernelspec sets (the smtk kernel's), so graded code sees what learners saw."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        env = KernelSpecManager().get_kernel_spec(name).env if name else {}
    except NoSuchKernel:
        env = {}
    return {str(k): str(v) for k, v in env.items()}


def _finish(converter, assignment: str, item: _Pending, limits: Limits) -> LearnerResult:
    """Turn the sandbox results into outputs nbgrader scores, and let nbgrader save the grades."""
    replay, problems, notes = {}, [], []
    for notebook in item.sanitized:
        name = notebook.name
        nb_id = notebook.stem
        checked = item.checked.get(name)
        result = item.results.get(name)
        nb = nbformat.read(notebook, as_version=4)
        outputs: dict[int, dict] = {}
        stopped_at = None
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            got = result.results.get(index) if result else None
            if got is not None:
                outputs[index] = {"outputs": _clean(got["outputs"]), "execution_count": got.get("execution_count")}
            else:
                reason = (result.stopped if result else None) or "the cell was not run"
                stopped_at = stopped_at if stopped_at is not None else index
                outputs[index] = {"outputs": [_error("SubmissionStopped", reason)], "execution_count": None}
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if checked and gid in checked.attacked:
                outputs[index]["outputs"].append(_error("TamperedCell", f"cell {gid!r} was tampered with: 0 points"))
        replay[nb_id] = outputs
        if result and result.stopped:
            problems.append(f"{name}: {result.stopped}; cells from there on scored 0")
        if result and result.patched:
            problems.append(f"{name}: learner code replaced builtins ({', '.join(result.patched)}); restored for tests")
        if checked:
            problems += [f"{name}: {f.problem}" for f in checked.findings]
            notes += [f"{name}: learner code {n}" for n in checked.notes]
        problems += _errors_in_tests(nb, outputs, name)
    converter.score(assignment, item.learner, item.sanitized, replay)
    tampered = any(c.tampered for c in item.checked.values()) or any(
        r.patched for r in item.results.values() if r is not None
    )
    status = "tampered" if tampered else "repaired" if any(c.repaired for c in item.checked.values()) else "graded"
    return LearnerResult(
        item.learner,
        status,
        problems=problems,
        notes=notes,
        digest=item.digest,
        seconds=time.monotonic() - item.started,
    )


SANDBOX_ERRORS = ("PermissionError", "MemoryError", "CellTimeout", "BlockingIOError", "OSError", "TamperedCell")


def _errors_in_tests(nb, outputs: dict[int, dict], name: str) -> list[str]:
    """One line per cell stopped by the sandbox or the guard (the learner's tell), and per failed test it caused."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        gid = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"
        for out in outputs.get(index, {}).get("outputs", []):
            if out.get("output_type") == "error":
                text = f"{out.get('ename')}: {out.get('evalue', '')}"
                if "smtk:" in text or out.get("ename") in SANDBOX_ERRORS:
                    found.append(f"{name}: {gid} stopped: {text[:200]}")
            elif out.get("output_type") == "stream" and "[smtk: output cut" in out.get("text", ""):
                found.append(f"{name}: {gid}: output cut ({out['text'].rsplit('[smtk: ', 1)[1].strip(' ]')})")
    return found


def _error(ename: str, evalue: str) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [f"{ename}: {evalue}"]}


def _clean(outputs) -> list[dict]:
    """Learner-produced outputs made into valid nbformat outputs (anything malformed becomes plain text)."""
    cleaned = []
    for out in outputs if isinstance(outputs, list) else []:
        kind = out.get("output_type") if isinstance(out, dict) else None
        try:
            if kind == "stream":
                node = {"output_type": "stream", "name": str(out["name"]), "text": str(out["text"])}
                if node["name"] not in ("stdout", "stderr"):
                    raise ValueError
            elif kind == "error":
                node = _error(str(out["ename"]), str(out["evalue"]))
                node["traceback"] = [str(line) for line in out.get("traceback", [])][:200]
            elif kind in ("display_data", "execute_result"):
                data = {str(k): v for k, v in dict(out["data"]).items()}
                node = {"output_type": kind, "data": data, "metadata": dict(out.get("metadata") or {})}
                if kind == "execute_result":
                    count = out.get("execution_count")
                    node["execution_count"] = count if isinstance(count, int) else None
            else:
                raise ValueError
            nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[node])]))
        except (KeyError, TypeError, ValueError, nbformat.ValidationError):
            node = {
                "output_type": "stream",
                "name": "stdout",
                "text": "[smtk: an output that was not valid was dropped]\n",
            }
        cleaned.append(node)
    return cleaned


def _fill_scores(course: Course, assignment: str, results: list[LearnerResult]) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.coursedir.db_url, course.coursedir.course_id) as gb:
        for result in results:
            if result.status in ("corrupt", "refused"):
                continue
            try:
                submission = gb.find_submission(assignment, result.learner)
            except MissingEntry:
                continue
            result.score, result.max_score = float(submission.score), float(submission.max_score)
            result.needs_manual = bool(submission.needs_manual_grade)
