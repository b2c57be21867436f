"""The heat map's bands, the model's view of each risk, and the calibration score of a learner's placements."""

import math

import pytest

from simulations.risk import DEFAULT_SCALE, Register, calibration, load_register, make_risk, model_view, squared_gap

REGISTER = load_register()


def test_bands_hold_their_edges_on_the_upper_side():
    assert DEFAULT_SCALE.band("likelihood", 0.0) == 0
    assert DEFAULT_SCALE.band("likelihood", 0.0499) == 0
    assert DEFAULT_SCALE.band("likelihood", 0.05) == 1  # [low, high)
    assert DEFAULT_SCALE.band("likelihood", 1.0) == len(DEFAULT_SCALE.likelihood) - 1
    assert DEFAULT_SCALE.band("impact", 74_999) == 0 and DEFAULT_SCALE.band("impact", 75_000) == 1
    assert DEFAULT_SCALE.band("impact", 1e12) == len(DEFAULT_SCALE.impact) - 1
    for bands in (DEFAULT_SCALE.likelihood, DEFAULT_SCALE.impact):
        assert all(b.low <= b.point < b.high for b in bands)
        assert all(a.high == b.low for a, b in zip(bands, bands[1:], strict=False))


def test_band_lookup_by_label_or_index_and_clear_errors():
    assert DEFAULT_SCALE.index("likelihood", "likely") == 3
    assert DEFAULT_SCALE.index("impact", 4) == 4
    with pytest.raises(ValueError, match="unknown likelihood band 'often'; expected one of rare, unlikely"):
        DEFAULT_SCALE.index("likelihood", "often")
    with pytest.raises(ValueError, match="unknown impact band 5"):
        DEFAULT_SCALE.index("impact", 5)
    with pytest.raises(ValueError, match="unknown impact band True"):
        DEFAULT_SCALE.index("impact", True)
    with pytest.raises(ValueError, match="axis"):
        DEFAULT_SCALE.band("colour", 0.1)


def test_model_view_puts_each_risk_in_the_band_of_its_likelihood_and_mean_impact():
    view = model_view(REGISTER)
    assert list(view.index) == REGISTER.ids
    for risk in REGISTER.risks:
        row = view.loc[risk.id]
        band = DEFAULT_SCALE.likelihood[row["likelihood_band"]]
        assert band.low <= risk.likelihood < band.high
        impact = DEFAULT_SCALE.impact[row["impact_band"]]
        assert impact.low <= risk.impact_mean < impact.high
    # the shipped register uses every row and every column, so the exercise is not trivial
    assert set(view["likelihood_band"]) == set(range(5)) and set(view["impact_band"]) == set(range(5))


def test_calibration_scores_the_band_probabilities_against_the_register():
    view = model_view(REGISTER)
    perfect = {i: (int(r["likelihood_band"]), int(r["impact_band"])) for i, r in view.iterrows()}
    score = calibration(perfect, REGISTER)
    points = {i: DEFAULT_SCALE.likelihood[li].point for i, (li, _) in perfect.items()}
    assert math.isclose(score.gap, squared_gap(points, REGISTER))
    assert score.gap < 0.005 and score.skill > 0.8
    assert (score.table["likelihood_off"] == 0).all() and (score.table["impact_off"] == 0).all()
    everything_certain = calibration(dict.fromkeys(REGISTER.ids, ("almost certain", "critical")), REGISTER)
    assert everything_certain.gap > score.reference > score.gap
    assert everything_certain.skill < 0
    assert set(everything_certain.table["impact_off"]) <= {0, 1, 2, 3, 4}


def test_calibration_of_a_hand_checked_pair():
    register = Register(
        (
            make_risk("a", 0.10, 1_000.0, 1_000.0, {"employees": 1}),
            make_risk("b", 0.50, 1_000.0, 1_000.0, {"employees": 1}),
        )
    )
    score = calibration({"a": ("rare", "minor"), "b": ("almost certain", 0)}, register)
    assert math.isclose(score.gap, ((0.03 - 0.10) ** 2 + (0.70 - 0.50) ** 2) / 2)
    assert math.isclose(score.reference, 0.2**2)
    assert list(score.table["likelihood_off"]) == [-1, 1]


def test_calibration_rejects_bad_placements():
    with pytest.raises(ValueError, match="no placements"):
        calibration({}, REGISTER)
    with pytest.raises(KeyError, match="no-such-risk"):
        calibration({"no-such-risk": ("rare", "minor")}, REGISTER)
    with pytest.raises(ValueError, match="impact band 'huge'"):
        calibration({REGISTER.ids[0]: ("rare", "huge")}, REGISTER)
