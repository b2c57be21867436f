"""Tamper evidence before grading: compare a submission's nbgrader cells with the clean release copy the learner got.

Changed or deleted test cells, changed points or flags, converted, copied or renamed cells and edited locked cells
(by nbgrader's own checksum) are findings. Honest damage (metadata lost by another editor, an answer cell deleted
or retyped) is repaired by moving the learner's answers into a clean release copy; tampering is repaired the same
way, flagged, and the test cells it attacked score 0.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.utils import compute_checksum, is_grade, is_locked, is_solution

FLAGS = ("grade", "solution", "locked", "task")
SUSPICIOUS = {
    r"\bctypes\b": "uses ctypes",
    r"\bgc\.get_(objects|referrers|referents)\b": "walks the garbage collector",
    r"\b(sys\._getframe|inspect\.currentframe|inspect\.stack)\b|\bf_(globals|locals|back)\b": "inspects stack frames",
    r"__code__|__closure__|__defaults__": "rewrites function code",
    r"\bbuiltins\b|__builtins__": "touches builtins",
    r"def\s+__(eq|ne|bool|contains|lt|gt|le|ge|hash)__": "defines comparison methods",
    r"\bsettrace\b|\bsetprofile\b": "installs trace hooks",
    r"/proc/|\bsocket\b|\bsubprocess\b|os\.(fork|system|exec)": "reaches the system (processes, sockets, /proc)",
}


class CorruptNotebook(ValueError):
    """A submission that is not a readable notebook; the message names the file and the problem."""


@dataclass(frozen=True)
class Finding:
    cell: str
    problem: str
    tampered: bool


@dataclass
class Checked:
    """The notebook to grade, what was wrong with the submission, and which graded cells score 0."""

    notebook: NotebookNode
    findings: list[Finding] = field(default_factory=list)
    attacked: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    @property
    def tampered(self) -> bool:
        return any(f.tampered for f in self.findings)

    @property
    def repaired(self) -> bool:
        return bool(self.findings)


def read_notebook(path: Path) -> NotebookNode:
    """Read a submitted notebook, or raise CorruptNotebook naming the file and what is wrong with it."""
    try:
        raw = json.loads(Path(path).read_bytes())
    except UnicodeDecodeError:
        raise CorruptNotebook(f"{path.name}: not a text file") from None
    except json.JSONDecodeError as exc:
        raise CorruptNotebook(
            f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise CorruptNotebook(f"{path.name}: JSON but not a notebook (no list of cells)")
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for malformed notebooks
        raise CorruptNotebook(f"{path.name}: not a valid notebook ({exc})") from None
    for i, cell in enumerate(nb.cells):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise CorruptNotebook(f"{path.name}: cell {i} is not a notebook cell")
        if not isinstance(cell.get("source", ""), str):
            raise CorruptNotebook(f"{path.name}: cell {i} has no text source")
    return nb


def _gid(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta.get("grade_id") if isinstance(meta, dict) else None


def _is_test(cell) -> bool:
    return is_grade(cell) and not is_solution(cell)


def _kind(cell) -> str:
    if _is_test(cell):
        return "test cell"
    if is_solution(cell):
        return "answer cell"
    return "locked cell"


def check(submission: NotebookNode, release: NotebookNode, source: NotebookNode | None = None) -> Checked:
    """Compare a submission with its release; return it untouched when clean, else a repaired clean copy.

    A locked cell may also equal the instructor's source version (a trainer testing with the source notebook).
    """
    accepted = {}
    for cell in [*release.cells, *(source.cells if source is not None else [])]:
        if _gid(cell) and is_locked(cell):
            accepted.setdefault(_gid(cell), set()).add(cell.metadata.nbgrader.get("checksum") or compute_checksum(cell))
    wanted = {_gid(c): c for c in release.cells if _gid(c)}
    order = [_gid(c) for c in release.cells if _gid(c)]
    findings: list[Finding] = []
    attacked: set[str] = set()

    def flag(cell: NotebookNode, problem: str, tampered: bool, gid: str) -> None:
        findings.append(Finding(gid, problem, tampered))
        if tampered and is_grade(cell):
            attacked.add(gid)

    matched: dict[str, int] = {}  # release grade_id -> index of the submission cell that holds it
    dropped: dict[int, bool] = {}  # submission index -> keep its code as a free cell
    for i, cell in enumerate(submission.cells):
        gid = _gid(cell)
        if gid is None:
            continue
        if gid not in wanted:
            findings.append(Finding(gid, f"cell id {gid!r} is not in the release (a renamed or invented cell)", True))
            dropped[i] = False
        elif gid in matched:
            original = wanted[gid]
            if is_solution(original):
                flag(original, f"answer cell {gid!r} appears twice; the first copy is graded", False, gid)
                dropped[i] = True
            else:
                flag(original, f"{_kind(original)} {gid!r} was copied", True, gid)
                dropped[i] = False
        else:
            matched[gid] = i

    # Cells whose nbgrader metadata another editor dropped: a locked cell by its exact text, an answer by position.
    free = [i for i, c in enumerate(submission.cells) if _gid(c) is None]
    for gid in order:
        if gid in matched:
            continue
        original = wanted[gid]
        if is_locked(original):
            for i in free:
                if submission.cells[i].source.strip() == original.source.strip() and i not in matched.values():
                    matched[gid] = i
                    flag(original, f"{_kind(original)} {gid!r} had lost its nbgrader metadata (restored)", False, gid)
                    break
    for position, gid in enumerate(order):
        if gid in matched or not is_solution(wanted[gid]) or position == 0:
            continue
        before = matched.get(order[position - 1])
        candidate = None if before is None else before + 1
        if candidate is not None and candidate in free and candidate not in matched.values():
            matched[gid] = candidate
            flag(wanted[gid], f"answer cell {gid!r} had lost its nbgrader metadata (restored)", False, gid)

    for gid in order:
        original = wanted[gid]
        if gid not in matched:
            tampered = _is_test(original)
            flag(original, f"{_kind(original)} {gid!r} was deleted", tampered, gid)
            continue
        cell = submission.cells[matched[gid]]
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != original.cell_type:
            flag(
                original,
                f"{_kind(original)} {gid!r} was converted from {original.cell_type} to {cell.cell_type}",
                not is_solution(original),
                gid,
            )
        if meta:
            for key in FLAGS:
                if bool(meta.get(key, False)) != bool(original.metadata.nbgrader.get(key, False)):
                    flag(original, f"the {key!r} flag of {_kind(original)} {gid!r} was changed", True, gid)
            if is_grade(original) and _points(meta) != _points(original.metadata.nbgrader):
                was, now = original.metadata.nbgrader.get("points"), meta.get("points")
                flag(original, f"the points of {_kind(original)} {gid!r} were changed from {was} to {now}", True, gid)
        if is_locked(original) and not is_solution(original) and cell.cell_type == original.cell_type:
            # The learner's text under the release's metadata (no copy of the cell: this runs for every locked cell).
            probe = NotebookNode(
                cell_type=cell.cell_type, source=cell.source, metadata=NotebookNode(nbgrader=original.metadata.nbgrader)
            )
            if compute_checksum(probe) not in accepted.get(gid, set()):
                flag(original, f"{_kind(original)} {gid!r} was edited (its checksum differs)", True, gid)

    notes = scan(submission)
    if not findings:
        return Checked(submission, [], set(), notes)
    return Checked(_rebuild(submission, release, wanted, order, matched, dropped), findings, attacked, notes)


def _points(meta) -> float | None:
    try:
        return float(meta.get("points"))
    except (TypeError, ValueError):
        return None


def _rebuild(submission, release, wanted, order, matched, dropped) -> NotebookNode:
    """The clean release copy with the learner's answers and own extra cells moved into it, in the learner's order."""
    at = {index: gid for gid, index in matched.items()}
    nb = copy.deepcopy(release)
    cells, emitted = [], set()

    def emit_release(gid: str, learner=None) -> None:
        cell = copy.deepcopy(wanted[gid])
        if learner is not None and is_solution(cell):
            cell.source = learner.source
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
        emitted.add(gid)

    for i, cell in enumerate(submission.cells):
        if i in at:
            gid = at[i]
            for earlier in order[: order.index(gid)]:
                if earlier not in emitted and earlier not in matched:
                    emit_release(earlier)
            emit_release(gid, cell)
        elif i in dropped:
            if dropped[i]:
                free = copy.deepcopy(cell)
                free.metadata.pop("nbgrader", None)
                cells.append(free)
        else:
            cells.append(copy.deepcopy(cell))
    for gid in order:
        if gid not in emitted:
            emit_release(gid)
    nb.cells = cells
    return nb


def scan(nb: NotebookNode) -> list[str]:
    """Notes for the trainer when learner-written code reaches for the grader's machinery (never a score change)."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or (is_locked(cell) and not is_solution(cell)):
            continue
        for pattern, note in SUSPICIOUS.items():
            if re.search(pattern, cell.source) and note not in found:
                found.append(note)
    return found
