"""The library's state: the course's modules and everything learners and the Center of Excellence did, as a fold.

Every action is one event of the log (kind and JSON payload); `Library.apply` folds them in order and nothing else
changes the state, so a restarted server that reads the same log holds the same library. Ids come from the event's
number in the log (c12: the contribution posted by event 12; q, a: questions, answers), never from a clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from simulations.common.records import rating_and_comment

ANONYMOUS = "a colleague"  # how a text posted without a name shows its writer to other learners

# What learners may contribute: the kit's own words for the sharing the program asks for.
CONTRIBUTION_KINDS: dict[str, str] = {
    "note": "a note on a module",
    "trip-notes": "notes from a conference or event",
    "how-to": "a how-to tip",
    "brown-bag": "a brown-bag session's summary: what a unit did",
    "replay-link": "a link to a session's replay",
    "competitor-note": "what a competitor does",
    "weakness-note": "where the company itself is weak",
}
STATES = ("pending", "accepted", "declined", "edited")  # edited: accepted with the CoE's changes
VISIBLE = ("accepted", "edited")
EVENT_KINDS = (
    "posted",
    "accepted",
    "declined",
    "edited",
    "asked",
    "answered",
    "rated",
    "flagged",
    "subscribed",
    "revised",
)


@dataclass(frozen=True)
class ModuleInfo:
    """One module of the course as the library shows it (from the manifest): a review_by date, the date of its
    last revision when the manifest records one, and what it teaches in a line."""

    id: str
    title: str
    track: str
    minutes: int
    review_by: dt.date
    revised: dt.date | None = None
    summary: str = ""

    def freshness(self, today: dt.date, soon_days: int = 30) -> str:
        """How current the module is, in words (a badge that says it, not a colour)."""
        if self.review_by < today:
            return f"past its review date ({self.review_by.isoformat()})"
        if (self.review_by - today).days <= soon_days:
            return f"review due by {self.review_by.isoformat()}"
        revised = f", revised {self.revised.isoformat()}" if self.revised else ""
        return f"current (review by {self.review_by.isoformat()}{revised})"


class Signed:
    """A text with an author that may have asked for their name not to be shown to colleagues."""

    author: str
    anonymous: bool

    @property
    def byline(self) -> str:
        """Who wrote it, as other learners see it."""
        return ANONYMOUS if self.anonymous else self.author


@dataclass(frozen=True)
class Contribution(Signed):
    """A learner's note, trip notes, tip, summary, link or competitive/weakness note, and where moderation left it."""

    id: str
    seq: int
    kind: str
    module: str
    author: str
    text: str
    state: str = "pending"
    moderator: str = ""
    reason: str = ""  # why it was declined, in the moderator's words
    anonymous: bool = False  # posted without the name shown to colleagues (the CoE sees `author`)

    @property
    def visible(self) -> bool:
        return self.state in VISIBLE


@dataclass(frozen=True)
class Answer:
    """One answer to a question; `accepted` once the CoE or the asker marks it the answer."""

    id: str
    seq: int
    question: str
    author: str
    text: str
    accepted: bool = False
    accepted_by: str = ""


@dataclass(frozen=True)
class Question(Signed):
    """A learner's question on a module, with its answers' ids in the order they came."""

    id: str
    seq: int
    module: str
    author: str
    text: str
    answers: tuple[str, ...] = ()
    anonymous: bool = False  # asked without the name shown to colleagues (the CoE sees `author`)

    def answered(self, answers: Mapping[str, Answer]) -> bool:
        """Whether one of its answers has been accepted."""
        return any(answers[a].accepted for a in self.answers)


@dataclass(frozen=True)
class Rating:
    """A learner's closing rating of a module (1-5, or None when only a comment was left) and comment; a learner's
    latest rating of a module replaces the earlier one. `seq` tells whether it came before the module's revision."""

    module: str
    learner: str
    rating: int | None
    comment: str
    seq: int


