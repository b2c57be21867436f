"""Certification tiers per track from module scores and prerequisites, with expiry; the rules: course.certification.

A module counts as passed when its score reaches the pass mark, its grading is final (no answer still waiting for
the trainer) and every prerequisite is passed too. A tier is reached when enough of the track's modules are passed
with a high enough average. A certificate expires `valid_months` after it was earned, or earlier when a module it
rests on is revised after that date. A tier may also ask for accepted contributions to the library (the carrot for
sharing what one learned).
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Mapping

import pandas as pd

from graders.course.certification import Rules
from graders.course.manifest import Manifest

SCORE_COLUMNS = ("learner", "module", "score", "max_score", "graded_at", "needs_manual_grade")
CERTIFICATE_COLUMNS = (
    "learner",
    "track",
    "tier",
    "tier_title",
    "issued",
    "expires",
    "modules",
    "average",
    "verification_id",
)
_NAMESPACE = uuid.UUID("6f1c2a59-3c1e-4d7e-9a57-5d1b0c6f7a11")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def passed_modules(scores: pd.DataFrame, manifest: Manifest, pass_mark: float) -> pd.DataFrame:
    """One row per learner and module they passed: score ratio and the date it was graded."""
    known = {m.id: m for m in manifest.modules}
    rows = scores[scores["module"].isin(known)].copy()
    rows["ratio"] = rows["score"] / rows["max_score"].where(rows["max_score"] > 0)
    rows = rows[(rows["ratio"] >= pass_mark - 1e-9) & ~rows["needs_manual_grade"].astype(bool)]
    passed = []
    for _learner, group in rows.groupby("learner", sort=True):
        done = set(group["module"])
        # A prerequisite not passed voids the module; repeat until nothing changes (chains of prerequisites).
        while True:
            keep = {m for m in done if all(p in done for p in known[m].prerequisites)}
            if keep == done:
                break
            done = keep
        passed.append(group[group["module"].isin(done)])
    if not passed:
        return rows.iloc[0:0][["learner", "module", "ratio", "graded_at"]]
    return pd.concat(passed)[["learner", "module", "ratio", "graded_at"]].reset_index(drop=True)


def expiry(issued: dt.date, rests_on: list[str], manifest: Manifest, valid_months: int) -> dt.date:
    """When a certificate earned on `issued` lapses: after its validity, or when a module it rests on is revised."""
    lapses = [add_months(issued, valid_months)]
    for module_id in rests_on:
        revised = manifest.module(module_id).revised
        if revised is not None and revised > issued:
            lapses.append(revised)
    return min(lapses)


def verification_id(course: str, learner: str, track: str, tier: str, issued: dt.date) -> str:
    """A stable id for one certificate: the same award always gets the same id, a different one never does."""
    return str(uuid.uuid5(_NAMESPACE, f"{course}\n{learner}\n{track}\n{tier}\n{issued.isoformat()}"))


def award(
    scores: pd.DataFrame, manifest: Manifest, rules: Rules, contributions: Mapping[tuple[str, str], int] | None = None
) -> pd.DataFrame:
    """The highest tier each learner reached per track, with issue and expiry dates (CERTIFICATE_COLUMNS).
    `contributions` counts each (learner, track)'s accepted library contributions, for tiers that ask for some."""
    contributions = contributions or {}
    missing = [c for c in SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise ValueError(f"scores table lacks column(s) {', '.join(missing)}")
    passed = passed_modules(scores, manifest, rules.pass_mark)
    track_of = {m.id: m.track for m in manifest.modules}
    passed["track"] = passed["module"].map(track_of)
    sizes = {t.id: len(t.modules) for t in manifest.tracks}
    certificates = []
    for (learner, track), group in passed.groupby(["learner", "track"], sort=True):
        average = float(group["ratio"].mean())
        shared = contributions.get((learner, track), 0)
        reached = [
            t
            for t in rules.tiers
            if len(group) >= t.needed(sizes[track])
            and average >= t.min_average - 1e-9
            and shared >= t.min_contributions
        ]
        if not reached:
            continue
        tier = reached[-1]
        issued = pd.Timestamp(group["graded_at"].max()).date()
        modules = sorted(group["module"])
        certificates.append(
            {
                "learner": learner,
                "track": track,
                "tier": tier.id,
                "tier_title": tier.title,
                "issued": issued,
                "expires": expiry(issued, modules, manifest, rules.valid_months),
                "modules": modules,
                "average": round(average, 4),
                "verification_id": verification_id(manifest.course, learner, track, tier.id, issued),
            }
        )
    return pd.DataFrame(certificates, columns=list(CERTIFICATE_COLUMNS))


def expiring(certificates: pd.DataFrame, today: dt.date, within_days: int) -> pd.DataFrame:
    """Certificates that lapse within `within_days` of `today` (or already have): the re-certification list."""
    horizon = today + dt.timedelta(days=within_days)
    due = certificates[certificates["expires"] <= horizon].copy()
    due["days_left"] = [(d - today).days for d in due["expires"]]
    return due.sort_values(["expires", "learner", "track"]).reset_index(drop=True)
