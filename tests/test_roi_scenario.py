"""The ROI scenario of an organisation: coverage in the costs, the risk engine's benefit wired for real, assumptions."""

import math

import pytest

from graders.paths import DEMO_ORG
from simulations.common.money import money, percent
from simulations.common.tabular import TableError
from simulations.profile.org import load_org
from simulations.risk import Program as RiskProgram
from simulations.risk import expected_loss_reduction, load_register, scale_register
from simulations.roi import Assumptions, default_program, evaluate
from simulations.roi.defaults import assumption_rows
from simulations.roi.risk_benefit import risk_benefit
from simulations.roi.scenario import Plan, analyse, audiences_of, input_label, plan_program

ORG = load_org(DEMO_ORG).to_parameters()
HEADCOUNT, WAGES = audiences_of(ORG)


def test_coverage_trains_a_rounded_share_of_each_audience_by_hand():
    program = default_program(
        {"executives": 10, "employees": 1_000}, {"executives": 200, "employees": 40}, coverage={"employees": 0.255}
    )
    r = evaluate(program)
    assert r.costs["delivery:employees"] == 255 * 5  # round(1,000 x 0.255) = 255 people on demand at 5
    assert r.costs["time:employees"] == 255 * 1 * 40  # one hour each at the loaded wage
    assert r.costs["delivery:executives"] == 4 * 2_500  # executives keep the default, everyone: ceil(10 / 3) sessions
    assert r.costs["platform"] == (255 + 10) * 4
    assert r.benefits["productivity:employees"] == pytest.approx(255 * 2 * 40 * 0.5 * 0.6)


def test_untrained_audiences_cost_nothing_and_bad_coverage_is_listed():
    program = default_program(
        {"employees": 100, "partners": 50}, {"employees": 40, "partners": 0}, coverage={"partners": 0}
    )
    assert "delivery:partners" not in evaluate(program).costs
    with pytest.raises(TableError) as caught:
        default_program({"employees": 100}, {"employees": 40}, coverage={"employees": 1.5, "staff": 0.5})
    message = str(caught.value)
    assert "coverage.employees: expected a share between 0 and 1" in message
    assert "unknown audience 'staff'" in message


def test_risk_benefit_is_the_risk_engines_expected_loss_reduction_for_this_organisation():
    coverage = {"executives": 1.0, "coe": 1.0, "business-units": 0.5, "employees": 0.8, "partners": 0.0}
    benefit = risk_benefit(HEADCOUNT, coverage)
    scaled = scale_register(load_register(), HEADCOUNT)
    exact = expected_loss_reduction(scaled, RiskProgram(coverage), trials=None)
    assert benefit.reduction == pytest.approx(exact, rel=1e-12)
    assert benefit.without > benefit.with_training > 0
    assert benefit.risks == len(scaled)


def test_more_people_more_risk_and_more_coverage_more_benefit():
    full = dict.fromkeys(HEADCOUNT, 1.0)
    double = {a: 2 * n for a, n in HEADCOUNT.items()}
    assert risk_benefit(double, full).without > risk_benefit(HEADCOUNT, full).without
    half = dict.fromkeys(HEADCOUNT, 0.5)
    assert risk_benefit(HEADCOUNT, full).reduction > risk_benefit(HEADCOUNT, half).reduction > 0
    assert risk_benefit(HEADCOUNT, dict.fromkeys(HEADCOUNT, 0.0)).reduction == 0


def test_sanitised_training_removes_less_risk_than_open_training():
    full = dict.fromkeys(HEADCOUNT, 1.0)
    assert risk_benefit(HEADCOUNT, full, style="sanitised").reduction < risk_benefit(HEADCOUNT, full).reduction


def test_plan_program_puts_the_risk_benefit_in_the_phillips_program():
    program, risk = plan_program(ORG, Plan())
    r = evaluate(program)
    a = Assumptions()
    assert r.benefits["risk"] == pytest.approx(risk.reduction * a.risk_attribution * a.risk_confidence)
    # the demo organisation, everyone trained, by hand from courses/orgs/demo.yaml and the assumptions
    assert r.costs["time:employees"] == 4_200 * 1 * 48
    assert r.costs["delivery:business-units"] == math.ceil(140 / 25) * 1_500
    assert r.costs["time:partners"] == 0  # partners' time is not paid by the organisation (wage 0 in the profile)
    expected_costs = (
        25_000
        + 6 * 2_500 + 18 * 3 * 240  # executives: 6 private sessions, 3 h each
        + 6 * 1_500 + 6 * 24 * 85  # Center of Excellence
        + 6 * 1_500 + 140 * 4 * 75  # business units: 6 group sessions, 4 h each
        + 4_200 * 5 + 4_200 * 1 * 48  # employees: on demand, 1 h each
        + 650 * 3  # partners
        + 5_014 * 4  # platform, every learner
        + 5_000
    )  # fmt: skip
    assert r.total_costs == expected_costs


def test_plan_coverage_changes_costs_and_benefits_together():
    full, _ = plan_program(ORG, Plan())
    fewer, _ = plan_program(ORG, Plan(coverage={**dict.fromkeys(HEADCOUNT, 1.0), "employees": 0.5}))
    assert evaluate(fewer).total_costs < evaluate(full).total_costs
    assert evaluate(fewer).benefits["risk"] < evaluate(full).benefits["risk"]


def test_analysis_is_deterministic_and_consistent():
    program, risk = plan_program(ORG, Plan())
    a, b = analyse(program, risk=risk, seed=3), analyse(program, risk=risk, seed=3)
    assert (a.band.p10, a.band.p50, a.band.p90) == (b.band.p10, b.band.p50, b.band.p90)
    assert a.tornado.base_roi_pct == pytest.approx(a.result.roi_pct)
    assert a.tornado.bars[0].input == "risk.change"  # the illustrative risk figures move the answer most
    assert input_label(program, "time:employees.unit_value") == "Participants' time, employees (unit cost)"
    assert analyse(program, years=3).result.years == 3


def test_assumption_rows_state_every_figure_with_its_basis():
    rows = assumption_rows(Assumptions(), "EUR")
    whats = [what for what, _, _ in rows]
    assert any(w.startswith("Employees") for w in whats)
    employees = next(r for r in rows if r[0].startswith("Employees"))
    assert employees[1] == "1 h each, €5 per person" and "Edelman" in employees[2]
    assert all(basis for _, _, basis in rows)
    assert ("Design and development (once)", "€25,000", "assumed planning figure") in rows


@pytest.mark.parametrize(
    "value, currency, compact, text",
    [
        (1234.4, "USD", False, "$1,234"),
        (-56_000, "USD", False, "-$56,000"),
        (1_234_567, "EUR", True, "€1.23M"),
        (950, "GBP", True, "£950"),
        (12_000, "CHF", False, "CHF 12,000"),
        (float("inf"), "USD", False, "n/a"),
        (-0.4, "USD", False, "$0"),
    ],
)
def test_money_is_formatted_for_people(value, currency, compact, text):
    assert money(value, currency, compact=compact) == text


def test_percent():
    assert percent(0.254) == "25%" and percent(0.25, signed=True) == "+25%" and percent(float("nan")) == "n/a"
