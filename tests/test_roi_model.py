"""Phillips ROI on hand-computed examples: costs by line, adjusted benefits, ROI %, BCR and payback to the cent."""

import math

import pytest

from simulations.common.tabular import TableError
from simulations.roi import Benefit, CostLine, Program, default_program, evaluate

EXAMPLE = Program(
    costs=(
        CostLine("design", "design", 1, 20_000),
        CostLine("delivery:executives", "delivery", 2, 2_500, recurring=True),
        CostLine("time:employees", "participants_time", 1_500, 40, recurring=True),
        CostLine("platform", "platform", 1_000, 5, recurring=True),
        CostLine("evaluation", "evaluation", 1, 4_000),
    ),
    benefits=(
        Benefit("risk", "risk", 100_000, 1, attribution=0.8, confidence=0.75),
        Benefit("productivity", "productivity", 2_000, 40, attribution=0.5, confidence=0.6),
        Benefit("revenue", "revenue", 300_000, 0.25, attribution=0.4, confidence=0.5),
    ),
)


def test_first_year_example_by_hand():
    # costs: 20,000 + 2 x 2,500 + 1,500 h x 40 + 1,000 x 5 + 4,000 = 94,000
    # benefits: 100,000 x 0.8 x 0.75 = 60,000; 2,000 h x 40 x 0.5 x 0.6 = 24,000; 300,000 x 0.25 x 0.4 x 0.5 = 15,000
    r = evaluate(EXAMPLE)
    assert r.total_costs == 94_000
    assert r.costs["time:employees"] == 60_000
    assert r.cost_categories == {
        "design": 20_000,
        "delivery": 5_000,
        "participants_time": 60_000,
        "platform": 5_000,
        "evaluation": 4_000,
    }
    assert r.benefits == pytest.approx({"risk": 60_000, "productivity": 24_000, "revenue": 15_000})
    assert r.annual_benefits == pytest.approx(99_000)
    assert r.net_benefits == pytest.approx(5_000)
    assert round(r.roi_pct, 2) == 5.32  # 5,000 / 94,000 x 100 = 5.3191...
    assert round(r.bcr, 2) == 1.05  # 99,000 / 94,000 = 1.0532...
    assert round(r.payback_months, 2) == 11.39  # 94,000 / 99,000 x 12 = 11.3939...


def test_three_years_repeat_recurring_costs_and_benefits():
    # one-off 20,000 + 4,000; recurring (5,000 + 60,000 + 5,000) x 3 = 210,000 -> 234,000; benefits 99,000 x 3
    r = evaluate(EXAMPLE, years=3)
    assert r.total_costs == 234_000
    assert r.total_benefits == pytest.approx(297_000)
    assert round(r.roi_pct, 2) == 26.92  # 63,000 / 234,000 x 100 = 26.923...
    assert round(r.bcr, 2) == 1.27  # 297,000 / 234,000 = 1.2692...
    assert round(r.payback_months, 2) == 28.36  # 234,000 / 99,000 x 12 = 28.3636...


def test_no_benefits_means_roi_minus_100_and_no_payback():
    r = evaluate(Program((CostLine("design", "design", 1, 1_000),)))
    assert r.roi_pct == -100
    assert r.bcr == 0
    assert math.isinf(r.payback_months)


def test_default_program_from_audience_sizes_and_wages_by_hand():
    program = default_program(
        {"executives": 5, "employees": 100}, {"executives": 200, "employees": 50}, risk_reduction=50_000
    )
    r = evaluate(program)
    assert r.costs == {
        "design": 25_000,
        "delivery:executives": 5_000,  # ceil(5 / 3) = 2 private sessions x 2,500
        "time:executives": 3_000,  # 5 x 3 h x 200
        "delivery:employees": 500,  # 100 x 5 on-demand
        "time:employees": 5_000,  # 100 x 1 h (one Edelman belt) x 50
        "platform": 420,  # 105 learners x 4
        "evaluation": 5_000,
    }
    # risk 50,000 x 1.0 x 0.7 = 35,000; employees 100 x 2 h x 50 x 0.5 x 0.6 = 3,000; revenue 0
    assert r.benefits == pytest.approx({"risk": 35_000, "productivity:employees": 3_000, "revenue": 0})
    assert round(r.roi_pct, 2) == -13.48  # (38,000 - 43,920) / 43,920 x 100
    assert round(r.bcr, 2) == 0.87  # 38,000 / 43,920 = 0.8652
    assert round(r.payback_months, 2) == 13.87  # 43,920 / 38,000 x 12 = 13.869


def test_default_program_lists_every_problem_in_the_audiences():
    with pytest.raises(TableError) as caught:
        default_program({"employes": 10, "executives": -1, "employees": "many", "partners": 10}, {})
    err = caught.value
    assert len(err.problems) == 4
    message = str(err)
    assert message.startswith("organisation profile: 4 problems")
    assert "unknown audience 'employes'" in message
    assert "headcount.executives: expected a value >= 0, got -1" in message
    assert "headcount.employees: expected a whole number, got 'many'" in message
    assert "wages.partners: expected the loaded hourly wage" in message


def test_invalid_lines_are_refused():
    with pytest.raises(ValueError, match="category"):
        CostLine("x", "travel-ish", 1, 1)
    with pytest.raises(ValueError, match=">= 0"):
        CostLine("x", "design", 1, -1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        Benefit("x", "risk", 1, 1, attribution=1.5)
    with pytest.raises(ValueError, match="unique"):
        Program((CostLine("x", "design", 1, 1), CostLine("x", "platform", 1, 1)))
    with pytest.raises(ValueError, match="unknown input"):
        EXAMPLE.with_inputs({"design.colour": 1})
