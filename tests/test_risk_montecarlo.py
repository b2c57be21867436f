"""Monte Carlo engine: seeded determinism, common random numbers, closed-form checks within computed error bounds."""

import math

import numpy as np
import pytest

from simulations.risk import (
    AUDIENCES,
    CHUNK,
    Catalogue,
    Program,
    Register,
    load_register,
    make_risk,
    scale_register,
    simulate,
    simulate_factors,
)

Z80 = 0.8416212335729143  # standard normal quantile at 0.80
NEUTRAL = Catalogue(training={}, controls={}, styles={"open": ()})


def _one(risk) -> Register:
    return Register((risk,))


def _losses(register: Register, trials: int, seed: int = 7) -> np.ndarray:
    (dist,) = simulate(register, [Program()], catalogue=NEUTRAL, trials=trials, seed=seed)
    return dist.totals


def test_same_seed_same_result_and_other_seed_other_result():
    register = load_register()
    a = simulate(register, [Program()], trials=5_000, seed=3)[0]
    b = simulate(register, [Program()], trials=5_000, seed=3)[0]
    c = simulate(register, [Program()], trials=5_000, seed=4)[0]
    assert np.array_equal(a.totals, b.totals) and a.by_risk.equals(b.by_risk)
    assert not np.array_equal(a.totals, c.totals)


def test_result_does_not_depend_on_threads_or_other_scenarios():
    register = load_register()
    trials = 2 * CHUNK + 123
    rate = np.ones((1, len(register)))
    one, _ = simulate_factors(register, rate, rate, trials=trials, seed=1, workers=1)
    two, _ = simulate_factors(register, rate, rate, trials=trials, seed=1, workers=2)
    several, _ = simulate_factors(
        register, np.vstack([rate * 0.5, rate]), np.vstack([rate, rate]), trials=trials, seed=1
    )
    assert np.array_equal(one, two)
    assert np.array_equal(one[0], several[1])


def test_more_trials_extend_fewer_and_risk_draws_do_not_depend_on_other_risks():
    register = load_register()
    short = _losses(register, 1_000)
    long = _losses(register, CHUNK + 1_000)
    assert np.array_equal(short, long[:1_000])
    alone = _one(register.risks[3])
    assert np.array_equal(_losses(alone, 1_000), _per_risk_totals(register, 3, 1_000))


def _per_risk_totals(register: Register, index: int, trials: int) -> np.ndarray:
    """One risk's losses inside the full register: switch every other risk off with a zero rate factor."""
    rate = np.zeros((1, len(register)))
    rate[0, index] = 1.0
    totals, _ = simulate_factors(register, rate, np.ones_like(rate), trials=trials, seed=7)
    return totals[0]


@pytest.mark.parametrize(("frequency", "likelihood"), [("bernoulli", 0.3), ("poisson", 0.6), ("poisson", 0.05)])
def test_expected_loss_of_one_risk_is_frequency_times_mean_impact(frequency, likelihood):
    risk = make_risk("r", likelihood, 1_000.0, 5_000.0, {"employees": 1}, frequency=frequency)
    trials = 200_000
    losses = _losses(_one(risk), trials)
    second_moment = math.exp(2 * math.log(risk.impact_p50) + 2 * risk.sigma**2)  # E[X^2] of the lognormal
    if frequency == "bernoulli":
        mean = risk.likelihood * risk.impact_mean
        variance = risk.likelihood * second_moment - mean**2
    else:  # compound Poisson
        mean = risk.rate * risk.impact_mean
        variance = risk.rate * second_moment
    standard_error = math.sqrt(variance / trials)
    assert abs(losses.mean() - mean) <= 5 * standard_error
    hit = (losses > 0).mean()
    assert abs(hit - likelihood) <= 5 * math.sqrt(likelihood * (1 - likelihood) / trials)


def test_p90_of_a_coin_flip_risk_is_the_lognormal_p80():
    risk = make_risk("r", 0.5, 2_000.0, 30_000.0, {"employees": 1})
    trials = 100_000
    losses = _losses(_one(risk), trials)
    p90 = math.exp(math.log(risk.impact_p50) + risk.sigma * Z80)  # 0.5 + 0.5 * 0.8 = 0.9
    assert abs((losses <= p90).mean() - 0.9) <= 5 * math.sqrt(0.9 * 0.1 / trials)


@pytest.mark.parametrize("likelihood", [0.7, 0.99])
def test_poisson_counts_follow_the_poisson_distribution(likelihood):
    risk = make_risk("r", likelihood, 1.0, 1.0, {"employees": 1}, frequency="poisson")  # every event costs 1
    trials = 100_000
    counts = _losses(_one(risk), trials)
    assert np.allclose(counts, np.round(counts))
    for k in range(8):
        pmf = math.exp(-risk.rate) * risk.rate**k / math.factorial(k)
        assert abs((counts == k).mean() - pmf) <= 5 * math.sqrt(pmf * (1 - pmf) / trials) + 1e-9


def test_large_poisson_rates_after_scaling():
    risk = make_risk("r", 0.9, 1.0, 1.0, {"employees": 1}, frequency="poisson")
    register = scale_register(Register((risk,), reference_audiences=dict.fromkeys(AUDIENCES, 1.0)), {"employees": 30})
    rate = register.risks[0].rate
    trials = 20_000
    counts = _losses(register, trials)
    assert abs(counts.mean() - rate) <= 5 * math.sqrt(rate / trials)


def test_summary_and_exceedance_curve_are_consistent():
    dist = simulate(load_register(), [Program()], trials=20_000, seed=2)[0]
    summary = dist.summary()
    assert summary["p90"] <= summary["p99"]
    assert math.isclose(summary["expected"], dist.by_risk.sum(), rel_tol=1e-9)
    curve = dist.exceedance(50)
    assert curve["probability"].is_monotonic_decreasing and curve["loss"].is_monotonic_increasing
    assert math.isclose(curve["probability"].iloc[-1], 1 / 20_000)


def test_bad_inputs_are_rejected():
    register = load_register()
    ones = np.ones((1, len(register)))
    with pytest.raises(ValueError, match="trials"):
        simulate_factors(register, ones, ones, trials=0)
    with pytest.raises(ValueError, match="shape"):
        simulate_factors(register, ones[:, :3], ones[:, :3], trials=10)
    with pytest.raises(ValueError, match=">= 0"):
        simulate_factors(register, -ones, ones, trials=10)
