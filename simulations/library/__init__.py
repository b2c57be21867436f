"""The living library: modules, learners' contributions, questions and answers, ratings and subscriptions, folded
from an append-only log; search over what the Center of Excellence accepted, the expert index and the revision queue.

Pure and deterministic: the state is a fold of events, so any screen that reads the same log sees the same library.
Typical use:

    store = LibraryStore("library.db", modules)
    store.post("ana", "policy-disclosure", "note", "Tag every post #ad up front.")   # gate, then pending
    store.accept("coe", "c1")
    search(store.state(), "disclosure tag")
    revision_queue(store.state(), today)
"""

from __future__ import annotations

from simulations.library.digest import DigestItem, digest, due_digests
from simulations.library.experts import Credential, Expert, experts
from simulations.library.gate import MAX_CHARS, Blocked, LibraryRules, Refused, display_text, screen
from simulations.library.model import (
    ANONYMOUS,
    CONTRIBUTION_KINDS,
    Answer,
    Contribution,
    Library,
    ModuleInfo,
    Question,
    Rating,
)
from simulations.library.revision import Evidence, QueueEntry, revision_queue
from simulations.library.search import Hit, SearchIndex, search
from simulations.library.store import LOG, LibraryStore

__all__ = [
    "ANONYMOUS",
    "DigestItem",
    "digest",
    "due_digests",
    "CONTRIBUTION_KINDS",
    "LOG",
    "MAX_CHARS",
    "Answer",
    "Blocked",
    "Contribution",
    "Credential",
    "Evidence",
    "Expert",
    "Hit",
    "Library",
    "LibraryRules",
    "LibraryStore",
    "ModuleInfo",
    "QueueEntry",
    "Question",
    "Rating",
    "Refused",
    "SearchIndex",
    "display_text",
    "experts",
    "revision_queue",
    "screen",
    "search",
]
