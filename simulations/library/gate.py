"""The moderation gate every contribution, question and answer passes before it is stored.

First the plain checks (text given, not too long, no markup, a known module and kind), then the kit's own checks
that the employee modules teach: the confidential-information scanner and the disclosure rules. A refused text is
never stored: the writer gets the reason and what to change. Text is stored as written (plain text) and escaped
whenever it is shown (`display_text`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from dataclasses import dataclass

from simulations.lessons.confidential import CATEGORIES, scan
from simulations.lessons.disclosure import ACCEPTED_TAGS, AMBIGUOUS_TAGS, check_disclosure, employee_tag

MAX_CHARS = 20_000
_MARKUP = re.compile(r"</?[a-z][a-z0-9-]*(?:\s[^>]*)?/?>|<!--|javascript:", re.IGNORECASE)
_HASHTAG = re.compile(r"#\w+")

# What to change, per category of the confidential-information scanner.
ADVICE: dict[str, str] = {
    "business figure": "leave the figure out, or name where the company published it",
    "unannounced timing": "say what happened, not when something unannounced will",
    "internal label": "share only what is not internal; describe it without the internal word or name",
    "personal data": "remove the address or number; name the team to contact instead",
    "access": "remove anything that opens a door or an account",
}


@dataclass(frozen=True)
class LibraryRules:
    """The organisation's rules for its library (its profile's `library:`): whether learners may post notes and
    questions without their name shown to colleagues (the Center of Excellence always sees it), and the words its
    language rule does not accept, with the rule as writers read it."""

    anonymous_posts: bool = False
    unacceptable_words: tuple[str, ...] = ()
    language_rule: str = ""


class Refused(ValueError):
    """Input the library will not store: the field at fault, why, and what to change."""

    def __init__(self, field: str, reason: str, change: str = "") -> None:
        self.field, self.reason, self.change = field, reason, change
        super().__init__(f"{field}: {reason}" + (f"; {change}" if change else ""))


class Blocked(Refused):
    """A text the confidential-information or disclosure checks stopped, with every reason found."""

    def __init__(self, field: str, reasons: tuple[str, ...], changes: tuple[str, ...]) -> None:
        self.reasons, self.changes = reasons, changes
        super().__init__(field, "; ".join(reasons), "; ".join(dict.fromkeys(changes)))


@dataclass(frozen=True)
class Screening:
    """What the kit's checks found in a text: each reason with what to change (empty: the text may go on)."""

    reasons: tuple[str, ...]
    changes: tuple[str, ...]

    @property
    def clear(self) -> bool:
        return not self.reasons


def screen(text: str, org_name: str = "") -> Screening:
    """The confidential-information findings of `text`, and its disclosure when it uses a disclosure tag.

    A library note is not itself a post, so the disclosure rules apply only to a text that tries to disclose (an
    accepted or ambiguous tag): an example post shared with colleagues must not teach a disclosure that fails.
    """
    reasons, changes = [], []
    for finding in scan(text):
        reasons.append(f"{finding.category} \u201c{finding.text}\u201d ({CATEGORIES[finding.category]})")
        changes.append(ADVICE[finding.category])
    extra = (employee_tag(org_name),) if org_name else ()
    tags = {t.lower() for t in _HASHTAG.findall(text)}
    disclosing = {t.lower() for t in (*ACCEPTED_TAGS, *AMBIGUOUS_TAGS, *extra)}
    if tags & disclosing:
        verdict = check_disclosure(text, extra)
        if not verdict.clear:
            reasons.extend(f"disclosure: {r}" for r in verdict.reasons)
            changes.append("put #ad, #sponsored or the employee tag early in the post, apart from other hashtags")
    return Screening(tuple(reasons), tuple(changes))


def plain_text(field: str, text: object, limit: int = MAX_CHARS) -> str:
    """`text` stripped, or Refused when it is not text, empty, longer than `limit` characters or holds markup."""
    if not isinstance(text, str):
        raise Refused(field, "must be text", "type the text in the box")
    text = text.strip()
    if not text:
        raise Refused(field, "is empty", "write something before sending")
    if len(text) > limit:
        raise Refused(field, f"has {len(text):,} characters, over the limit of {limit:,}", "shorten it or split it")
    markup = _MARKUP.search(text)
    if markup:
        raise Refused(
            field,
            f"holds HTML or script ({markup.group()[:40]!r}); the library stores plain text only",
            "remove the markup and write plain text (a link as its plain address)",
        )
    return text


def checked(field: str, text: object, org_name: str = "", rules: LibraryRules = LibraryRules()) -> str:
    """The plain-text checks, the organisation's language rule, then the kit's checks: the text to store, or
    Refused/Blocked saying why."""
    text = plain_text(field, text)
    language(field, text, rules)
    screening = screen(text, org_name)
    if not screening.clear:
        raise Blocked(field, screening.reasons, screening.changes)
    return text


def language(field: str, text: str, rules: LibraryRules) -> None:
    """Refused when `text` uses a word the organisation's language rule does not accept (as a whole word, in any
    case), naming every such word and the rule."""
    found = [w for w in rules.unacceptable_words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.IGNORECASE)]
    if found:
        words = ", ".join(f"\u201c{w}\u201d" for w in found)
        raise Refused(
            field,
            f"uses {words}, which the organisation's language rule does not accept",
            rules.language_rule or "say it without those words",
        )


def known(field: str, value: object, allowed: Collection[str], what: str) -> str:
    """`value` when it is one of `allowed`, else Refused naming a few of the choices."""
    if not isinstance(value, str) or value not in allowed:
        choices = ", ".join(sorted(allowed)[:8]) + (", ..." if len(allowed) > 8 else "")
        raise Refused(field, f"unknown {what} {value!r}", f"choose one of: {choices}")
    return value


def name(field: str, value: object) -> str:
    """A person's name or id (the hub's user, or what they typed): plain text of at most 200 characters."""
    return plain_text(field, value, limit=200)


def display_text(text: str) -> str:
    """A stored text made safe to put in a page: every character shown as written, nothing read as markup."""
    return html.escape(text, quote=True)
