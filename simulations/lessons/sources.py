"""Where to find an answer, and whether to rely on what you found: the rules the "find and validate" module teaches.

A teachable simplification, not a fact-checking service: who says it, whether it is the original, whether it is
still current for its topic, and whether an independent source agrees.
"""

from __future__ import annotations

from dataclasses import dataclass

# Where answers live, best first for the kind of question each owns.
PLACES: dict[str, str] = {
    "policy-page": "your organisation's policy page (the current, versioned rules)",
    "coe": "the Center of Excellence (interprets the policy, knows who the experts are)",
    "knowledge-base": "the internal knowledge base colleagues keep up to date (past answers and cases)",
    "expert": "an expert colleague, found through the directory or the CoE",
    "platform-help": "the platform's own help centre and rules (how a feature works today)",
    "regulator": "the regulator's own text, e.g. the FTC's Endorsement Guides (then legal)",
    "news": "news and trade press",
    "forum": "forums and other people's posts",
}

# Who is saying it.
AUTHORS: dict[str, str] = {
    "owner": "the team or body that owns the topic (policy owner, platform, regulator)",
    "named": "a named person who does not own the topic (a colleague, a journalist, a blogger)",
    "anonymous": "nobody you can name",
}

# How long an answer stays current, by topic. Platforms change elements every quarter.
SHELF_LIFE_DAYS: dict[str, int] = {"platform": 90, "policy": 365, "law": 365, "figure": 3 * 365}

RELY, CHECK, DONT = "rely on it", "check it first", "do not rely on it"


@dataclass(frozen=True)
class Source:
    """Something you found: who said it, whether it is the original, its topic, its age, and whether others agree."""

    author: str
    original: bool
    topic: str
    age_days: int
    corroborated: bool = False

    def __post_init__(self) -> None:
        if self.author not in AUTHORS:
            raise ValueError(f"author must be one of {', '.join(AUTHORS)}, got {self.author!r}")
        if self.topic not in SHELF_LIFE_DAYS:
            raise ValueError(f"topic must be one of {', '.join(SHELF_LIFE_DAYS)}, got {self.topic!r}")
        if self.age_days < 0:
            raise ValueError(f"age_days cannot be negative, got {self.age_days}")


@dataclass(frozen=True)
class Assessment:
    """How far to trust a source, with one reason per rule that decided it."""

    trust: str
    reasons: tuple[str, ...]


def is_current(age_days: int, topic: str) -> bool:
    """Whether an answer of this age is still within its topic's shelf life."""
    return age_days <= SHELF_LIFE_DAYS[topic]


def assess(source: Source) -> Assessment:
    """Rely, check first, or do not rely: anonymous and alone never counts; retold, stale or hearsay is checked."""
    if source.author == "anonymous" and not source.corroborated:
        return Assessment(DONT, ("nobody you can name says it, and no independent source agrees",))
    reasons = []
    if not source.original:
        reasons.append("it retells something: trace it to the original before you repeat it")
    if not is_current(source.age_days, source.topic):
        reasons.append(
            f"it is {source.age_days} days old; {source.topic} answers go stale after "
            f"{SHELF_LIFE_DAYS[source.topic]} days: look for the current version"
        )
    if source.author == "anonymous":
        reasons.append("nobody you can name says it: cite the independent source that agrees, not this one")
    elif source.author != "owner" and not source.corroborated:
        reasons.append("only one person who does not own the topic says it: find a second, independent source")
    if reasons:
        return Assessment(CHECK, tuple(reasons))
    return Assessment(RELY, ("the owner of the topic says it first-hand, and it is current",))