@dataclass(frozen=True)
class ModuleTally:
    """What the library holds on one module: its learners' ratings, accepted contributions and questions."""

    ratings: tuple[int, ...]
    accepted: int
    questions: int


@dataclass(frozen=True)
class Flag:
    """Someone saying a contribution or a module is out of date, and why."""

    target: str
    module: str
    by: str
    reason: str
    seq: int


@dataclass
class Library:
    """The whole library folded from its events; `changed` lists (seq, id) of every contribution or question whose
    visible text changed, so a search index follows the fold without rebuilding."""

    modules: dict[str, ModuleInfo]
    contributions: dict[str, Contribution] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    ratings: dict[tuple[str, str], Rating] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    subscriptions: dict[str, set[str]] = field(default_factory=dict)
    revisions: dict[str, tuple[int, dt.date]] = field(default_factory=dict)  # module -> (seq, date) of the last
    notices: dict[str, list[str]] = field(default_factory=dict)  # learner -> what the library has to tell them
    visits: dict[str, tuple[int, int]] = field(default_factory=dict)  # learner -> (previous visit, latest visit) seq
    followed_at: dict[str, int] = field(default_factory=dict)  # learner -> seq of their first follow
    digested: dict[str, int] = field(default_factory=dict)  # learner -> the last event their sent digest covered
    changed: list[tuple[int, str]] = field(default_factory=list)
    seq: int = 0
    _tally: tuple[int, dict[str, ModuleTally]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, modules: Iterable[ModuleInfo], events: Iterable[tuple[int, str, Mapping[str, Any]]] = ()) -> Library:
        """The library of these modules after (seq, kind, payload) events, in order."""
        library = cls({m.id: m for m in modules})
        for seq, kind, payload in events:
            library.apply(seq, kind, payload)
        return library

    def module_of(self, target: str) -> str:
        """The module a contribution, question or answer belongs to (or the module itself), '' when unknown."""
        if target in self.contributions:
            return self.contributions[target].module
        if target in self.questions:
            return self.questions[target].module
        if target in self.answers:
            return self.questions[self.answers[target].question].module
        return target if target in self.modules else ""

    def topic_modules(self, topic: str) -> set[str]:
        """The modules a topic covers: a module id is itself, a track id is its modules."""
        if topic in self.modules:
            return {topic}
        return {m.id for m in self.modules.values() if m.track == topic}

    def apply(self, seq: int, kind: str, payload: Mapping[str, Any]) -> None:
        """Fold one event in. Events that name nothing known (written by an older library) change nothing."""
        if seq <= self.seq:
            return
        self.seq = seq
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(seq, payload)

    def _on_posted(self, seq: int, p: Mapping[str, Any]) -> None:
        cid = f"c{seq}"
        anonymous = bool(p.get("anonymous"))
        self.contributions[cid] = Contribution(
            cid, seq, p["kind"], p["module"], p["author"], p["text"], anonymous=anonymous
        )

    def _moderate(self, seq: int, p: Mapping[str, Any], state: str) -> None:
        target = p["target"]
        if target in self.answers and state == "accepted":
            answer = self.answers[target]
            self.answers[target] = replace(answer, accepted=True, accepted_by=p["by"])
            self.changed.append((seq, answer.question))
            return
        if target not in self.contributions:
            return
        old = self.contributions[target]
        text = p.get("text", old.text) if state == "edited" else old.text
        self.contributions[target] = replace(old, state=state, moderator=p["by"], reason=p.get("reason", ""), text=text)
        self.changed.append((seq, target))

    def _on_accepted(self, seq: int, p: Mapping[str, Any]) -> None:
        self._moderate(seq, p, "accepted")

    def _on_declined(self, seq: int, p: Mapping[str, Any]) -> None:
        self._moderate(seq, p, "declined")

    def _on_edited(self, seq: int, p: Mapping[str, Any]) -> None:
        self._moderate(seq, p, "edited")

    def _on_asked(self, seq: int, p: Mapping[str, Any]) -> None:
        qid = f"q{seq}"
        anonymous = bool(p.get("anonymous"))
        self.questions[qid] = Question(qid, seq, p["module"], p["author"], p["text"], anonymous=anonymous)
        self.changed.append((seq, qid))

    def _on_answered(self, seq: int, p: Mapping[str, Any]) -> None:
        question = self.questions.get(p["question"])
        if question is None:
            return
        aid = f"a{seq}"
        self.answers[aid] = Answer(aid, seq, question.id, p["author"], p["text"])
        self.questions[question.id] = replace(question, answers=(*question.answers, aid))
        self.changed.append((seq, question.id))

    def _on_rated(self, seq: int, p: Mapping[str, Any]) -> None:
        rating, comment = rating_and_comment(dict(p))
        self.ratings[(p["module"], p["learner"])] = Rating(p["module"], p["learner"], rating, comment, seq)

    def _on_flagged(self, seq: int, p: Mapping[str, Any]) -> None:
        module = self.module_of(p["target"])
        if module:
            self.flags.append(Flag(p["target"], module, p["by"], p.get("reason", ""), seq))

    def _on_subscribed(self, seq: int, p: Mapping[str, Any]) -> None:
        self.followed_at.setdefault(p["learner"], seq)
        topics = self.subscriptions.setdefault(p["learner"], set())
        (topics.add if p.get("follow", True) else topics.discard)(p["topic"])

    def _on_revised(self, seq: int, p: Mapping[str, Any]) -> None:
        """A module revised: evidence from before this event is answered, and everyone who gave some is told."""
        module = p["module"]
        if module not in self.modules:
            return
        since = self.revisions.get(module, (0, None))[0]
        told = {r.learner for r in self.ratings.values() if r.module == module and r.seq > since}
        told |= {f.by for f in self.flags if f.module == module and f.seq > since}
        told |= {q.author for q in self.questions.values() if q.module == module and q.seq > since}
        on = dt.date.fromisoformat(p["on"])
        title = self.modules[module].title
        for learner in sorted(told):
            self.notices.setdefault(learner, []).append(
                f"{title} was revised on {on.isoformat()}: thank you for your feedback"
            )
        self.revisions[module] = (seq, on)

    def _on_digested(self, seq: int, p: Mapping[str, Any]) -> None:
        self.digested[p["learner"]] = max(self.digested.get(p["learner"], 0), int(p["upto"]))

    def _on_visited(self, seq: int, p: Mapping[str, Any]) -> None:
        learner = p["learner"]
        self.visits[learner] = (self.visits.get(learner, (0, 0))[1], seq)

    def since_revision(self, module: str) -> int:
        """The event number of the module's last revision (0 when never revised in the library)."""
        return self.revisions.get(module, (0, None))[0]

    def pending(self) -> list[Contribution]:
        """The CoE's queue: contributions waiting to be accepted, edited or declined, oldest first."""
        return [c for c in self.contributions.values() if c.state == "pending"]

    def tally(self) -> dict[str, ModuleTally]:
        """Per module: its ratings, accepted contributions and questions, counted once per state of the library."""
        if self._tally is not None and self._tally[0] == self.seq:
            return self._tally[1]
        ratings: dict[str, list[int]] = {m: [] for m in self.modules}
        notes = dict.fromkeys(self.modules, 0)
        questions = dict.fromkeys(self.modules, 0)
        for r in self.ratings.values():
            if r.rating is not None and r.module in ratings:
                ratings[r.module].append(r.rating)
        for c in self.contributions.values():
            if c.visible and c.module in notes:
                notes[c.module] += 1
        for q in self.questions.values():
            if q.module in questions:
                questions[q.module] += 1
        tally = {m: ModuleTally(tuple(ratings[m]), notes[m], questions[m]) for m in self.modules}
        self._tally = (self.seq, tally)
        return tally

    def accepted_by_author(self, author: str) -> list[Contribution]:
        """An author's accepted contributions: what the app praises and certification counts."""
        return [c for c in self.contributions.values() if c.author == author and c.visible]
