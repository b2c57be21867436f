"""Invariants of the spread model, checked by hypothesis on arbitrary small shifts and decisions."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import simulations.triage as triage
from simulations.triage.vocab import AUTHORS, CATEGORY_NAMES, PLATFORMS, SENTIMENTS, SEVERITIES

POLICY = triage.load_policy()
ROUTES = POLICY.route_names
SHIFT_H, HORIZON_H = 2.0, 6.0

posts = st.lists(
    st.fixed_dictionaries(
        {
            "time_s": st.floats(0, SHIFT_H * 3600 - 1),
            "platform": st.sampled_from(PLATFORMS),
            "author": st.sampled_from(AUTHORS),
            "category": st.sampled_from(CATEGORY_NAMES),
            "sentiment": st.sampled_from(SENTIMENTS),
            "followers": st.integers(0, 2_000_000),
            "severity": st.sampled_from(SEVERITIES),
            "virality": st.one_of(st.just(float("nan")), st.floats(0, 0.99)),
        }
    ),
    min_size=1,
    max_size=8,
)


@st.composite
def shifts(draw):
    """A small stream, decisions for some of its posts (any route, any delay) and a seed."""
    stream = triage.stream_from_records(draw(posts), shift_hours=SHIFT_H, horizon_hours=HORIZON_H, policy=POLICY)
    ids = draw(st.lists(st.integers(0, len(stream) - 1), unique=True))
    decisions = {i: (draw(st.sampled_from(ROUTES)), draw(st.floats(0, HORIZON_H * 3600))) for i in ids}
    return stream, decisions, draw(st.integers(0, 2**32 - 1))


@settings(max_examples=60, deadline=None)
@given(shifts())
def test_reach_is_never_negative_and_the_curves_never_fall(shift):
    stream, decisions, seed = shift
    result = triage.simulate(stream, decisions, seed=seed)
    assert (result.outcome[["negative_reach", "baseline_reach", "reshares"]].to_numpy() >= 0).all()
    for column in ("negative_reach", "baseline_reach"):
        assert np.all(np.diff(result.curve[column].to_numpy()) >= -1e-9 * max(1.0, result.curve[column].iloc[-1]))
        assert result.curve[column].iloc[0] == 0


@settings(max_examples=60, deadline=None)
@given(shifts())
def test_a_response_never_increases_spread(shift):
    stream, decisions, seed = shift
    handled = triage.simulate(stream, decisions, seed=seed)
    ignored = triage.simulate(stream, None, seed=seed)
    tol = 1e-9 * (1 + ignored.outcome["negative_reach"].to_numpy())
    assert np.all(handled.outcome["negative_reach"].to_numpy() <= ignored.outcome["negative_reach"].to_numpy() + tol)
    curve_tol = 1e-9 * (1 + ignored.curve["negative_reach"].to_numpy())
    assert np.all(handled.curve["negative_reach"].to_numpy() <= ignored.curve["negative_reach"].to_numpy() + curve_tol)


@settings(max_examples=60, deadline=None)
@given(shifts(), st.floats(0, 4 * 3600), st.booleans())
def test_more_delay_never_reduces_reach(shift, extra_s, expected):
    stream, decisions, seed = shift
    later = {i: (route, t + extra_s) for i, (route, t) in decisions.items()}
    soon = triage.simulate(stream, decisions, seed=seed, expected=expected).outcome["negative_reach"].to_numpy()
    late = triage.simulate(stream, later, seed=seed, expected=expected).outcome["negative_reach"].to_numpy()
    assert np.all(late >= soon - 1e-9 * (1 + soon))


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(triage.list_scenarios()), st.integers(0, 2**32 - 1), st.floats(0, 3 * 3600))
def test_following_the_policy_later_never_beats_following_it_sooner(scenario_id, seed, delay_s):
    stream = triage.generate_stream(scenario_id, seed=seed % 1000, n_posts=40)
    soon = triage.simulate(stream, triage.follow_policy(stream, 60), seed=seed)
    late = triage.simulate(stream, triage.follow_policy(stream, 60 + delay_s), seed=seed)
    assert triage.score(late).negative_reach >= triage.score(soon).negative_reach * (1 - 1e-12)
    assert triage.score(soon).negative_reach <= triage.score(soon).baseline_reach * (1 + 1e-12)
