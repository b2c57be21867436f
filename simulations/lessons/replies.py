"""Checks a public reply to a customer against the rules of dialogue the partners track teaches.

A teachable simplification of the US Air Force's response considerations (2008) and common care practice:
acknowledge the person, do not argue, keep private details private, offer a way to continue offline, stay short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 500
MIN_CHARS = 40
_ACKNOWLEDGE = re.compile(r"\b(?:thank|thanks|sorry|apologi[sz]e|apologies|appreciate)", re.IGNORECASE)
_OFFLINE = re.compile(
    r"\b(?:dm|direct message|message us|send us a message|e-?mail|call|phone|contact us|reach us|"
    r"get in touch|private message)\b",
    re.IGNORECASE,
)
_ARGUING = (
    "you're wrong",
    "you are wrong",
    "calm down",
    "not our fault",
    "your fault",
    "your own fault",
    "obviously",
    "liar",
    "fake review",
    "never happened",
    "read the instructions",
)
_PRIVATE = re.compile(r"\d{6,}|\b(?:order|receipt|card|account)\s*(?:no\.?|number|#)\s*\d+", re.IGNORECASE)


@dataclass(frozen=True)
class ReplyCheck:
    """Whether a reply meets every rule, what it did well and what to fix."""

    ok: bool
    good: tuple[str, ...]
    fix: tuple[str, ...]


def check_reply(text: str) -> ReplyCheck:
    """Apply the five rules of a good public reply to a complaint."""
    good, fix = [], []
    if _ACKNOWLEDGE.search(text):
        good.append("you acknowledge the customer")
    else:
        fix.append("acknowledge the customer first: thank them or say sorry")
    arguing = [phrase for phrase in _ARGUING if phrase in text.lower()]
    if arguing:
        fix.append(f"do not argue or blame in public ({arguing[0]!r})")
    else:
        good.append("you do not argue")
    if _PRIVATE.search(text):
        fix.append("keep order, receipt, card and account numbers out of a public reply")
    else:
        good.append("no private details in public")
    if _OFFLINE.search(text):
        good.append("you offer a way to continue privately")
    else:
        fix.append("offer a private channel (a direct message, an e-mail, a phone call) to fix it")
    length = len(text.strip())
    if length < MIN_CHARS:
        fix.append(f"say a little more: {length} characters reads as a brush-off")
    elif length > MAX_CHARS:
        fix.append(f"keep it under {MAX_CHARS} characters; {length} is a wall of text in a comment thread")
    else:
        good.append("short and readable")
    return ReplyCheck(not fix, tuple(good), tuple(fix))
