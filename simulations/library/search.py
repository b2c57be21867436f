"""Search over what the library shows: accepted contributions, and questions with their answers.

An inverted index (term -> document -> count) kept in step with the fold, scored by term frequency times inverse
document frequency; ties go to the newer document, then the id, so the same query always answers the same way.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from dataclasses import dataclass

from simulations.library.model import Library

_WORD = re.compile(r"[a-z0-9]+")
_COMMON = (
    "a an and are as at be but by can do does for from has have how i if in into is it its me my no not of on or our "
    "so that the their them then there these they this to was we were what when where which who why will with you your"
)
STOP_WORDS = frozenset(_COMMON.split())


def terms(text: str) -> list[str]:
    """The words of `text` that search looks at: lower case, two characters or more, common words left out."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOP_WORDS]


@dataclass(frozen=True)
class Hit:
    """One search result: the document's id, its kind ("question" or a contribution kind), module, text and score."""

    id: str
    kind: str
    module: str
    text: str
    score: float


class SearchIndex:
    """The inverted index of one library, brought up to date by `sync` from the library's list of changes."""

    def __init__(self) -> None:
        self.postings: dict[str, dict[str, int]] = {}
        self.doc_terms: dict[str, Counter[str]] = {}
        self.doc_seq: dict[str, int] = {}
        self.doc_module: dict[str, str] = {}
        self._synced = 0  # how far into library.changed the index has read

    def sync(self, library: Library) -> None:
        """Index what changed in `library` since the last sync: new and edited texts in, declined ones out."""
        for seq, doc in library.changed[self._synced :]:
            self._remove(doc)
            text = _document_text(library, doc)
            if text:
                self._add(doc, seq, library.module_of(doc), text)
        self._synced = len(library.changed)

    def _add(self, doc: str, seq: int, module: str, text: str) -> None:
        counts = Counter(terms(text))
        self.doc_terms[doc], self.doc_seq[doc], self.doc_module[doc] = counts, seq, module
        for term, n in counts.items():
            self.postings.setdefault(term, {})[doc] = n

    def _remove(self, doc: str) -> None:
        for term in self.doc_terms.pop(doc, ()):
            postings = self.postings[term]
            del postings[doc]
            if not postings:
                del self.postings[term]
        self.doc_seq.pop(doc, None)
        self.doc_module.pop(doc, None)

    def query(self, text: str, limit: int = 20, modules: set[str] | None = None) -> list[tuple[str, float]]:
        """The best `limit` (document, score) pairs for `text`, only documents of `modules` when given."""
        total = len(self.doc_terms)
        scores: dict[str, float] = {}
        for word in set(terms(text)):
            postings = self.postings.get(word)
            if not postings:
                continue
            idf = math.log(1.0 + total / len(postings))
            for doc, n in postings.items():
                if modules is None or self.doc_module[doc] in modules:
                    scores[doc] = scores.get(doc, 0.0) + (1.0 + math.log(n)) * idf
        best = heapq.nlargest(limit, scores.items(), key=lambda ds: (ds[1], self.doc_seq[ds[0]]))
        return [(doc, round(score, 6)) for doc, score in best]


def _document_text(library: Library, doc: str) -> str:
    """What search reads of a document: a visible contribution's text, a question with all its answers."""
    if doc in library.contributions:
        c = library.contributions[doc]
        return c.text if c.visible else ""
    question = library.questions.get(doc)
    if question is None:
        return ""
    return "\n".join([question.text, *(library.answers[a].text for a in question.answers)])


def search(
    library: Library, text: str, limit: int = 20, topic: str = "", index: SearchIndex | None = None
) -> list[Hit]:
    """The library's best matches for `text`, within a module or track `topic` when given. Pass the `index` kept
    beside the library to avoid building one per query."""
    if index is None:
        index = SearchIndex()
    index.sync(library)
    modules = library.topic_modules(topic) if topic else None
    hits = []
    for doc, score in index.query(text, limit, modules):
        if doc in library.contributions:
            c = library.contributions[doc]
            hits.append(Hit(doc, c.kind, c.module, c.text, score))
        else:
            q = library.questions[doc]
            hits.append(Hit(doc, "question", q.module, q.text, score))
    return hits
