"""The revision queue: which modules to revise first, each with the evidence that says so.

Evidence counts only from after the module's last revision in the library (what came before has been answered):
low ratings with their comments (the feedback rule of simulations.lessons.freshness), questions without an accepted
answer, questions asked again in the same words, contributions or the module flagged as out of date, and a
review_by date past or near. Each kind adds a weight; the heaviest module comes first.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from simulations.lessons.freshness import due_dates, needs_revision, summarise_feedback
from simulations.library.model import Library
from simulations.library.search import terms

SHOWN = 5  # items listed per piece of evidence (the count says how many there are)
RATING_THRESHOLD = 3.5
MIN_RESPONSES = 5


@dataclass(frozen=True)
class Evidence:
    """One reason to revise a module: its kind, weight, a one-line summary and the items behind it."""

    kind: str  # "review overdue", "review due soon", "low ratings", "open questions", "repeated questions", "flagged"
    weight: float
    summary: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueueEntry:
    """A module in the revision queue with its total weight and every piece of evidence."""

    module: str
    title: str
    track: str
    score: float
    evidence: tuple[Evidence, ...]

    def lines(self) -> list[str]:
        """The entry in plain text: the module, then one line per evidence and its first items."""
        out = [f"{self.module} ({self.title}, {self.track}): weight {self.score:g}"]
        for ev in self.evidence:
            out.append(f"  {ev.kind}: {ev.summary}")
            out.extend(f"    - {item}" for item in ev.items[:SHOWN])
        return out


def revision_queue(library: Library, today: dt.date, soon_days: int = 30) -> list[QueueEntry]:
    """Every module with evidence for revision as of `today`, heaviest first (ties by module id)."""
    since = {m: library.since_revision(m) for m in library.modules}
    feedback: dict[str, list[dict]] = {}
    for r in library.ratings.values():
        if r.module in since and r.seq > since[r.module]:
            feedback.setdefault(r.module, []).append({"rating": r.rating, "comment": r.comment})
    asked: dict[str, list] = {}
    for q in library.questions.values():
        if q.module in since and q.seq > since[q.module]:
            asked.setdefault(q.module, []).append(q)
    flagged: dict[str, list] = {}
    for f in library.flags:
        if f.seq > since.get(f.module, 0):
            flagged.setdefault(f.module, []).append(f)
    dues = {d.id: d for d in due_dates(((m.id, m.review_by) for m in library.modules.values()), today)}
    entries = []
    for module in library.modules.values():
        evidence = _review(dues[module.id], soon_days)
        evidence += _ratings(feedback.get(module.id, []))
        evidence += _questions(library, asked.get(module.id, []))
        evidence += _flags(flagged.get(module.id, []))
        if evidence:
            score = round(sum(e.weight for e in evidence), 3)
            entries.append(QueueEntry(module.id, module.title, module.track, score, tuple(evidence)))
    entries.sort(key=lambda e: (-e.score, e.module))
    return entries


def _review(due, soon_days: int) -> list[Evidence]:
    if due.overdue:
        return [
            Evidence(
                "review overdue",
                4.0 + min(-due.days_left / 30, 4.0),
                f"review_by {due.review_by} passed {-due.days_left} day(s) ago",
            )
        ]
    if due.days_left <= soon_days:
        return [Evidence("review due soon", 1.0, f"review_by {due.review_by}, in {due.days_left} day(s)")]
    return []


def _ratings(feedback: list[dict]) -> list[Evidence]:
    summary = summarise_feedback(feedback)
    if not needs_revision(summary, threshold=RATING_THRESHOLD, min_responses=MIN_RESPONSES):
        return []
    said = Counter(
        (f["rating"], f["comment"]) for f in feedback if f["comment"]
    )  # lowest ratings first; the same words from several learners once, with their count
    items = [
        f"{rating or '-'}/5: {comment}" + (f" ({n} learners)" if n > 1 else "")
        for (rating, comment), n in sorted(said.items(), key=lambda rc: (rc[0][0] or 6, -rc[1], rc[0][1]))
    ]
    return [
        Evidence(
            "low ratings",
            3.0 + 2.0 * (RATING_THRESHOLD - summary.mean_rating),
            f"mean {summary.mean_rating:.2f} from {summary.responses} rating(s), below {RATING_THRESHOLD}",
            tuple(items),
        )
    ]


def _questions(library: Library, questions: list) -> list[Evidence]:
    evidence = []
    open_ = [q for q in questions if not q.answered(library.answers)]
    if open_:
        unanswered = sum(1 for q in open_ if not q.answers)
        evidence.append(
            Evidence(
                "open questions",
                float(len(open_)),
                f"{len(open_)} question(s) without an accepted answer ({unanswered} with no answer at all)",
                tuple(f"{q.id}: {q.text}" for q in open_),
            )
        )
    groups: dict[frozenset[str], list] = {}
    for q in questions:
        groups.setdefault(frozenset(terms(q.text)), []).append(q)
    repeated = [g for key, g in groups.items() if key and len(g) > 1]
    if repeated:
        again = sum(len(g) - 1 for g in repeated)
        evidence.append(
            Evidence(
                "repeated questions",
                float(again),
                f"{again} question(s) asked again in the same words",
                tuple(f"{len(g)}x: {g[0].text}" for g in sorted(repeated, key=lambda g: (-len(g), g[0].seq))),
            )
        )
    return evidence


def _flags(flags: list) -> list[Evidence]:
    if not flags:
        return []
    return [
        Evidence(
            "flagged",
            2.0 * len(flags),
            f"{len(flags)} flag(s) that the content is out of date",
            tuple(f"{f.target} by {f.by}: {f.reason or 'no reason given'}" for f in flags),
        )
    ]
