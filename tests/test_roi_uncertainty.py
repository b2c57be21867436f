"""Monte Carlo band and tornado: seeded determinism, band around the point estimate, order by swing."""

import numpy as np
import pytest

from simulations.roi import (
    Benefit,
    CostLine,
    Program,
    Range,
    at_likely,
    default_program,
    default_ranges,
    evaluate,
    monte_carlo,
    tornado,
)

PROGRAM = default_program(
    {"executives": 12, "coe": 4, "business-units": 150, "employees": 3_000, "partners": 400},
    {"executives": 150, "coe": 70, "business-units": 65, "employees": 45, "partners": 40},
    risk_reduction=250_000,
)


def test_same_seed_same_draws_other_seed_other_draws():
    ranges = default_ranges(PROGRAM)
    a = monte_carlo(PROGRAM, ranges, n=5_000, seed=7)
    b = monte_carlo(PROGRAM, dict(reversed(list(ranges.items()))), n=5_000, seed=7)  # order of the dict is irrelevant
    c = monte_carlo(PROGRAM, ranges, n=5_000, seed=8)
    assert np.array_equal(a.roi_pct, b.roi_pct)
    assert (a.p10, a.p50, a.p90, a.prob_positive) == (b.p10, b.p50, b.p90, b.prob_positive)
    assert not np.array_equal(a.roi_pct, c.roi_pct)


def test_band_contains_the_point_estimate():
    ranges = default_ranges(PROGRAM)
    band = monte_carlo(PROGRAM, ranges, n=20_000, seed=1)
    point = evaluate(at_likely(PROGRAM, ranges)).roi_pct
    assert band.p10 < point < band.p90
    assert band.p10 < band.p50 < band.p90
    assert band.prob_positive == np.mean(band.roi_pct > 0)
    assert 0 < band.prob_positive < 1


def test_vectorised_draws_match_one_at_a_time_evaluation():
    ranges = {"risk.change": Range(100_000, 250_000, 400_000), "platform.unit_value": Range(3, 4, 8, "triangular")}
    band = monte_carlo(PROGRAM, ranges, n=50, seed=3)
    rng = np.random.default_rng(3)
    draws = {key: ranges[key].sample(rng, 50) for key in sorted(ranges)}  # the documented draw order
    for i in (0, 17, 49):
        one = PROGRAM.with_inputs({key: float(values[i]) for key, values in draws.items()})
        assert band.roi_pct[i] == pytest.approx(evaluate(one).roi_pct)


@pytest.mark.parametrize("dist, mean", [("pert", (10 + 4 * 20 + 60) / 6), ("triangular", (10 + 20 + 60) / 3)])
def test_range_draws_stay_in_bounds_with_the_expected_mean(dist, mean):
    draws = Range(10, 20, 60, dist).sample(np.random.default_rng(0), 200_000)
    assert draws.min() >= 10 and draws.max() <= 60
    assert draws.mean() == pytest.approx(mean, rel=0.01)
    assert np.all(Range(5, 5, 5).sample(np.random.default_rng(0), 3) == 5)


@pytest.mark.parametrize("args", [(3, 2, 4), (1, 2, float("nan")), (1, 2, 3, "normal")])
def test_bad_ranges_are_refused(args):
    with pytest.raises(ValueError):
        Range(*args)


def test_tornado_sorted_by_swing_computed_by_hand():
    program = Program(
        (CostLine("a", "delivery", 1, 100),),
        (Benefit("b", "productivity", 200, 1), Benefit("c", "revenue", 50, 1)),
    )
    ranges = {
        "c.change": Range(40, 50, 60),
        "a.unit_value": Range(80, 100, 120),
        "b.change": Range(100, 200, 300),
    }
    t = tornado(program, ranges)
    assert t.base_roi_pct == 150  # (250 - 100) / 100
    assert [bar.input for bar in t.bars] == ["b.change", "a.unit_value", "c.change"]
    b, a, c = t.bars
    assert (b.roi_at_low, b.roi_at_high, b.swing) == (50, 250, 200)  # benefits 150 or 350 against 100
    assert a.roi_at_low == pytest.approx(212.5)  # (250 - 80) / 80
    assert a.roi_at_high == pytest.approx(108.33, abs=0.005)  # (250 - 120) / 120
    assert (c.roi_at_low, c.roi_at_high) == pytest.approx((140, 160))


def test_tornado_uses_likely_values_as_its_base():
    program = Program((CostLine("a", "delivery", 1, 100),), (Benefit("b", "risk", 999, 1),))
    t = tornado(program, {"b.change": Range(100, 200, 300)})
    assert t.base_roi_pct == 100
    assert (t.bars[0].roi_at_low, t.bars[0].roi_at_high) == (0, 200)


def test_default_ranges_spread_benefits_and_costs_around_current_values():
    ranges = default_ranges(PROGRAM)
    assert ranges["risk.change"] == Range(125_000, 250_000, 375_000)
    assert ranges["design.unit_value"] == Range(22_500, 25_000, 32_500)
    assert "revenue.change" not in ranges  # zero has no spread
    assert evaluate(at_likely(PROGRAM, ranges)).roi_pct == evaluate(PROGRAM).roi_pct


def test_cached_standard_draws_give_the_same_band_as_fresh_sampling_after_values_change():
    ranges = default_ranges(PROGRAM)
    monte_carlo(PROGRAM, ranges, n=2_000, seed=5)  # warms the cache of standard draws
    cheaper = PROGRAM.with_inputs({"platform.unit_value": 2.0, "risk.change": 90_000})
    ranges2 = default_ranges(cheaper)
    band = monte_carlo(cheaper, ranges2, n=2_000, seed=5)
    rng = np.random.default_rng(5)
    draws = {key: ranges2[key].sample(rng, 2_000) for key in sorted(ranges2)}
    assert np.array_equal(band.roi_pct, evaluate(cheaper.with_inputs(draws)).roi_pct)


def test_vectorised_tornado_matches_moving_one_input_at_a_time():
    ranges = default_ranges(PROGRAM)
    for bar in tornado(PROGRAM, ranges).bars:
        low = evaluate(at_likely(PROGRAM, ranges).with_inputs({bar.input: bar.low})).roi_pct
        high = evaluate(at_likely(PROGRAM, ranges).with_inputs({bar.input: bar.high})).roi_pct
        assert (bar.roi_at_low, bar.roi_at_high) == pytest.approx((low, high), rel=1e-12)
