"""The formats pyramid in money: each audience's delivery and time, read from the ROI engine's own default program."""

from __future__ import annotations

import math

import pytest

from simulations.roi import DEFAULT_FORMATS, default_program, evaluate, format_costs

HEADCOUNT = {"executives": 10, "coe": 2, "business-units": 60, "employees": 1000, "partners": 0}
WAGES = {"executives": 200.0, "coe": 80.0, "business-units": 60.0, "employees": 40.0}


def test_each_audience_costs_its_delivery_and_time_as_the_program_counts_them():
    costs = {c.audience: c for c in format_costs(HEADCOUNT, WAGES)}
    assert set(costs) == {"executives", "coe", "business-units", "employees"}  # no partners: no people
    execs = costs["executives"]
    fmt = DEFAULT_FORMATS["executives"]
    assert execs.delivery == math.ceil(10 / fmt.group_size) * fmt.unit_cost
    assert execs.time == 10 * fmt.hours * 200.0
    assert execs.per_person == pytest.approx(execs.total / 10)
    program = evaluate(default_program(HEADCOUNT, WAGES))
    delivery_and_time = program.cost_categories["delivery"] + program.cost_categories["participants_time"]
    assert sum(c.total for c in costs.values()) == pytest.approx(delivery_and_time)


def test_the_pyramid_costs_most_per_person_at_the_top():
    costs = {c.audience: c.per_person for c in format_costs(HEADCOUNT, WAGES)}
    assert costs["executives"] > costs["business-units"] > costs["employees"]


def test_a_missing_wage_is_named():
    with pytest.raises(ValueError, match=r"wages\.employees"):
        format_costs(HEADCOUNT, {k: v for k, v in WAGES.items() if k != "employees"})
