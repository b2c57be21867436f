"""`smtk grade`: autograde a course's submissions in parallel sandboxes while nbgrader keeps its layout and gradebook.

nbgrader's own Autograde converter and preprocessors do everything they always did (students and submissions in the
gradebook, timestamps and late penalties, restoring locked and hidden test cells, scoring, the autograded/ folder)
except run the kernel: the Execute step replays the outputs of a sandboxed run (graders.grading.sandbox.zygote)
instead. They run in this process only (graders.grading.nbgrader_steps), so the gradebook has one writer however many
submissions execute at once, and this process prepares and scores submissions while the sandboxes run others.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.utils import is_grade, is_solution
from sqlalchemy.exc import SAWarning
from tqdm.auto import tqdm

from graders.course.report import UNGRADABLE, GradeReport, LearnerResult
from graders.course.root import STATE, Course, GradeBusy, GradeError, digest
from graders.grading import integrity
from graders.grading.executor import Executor
from graders.grading.nbgrader_steps import RunAutograde, RunGradebook, Steps
from graders.grading.sandbox.walls import Limits
from graders.grading.sandbox.zygote import Job, JobResult, Zygote, ZygoteError

MAX_FILES_BYTES = 64 * 1024 * 1024
SWITCH_SECONDS = 0.0005
# Prepared ahead at most while the warm parent imports: submissions, and bytes of their files held in memory.
START_AHEAD, START_AHEAD_BYTES = 256, 256 * 1024 * 1024


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
    sanitized: dict[str, nbformat.NotebookNode]
    jobs: dict[str, Job]
    results: dict[str, JobResult] = field(default_factory=dict)
    sent: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def size(self) -> int:
        return sum(len(data) for job in self.jobs.values() for data in job.files.values())


class _Local:
    """Jobs run through one warm zygote on this machine, `workers` at a time. The zygote starts in the background, so
    the grader prepares the first submissions while it imports; jobs wait for it."""

    def __init__(self, workers: int, log: Path | None):
        self.pool = ThreadPoolExecutor(max_workers=max(workers, 1) + 1, thread_name_prefix="smtk-grade")
        self.zygote = self.pool.submit(Zygote, log=log)
        self.slots = max(workers, 1)
        self._running = threading.Semaphore(self.slots)

    def _run(self, job: Job) -> JobResult:
        zygote = self.zygote.result()
        with self._running:
            return zygote.run(job)

    def submit(self, job: Job):
        return self.pool.submit(self._run, job)

    def wait(self, futures):
        return wait(futures, return_when=FIRST_COMPLETED).done

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.zygote.done() and self.zygote.exception() is None:
            self.zygote.result().close()


def _executor(workers: int, scheduler: str | None, log: Path | None) -> Executor:
    if scheduler:
        from graders.grading.cluster import DaskExecutor

        return DaskExecutor(scheduler)
    return _Local(workers, log)


def _sandbox_log(root: Path) -> Path:
    log = root / STATE / "logs" / "sandbox.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    return log


@contextlib.contextmanager
def warm_sandboxes(
    course: str | Path | None = ".", workers: int = 2, scheduler: str | None = None
) -> Iterator[Executor]:
    """One set of sandboxes (a warm parent here, or the cluster) for several `autograde` runs, so grading modules one
    after another starts the warm parent once, not once per module. Its log goes to the course's state folder, or
    with `course=None` (runs of several courses) to the sandboxes' own scratch folder."""
    log = None if course is None else _sandbox_log(Course(Path(course)).root)
    executor = _executor(workers, scheduler, log)
    try:
        yield executor
    finally:
        executor.close()


def _probe(executor: Executor):
    """A job with no learner code: which protections the sandbox applies on this machine (checked before grading)."""
    return executor.submit(Job("probe", [{"index": 0, "source": "pass", "test": False}], protected=[], require=()))


