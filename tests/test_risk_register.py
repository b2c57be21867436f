"""The risk register and controls data: shipped files load, malformed files fail naming the file and the field."""

import math
from pathlib import Path

import pytest
import yaml

from simulations.common.datafiles import DataError
from simulations.common.facts import check_references, references, shipped_facts, unregistered_figures
from simulations.risk import (
    AUDIENCES,
    DEFAULT_CONTROLS,
    DEFAULT_REGISTER,
    load_controls,
    load_register,
    make_risk,
    scale_register,
)

REQUIRED_RISKS = {
    "confidential-leak",
    "inappropriate-behaviour",
    "off-brand-messaging",
    "undisclosed-endorsement",
    "complaint-escalates",
    "account-takeover",
    "partner-brand-misuse",
    "mnpi-disclosure",
    "distrust-worse-sources",
    "regulator-inquiry",
    "synthetic-impersonation",
    "ai-tool-leak",
}
AI_RISKS = ("synthetic-impersonation", "ai-tool-leak")


def test_shipped_register_has_the_required_risks_with_provenance():
    register = load_register()
    assert set(register.ids) >= REQUIRED_RISKS
    assert len(register) >= 10
    for risk in register.risks:
        assert 0 < risk.likelihood < 1
        assert risk.impact_p90 >= risk.impact_p50 > 0
        assert math.isclose(sum(risk.drivers.values()), 1.0)
        assert risk.sources and risk.basis in {"sourced", "assumption", "mixed"}


def test_the_ai_risks_cite_registered_facts_and_label_their_numbers_as_assumptions():
    """Every figure beside a source is a registered fact's value, written out from the registry; the likelihood and
    impact themselves are labelled as the authors' assumption."""
    written = {r["id"]: r["sources"] for r in yaml.safe_load(DEFAULT_REGISTER.read_text(encoding="utf-8"))["risks"]}
    facts, register = shipped_facts(), load_register()
    for risk_id in AI_RISKS:
        risk = register.risks[register.index(risk_id)]
        assert risk.basis == "assumption"
        assert any(s.startswith("Assumption (smtk): likelihood and impact are illustrative") for s in risk.sources)
        cited = [(text, ref) for text in written[risk_id] for ref in references(text)]
        assert cited and not any(check_references(text, facts) for text in written[risk_id])
        assert not any(unregistered_figures(text, facts) for text in written[risk_id])
        for text, shown in zip(written[risk_id], risk.sources, strict=True):
            for fact_id, key in references(text):
                assert facts[fact_id].text(key) in shown


def test_shipped_controls_cover_every_audience_and_both_styles():
    catalogue = load_controls()
    assert set(catalogue.training) == set(AUDIENCES)
    assert {"policy", "coe-triage"} <= set(catalogue.controls)
    assert set(catalogue.styles) == {"open", "sanitised"}
    assert catalogue.style_risks == {"unfavourable-in-class", "distrust-worse-sources"}


def test_lognormal_parameters_reproduce_p50_and_p90():
    risk = make_risk("r", 0.5, 1000.0, 8000.0, {"employees": 1})
    assert math.isclose(math.exp(math.log(1000.0) + 1.2815515655446004 * risk.sigma), 8000.0)
    assert math.isclose(risk.impact_mean, 1000.0 * math.exp(risk.sigma**2 / 2))


def test_poisson_rate_keeps_the_likelihood_of_at_least_one_event():
    risk = make_risk("r", 0.6, 1.0, 1.0, {"employees": 1}, frequency="poisson")
    assert math.isclose(1 - math.exp(-risk.rate), 0.6)


