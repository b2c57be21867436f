"""`smtk grade collect`: bring learners' notebooks (a folder, a zip or nbgrader's exchange) into submitted/.

Accepted layouts: `<learner>.ipynb`, `<learner>/<assignment>/*.ipynb`, or an exchange (`inbound/<learner>+<assignment>+
<timestamp>...`). Anything refused (wrong assignment, not a notebook, corrupt JSON, the same learner twice) gets a
report line naming the file and the reason, and nothing already in submitted/ is lost: a changed resubmission
replaces the old one only after the old one is archived.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from graders.course.report import LearnerResult
from graders.course.root import STATE, Course, GradeError, digest
from graders.grading import integrity

LEARNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


@dataclass
class CollectReport:
    assignment: str
    learners: list[LearnerResult] = field(default_factory=list)

    def summary(self) -> str:
        counts = {}
        for r in self.learners:
            counts[r.status] = counts.get(r.status, 0) + 1
        head = f"{self.assignment}: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        return "\n".join([head, *(r.line() for r in sorted(self.learners, key=lambda r: r.learner))])


@dataclass
class _Candidate:
    learner: str
    origin: str  # what the trainer handed in, for the report
    files: dict[str, Path]  # name inside the submission folder -> file
    timestamp: str | None = None
    problem: str | None = None


def collect(assignment: str, src: str | Path, course: str | Path = ".") -> CollectReport:
    """Copy each learner's work for `assignment` from `src` into the course's submitted/ folder."""
    course = Course(Path(course))
    release = course.release(assignment)
    notebooks = sorted(p.name for p in release.glob("*.ipynb"))
    src = Path(src)
    if not src.exists():
        raise GradeError(f"{src} does not exist; pass a folder or a zip of learner notebooks, or nbgrader's exchange")
    report = CollectReport(assignment)
    with tempfile.TemporaryDirectory() as tmp:
        folder = _unzip(src, Path(tmp)) if src.is_file() else src
        candidates = _find(folder, assignment, notebooks)
        seen: dict[str, list[_Candidate]] = {}
        for candidate in candidates:
            seen.setdefault(candidate.learner, []).append(candidate)
        for learner, found in sorted(seen.items()):
            if len(found) > 1 and all(c.timestamp for c in found):
                found = [max(found, key=lambda c: c.timestamp)]  # the exchange keeps every attempt: take the latest
            if len(found) > 1:
                origins = ", ".join(c.origin for c in found)
                report.learners.append(LearnerResult(learner, "refused", problems=[f"duplicate learner: {origins}"]))
                continue
            report.learners.append(_land(course, assignment, release, found[0]))
    return report


def _unzip(path: Path, into: Path) -> Path:
    if not zipfile.is_zipfile(path):
        raise GradeError(f"{path} is neither a folder nor a zip file")
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            target = (into / member.filename).resolve()
            if into.resolve() not in target.parents and target != into.resolve():
                raise GradeError(f"{path}: entry {member.filename!r} points outside the archive; refusing the zip")
        archive.extractall(into)
    return into


def _find(folder: Path, assignment: str, notebooks: list[str]) -> list[_Candidate]:
    # nbgrader's exchange: one inbound, or one per course (the hub's exchange has a course per track)
    inbounds = [p for p in [folder / "inbound", *sorted(folder.glob("*/inbound"))] if p.is_dir()]
    if inbounds:
        return [candidate for inbound in inbounds for candidate in _from_exchange(inbound, assignment)]
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            continue
        if entry.is_dir():
            found += _from_learner_folder(entry, assignment)
        elif entry.suffix == ".ipynb":
            target = notebooks[0] if len(notebooks) == 1 else entry.name
            found.append(_Candidate(entry.stem, entry.name, {target: entry}))
        else:
            found.append(_Candidate(entry.stem, entry.name, {}, problem=f"{entry.name}: not a notebook (.ipynb)"))
    return found


def _from_learner_folder(entry: Path, assignment: str) -> list[_Candidate]:
    sub = entry / assignment
    if not sub.is_dir():
        others = sorted(p.name for p in entry.iterdir() if p.is_dir())
        problem = f"{entry.name}/: no {assignment}/ folder (wrong assignment: {', '.join(others) or 'nothing'})"
        return [_Candidate(entry.name, f"{entry.name}/", {}, problem=problem)]
    files = {
        str(p.relative_to(sub)): p
        for p in sub.rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and p.name != "timestamp.txt"
    }
    stamp = sub / "timestamp.txt"
    timestamp = stamp.read_text(encoding="utf-8").strip() if stamp.exists() else None
    return [_Candidate(entry.name, f"{entry.name}/{assignment}/", files, timestamp)]


def _from_exchange(inbound: Path, assignment: str) -> list[_Candidate]:
    found = []
    for entry in sorted(inbound.iterdir()):
        parts = entry.name.split("+")
        if len(parts) < 3 or not entry.is_dir():
            continue
        learner, their_assignment, timestamp = parts[0], parts[1], parts[2]
        if their_assignment != assignment:
            continue
        files = {str(p.relative_to(entry)): p for p in entry.rglob("*") if p.is_file() and p.name != "timestamp.txt"}
        found.append(_Candidate(learner, entry.name, files, timestamp))
    return found


def _land(course: Course, assignment: str, release: Path, candidate: _Candidate) -> LearnerResult:
    learner = candidate.learner
    if candidate.problem:
        return LearnerResult(learner, "refused", problems=[candidate.problem])
    if not LEARNER_ID.match(learner):
        return LearnerResult(
            learner, "refused", problems=[f"{candidate.origin}: {learner!r} is not a valid learner id"]
        )
    notebooks = {n: p for n, p in candidate.files.items() if n.endswith(".ipynb")}
    if not notebooks:
        return LearnerResult(learner, "refused", problems=[f"{candidate.origin}: no notebook in it"])
    release_ids = set()
    for path in release.glob("*.ipynb"):
        release_ids |= {c.metadata.get("nbgrader", {}).get("grade_id") for c in integrity.read_notebook(path).cells}
    release_ids.discard(None)
    for name, path in notebooks.items():
        try:
            nb = integrity.read_notebook(path)
        except integrity.CorruptNotebook as exc:
            return LearnerResult(learner, "refused", problems=[f"{candidate.origin}: {exc}"])
        ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells} - {None}
        if ids and not ids & release_ids:
            return LearnerResult(
                learner, "refused", problems=[f"{candidate.origin}: {name} is not {assignment} (wrong assignment)"]
            )
    target = course.root / "submitted" / learner / assignment
    staging = Path(tempfile.mkdtemp(prefix=".collect-", dir=course.root))
    try:
        for name, path in candidate.files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, staging / name)
        stamp = candidate.timestamp or dt.datetime.now(dt.UTC).strftime(TIMESTAMP_FORMAT)
        if target.exists() and digest(target, skip=("timestamp.txt",)) == digest(staging):
            return LearnerResult(learner, "unchanged")
        (staging / "timestamp.txt").write_text(stamp, encoding="utf-8")
        status = "collected"
        if target.exists():
            archive = (
                course.root / STATE / "archive" / assignment / learner / dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
            )
            archive.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(target, archive)
            status = "updated"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staging, target)
        return LearnerResult(learner, status)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