def autograde(
    assignment: str,
    course: str | Path = ".",
    workers: int = 2,
    scheduler: str | None = None,
    limits: Limits | None = None,
    wait: bool = False,
    progress: bool = True,
    sandboxes: Executor | None = None,
) -> GradeReport:
    """Grade every submission of `assignment` not graded yet, each notebook in a fresh sandboxed process.

    Resumable: a submission is done once its state file is written after nbgrader's grades are committed, so a run
    killed at any point grades the rest next time and regrades nothing already graded (a resubmission is graded again).
    `sandboxes` (from `warm_sandboxes`) lets several runs share one warm parent instead of starting one each.
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
            run = _Run(course, assignment, release, limits, report)
            report.learners += run.grade(todo, workers, scheduler, progress, sandboxes)
        _fill_scores(course, assignment, report.learners)
        for result in report.learners:
            if result.status not in UNGRADABLE:
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


class _Run:
    """One autograde run of one assignment: what stays fixed for the run is read once (release, source, kernel
    environments, protected paths, nbgrader's preprocessors, the gradebook session)."""

    def __init__(self, course: Course, assignment: str, release: Path, limits: Limits, report: GradeReport):
        self.course, self.assignment, self.limits, self.report = course, assignment, limits, report
        self.releases = {p.name: integrity.read_notebook(p) for p in sorted(release.glob("*.ipynb"))}
        sources = {n: course.root / "source" / assignment / n for n in self.releases}
        self.sources = {n: integrity.read_notebook(p) for n, p in sources.items() if p.exists()}
        self.protected = course.protected()
        self._envs: dict[str, dict[str, str]] = {}

    def grade(
        self, todo, workers: int, scheduler: str | None, progress: bool, sandboxes: Executor | None = None
    ) -> list[LearnerResult]:
        executor = sandboxes or _executor(workers, scheduler, _sandbox_log(self.course.root))
        # The threads that feed cells to the sandboxes wait for the interpreter lock while this thread scores: hand
        # it over sooner than Python's 5 ms, or every cell of every submission waits that long.
        switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_SECONDS)
        try:
            probe = _probe(executor)
            warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's gradebook on SQLAlchemy 2 (harmless)
            coursedir = self.course.coursedir
            with RunGradebook(coursedir.db_url, coursedir.course_id) as gradebook:
                converter = RunAutograde(coursedir=coursedir, config=self.course.config)
                converter.log.setLevel("ERROR")
                self.steps = Steps(converter, gradebook)
                return self._loop(todo, executor, probe, progress)
        finally:
            sys.setswitchinterval(switch)
            if sandboxes is None:
                executor.close()

    def _loop(self, todo, executor, probe, progress: bool) -> list[LearnerResult]:
        """Prepare submissions while the sandboxes run others; score each as soon as its last notebook comes back."""
        queue, inflight, pending, results = deque(todo), {}, {}, []
        bar = tqdm(total=len(todo), desc=f"Autograding {self.assignment}", unit="submission", disable=not progress)

        def finished(result: LearnerResult) -> None:
            if result.status not in UNGRADABLE:
                self.course.write_state(self.assignment, result)
                self.report.graded_now += 1
            results.append(result)
            bar.update(1)

        def ahead() -> int:  # while the sandboxes start, prepare as many submissions as that time allows
            starting = not probe.done() and sum(p.size for p in pending.values()) < START_AHEAD_BYTES
            return START_AHEAD if starting else executor.slots + 1

        with bar:
            while queue or pending:
                while queue and len(pending) < ahead():
                    item = self._prepare(*queue.popleft())
                    if isinstance(item, LearnerResult):
                        finished(item)
                    elif not item.jobs:
                        finished(self._finish(item))
                    else:
                        pending[item.learner] = item
                if not self.report.protections:
                    self._check(probe)
                for item in pending.values():
                    if not item.sent:
                        item.sent = True
                        for name, job in item.jobs.items():
                            inflight[executor.submit(job)] = (item.learner, name)
                if not inflight:
                    continue
                for future in executor.wait(list(inflight)):
                    learner, name = inflight.pop(future)
                    item = pending[learner]
                    item.results[name] = future.result()
                    self.report.peak_rss_mb = max(self.report.peak_rss_mb, item.results[name].max_rss_kb / 1024)
                    if len(item.results) == len(item.jobs):
                        finished(self._finish(pending.pop(learner)))
        return results

    def _check(self, probe) -> None:
        try:
            self.report.protections = probe.result(timeout=180).protections
        except ZygoteError as exc:
            raise GradeError(str(exc)) from None
        if not self.report.protections.get("files_confined"):
            raise GradeError(
                "this machine cannot confine learner code to its own folder (Linux Landlock is missing or disabled); "
                "grading here would let a submission read the solutions. Use a Linux kernel 5.13 or newer."
            )

    def _prepare(self, learner: str, folder: Path, fingerprint: str) -> _Pending | LearnerResult:
        """Check and repair each notebook, let nbgrader sanitize it, and build one sandbox job per notebook."""
        checked: dict[str, integrity.Checked] = {}
        for name, release in self.releases.items():
            path = folder / name
            if not path.exists():
                continue
            try:
                checked[name] = integrity.check(integrity.read_notebook(path), release, self.sources.get(name))
            except integrity.CorruptNotebook as exc:
                return LearnerResult(learner, "corrupt", problems=[f"not graded: {exc}"], digest=fingerprint)
        try:
            sanitized = self.steps.sanitize(self.assignment, learner, {n: c.notebook for n, c in checked.items()})
        except Exception as exc:  # noqa: BLE001 - one bad submission must not stop the others
            return LearnerResult(learner, "refused", problems=[f"not graded: {exc}"], digest=fingerprint)
        files = _job_files(self.steps.dest(self.assignment, learner))
        jobs = {}
        for name, nb in sanitized.items():
            cells = [
                {"index": i, "source": c.source, "test": bool(is_grade(c) and not is_solution(c))}
                for i, c in enumerate(nb.cells)
                if c.cell_type == "code"
            ]
            env = self._kernel_env(nb.metadata.get("kernelspec", {}).get("name", ""))
            job_files = {**files, name: _widget_state_only(nb)}
            jobs[name] = Job(f"{learner}/{self.assignment}/{name}", cells, job_files, env, self.limits, self.protected)
        return _Pending(learner, fingerprint, checked, sanitized, jobs)

    def _kernel_env(self, name: str) -> dict[str, str]:
        """The environment the notebook's kernelspec sets (the smtk kernel's), so graded code sees what learners saw."""
        if name not in self._envs:
            from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

            try:
                env = KernelSpecManager().get_kernel_spec(name).env if name else {}
            except NoSuchKernel:
                env = {}
            self._envs[name] = {str(k): str(v) for k, v in env.items()}
        return self._envs[name]

    def _finish(self, item: _Pending) -> LearnerResult:
        """Turn the sandbox results into outputs nbgrader scores, and let nbgrader save the grades."""
        replay, problems, notes = {}, [], []
        for name, nb in item.sanitized.items():
            checked = item.checked.get(name)
            result = item.results.get(name)
            outputs: dict[int, dict] = {}
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                got = result.results.get(index) if result else None
                if got is not None:
                    outputs[index] = {"outputs": _clean(got["outputs"]), "execution_count": got.get("execution_count")}
                else:
                    reason = (result.stopped if result else None) or "the cell was not run"
                    outputs[index] = {"outputs": [_error("SubmissionStopped", reason)], "execution_count": None}
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                if checked and gid in checked.attacked:
                    tamper = _error("TamperedCell", f"cell {gid!r} was tampered with: 0 points")
                    outputs[index]["outputs"].append(tamper)
            replay[Path(name).stem] = outputs
            if result and result.stopped:
                problems.append(f"{name}: {result.stopped}; cells from there on scored 0")
            if result and result.patched:
                patched = ", ".join(result.patched)
                problems.append(f"{name}: learner code replaced builtins ({patched}); restored for tests")
            if checked:
                problems += [f"{name}: {f.problem}" for f in checked.findings]
                notes += [f"{name}: learner code {n}" for n in checked.notes]
            problems += _errors_in_tests(nb, outputs, name)
        try:
            self.steps.score(self.assignment, item.learner, item.sanitized, replay)
        except Exception as exc:  # noqa: BLE001 - one bad submission must not stop the others
            return LearnerResult(item.learner, "refused", problems=[f"not graded: {exc}"], digest=item.digest)
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
    (simulations.ui.lessons.record reads it from the notebook's file) is restored when the notebook runs again, as under
    stock nbgrader, while the cells, hidden tests included, stay out of the sandbox."""
    widgets = nb.metadata.get("widgets")
    stub = nbformat.v4.new_notebook(metadata={"widgets": widgets} if isinstance(widgets, dict) else {})
    return nbformat.writes(stub, version=4).encode()


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
    """Learner-produced outputs made into valid nbformat outputs (anything malformed becomes plain text).

    All of a cell's outputs are validated at once; only when that fails is each checked alone to find the bad ones.
    """
    shaped = [_shape(out) for out in (outputs if isinstance(outputs, list) else [])]
    if _valid([n for n in shaped if n is not None]):
        return [n if n is not None else dict(DROPPED) for n in shaped]
    return [n if n is not None and _valid([n]) else dict(DROPPED) for n in shaped]


DROPPED = {"output_type": "stream", "name": "stdout", "text": "[smtk: an output that was not valid was dropped]\n"}


def _shape(out) -> dict | None:
    kind = out.get("output_type") if isinstance(out, dict) else None
    try:
        if kind == "stream":
            node = {"output_type": "stream", "name": str(out["name"]), "text": str(out["text"])}
            return node if node["name"] in ("stdout", "stderr") else None
        if kind == "error":
            node = _error(str(out["ename"]), str(out["evalue"]))
            node["traceback"] = [str(line) for line in out.get("traceback", [])][:200]
            return node
        if kind in ("display_data", "execute_result"):
            data = {str(k): v for k, v in dict(out["data"]).items()}
            node = {"output_type": kind, "data": data, "metadata": dict(out.get("metadata") or {})}
            if kind == "execute_result":
                count = out.get("execution_count")
                node["execution_count"] = count if isinstance(count, int) else None
            return node
    except (KeyError, TypeError, ValueError):
        pass
    return None


def _valid(nodes: list[dict]) -> bool:
    cell = {"cell_type": "code", "id": "outputs", "metadata": {}, "source": "", "execution_count": None}
    try:
        nbformat.validate({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{**cell, "outputs": nodes}]})
        return True
    except nbformat.ValidationError:
        return False


def _fill_scores(course: Course, assignment: str, results: list[LearnerResult]) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.coursedir.db_url, course.coursedir.course_id) as gb:
        for result in results:
            if result.status in UNGRADABLE:
                continue
            try:
                submission = gb.find_submission(assignment, result.learner)
            except MissingEntry:
                continue
            result.score, result.max_score = float(submission.score), float(submission.max_score)
            result.needs_manual = bool(submission.needs_manual_grade)