def _write_variant(tmp_path: Path, edit, source: Path = DEFAULT_REGISTER) -> Path:
    data = yaml.safe_load(source.read_text())
    edit(data)
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (lambda d: d["risks"][0].pop("likelihood"), "risks[0].likelihood", "missing"),
        (lambda d: d["risks"][2]["impact"].update(p90=1), "risks[2].impact.p90", "p90 >= p50"),
        (lambda d: d["risks"][1].update(likelihood=1.5), "risks[1].likelihood", "<= 1"),
        (lambda d: d["risks"][1].update(likelihood=-0.1), "risks[1].likelihood", ">= 0"),
        (lambda d: d["risks"][1].update(likelihood="often"), "risks[1].likelihood", "number"),
        (lambda d: d["risks"][1].update(likelihood=1.0), "risks[1].likelihood", "poisson"),
        (lambda d: d["risks"][0]["impact"].update(p50=0), "risks[0].impact.p50", "positive"),
        (lambda d: d["risks"][0].update(drivers={"interns": 1}), "risks[0].drivers.interns", "expected one of"),
        (lambda d: d["risks"][0].update(drivers=["employees", "interns"]), "risks[0].drivers[1]", "expected one of"),
        (lambda d: d["risks"][0].update(frequency="weekly"), "risks[0].frequency", "bernoulli"),
        (lambda d: d["risks"][0].update(id="Bad Id"), "risks[0].id", "lowercase"),
        (lambda d: d["risks"][1].update(id=d["risks"][0]["id"]), "risks[1].id", "duplicate"),
        (lambda d: d["risks"][0].update(sources=[]), "risks[0].sources", "at least 1"),
        (lambda d: d["risks"][0].update(likelyhood=0.2), "risks[0].likelyhood", "did you mean likelihood?"),
        (lambda d: d["reference_audiences"].pop("coe"), "reference_audiences.coe", "missing"),
    ],
)
def test_malformed_register_names_file_and_field(tmp_path, edit, field, words):
    path = _write_variant(tmp_path, edit)
    with pytest.raises(DataError) as caught:
        load_register(path)
    assert caught.value.path == str(path)
    assert caught.value.field == field
    assert words in caught.value.problem
    assert str(path) in str(caught.value) and field in str(caught.value) and caught.value.line


def test_invalid_yaml_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "register.yaml"
    path.write_text("currency: USD\nrisks:\n  - id: [unclosed\n")
    with pytest.raises(DataError) as caught:
        load_register(path)
    assert caught.value.path == str(path)
    assert "not valid YAML" in caught.value.problem and caught.value.line == 4


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d["controls"][0]["effects"][0].update(risk="no-such-risk"), "controls[0].effects[0].risk"),
        (lambda d: d["controls"][0]["effects"][0].update(likelihood=-0.2), "controls[0].effects[0].likelihood"),
        (lambda d: d["styles"]["open"]["effects"][0].update(likelihood=1.5), "styles.open.effects[0].likelihood"),
        (lambda d: d["training"].pop(), "training"),
        (lambda d: d["training"][0].update(impact=2), "training[0].impact"),
        (lambda d: d["styles"].pop("sanitised"), "styles.sanitised"),
        (lambda d: d["controls"][1].pop("cost"), "controls[1].cost"),
    ],
)
def test_malformed_controls_name_file_and_field(tmp_path, edit, field):
    path = _write_variant(tmp_path, edit, DEFAULT_CONTROLS)
    with pytest.raises(DataError) as caught:
        load_controls(path)
    assert (caught.value.path, caught.value.field) == (str(path), field)


def test_scaling_to_the_reference_sizes_changes_nothing():
    register = load_register()
    same = scale_register(register, register.reference_audiences)
    for a, b in zip(register.risks, same.risks, strict=True):
        assert math.isclose(a.likelihood, b.likelihood) and math.isclose(a.rate, b.rate)


def test_scaling_follows_driver_weighted_headcount():
    register = load_register()
    ref = register.reference_audiences
    scaled = scale_register(register, {"partners": 2 * ref["partners"]}, impact_scale=3.0)
    before = {r.id: r for r in register.risks}
    for risk in scaled.risks:
        old = before[risk.id]
        factor = 1 + risk.drivers.get("partners", 0.0)  # the partners' share doubles
        if risk.frequency == "poisson":
            assert math.isclose(risk.rate, old.rate * factor)
        else:
            assert math.isclose(risk.likelihood, 1 - (1 - old.likelihood) ** factor)
        assert math.isclose(risk.impact_p90, 3 * old.impact_p90)
    assert scaled.reference_audiences["partners"] == 2 * ref["partners"]


def test_a_risk_driven_only_by_an_absent_audience_vanishes():
    register = load_register()
    scaled = scale_register(register, {"partners": 0, "business-units": 0})
    assert scaled.risks[scaled.index("partner-brand-misuse")].likelihood == 0.0


def test_scaling_rejects_unknown_audiences():
    with pytest.raises(ValueError, match="interns"):
        scale_register(load_register(), {"interns": 10})
