"""A draft scanner: the kinds of detail that turn a proud post into a leak, flagged before the post goes out.

Deliberately simple (patterns, not understanding): it prompts the writer to check, it does not prove a post safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CATEGORIES: dict[str, str] = {
    "business figure": "sales, growth, prices or money that the company has not published",
    "unannounced timing": "when something not yet announced will happen",
    "internal label": "words that say the information is internal",
    "personal data": "someone's e-mail address or phone number",
    "access": "badges, passwords, codes and anything that opens a door or an account",
}

_PATTERNS: dict[str, list[str]] = {
    "business figure": [
        r"[$€£]\s?\d[\d,.]*(?:\s?(?:k|m|bn|million|billion)\b)?",
        r"\b\d[\d,.]*\s?(?:%|percent\b|per cent\b)",
        r"\b\d[\d,.]*\s?(?:million|billion|bn)\b",
    ],
    "unannounced timing": [
        r"\b(?:launch(?:es|ing)?|releas(?:e|es|ing)|open(?:s|ing))\s+(?:next|this|in|on)\s+\w+",
        r"\bnext (?:week|month|quarter|year)\b",
        r"\bcoming soon\b",
        r"\bsneak peek\b",
    ],
    "internal label": [
        r"\b(?:internal|confidential|roadmap|prototype|code ?name|nda|unannounced|not public|draft)\b",
    ],
    "personal data": [
        r"\b[^@\s]+@[^@\s]+\.[a-z]{2,}\b",
        r"\+?\d[\d\s().-]{7,}\d",
    ],
    "access": [
        r"\b(?:badge|password|passcode|access code|door code|alarm code|wi-?fi)\b",
    ],
}
_COMPILED = {cat: [re.compile(p, re.IGNORECASE) for p in pats] for cat, pats in _PATTERNS.items()}


@dataclass(frozen=True)
class Finding:
    """One detail worth a second look: its category, the words that matched, and where they start."""

    category: str
    text: str
    start: int


def scan(text: str) -> list[Finding]:
    """Every flagged detail in `text`, in reading order; overlapping matches are reported once."""
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for category, patterns in _COMPILED.items():
        for pattern in patterns:
            for match in pattern.finditer(text):
                span = match.span()
                if any(span[0] < end and start < span[1] for start, end in taken):
                    continue
                taken.append(span)
                found.append(Finding(category, match.group().strip(), span[0]))
    return sorted(found, key=lambda f: f.start)


def business_figures(text: str) -> list[str]:
    """Only the business figures in `text` (money amounts, percentages, millions), in reading order."""
    return [f.text for f in scan(text) if f.category == "business figure"]
