"""What is new for one learner since their last visit: on the topics they follow, the notes the Center of Excellence
accepted, and the questions asked and answers given by others. Pure: the app shows it when the learner comes back,
with the library's notices to them (a module they gave feedback on was revised); `due_digests` gives the same for
the digest sent to every follower (each since the last one sent to them)."""

from __future__ import annotations

from dataclasses import dataclass

from simulations.library.model import Library

SNIPPET = 160  # characters of a text the digest shows


@dataclass(frozen=True)
class DigestItem:
    """One thing new since the visit: what it is, the module it is about, who wrote it (as other learners see it)
    and the start of its text."""

    seq: int
    what: str  # "note accepted", "question", "answer"
    module: str
    author: str
    text: str


def _snippet(text: str) -> str:
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1].rstrip() + "…"


def digest(library: Library, learner: str, since: int) -> list[DigestItem]:
    """Everything new for `learner` after event `since` on the modules of the topics they follow, oldest first; their
    own writing is left out (they know it)."""
    followed = set().union(*(library.topic_modules(t) for t in library.subscriptions.get(learner, set())))
    items: list[DigestItem] = []
    seen: set[tuple[str, str]] = set()
    for seq, target in library.changed:
        if seq <= since:
            continue
        if target in library.contributions:
            c = library.contributions[target]
            if c.visible and c.module in followed and c.author != learner and ("c", c.id) not in seen:
                seen.add(("c", c.id))
                items.append(DigestItem(seq, "note accepted", c.module, c.byline, _snippet(c.text)))
        elif target in library.questions:
            q = library.questions[target]
            if q.module not in followed:
                continue
            if q.seq > since and q.author != learner and ("q", q.id) not in seen:
                seen.add(("q", q.id))
                items.append(DigestItem(q.seq, "question", q.module, q.byline, _snippet(q.text)))
            for aid in q.answers:
                a = library.answers[aid]
                if a.seq > since and a.author != learner and ("a", aid) not in seen:
                    seen.add(("a", aid))
                    items.append(DigestItem(a.seq, "answer", q.module, a.author, _snippet(a.text)))
    items.sort(key=lambda item: item.seq)
    return items


def due_digests(library: Library) -> dict[str, list[DigestItem]]:
    """For each learner who follows a topic, what is new since the last digest sent to them (their first follow, for
    a first digest); learners with nothing new are left out."""
    due = {}
    for learner in sorted(library.subscriptions):
        since = max(library.digested.get(learner, 0), library.followed_at.get(learner, 0))
        items = digest(library, learner, since)
        if items:
            due[learner] = items
    return due
