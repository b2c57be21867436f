"""Controls: they never raise loss, coverage scales them, and open versus sanitised training trade on both sides."""

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulations.risk import (
    AUDIENCES,
    Candidate,
    Program,
    candidate_controls,
    default_catalogue,
    effective,
    expected_loss,
    factors,
    load_register,
    program_cost,
    simulate,
)

REGISTER = load_register()
CATALOGUE = default_catalogue()
STYLED = ["unfavourable-in-class", "distrust-worse-sources"]

coverages = st.fixed_dictionaries({a: st.floats(0.0, 1.0) for a in AUDIENCES})
control_sets = st.frozensets(st.sampled_from(sorted(CATALOGUE.controls)))
styles = st.sampled_from(["open", "sanitised"])


@settings(max_examples=200, deadline=None)
@given(coverages, control_sets, styles)
def test_the_shipped_program_never_raises_expected_loss(coverage, controls, style):
    """Whatever the sliders, the program costs less in expected loss than the status quo (in either style)."""
    program = Program(coverage, controls, style)
    assert expected_loss(REGISTER, program) <= expected_loss(REGISTER) * (1 + 1e-12)


@settings(max_examples=40, deadline=None)
@given(coverages, control_sets)
def test_reducing_controls_never_raise_any_trials_loss(coverage, controls):
    """With styles neutral every factor is <= 1, and common random numbers make every trial's loss no larger."""
    neutral = replace(CATALOGUE, styles={"open": ()})
    rate, impact = factors(REGISTER, Program(coverage, controls), neutral)
    assert (rate <= 1).all() and (impact <= 1).all()
    without, with_ = simulate(REGISTER, [Program(), Program(coverage, controls)], catalogue=neutral, trials=3_000)
    assert (with_.totals <= without.totals).all()


@settings(max_examples=40, deadline=None)
@given(coverages, st.sampled_from(AUDIENCES), st.floats(0.0, 1.0))
def test_more_coverage_of_a_track_never_raises_a_risk_it_trains(coverage, audience, more):
    low = Program(coverage)
    high = Program({**coverage, audience: max(coverage[audience], more)})
    rate_low, impact_low = factors(REGISTER, low, CATALOGUE)
    rate_high, impact_high = factors(REGISTER, high, CATALOGUE)
    trained = ~np.isin(REGISTER.ids, STYLED)
    assert (rate_high[trained] <= rate_low[trained] + 1e-15).all()
    assert (impact_high[trained] <= impact_low[trained] + 1e-15).all()


def test_no_program_means_no_change():
    rate, impact = factors(REGISTER, Program(), CATALOGUE)
    assert (rate == 1).all() and (impact == 1).all()


def test_training_effect_is_share_times_coverage_times_effectiveness():
    track = CATALOGUE.training["employees"]
    rate, impact = factors(REGISTER, Program({"employees": 0.5}), CATALOGUE)
    risk = REGISTER.risks[REGISTER.index("confidential-leak")]
    i = REGISTER.index("confidential-leak")
    assert math.isclose(rate[i], 1 - 0.5 * risk.drivers["employees"] * track.likelihood)
    assert math.isclose(impact[i], 1 - 0.5 * risk.drivers["employees"] * track.impact)
    assert rate[REGISTER.index("partner-brand-misuse")] == 1.0  # employees do not drive it


@settings(max_examples=60, deadline=None)
@given(coverages)
def test_open_and_sanitised_trade_on_both_sides(coverage):
    open_, sanitised = (effective(REGISTER, Program(coverage, style=s)) for s in ("open", "sanitised"))
    reach = max(coverage.values()) > 1e-9  # a subnormal coverage changes nothing in floating point
    unfavourable, distrust = STYLED
    # sanitised: less chance of hearing something unfavourable in class, more distrust and worse sources
    assert sanitised.loc[unfavourable, "likelihood"] <= open_.loc[unfavourable, "likelihood"]
    assert sanitised.loc[distrust, "likelihood"] >= open_.loc[distrust, "likelihood"]
    if reach:
        assert sanitised.loc[unfavourable, "likelihood"] < open_.loc[unfavourable, "likelihood"]
        assert sanitised.loc[distrust, "likelihood"] > open_.loc[distrust, "likelihood"]
    others = [r for r in REGISTER.ids if r not in STYLED]
    assert np.allclose(open_.loc[others, "expected_loss"], sanitised.loc[others, "expected_loss"])


def test_open_versus_sanitised_against_the_status_quo_in_simulation():
    full = dict.fromkeys(AUDIENCES, 1.0)
    status_quo, open_, sanitised = simulate(
        REGISTER, [Program(), Program(full, style="open"), Program(full, style="sanitised")], trials=50_000, seed=5
    )
    unfavourable, distrust = STYLED
    assert open_.by_risk[unfavourable] > status_quo.by_risk[unfavourable] > sanitised.by_risk[unfavourable]
    assert sanitised.by_risk[distrust] > status_quo.by_risk[distrust] > open_.by_risk[distrust]
    assert open_.expected < sanitised.expected < status_quo.expected


def test_program_validation():
    with pytest.raises(ValueError, match="interns"):
        Program({"interns": 0.5})
    with pytest.raises(ValueError, match="between 0 and 1"):
        Program({"employees": 1.5})
    with pytest.raises(ValueError, match="unknown control"):
        factors(REGISTER, Program(controls={"prayer"}), CATALOGUE)
    with pytest.raises(ValueError, match="style"):
        factors(REGISTER, Program(style="glossy"), CATALOGUE)


def test_costs_and_candidates():
    sizes = REGISTER.reference_audiences
    program = Program({"employees": 0.5, "partners": 1.0}, {"policy"})
    expected = 0.5 * sizes["employees"] * CATALOGUE.training["employees"].cost_per_learner
    expected += sizes["partners"] * CATALOGUE.training["partners"].cost_per_learner + CATALOGUE.controls["policy"].cost
    assert math.isclose(program_cost(CATALOGUE, program, sizes), expected)
    candidates = {c.id: c for c in candidate_controls(CATALOGUE, sizes, coverage=0.5)}
    assert set(candidates) == {f"train-{a}" for a in AUDIENCES} | set(CATALOGUE.controls)
    assert math.isclose(candidates["train-employees"].cost, program_cost(CATALOGUE, Program({"employees": 0.5}), sizes))


def test_plus_takes_the_higher_coverage_and_the_union_of_controls():
    base = Program({"employees": 0.8}, {"policy"}, "sanitised")
    more = base.plus(Candidate("a", 1, {"employees": 0.5, "coe": 1.0}), Candidate("b", 1, controls={"coe-triage"}))
    assert more == Program({"employees": 0.8, "coe": 1.0}, {"policy", "coe-triage"}, "sanitised")
