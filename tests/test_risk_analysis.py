"""Learner-facing helpers: exact expected loss, ranking, the ROI benefit, the mean squared
gap from the register, the budget optimiser."""

import itertools
import math

import numpy as np
import pytest

from simulations.risk import (
    AUDIENCES,
    Catalogue,
    Control,
    Effect,
    Program,
    Register,
    best_controls_under_budget,
    candidate_controls,
    compare,
    default_catalogue,
    expected_loss,
    expected_loss_reduction,
    load_register,
    make_risk,
    rank_risks,
    squared_gap,
)

REGISTER = load_register()
PROGRAM = Program(dict.fromkeys(AUDIENCES, 0.8), {"policy", "coe-triage"})


def test_exact_expected_loss_is_the_sum_of_frequency_times_mean_impact():
    register = Register(
        (
            make_risk("a", 0.2, 100.0, 100.0, {"employees": 1}),
            make_risk("b", 0.5, 10.0, 10.0, {"employees": 1}, frequency="poisson"),
        )
    )
    assert math.isclose(expected_loss(register, catalogue=_catalogue({})), 0.2 * 100 + math.log(2) * 10)


def test_ranking_is_by_expected_loss():
    table = rank_risks(REGISTER)
    assert list(table["rank"]) == list(range(1, len(REGISTER) + 1))
    assert table["expected_loss"].is_monotonic_decreasing
    assert set(table.index) == set(REGISTER.ids)


def test_risk_benefit_matches_the_exact_reduction_within_simulation_error():
    trials = 100_000
    comparison = compare(REGISTER, PROGRAM, trials=trials, seed=11)
    exact = expected_loss_reduction(REGISTER, PROGRAM, trials=None)
    difference = comparison.baseline.totals - comparison.program.totals  # paired: common random numbers
    bound = 5 * difference.std(ddof=1) / math.sqrt(trials)
    assert abs(comparison.reduction()["expected"] - exact) <= bound
    assert expected_loss_reduction(REGISTER, PROGRAM, trials=trials, seed=11) == comparison.reduction()["expected"]
    assert exact > 0


def test_comparison_table_and_curves():
    comparison = compare(REGISTER, PROGRAM, trials=20_000, seed=1)
    table = comparison.table()
    assert list(table.index) == ["expected", "p90", "p99"]
    assert (table["reduction"] > 0).all()
    curves = comparison.exceedance(40)
    assert list(curves.columns) == ["probability", "without", "with"]
    assert (curves["with"] <= curves["without"]).all()


def test_squared_gap():
    ids = REGISTER.ids[:2]
    truth = [REGISTER.risks[0].likelihood, REGISTER.risks[1].likelihood]
    assert squared_gap(dict(zip(ids, truth, strict=True)), REGISTER) == 0.0
    guesses = {ids[0]: truth[0] + 0.3, ids[1]: truth[1] - 0.1}
    assert math.isclose(squared_gap(guesses, REGISTER), (0.3**2 + 0.1**2) / 2)
    with pytest.raises(KeyError, match="no-such-risk"):
        squared_gap({"no-such-risk": 0.5}, REGISTER)
    with pytest.raises(ValueError, match="between 0 and 1"):
        squared_gap({ids[0]: 1.2}, REGISTER)
    with pytest.raises(ValueError, match="no guesses"):
        squared_gap({}, REGISTER)


# A hand-made case with fixed impacts (p50 = p90) where the P90 optimum differs from the expected-loss optimum,
# and a greedy "best expected loss per dollar" choice would be wrong for P90.
SMALL = Register(
    (
        make_risk("a", 0.50, 100.0, 100.0, {"employees": 1}),
        make_risk("b", 0.30, 1_000.0, 1_000.0, {"employees": 1}),
        make_risk("c", 0.05, 20_000.0, 20_000.0, {"employees": 1}),
    )
)
COSTS = {"a": 1.0, "b": 2.0, "c": 2.0}


def _catalogue(costs: dict[str, float]) -> Catalogue:
    """Each control removes one risk entirely."""
    controls = {f"stop-{r}": Control(f"stop-{r}", cost, (Effect(r, likelihood=1.0),)) for r, cost in costs.items()}
    return Catalogue(training={}, controls=controls, styles={"open": ()})


