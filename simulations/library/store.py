"""The library kept in the kit's event log: every action checked, then appended as one event; the state is the fold.

Nothing is updated in place, so a page or server that restarts reads the log again and has everything; several
servers on one PostgreSQL database see the same library. Input that fails a check raises Refused (or Blocked) and
writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from simulations.common.eventlog import EventLog
from simulations.common.records import rating_and_comment
from simulations.library import gate
from simulations.library.gate import LibraryRules, Refused
from simulations.library.model import CONTRIBUTION_KINDS, Library, ModuleInfo
from simulations.library.search import Hit, SearchIndex, search

LOG = "library"  # the key of the library's log in the event database


class LibraryStore:
    """One library in an event database (a SQLite path or a PostgreSQL URL), for the course's `modules`.

    `org_name` gives the organisation's employee tag to the disclosure check; `rules` are its profile's library
    rules (anonymous posts, the language rule).
    """

    def __init__(
        self,
        target: str | Path | EventLog,
        modules: Iterable[ModuleInfo],
        org_name: str = "",
        log: str = LOG,
        rules: LibraryRules = LibraryRules(),
    ) -> None:
        self.events = target if isinstance(target, EventLog) else EventLog(target)
        self._owned = not isinstance(target, EventLog)
        self.log, self.org_name, self.rules = log, org_name, rules
        self.library = Library.of(modules)
        self.index = SearchIndex()

    def close(self) -> None:
        if self._owned:
            self.events.close()

    def __enter__(self) -> LibraryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def state(self) -> Library:
        """The library as of the newest event in the log (events others wrote included)."""
        for event in self.events.read(self.log, self.library.seq):
            self.library.apply(event.seq, event.kind, event.payload)
        return self.library

    def warm(self) -> Library:
        """Read the whole log, index and tally it now, as a first search and page would: what a preheated page does
        before its visitor comes (a page started for its visitor indexes on the first search instead)."""
        library = self.state()
        self.index.sync(library)
        library.tally()
        return library

    def search(self, text: str, limit: int = 20, topic: str = "") -> list[Hit]:
        """Search the current library with the index kept beside it."""
        library = self.state()
        if topic:
            gate.known("topic", topic, self._topics(library), "module or track")
        return search(library, text, limit, topic, self.index)

    def _append(self, kind: str, payload: Mapping[str, Any]) -> str:
        event = self.events.append(self.log, kind, payload)
        self.state()
        return str(event.seq)

    def _module(self, module: object) -> str:
        return gate.known("module", module, self.state().modules, "module")

    @staticmethod
    def _topics(library: Library) -> set[str]:
        return set(library.modules) | {m.track for m in library.modules.values()}

    def _checked(self, text: object) -> str:
        return gate.checked("text", text, self.org_name, self.rules)

    def _anonymity(self, anonymous: bool) -> dict[str, bool]:
        """The payload's mark of a text posted without the name shown, when the organisation allows that."""
        if not anonymous:
            return {}
        if not self.rules.anonymous_posts:
            raise Refused("anonymous", "posts without a name are not allowed here", "post under your name")
        return {"anonymous": True}

    def post(self, author: str, module: str, kind: str, text: str, anonymous: bool = False) -> str:
        """Check and store a contribution; it waits in the CoE's queue. Returns its id. `anonymous`: colleagues see
        it without the author's name (where the rules allow); the CoE and certification still know who wrote it."""
        author = gate.name("author", author)
        module = self._module(module)
        kind = gate.known("kind", kind, CONTRIBUTION_KINDS, "kind of contribution")
        text, mark = self._checked(text), self._anonymity(anonymous)
        return "c" + self._append("posted", {"author": author, "module": module, "kind": kind, "text": text, **mark})

    def _target(self, target: object, where: Iterable[str], what: str) -> str:
        if not isinstance(target, str) or target not in set(where):
            raise Refused("target", f"no {what} {target!r} in the library", f"pick a {what} from the list")
        return target

    def accept(self, moderator: str, target: str) -> None:
        """Accept a pending contribution, or mark an answer as the accepted answer to its question."""
        library = self.state()
        target = self._target(target, [*library.contributions, *library.answers], "contribution or answer")
        self._append("accepted", {"by": gate.name("moderator", moderator), "target": target})

    def decline(self, moderator: str, target: str, reason: str) -> None:
        """Decline a contribution; the reason is required, for the author to read."""
        target = self._target(target, self.state().contributions, "contribution")
        reason = gate.plain_text("reason", reason, limit=2_000)
        self._append("declined", {"by": gate.name("moderator", moderator), "target": target, "reason": reason})

    def edit(self, moderator: str, target: str, text: str) -> None:
        """Publish a contribution with the CoE's changes (the new text passes the same checks)."""
        target = self._target(target, self.state().contributions, "contribution")
        text = self._checked(text)
        self._append("edited", {"by": gate.name("moderator", moderator), "target": target, "text": text})

    def ask(self, author: str, module: str, text: str, anonymous: bool = False) -> str:
        """Check and store a question on a module. Returns its id. `anonymous` as for `post`."""
        author, module = gate.name("author", author), self._module(module)
        text, mark = self._checked(text), self._anonymity(anonymous)
        return "q" + self._append("asked", {"author": author, "module": module, "text": text, **mark})

    def answer(self, author: str, question: str, text: str) -> str:
        """Check and store an answer to a question. Returns its id."""
        question = self._target(question, self.state().questions, "question")
        author, text = gate.name("author", author), self._checked(text)
        return "a" + self._append("answered", {"author": author, "question": question, "text": text})

    def rate(self, learner: str, module: str, rating: int | None, comment: str = "") -> None:
        """Store a learner's rating (1-5) and comment of a module; their newer rating replaces the older."""
        learner, module = gate.name("learner", learner), self._module(module)
        if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5):
            raise Refused("rating", f"{rating!r} is not a rating", "give a whole number from 1 to 5")
        comment = gate.plain_text("comment", comment) if str(comment or "").strip() else ""
        if rating is None and not comment:
            raise Refused("rating", "neither a rating nor a comment", "give a rating from 1 to 5 or a comment")
        self._append("rated", {"learner": learner, "module": module, "rating": rating, "comment": comment})

    def rate_from_feedback(self, learner: str, module: str, record: Any) -> bool:
        """Store a module's feedback record (FEEDBACK_RECORD of its notebook) as the learner's rating; False when the
        record holds neither a rating nor a comment."""
        rating, comment = rating_and_comment(record)
        if rating is None and not comment:
            return False
        self.rate(learner, module, rating, comment)
        return True

    def flag(self, by: str, target: str, reason: str) -> None:
        """Say a contribution or a whole module is out of date, and why."""
        library = self.state()
        target = self._target(target, [*library.contributions, *library.modules], "contribution or module")
        reason = gate.plain_text("reason", reason, limit=2_000)
        self._append("flagged", {"by": gate.name("by", by), "target": target, "reason": reason})

    def subscribe(self, learner: str, topic: str, follow: bool = True) -> None:
        """Follow (or stop following) a module or a track."""
        learner = gate.name("learner", learner)
        topic = gate.known("topic", topic, self._topics(self.state()), "module or track")
        self._append("subscribed", {"learner": learner, "topic": topic, "follow": bool(follow)})

    def digested(self, learner: str, upto: int) -> None:
        """Record that a digest covering events up to `upto` was sent to `learner`: the next one starts after it."""
        self._append("digested", {"learner": gate.name("learner", learner), "upto": int(upto)})

    def visit(self, learner: str) -> int:
        """Note that `learner` opened the library; returns the event number of their visit before this one (0 for a
        first visit), from which their digest runs."""
        learner = gate.name("learner", learner)
        self._append("visited", {"learner": learner})
        return self.state().visits[learner][0]

    def revise(self, by: str, module: str, on: dt.date) -> None:
        """Record that a module was revised on `on`: its evidence so far is answered and those who gave it are told."""
        module = self._module(module)
        self._append("revised", {"by": gate.name("by", by), "module": module, "on": on.isoformat()})

    def record_revisions(self, by: str = "manifest") -> list[str]:
        """Record as revised every module whose manifest `revised` date is newer than the library's last record of
        it (so its evidence so far counts as answered and those who gave it are told); returns those modules."""
        library = self.state()
        done = []
        for module in library.modules.values():
            last = library.revisions.get(module.id, (0, None))[1]
            if module.revised is not None and (last is None or module.revised > last):
                self.revise(by, module.id, module.revised)
                done.append(module.id)
        return done
