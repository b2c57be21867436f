"""Who can help: the people who know a topic, each with the reasons the library has for saying so.

Evidence comes from two places: the course's results (who passed or was certified in what, given as data: the
library does not grade) and the library itself (accepted contributions, answers accepted as the answer).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from simulations.library.model import Library

# How much each kind of evidence counts toward the order of the list (a certificate outweighs a pass).
WEIGHTS = {"certified": 3.0, "passed": 2.0, "answer": 2.0, "contribution": 1.0}


@dataclass(frozen=True)
class Credential:
    """A result from the course: `person` passed a module, or was certified in a track (`tier` names the level)."""

    person: str
    topic: str  # a module id (passed) or a track id (certified)
    kind: str  # "passed" or "certified"
    tier: str = ""


@dataclass(frozen=True)
class Expert:
    """A person to ask about a topic, the weight of their evidence and each reason in words."""

    person: str
    score: float
    reasons: tuple[str, ...]


def experts(library: Library, topic: str, credentials: Iterable[Credential] = (), limit: int = 10) -> list[Expert]:
    """The people who know `topic` (a module or a track), most evidence first, then by name."""
    modules = library.topic_modules(topic)
    tracks = {library.modules[m].track for m in modules}
    found: dict[str, list[tuple[float, str]]] = {}

    def add(person: str, kind: str, reason: str) -> None:
        found.setdefault(person, []).append((WEIGHTS[kind], reason))

    for cred in credentials:
        if cred.kind == "certified" and cred.topic in tracks:
            level = f" at {cred.tier}" if cred.tier else ""
            add(cred.person, "certified", f"certified{level} in the {cred.topic} track")
        elif cred.kind == "passed" and cred.topic in modules:
            add(cred.person, "passed", f"passed {library.modules[cred.topic].title}")
    for c in library.contributions.values():
        if c.visible and c.module in modules and not c.anonymous:  # a note without a name names no expert
            add(c.author, "contribution", f"{c.kind} {c.id} on {library.modules[c.module].title} was accepted")
    for answer in library.answers.values():
        question = library.questions[answer.question]
        if answer.accepted and question.module in modules:
            add(answer.author, "answer", f"answered {question.id} ({_short(question.text)}): accepted")
    ranked = [Expert(p, sum(w for w, _ in ev), tuple(r for _, r in ev)) for p, ev in found.items()]
    ranked.sort(key=lambda e: (-e.score, e.person))
    return ranked[:limit]


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "\u2026"