def _exact_quantile(stopped: set[str], q: float) -> float:
    """The q-quantile of the total loss by enumerating every outcome of the independent risks."""
    outcomes = []
    for hits in itertools.product([0, 1], repeat=len(SMALL)):
        probability, loss = 1.0, 0.0
        for hit, risk in zip(hits, SMALL.risks, strict=True):
            p = 0.0 if risk.id in stopped else risk.likelihood
            probability *= p if hit else 1 - p
            loss += hit * risk.impact_p50
        outcomes.append((loss, probability))
    outcomes.sort()
    cumulative = np.cumsum([p for _, p in outcomes])
    return outcomes[int(np.searchsorted(cumulative, q))][0]


@pytest.mark.parametrize(("metric", "budget"), [("p90", 3.0), ("expected", 3.0), ("p90", 5.0), ("expected", 1.5)])
def test_budget_optimiser_finds_the_true_optimum(metric, budget):
    catalogue = _catalogue(COSTS)
    candidates = candidate_controls(catalogue, {})
    choice = best_controls_under_budget(SMALL, candidates, budget, metric=metric, catalogue=catalogue, seed=3)
    affordable = [
        set(combo)
        for n in range(len(COSTS) + 1)
        for combo in itertools.combinations(COSTS, n)
        if sum(COSTS[r] for r in combo) <= budget
    ]

    def exact(stopped: set[str]) -> float:
        if metric == "p90":
            return _exact_quantile(stopped, 0.9)
        return sum(r.likelihood * r.impact_p50 for r in SMALL.risks if r.id not in stopped)

    best = min(affordable, key=lambda s: (exact(s), sum(COSTS[r] for r in s), sorted(s)))
    assert set(choice.chosen) == {f"stop-{r}" for r in best}
    assert choice.cost <= budget
    if metric == "p90":
        assert math.isclose(choice.value, exact(best), abs_tol=1e-9)
    assert choice.program == Program(controls={f"stop-{r}" for r in best})


def test_budget_optimiser_hand_checked_answers():
    catalogue = _catalogue(COSTS)
    candidates = candidate_controls(catalogue, {})
    p90 = best_controls_under_budget(SMALL, candidates, 3.0, metric="p90", catalogue=catalogue)
    mean = best_controls_under_budget(SMALL, candidates, 3.0, metric="expected", catalogue=catalogue)
    assert p90.chosen == ("stop-a", "stop-b") and p90.value == 0.0 and math.isclose(p90.baseline, 1_100.0)
    assert mean.chosen == ("stop-a", "stop-c")
    # with money to spare the cheaper of two equally good combinations wins
    assert best_controls_under_budget(SMALL, candidates, 5.0, metric="p90", catalogue=catalogue).cost == 3.0


def test_budget_optimiser_on_the_shipped_data_is_deterministic_and_affordable():
    candidates = candidate_controls(default_catalogue(), REGISTER.reference_audiences)
    first = best_controls_under_budget(REGISTER, candidates, 150_000, trials=5_000, seed=2)
    again = best_controls_under_budget(REGISTER, candidates, 150_000, trials=5_000, seed=2)
    assert first.chosen == again.chosen and first.options.equals(again.options)
    assert first.cost <= 150_000 and first.reduction > 0
    assert (first.options["cost"] <= 150_000).all()
    assert first.options.iloc[0]["chosen"] == first.chosen


def test_budget_optimiser_input_errors():
    catalogue = _catalogue(COSTS)
    candidates = candidate_controls(catalogue, {})
    with pytest.raises(ValueError, match="metric"):
        best_controls_under_budget(SMALL, candidates, 3.0, metric="median", catalogue=catalogue)
    with pytest.raises(ValueError, match="unique"):
        best_controls_under_budget(SMALL, candidates + candidates[:1], 3.0, catalogue=catalogue)
    with pytest.raises(ValueError, match="budget"):
        best_controls_under_budget(SMALL, candidates, -1.0, catalogue=catalogue)
