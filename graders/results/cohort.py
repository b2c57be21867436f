"""Cohort analytics for trainers (pure pandas): progress and learning per module, reaction, item statistics.

Kirkpatrick level 1 (reaction) comes from the learners' feedback ratings, level 2 (learning) from scores.
Inputs are the plain tables the trainer side reads from a gradebook; nothing here knows about nbgrader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from graders.results import item_stats
from simulations.lessons import freshness

ALL = "All"


@dataclass(frozen=True)
class Filters:
    """Which learners to look at; ALL means no restriction."""

    track: str = ALL
    business_unit: str = ALL
    region: str = ALL


def selected_learners(learners: pd.DataFrame, filters: Filters) -> set[str]:
    rows = learners
    if filters.business_unit != ALL:
        rows = rows[rows["business_unit"] == filters.business_unit]
    if filters.region != ALL:
        rows = rows[rows["region"] == filters.region]
    return set(rows["learner"])


def _modules_in(modules: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    return modules if filters.track == ALL else modules[modules["track"] == filters.track]


def _restrict(frame: pd.DataFrame, learners: set[str], module_ids: pd.Series) -> pd.DataFrame:
    return frame[frame["learner"].isin(learners) & frame["module"].isin(module_ids)]


def progress(
    scores: pd.DataFrame, modules: pd.DataFrame, learners: pd.DataFrame, filters: Filters, pass_mark: float
) -> pd.DataFrame:
    """Per module: learners who submitted, whose grading is final, who passed, and the mean score (level 2)."""
    chosen = _modules_in(modules, filters)
    rows = _restrict(scores, selected_learners(learners, filters), chosen["id"])
    ratio = rows["score"] / rows["max_score"].where(rows["max_score"] > 0)
    rows = rows.assign(ratio=ratio, final=~rows["needs_manual_grade"].astype(bool))
    rows = rows.assign(passed=rows["final"] & (rows["ratio"] >= pass_mark - 1e-9))
    grouped = rows.groupby("module").agg(
        submitted=("learner", "nunique"), graded=("final", "sum"), passed=("passed", "sum"), mean=("ratio", "mean")
    )
    table = chosen.set_index("id")[["track", "title"]].join(grouped, how="left")
    table[["submitted", "graded", "passed"]] = table[["submitted", "graded", "passed"]].fillna(0).astype(int)
    table["pass rate"] = (table["passed"] / table["graded"].where(table["graded"] > 0)).round(3)
    table["mean score"] = table["mean"].round(3)
    return table.drop(columns=["mean"]).reset_index(names="module")


def reaction(feedback: pd.DataFrame, modules: pd.DataFrame, learners: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Per module: number of ratings, mean rating (1-5) and number of comments (level 1)."""
    chosen = _modules_in(modules, filters)
    rows = _restrict(feedback, selected_learners(learners, filters), chosen["id"])
    grouped = rows.groupby("module").agg(
        ratings=("rating", "count"),
        mean_rating=("rating", "mean"),
        comments=("comment", lambda c: int((c.str.len() > 0).sum())),
    )
    table = chosen.set_index("id")[["title"]].join(grouped, how="left")
    table[["ratings", "comments"]] = table[["ratings", "comments"]].fillna(0).astype(int)
    table["mean_rating"] = table["mean_rating"].round(2)
    return table.reset_index(names="module")


def comments(feedback: pd.DataFrame, modules: pd.DataFrame, learners: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The written comments, newest modules first, with their rating (text exactly as learners wrote it)."""
    chosen = _modules_in(modules, filters)
    rows = _restrict(feedback, selected_learners(learners, filters), chosen["id"])
    rows = rows[rows["comment"].str.len() > 0]
    return rows[["module", "rating", "comment"]].sort_values(["module", "rating"]).reset_index(drop=True)


def item_statistics(
    items: pd.DataFrame, modules: pd.DataFrame, learners: pd.DataFrame, filters: Filters
) -> pd.DataFrame:
    """Per graded item of the chosen modules and learners: widget, difficulty, discrimination and flags
    (graders.results.item_stats), the flagged items first: the questions to review first."""
    chosen = _modules_in(modules, filters)
    table = item_stats.item_statistics(_restrict(items, selected_learners(learners, filters), chosen["id"]))
    flagged = table["flags"].str.len() > 0
    return pd.concat([table[flagged], table[~flagged]], ignore_index=True)


def score_ratios(scores: pd.DataFrame, modules: pd.DataFrame, learners: pd.DataFrame, filters: Filters) -> pd.Series:
    """Every final submission's score as a share of its maximum, for the distribution chart."""
    chosen = _modules_in(modules, filters)
    rows = _restrict(scores, selected_learners(learners, filters), chosen["id"])
    rows = rows[~rows["needs_manual_grade"].astype(bool) & (rows["max_score"] > 0)]
    return (rows["score"] / rows["max_score"]).reset_index(drop=True)


def overdue(modules: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Modules whose review_by date has passed: the content to check against today's platforms.

    The rule is `simulations.lessons.freshness.overdue`, the one `smtk check` applies too.
    """
    reviews = zip(modules["id"], modules["review_by"], strict=True)
    days_late = {d.id: -d.days_left for d in freshness.overdue(reviews, today)}
    late = modules[modules["id"].isin(days_late)]
    return late.assign(days_late=late["id"].map(days_late))[["id", "title", "review_by", "days_late"]]


def track_summary(
    scores: pd.DataFrame,
    modules: pd.DataFrame,
    learners: pd.DataFrame,
    certificates: pd.DataFrame,
    pass_mark: float,
    filters: Filters = Filters(),
) -> pd.DataFrame:
    """Per track: modules, learners who started, graded submissions, pass rate, mean score and certificates by tier.

    The per-track summary that `smtk certify` exports and the trainer app shows; built on `progress` so both agree.
    """
    per_module = progress(scores, modules, learners, filters, pass_mark)
    chosen = _modules_in(modules, filters)
    people = selected_learners(learners, filters)
    started = _restrict(scores, people, chosen["id"]).assign(
        track=lambda f: f["module"].map(chosen.set_index("id")["track"])
    )
    rows = []
    for track, group in per_module.groupby("track", sort=False):
        mine = started[started["track"] == track]
        ratios = mine["score"] / mine["max_score"].where(mine["max_score"] > 0)
        certified = certificates[(certificates["track"] == track) & certificates["learner"].isin(people)]
        tiers = certified.groupby("tier_title")["learner"].nunique() if len(certified) else pd.Series(dtype=int)
        rows.append(
            {
                "track": track,
                "modules": len(group),
                "learners": int(mine["learner"].nunique()),
                "graded": int(group["graded"].sum()),
                "passed": int(group["passed"].sum()),
                "pass rate": round(group["passed"].sum() / group["graded"].sum(), 3) if group["graded"].sum() else None,
                "mean score": round(float(ratios.mean()), 3) if ratios.notna().any() else None,
                "certified": int(certified["learner"].nunique()),
                "by tier": ", ".join(f"{t} {n}" for t, n in tiers.items()),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["track", "modules", "learners", "graded", "passed", "pass rate", "mean score", "certified", "by tier"],
    )
