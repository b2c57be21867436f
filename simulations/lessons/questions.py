"""Questions a learner answers with the mouse: what counts as right, and the feedback the learner reads at once.

Pure, so that the question widgets (simulations.ui.lessons.questions), a module's hidden tests and the test suite
all judge an answer with the same code. An answer is plain JSON (a letter, a list of letters, a dict, a number or
a text), the form the widgets record in the notebook and nbgrader's grading run reads back.
"""

from __future__ import annotations

import base64
import json
import math
import re
import zlib
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["single", "multiple", "order", "match", "number", "text", "long"]
KINDS: tuple[str, ...] = ("single", "multiple", "order", "match", "number", "text", "long")
SEALED = "sealed:"
# The question widgets (simulations.ui.lessons.questions) by the name a notebook calls them, and the kind each asks.
WIDGETS: dict[str, str] = {
    "SingleChoice": "single",
    "MultipleChoice": "multiple",
    "Ordering": "order",
    "Matching": "match",
    "Number": "number",
    "ShortText": "text",
    "LongAnswer": "long",
}
WRITTEN = "written"  # what a graded item shows when the trainer grades it (a written answer, or code graded by hand)
CODE = "code"  # what a graded item shows when it tests code the learner wrote instead of a widget's answer
SIMULATION = "simulation"  # a graded item of a code-free module that is no question widget: a recorded simulation
_WIDGET_CALL = re.compile(r"\b(" + "|".join(WIDGETS) + r")\(")


def widget_kind(source: str) -> str | None:
    """The question widget a cell's code makes (its class name, e.g. "MultipleChoice"), or None when it makes none:
    how the trainer's tables and guides tell a widget item from a code exercise."""
    found = _WIDGET_CALL.search(source)
    return found.group(1) if found else None


def item_form(widget: str, code_free: bool) -> str:
    """What a graded item asks of the learner: in a code-free module, a test that is no question widget grades a
    simulation the learner played (the inbox, the heat map), never code they wrote."""
    return SIMULATION if code_free and widget == CODE else widget


def seal(key: Any) -> str:
    """An answer key written so that a learner who opens the hidden cell does not read it at a glance. Not secret:
    anyone who decodes it can; the grade comes from what the learner recorded, checked by the hidden tests."""
    return SEALED + base64.b64encode(zlib.compress(json.dumps(key, sort_keys=True).encode())).decode()


def unseal(key: Any) -> Any:
    """The key itself, whether written plainly or sealed."""
    if isinstance(key, str) and key.startswith(SEALED):
        return json.loads(zlib.decompress(base64.b64decode(key[len(SEALED) :])))
    return key


@dataclass(frozen=True)
class Question:
    """One question: its id (the nbgrader item it belongs to), kind, prompt, what the learner picks from, the key.

    `options` are the choices (single, multiple), the items to put in order (order) or the items to match (match),
    each under a short label ("a", "b", ...); `choices` are what the items are matched to. A number's key is the
    value, within `tolerance` either way; a text's key is the list of accepted answers (case and spaces ignored).
    A long written answer has no key: the trainer grades it.
    """

    qid: str
    kind: Kind
    prompt: str
    options: dict[str, str] = field(default_factory=dict)
    key: Any = None
    choices: dict[str, str] = field(default_factory=dict)
    unit: str = ""
    tolerance: float = 0.0
    min_words: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", unseal(self.key))
        problem = _problem(self)
        if problem:
            raise ValueError(f"question {self.qid!r} ({self.kind}): {problem}")


@dataclass(frozen=True)
class Feedback:
    """How an answer fares: items right out of items asked, the labels to look at again, and the sentence to show."""

    answered: bool
    right: int
    total: int
    again: tuple[str, ...]
    message: str

    @property
    def all_right(self) -> bool:
        return self.answered and self.right == self.total


def _problem(q: Question) -> str:
    """What is wrong with a question as written, or '' when nothing is."""
    if q.kind not in KINDS:
        return f"kind must be one of {', '.join(KINDS)}"
    labels = set(q.options)
    if q.kind in ("single", "multiple", "order", "match") and len(labels) < 2:
        return "give at least two options"
    if q.kind == "single" and q.key not in labels:
        return f"the key {q.key!r} is not one of the options {sorted(labels)}"
    if q.kind == "multiple" and (not isinstance(q.key, list) or not set(q.key) <= labels):
        return f"the key must be a list of options from {sorted(labels)}"
    if q.kind == "order" and (not isinstance(q.key, list) or sorted(q.key) != sorted(labels)):
        return f"the key must list every option {sorted(labels)} once, in order"
    if q.kind == "match":
        if not isinstance(q.key, dict) or set(q.key) != labels:
            return f"the key must match every item {sorted(labels)}"
        if not set(q.key.values()) <= set(q.choices):
            return f"the key matches to something not in the choices {sorted(q.choices)}"
    if q.kind == "number" and (isinstance(q.key, bool) or not isinstance(q.key, int | float) or q.tolerance < 0):
        return "the key must be a number and the tolerance zero or more"
    if q.kind == "text" and (not isinstance(q.key, list) or not q.key or not all(isinstance(k, str) for k in q.key)):
        return "the key must be a list of accepted answers"
    return ""


