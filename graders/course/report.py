"""What a course command reports per learner (and keeps as the resumable state of a graded submission)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# graded, repaired, tampered, corrupt, refused: autograde; collected, updated, unchanged: collect;
# feedback, exported, written, failed: feedback and export.
Status = Literal[
    "graded",
    "repaired",
    "tampered",
    "corrupt",
    "refused",
    "collected",
    "updated",
    "unchanged",
    "feedback",
    "exported",
    "written",
    "failed",
]
# Submissions that never reached a sandbox, so they have no score to fill in.
UNGRADABLE: tuple[Status, ...] = ("corrupt", "refused")


@dataclass
class LearnerResult:
    """One learner's line in the summary, also kept as the resumable state of a graded submission."""

    learner: str
    status: Status
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
