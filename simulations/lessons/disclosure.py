"""Checks a draft post for a clear, conspicuous disclosure of a material connection (FTC Endorsement Guides, 2023).

The rules are a teachable simplification of 16 CFR Part 255: an accepted tag (#ad, #sponsored or the
organisation's employee tag), written as a whole tag, starting within the first characters of the post (roughly
what one platform's feed shows before "more") and not buried in a run of hashtags. Both numbers are the course's
heuristics, not the FTC's: facts `disclosure-first-characters` and `disclosure-hashtag-run` of the registry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulations.common.facts import shipped_facts

ACCEPTED_TAGS = ("#ad", "#sponsored")
AMBIGUOUS_TAGS = ("#spon", "#sp", "#collab", "#thanks", "#partner", "#sp0n")
VISIBLE_CHARS = int(shipped_facts()["disclosure-first-characters"].number())
BURIED_RUN = int(shipped_facts()["disclosure-hashtag-run"].number())
_TAG = re.compile(r"#\w+")


@dataclass(frozen=True)
class Verdict:
    """Whether a post discloses clearly, and why (one reason per rule that failed or passed)."""

    clear: bool
    reasons: tuple[str, ...]


def employee_tag(org_name: str) -> str:
    """The organisation's employee disclosure tag, e.g. 'Larkspur Appliances' -> '#LarkspurEmployee'."""
    first = re.sub(r"\W", "", org_name.split()[0]) if org_name.split() else "Brand"
    return f"#{first}Employee"


def _hashtag_runs(text: str) -> list[list[tuple[int, str]]]:
    """Runs of consecutive hashtag tokens, each token with its start offset."""
    runs, current = [], []
    for match in re.finditer(r"\S+", text):
        token = match.group()
        if _TAG.fullmatch(token.rstrip(".,!?;:")):
            current.append((match.start(), token.rstrip(".,!?;:").lower()))
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def check_disclosure(text: str, extra_tags: tuple[str, ...] = ()) -> Verdict:
    """Apply the disclosure rules to `text`; `extra_tags` adds accepted tags such as the employee tag."""
    accepted = {t.lower() for t in (*ACCEPTED_TAGS, *extra_tags)}
    tags = [(m.start(), m.group().lower()) for m in _TAG.finditer(text)]
    found = [(pos, tag) for pos, tag in tags if tag in accepted]
    if not found:
        ambiguous = sorted({tag for _, tag in tags if tag in AMBIGUOUS_TAGS})
        if ambiguous:
            return Verdict(False, (f"{', '.join(ambiguous)} is ambiguous: readers may not understand it as an ad",))
        return Verdict(False, ("no disclosure: add #ad, #sponsored or your employee tag to the post itself",))
    visible = [(pos, tag) for pos, tag in found if pos < VISIBLE_CHARS]
    if not visible:
        return Verdict(
            False, (f"{found[0][1]} comes after the first {VISIBLE_CHARS} characters, where many readers never look",)
        )
    buried = {pos for run in _hashtag_runs(text) if len(run) >= BURIED_RUN for pos, _ in run}
    if all(pos in buried for pos, _ in visible):
        return Verdict(False, (f"{visible[0][1]} is buried among other hashtags",))
    return Verdict(True, (f"{visible[0][1]} is in the post, early and easy to see",))