def parse_number(text: Any) -> float | None:
    """A number as a learner types it ("7600", "7,600", "7 600", "1,234.5", "1.234,5", "0,5") or None when it is
    not one. A lone comma followed by exactly three digits groups thousands; any other lone comma is a decimal one."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text) if math.isfinite(text) else None
    cleaned = re.sub(r"[\s_\u00a0\u202f']", "", str(text or ""))
    if "," in cleaned and "." in cleaned:
        decimal = "," if cleaned.rindex(",") > cleaned.rindex(".") else "."
        cleaned = cleaned.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif cleaned.count(",") == 1 and not re.search(r",\d{3}$", cleaned):
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def normalise(text: str) -> str:
    """A short answer as compared: case, surrounding spaces and repeated spaces ignored."""
    return " ".join(str(text).split()).casefold()


def words(text: Any) -> int:
    return len(str(text or "").split())


def is_answered(q: Question, answer: Any) -> bool:
    """Whether the learner gave an answer of the right form (every item of an ordering or a matching included)."""
    if answer is None:
        return False
    if q.kind == "single":
        return answer in q.options
    if q.kind == "multiple":
        return isinstance(answer, list) and set(answer) <= set(q.options)
    if q.kind == "order":
        return (
            isinstance(answer, list) and all(isinstance(a, str) for a in answer) and sorted(answer) == sorted(q.options)
        )
    if q.kind == "match":
        return isinstance(answer, dict) and set(answer) == set(q.options) and set(answer.values()) <= set(q.choices)
    if q.kind == "number":
        return parse_number(answer) is not None
    if q.kind == "text":
        return isinstance(answer, str) and bool(answer.strip())
    return isinstance(answer, str) and words(answer) >= max(1, q.min_words)


def _listed(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def check(q: Question, answer: Any) -> Feedback:
    """Judge `answer` against the question's key, item by item, and say what to look at again."""
    if not is_answered(q, answer):
        return Feedback(False, 0, _total(q), (), _unanswered(q, answer))
    if q.kind == "long":
        return Feedback(True, 1, 1, (), f"Saved for your trainer ({words(answer)} words).")
    if q.kind == "number":
        ok = abs(parse_number(answer) - float(q.key)) <= q.tolerance + 1e-9
        return _verdict(1 if ok else 0, 1, () if ok else ("the figure",))
    if q.kind == "text":
        ok = normalise(answer) in {normalise(k) for k in q.key}
        return _verdict(1 if ok else 0, 1, () if ok else ("the wording",))
    if q.kind == "single":
        ok = answer == q.key
        return _verdict(1 if ok else 0, 1, () if ok else (answer,))
    if q.kind == "multiple":
        chosen, key = set(answer), set(q.key)
        again = tuple(label for label in q.options if (label in chosen) != (label in key))
        return _verdict(len(q.options) - len(again), len(q.options), again)
    if q.kind == "order":
        again = tuple(_ordinal(i + 1) for i, (a, k) in enumerate(zip(answer, q.key, strict=True)) if a != k)
        return _verdict(len(q.key) - len(again), len(q.key), again, noun="in place")
    again = tuple(label for label in q.options if answer[label] != q.key[label])
    return _verdict(len(q.options) - len(again), len(q.options), again)


def _total(q: Question) -> int:
    return len(q.options) if q.kind in ("multiple", "order", "match") else 1


def _unanswered(q: Question, answer: Any) -> str:
    if q.kind == "order":
        return "Not answered yet: put every item in a place, each once."
    if q.kind == "match":
        return "Not answered yet: match every item."
    if q.kind == "number" and answer not in (None, ""):
        return f"{answer!r} is not a number: type digits only, for example 1250."
    if q.kind == "long" and q.min_words and words(answer):
        return f"Write at least {q.min_words} words ({words(answer)} so far)."
    return "Not answered yet."


def _verdict(right: int, total: int, again: tuple[str, ...], noun: str = "right") -> Feedback:
    if right == total:
        message = "Right." if total == 1 else f"All {total} {noun}."
    elif total == 1:
        message = "Not yet: look again at the question and try once more."
    else:
        message = f"{right} of {total} {noun}: look again at {_listed(list(again))}."
    return Feedback(True, right, total, again, message)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"the {n}{suffix} place"


def assert_right(q: Question, answer: Any) -> None:
    """The hidden test of an autograded question: fails, saying why, unless every item is right."""
    feedback = check(q, answer)
    assert feedback.all_right, f"question {q.qid}: {feedback.message}"
