"""The widgets of the executives, CoE and business-units modules react to input and show the organisation's data."""

from __future__ import annotations

import datetime as dt

import pytest

from simulations.lessons.cases import load_cases
from simulations.lessons.goals import load_goals
from simulations.lessons.kpis import kpis_for_unit, load_kpis
from simulations.profile.org import org_parameters
from simulations.roi import Assumptions, default_program, evaluate
from simulations.ui.lessons.business_case import business_case
from simulations.ui.lessons.cases import attention_clock, case_explorer
from simulations.ui.lessons.contacts import whom_to_ask
from simulations.ui.lessons.freshness import review_calendar
from simulations.ui.lessons.goals import goal_ladder
from simulations.ui.lessons.hub import hub_desk
from simulations.ui.lessons.kpis import kpi_framework
from simulations.ui.lessons.org_facts import org_facts


@pytest.fixture(scope="module")
def org() -> dict:
    return org_parameters(None)


def test_goal_ladder_follows_the_picker(org):
    widget = goal_ladder(load_goals(), org)
    picker, card = widget.children
    first = card.value
    assert "1. Business goal" in first and "5. Tools" in first and "LinkedIn" in first
    picker.value = "hire-the-people-we-need"
    assert card.value != first and "Hire the people we need" in card.value


def test_kpi_framework_reports_gaps_and_owners(org):
    widget = kpi_framework(load_kpis(), org["contacts"], chosen=("crises",))
    unit, picker, report = widget.children
    boxes = dict(zip([k.id for k in load_kpis()], picker.children[1:], strict=True))
    assert "Unmeasured: reaction, learning, behaviour." in report.value
    assert org["contacts"]["crisis"]["name"] in report.value
    for kpi in ("module-rating", "quiz-pass-rate", "disclosure-rate"):
        boxes[kpi].value = True
    assert "Every level is measured." in report.value
    hr = {k.id for k in kpis_for_unit(load_kpis(), "hr")}
    assert hr != set(boxes), "the filter must hide some KPIs for this test to mean anything"
    unit.value = "hr"
    assert {k for k, box in boxes.items() if box.layout.display != "none"} == hr
    ticked = {k for k, box in boxes.items() if box.value}
    assert ticked == {"crises", "module-rating", "quiz-pass-rate", "disclosure-rate"} & hr
    assert "crises" in hr and "disclosure-rate" in hr


def test_case_explorer_filters_by_unit():
    cases = load_cases()
    widget = case_explorer(cases)
    unit, picker, card = widget.children
    assert len(picker.options) == len(cases)
    unit.value = "product"
    assert {k for _, k in picker.options} == {c.id for c in cases if c.unit == "product"}
    assert picker.value is not None and "fictional composite" in card.value


def test_attention_clock_moves_with_the_delay(org):
    widget = attention_clock(tuple(org["platforms"]), hours=21)
    delay, chart, summary = widget.children
    image, finding = chart.children[:2]
    assert summary.value.startswith("<p>Attention still to come") and "X: 0.6%" in summary.value
    assert "Facebook" not in summary.value, "only the organisation's platforms with a sourced half-life"
    before = image.value
    delay.value = 1.0
    assert "X: 78.1%" in summary.value and image.value != before and image.value[:4] == b"\x89PNG"
    assert "after 1 h" in finding.value and "X: 78.1%" in finding.value, "the chart's text alternative follows it"


def test_business_case_matches_the_roi_engine(org):
    widget = business_case(org, risk_reduction=200_000)
    risk, confidence, hours, out = widget.children
    headcount = {a: v["headcount"] for a, v in org["audiences"].items()}
    wages = {a: v["hourly_wage"] for a, v in org["audiences"].items()}
    expected = evaluate(default_program(headcount, wages, risk_reduction=200_000))
    assert f"ROI {expected.roi_pct:,.0f}%" in out.value and f"{expected.total_costs:,.0f} USD" in out.value
    confidence.value = 1.0
    hours.value = 0
    saved = {**Assumptions().hours_saved, "employees": 0.0}
    changed = evaluate(
        default_program(
            headcount, wages, risk_reduction=200_000, assumptions=Assumptions(risk_confidence=1.0, hours_saved=saved)
        )
    )
    assert f"ROI {changed.roi_pct:,.0f}%" in out.value


def test_review_calendar_recolours_with_the_date():
    widget = review_calendar({"X 101": dt.date(2026, 12, 31)}, dt.date(2026, 11, 1))
    picker, table = widget.children
    assert "current (60 days left)" in table.value
    picker.value = dt.date(2027, 1, 2)
    assert "overdue by 2 day(s)" in table.value


def test_hub_desk_names_the_organisations_contact(org):
    widget = hub_desk(org["contacts"])
    picker, card = widget.children
    picker.value = "a journalist replied to our campaign"
    assert org["contacts"]["pr"]["email"] in card.value and "Hub resource:</b> process" in card.value


def test_whom_to_ask_follows_the_situation_and_reads_like_the_hub(org):
    widget = whom_to_ask(org["contacts"])
    picker, card = widget.children
    picker.value = "someone threatens legal action"
    legal = org["contacts"]["legal"]
    assert legal["name"] in card.value and f'href="mailto:{legal["email"]}"' in card.value
    assert "counsel decides the reply" in card.value
    picker.value = "a company account looks hacked"
    assert org["contacts"]["security"]["email"] in card.value and legal["email"] not in card.value
    # the hub desk shows the same contact the same way: one `reach` serves both cards
    hub_picker, hub_card = hub_desk(org["contacts"]).children
    hub_picker.value = "a journalist replied to our campaign"
    picker.value = "a journalist asks for a comment"
    pr = org["contacts"]["pr"]
    reached = f'<a href="mailto:{pr["email"]}">{pr["email"]}</a>'
    assert reached in hub_card.value and reached in card.value


def test_org_facts_card_shows_the_profile(org):
    card = org_facts(org).data
    assert org["name"] in card and "Employees 4,200" in card and ", ".join(org["platforms"]) in card
    assert "Risk appetite" not in org_facts(org, ("industry",)).data


def test_business_case_slider_reaches_three_times_the_costs(org):
    big = {**org, "audiences": {a: {**v, "headcount": v["headcount"] * 20} for a, v in org["audiences"].items()}}
    risk = business_case(big).children[0]
    headcount = {a: v["headcount"] for a, v in big["audiences"].items()}
    wages = {a: v["hourly_wage"] for a, v in big["audiences"].items()}
    assert risk.max >= 3 * evaluate(default_program(headcount, wages)).total_costs > 1_000_000
