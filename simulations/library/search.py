"""Search over what the library shows: accepted contributions, and questions with their answers.

An inverted index (term -> document -> count) kept in step with the fold, scored by term frequency times inverse
document frequency; ties go to the newer document, then the id, so the same query always answers the same way.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from dataclasses import dataclass

import numpy as np

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
    """The inverted index of one library, brought up to date by `sync` from the library's list of changes.

    The postings live in dicts (cheap to change one document); a query scores a term's documents at once from an
    array of the term's postings, built when first needed and dropped when one of its documents changes.
    """

    def __init__(self) -> None:
        self.postings: dict[str, dict[str, int]] = {}
        self.doc_terms: dict[str, Counter[str]] = {}
        self.doc_seq: dict[str, int] = {}
        self.doc_module: dict[str, str] = {}
        self._slot: dict[str, int] = {}  # document -> its position in the score array (kept until it is re-added)
        self._docs: list[str] = []  # position -> document
        self._slot_seq = array("q")  # position -> the document's change number (newer wins a tie)
        self._slot_module = array("i")  # position -> code of the document's module
        self._module_code: dict[str, int] = {}
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
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
        code = self._module_code.setdefault(module, len(self._module_code))
        self._slot[doc] = len(self._docs)
        self._docs.append(doc)
        self._slot_seq.append(seq)
        self._slot_module.append(code)
        for term, n in counts.items():
            self.postings.setdefault(term, {})[doc] = n
            self._arrays.pop(term, None)

    def _remove(self, doc: str) -> None:
        for term in self.doc_terms.pop(doc, ()):
            postings = self.postings[term]
            del postings[doc]
            self._arrays.pop(term, None)
            if not postings:
                del self.postings[term]
        self.doc_seq.pop(doc, None)
        self.doc_module.pop(doc, None)
        self._slot.pop(doc, None)

    def _postings_array(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The term's documents as score positions, and each one's term-frequency weight (1 + log count)."""
        found = self._arrays.get(term)
        if found is None:
            postings = self.postings[term]
            slots = np.fromiter((self._slot[d] for d in postings), dtype=np.int64, count=len(postings))
            counts = np.fromiter(postings.values(), dtype=np.float64, count=len(postings))
            found = self._arrays[term] = (slots, 1.0 + np.log(counts))
        return found

    def query(self, text: str, limit: int = 20, modules: set[str] | None = None) -> list[tuple[str, float]]:
        """The best `limit` (document, score) pairs for `text`, only documents of `modules` when given: score is the
        sum over the query's words of (1 + log count) times log(1 + documents / documents with the word). A text
        with no words to look for browses: every document scores 1, so the newest come first."""
        total = len(self.doc_terms)
        scores = np.zeros(len(self._docs))
        words = sorted(set(terms(text)))  # a fixed order: the same sums to the last bit in every process
        if not words:
            scores[np.fromiter(self._slot.values(), dtype=np.int64, count=len(self._slot))] = 1.0
        for word in words:
            if word in self.postings:
                slots, weights = self._postings_array(word)
                scores[slots] += weights * math.log(1.0 + total / len(slots))
        if modules is not None:
            codes = [self._module_code[m] for m in modules if m in self._module_code]
            scores[~np.isin(np.array(self._slot_module, dtype=np.int32), codes)] = 0.0
        found = np.flatnonzero(scores)
        if len(found) > limit:  # keep the best `limit` and everything tied with the last of them
            cut = np.partition(scores[found], len(found) - limit)[len(found) - limit]
            found = found[scores[found] >= cut]
        seqs = np.array(self._slot_seq, dtype=np.int64)[found]
        order = np.lexsort((-seqs, -scores[found]))[:limit]
        return [(self._docs[slot], round(float(scores[slot]), 6)) for slot in found[order]]


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
