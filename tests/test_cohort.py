"""Cohort analytics on hand-made tables, and the feedback cell read as data."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from graders.results import cohort
from graders.results.gradebook import read_feedback

MODULES = pd.DataFrame(
    [
        {"id": "m1", "title": "One", "track": "employees", "review_by": dt.date(2026, 1, 1)},
        {"id": "m2", "title": "Two", "track": "partners", "review_by": dt.date(2027, 1, 1)},
    ]
)
LEARNERS = pd.DataFrame(
    [
        {"learner": "a", "name": "A", "email": "", "business_unit": "Sales", "region": "EMEA"},
        {"learner": "b", "name": "B", "email": "", "business_unit": "Support", "region": "EMEA"},
        {"learner": "c", "name": "C", "email": "", "business_unit": "Support", "region": "APAC"},
    ]
)
SCORES = pd.DataFrame(
    [("a", "m1", 10, 10, False), ("b", "m1", 6, 10, False), ("c", "m1", 9, 10, True), ("c", "m2", 7, 10, False)],
    columns=["learner", "module", "score", "max_score", "needs_manual_grade"],
)
FEEDBACK = pd.DataFrame(
    [("a", "m1", 5, "great"), ("b", "m1", 2, ""), ("c", "m2", None, "hm")],
    columns=["learner", "module", "rating", "comment"],
)


def test_progress_counts_and_pass_rate():
    table = cohort.progress(SCORES, MODULES, LEARNERS, cohort.Filters(), pass_mark=0.7).set_index("module")
    assert table.loc["m1", ["submitted", "graded", "passed"]].tolist() == [3, 2, 1]
    assert table.loc["m1", "pass rate"] == 0.5  # c waits for a manual grade: not counted either way
    assert table.loc["m2", "pass rate"] == 1.0


def test_filters_narrow_the_cohort():
    emea = cohort.progress(SCORES, MODULES, LEARNERS, cohort.Filters(region="EMEA"), 0.7).set_index("module")
    assert emea.loc["m1", "submitted"] == 2 and emea.loc["m2", "submitted"] == 0
    partners = cohort.progress(SCORES, MODULES, LEARNERS, cohort.Filters(track="partners"), 0.7)
    assert list(partners["module"]) == ["m2"]
    sales = cohort.score_ratios(SCORES, MODULES, LEARNERS, cohort.Filters(business_unit="Sales"))
    assert sales.tolist() == [1.0]


def test_track_summary_by_hand():
    certificates = pd.DataFrame(
        [("a", "employees", "Expert"), ("c", "partners", "Foundation"), ("b", "partners", "Foundation")],
        columns=["learner", "track", "tier_title"],
    )
    table = cohort.track_summary(SCORES, MODULES, LEARNERS, certificates, 0.7).set_index("track")
    employees, partners = table.loc["employees"], table.loc["partners"]
    assert employees[["modules", "learners", "graded", "passed", "certified"]].tolist() == [1, 3, 2, 1, 1]
    assert employees["pass rate"] == 0.5 and employees["mean score"] == round((1.0 + 0.6 + 0.9) / 3, 3)
    assert employees["by tier"] == "Expert 1"
    assert partners[["learners", "passed", "mean score", "by tier"]].tolist() == [1, 1, 0.7, "Foundation 2"]
    emea = cohort.track_summary(SCORES, MODULES, LEARNERS, certificates, 0.7, cohort.Filters(region="EMEA"))
    assert emea.set_index("track").loc["partners", ["learners", "certified"]].tolist() == [0, 1]


def test_reaction_and_comments():
    table = cohort.reaction(FEEDBACK, MODULES, LEARNERS, cohort.Filters()).set_index("module")
    assert table.loc["m1", ["ratings", "comments"]].tolist() == [2, 1]
    assert table.loc["m1", "mean_rating"] == 3.5
    assert table.loc["m2", "ratings"] == 0 and table.loc["m2", "comments"] == 1
    assert cohort.comments(FEEDBACK, MODULES, LEARNERS, cohort.Filters())["comment"].tolist() == ["great", "hm"]


def test_overdue_modules():
    late = cohort.overdue(MODULES, dt.date(2026, 11, 23))
    assert late["id"].tolist() == ["m1"] and late["days_late"].tolist() == [326]


def notebook_with(tmp_path, source: str):
    path = tmp_path / "n.ipynb"
    cell = {"cell_type": "code", "metadata": {"tags": ["feedback"]}, "source": source, "outputs": []}
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('FEEDBACK = {"rating": 4, "comment": " ok "}', (4, "ok")),
        ('FEEDBACK = {"rating": 9, "comment": "too high"}', (None, "too high")),
        ('FEEDBACK = {"rating": True, "comment": ""}', (None, "")),
        ("FEEDBACK = {'rating': __import__('os').getpid()}", (None, "")),  # never executed
        ("FEEDBACK = {", (None, "")),
        ("FEEDBACK = [1, 2]", (None, "")),
    ],
)
def test_feedback_read_as_data(tmp_path, source, expected):
    assert read_feedback(notebook_with(tmp_path, source)) == expected


def test_feedback_from_corrupt_notebook_is_blank(tmp_path):
    path = tmp_path / "bad.ipynb"
    path.write_text("{not json")
    assert read_feedback(path) == (None, "")
