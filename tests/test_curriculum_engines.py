"""The engines behind the executives, CoE and business-units modules: catalogues, review dates, feedback, attention."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml

from simulations.common.datafiles import DataError
from simulations.common.vocabulary import UNITS
from simulations.lessons.cases import CASE_CATALOGUE, HALF_LIVES_H, attention_left, half_life, load_cases
from simulations.lessons.freshness import (
    add_months,
    due_dates,
    due_soon,
    needs_revision,
    next_review,
    overdue,
    summarise_feedback,
)
from simulations.lessons.goals import GOAL_CATALOGUE, LADDER, ladder, load_goals
from simulations.lessons.hub import NEEDS, RESOURCES, hub_answer
from simulations.lessons.kpis import KPI_CATALOGUE, LEVELS, framework_gaps, kpis_for_unit, levels_covered, load_kpis
from simulations.profile.org import CONTACT_ROLES, org_parameters

DAY = dt.date(2026, 11, 23)


# --- review dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2027, 11, 30), 3, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 10, 31), 2, dt.date(2026, 12, 31)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
        (dt.date(2026, 1, 31), 12, dt.date(2027, 1, 31)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_next_review_is_a_quarter_later_and_rejects_no_interval():
    assert next_review(dt.date(2026, 8, 31)) == dt.date(2026, 11, 30)
    with pytest.raises(ValueError, match="at least one month"):
        next_review(DAY, months=0)


def test_overdue_and_due_soon_split_at_today():
    items = [
        ("late", DAY - dt.timedelta(days=3)),
        ("today", DAY),
        ("soon", DAY + dt.timedelta(days=10)),
        ("far", dt.date(2028, 1, 1)),
    ]
    assert [(d.id, d.days_left) for d in overdue(items, DAY)] == [("late", -3)]
    assert [d.id for d in due_soon(items, DAY, days=10)] == ["today", "soon"]
    assert [d.id for d in due_dates(reversed(items), DAY)] == ["late", "today", "soon", "far"]


def test_feedback_summary_ignores_what_is_not_a_rating():
    feedback = [
        {"rating": 5, "comment": "  short and useful "},
        {"rating": None, "comment": ""},
        {"rating": 2.0, "comment": "the X screenshots are out of date"},
        {"rating": True, "comment": ""},
        {"rating": 9},
        {"rating": "4", "comment": None},
    ]
    summary = summarise_feedback(feedback)
    assert summary.responses == 2 and summary.mean_rating == 3.5
    assert summary.comments == ("short and useful", "the X screenshots are out of date")
    assert summarise_feedback([]).mean_rating is None


def test_needs_revision_waits_for_enough_responses():
    low = summarise_feedback([{"rating": 2}] * 4)
    assert not needs_revision(low)
    assert needs_revision(summarise_feedback([{"rating": 2}] * 5))
    assert not needs_revision(summarise_feedback([{"rating": 4}] * 20))
    assert not needs_revision(summarise_feedback([]), min_responses=0)


# --- KPI catalogue --------------------------------------------------------------------------------------------


def test_kpi_catalogue_covers_every_level_and_unit():
    kpis = load_kpis()
    assert framework_gaps(kpis) == []
    assert all(k.owner in CONTACT_ROLES for k in kpis)
    for unit in UNITS:
        chosen = kpis_for_unit(kpis, unit, min_level="behaviour")
        assert chosen and all(k.level in ("behaviour", "results") for k in chosen)
        assert [k.level_number for k in chosen] == sorted((k.level_number for k in chosen), reverse=True)


def test_framework_gaps_in_level_order():
    kpis = {k.id: k for k in load_kpis()}
    assert framework_gaps([]) == list(LEVELS)
    assert framework_gaps([kpis["crises"], kpis["module-rating"]]) == ["learning", "behaviour"]
    grouped = levels_covered([kpis["crises"], kpis["resolved-offline"]])
    assert [k.id for k in grouped["results"]] == ["crises", "resolved-offline"] and grouped["reaction"] == []


def test_a_kpi_got_worse_only_when_it_moved_against_its_better_direction():
    kpis = {k.id: k for k in load_kpis()}
    assert kpis["resolved-offline"].got_worse(0.6, 0.5) and not kpis["resolved-offline"].got_worse(0.5, 0.6)
    assert kpis["crises"].got_worse(1, 3) and not kpis["crises"].got_worse(3, 1)
    assert not kpis["crises"].got_worse(2, 2) and not kpis["module-rating"].got_worse(4.0, 4.0)


def test_kpis_for_an_unknown_unit_is_an_error():
    with pytest.raises(ValueError, match="unknown business unit 'legal'"):
        kpis_for_unit(load_kpis(), "legal")


def write_edited(tmp_path: Path, source: Path, edit) -> Path:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


BROKEN = {
    "kpi level": (KPI_CATALOGUE, lambda d: d["kpis"][0].update(level="delight"), "kpis[0].level", load_kpis),
    "kpi owner": (KPI_CATALOGUE, lambda d: d["kpis"][2].update(owner="marketing"), "kpis[2].owner", load_kpis),
    "kpi twice": (KPI_CATALOGUE, lambda d: d["kpis"].append(dict(d["kpis"][0])), "kpis[14].id", load_kpis),
    "goal kpi": (GOAL_CATALOGUE, lambda d: d["goals"][1]["kpis"].append("followers"), "goals[1].kpis[3]", load_goals),
    "goal audience": (
        GOAL_CATALOGUE,
        lambda d: d["goals"][0].update(audiences=["fans"]),
        "goals[0].audiences[0]",
        load_goals,
    ),
    "case level": (CASE_CATALOGUE, lambda d: d["cases"][3].update(crisis_level=4), "cases[3].crisis_level", load_cases),
    "case cluster": (
        CASE_CATALOGUE,
        lambda d: d["cases"][0].update(cluster="bad luck"),
        "cases[0].cluster",
        load_cases,
    ),
    "case unit": (CASE_CATALOGUE, lambda d: d["cases"][0].pop("unit"), "cases[0].unit", load_cases),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_broken_catalogue_names_file_and_field(tmp_path, case):
    source, edit, field, loader = BROKEN[case]
    path = write_edited(tmp_path, source, edit)
    with pytest.raises(DataError) as err:
        loader(path)
    assert err.value.path == str(path) and err.value.field == field


# --- goals before tools ---------------------------------------------------------------------------------------


def test_ladder_ends_with_the_organisations_platforms():
    org = org_parameters(None)
    for goal in load_goals():
        rungs = ladder(goal, org)
        assert tuple(r.step for r in rungs) == LADDER
        assert all(r.lines for r in rungs)
        assert all(p in rungs[-1].lines[0] for p in org["platforms"])
        assert not any(p in line for r in rungs[:-1] for line in r.lines for p in org["platforms"] if p != "X")
    crises = next(g for g in load_goals() if g.id == "fewer-crises")
    assert "Executives (18 people)" in ladder(crises, org)[3].lines


def test_ladder_uses_another_organisations_sizes():
    org = org_parameters(None)
    other = {**org, "name": "Other Co", "platforms": ["Reddit"], "audiences": {"executives": {"headcount": 3}}}
    rungs = ladder(load_goals()[0], other)
    assert "Executives (3 people)" in rungs[3].lines and "Center of Excellence" in rungs[3].lines
    assert rungs[4].lines == ("Other Co already uses Reddit: choose among them last.",)


# --- cases and attention --------------------------------------------------------------------------------------


def test_case_catalogue_has_every_unit_and_level():
    cases = load_cases()
    assert {c.unit for c in cases} == set(UNITS)
    assert {c.crisis_level for c in cases} == {0, 1, 2, 3}


def test_attention_halves_every_half_life():
    assert attention_left(0, 2.8) == 1.0
    assert attention_left(2.8, 2.8) == pytest.approx(0.5)
    assert attention_left(21, HALF_LIVES_H["X"]) == pytest.approx(0.5**7.5)
    assert attention_left(-5, 3.2) == 1.0
    np.testing.assert_allclose(attention_left(np.array([0, 7.4, 14.8]), 7.4), [1, 0.5, 0.25])
    with pytest.raises(ValueError, match="positive"):
        attention_left(1, 0)


def test_half_life_only_where_sourced():
    assert half_life("YouTube") == 7.4 and half_life("LinkedIn") is None


# --- the hub --------------------------------------------------------------------------------------------------


def test_every_need_names_a_resource_and_a_contact_role():
    for need in NEEDS.values():
        assert need.resource in RESOURCES and need.owner in CONTACT_ROLES
    assert hub_answer("  Which numbers should we report? ").resource == "measurement"
    assert hub_answer("something new").owner == "coe"
