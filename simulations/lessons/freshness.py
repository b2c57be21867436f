"""Keeping content current: review dates a quarter apart, what is overdue on a given day, and feedback that says revise.

Platforms change elements every quarter, so every module and every "101" page carries a review-by date
(docs/domain.md#formats-and-the-long-term-program). `smtk check` and the staying-current module use the same functions.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

QUARTER_MONTHS = 3


@dataclass(frozen=True)
class Due:
    """One item's review date seen from `today`: days_left < 0 means overdue by -days_left days."""

    id: str
    review_by: dt.date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (30 November + 3 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def next_review(last_reviewed: dt.date, months: int = QUARTER_MONTHS) -> dt.date:
    """When content reviewed on `last_reviewed` must be looked at again (a quarter later by default)."""
    if months < 1:
        raise ValueError(f"a review interval must be at least one month, got {months}")
    return add_months(last_reviewed, months)


def due_dates(items: Iterable[tuple[str, dt.date]], today: dt.date) -> list[Due]:
    """Every (id, review_by) item with its days left, most urgent first (ties keep their order)."""
    dues = [Due(item_id, review_by, (review_by - today).days) for item_id, review_by in items]
    return sorted(dues, key=lambda d: d.days_left)


def overdue(items: Iterable[tuple[str, dt.date]], today: dt.date) -> list[Due]:
    """The items whose review_by date lies before `today` (the review_by day itself is still in time)."""
    return [d for d in due_dates(items, today) if d.overdue]


def due_soon(items: Iterable[tuple[str, dt.date]], today: dt.date, days: int = 30) -> list[Due]:
    """The items not yet overdue whose review_by falls within the next `days` days."""
    return [d for d in due_dates(items, today) if 0 <= d.days_left <= days]


@dataclass(frozen=True)
class FeedbackSummary:
    """What learners said about one module: how many rated it, the mean rating, and the non-empty comments."""

    responses: int
    mean_rating: float | None
    comments: tuple[str, ...]


def summarise_feedback(feedback: Iterable[Mapping]) -> FeedbackSummary:
    """Aggregate FEEDBACK cells ({"rating": 1..5 or None, "comment": str}); ratings outside 1..5 are ignored."""
    ratings, comments = [], []
    for item in feedback:
        rating = item.get("rating")
        if isinstance(rating, int | float) and not isinstance(rating, bool) and 1 <= rating <= 5:
            ratings.append(float(rating))
        comment = str(item.get("comment") or "").strip()
        if comment:
            comments.append(comment)
    mean = sum(ratings) / len(ratings) if ratings else None
    return FeedbackSummary(len(ratings), mean, tuple(comments))


def needs_revision(summary: FeedbackSummary, *, threshold: float = 3.5, min_responses: int = 5) -> bool:
    """Enough learners rated the module and their mean rating is below `threshold`: revise it, do not wait a year."""
    return summary.responses >= min_responses and summary.mean_rating is not None and summary.mean_rating < threshold
