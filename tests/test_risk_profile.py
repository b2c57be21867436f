"""An organisation's register: headcounts, industry and appetite from its profile; a malformed tailoring file fails
naming the file and the field."""

import math
from pathlib import Path

import pytest
import yaml

from simulations.common.datafiles import DataError
from simulations.profile.org import DEMO_PROFILE, INDUSTRIES, RISK_APPETITES, load_org, org_parameters
from simulations.risk import expected_loss, load_register, load_tailoring, risk_for_org, scale_register
from simulations.risk.profile import DEFAULT_TAILORING

REGISTER = load_register()
DEMO = org_parameters(None)


def org(**changes) -> dict:
    return {**DEMO, **changes}


def test_shipped_tailoring_covers_every_industry_and_appetite():
    tailoring = load_tailoring()
    assert set(tailoring.industries) == set(INDUSTRIES)
    assert set(tailoring.appetites) == set(RISK_APPETITES)
    assert [tailoring.appetites[a].metric for a in ("low", "moderate", "high")] == ["p99", "p90", "expected"]


def test_demo_register_is_the_reference_scaled_to_its_headcounts_and_adjusted_for_its_industry():
    result = risk_for_org(DEMO)
    sizes = {a: DEMO["audiences"][a]["headcount"] for a in DEMO["audiences"]}
    scaled = scale_register(REGISTER, sizes)
    assert result.name == DEMO["name"] and result.industry == "consumer-goods"
    assert result.appetite.metric == "p90" and "1-in-10-year" in result.appetite.plans_for
    assert result.audience_sizes == {a: float(n) for a, n in sizes.items()}
    adjusted = {"undisclosed-endorsement": 1.5, "complaint-escalates": 1.2}  # tailoring.yaml, consumer-goods
    for before, after in zip(scaled.risks, result.register.risks, strict=True):
        factor = adjusted.get(before.id, 1.0)
        if before.frequency == "poisson":
            assert math.isclose(after.rate, before.rate * factor)
        else:
            assert math.isclose(1 - after.likelihood, (1 - before.likelihood) ** factor)
        assert after.impact_p50 == before.impact_p50 and after.impact_p90 == before.impact_p90


def test_industry_changes_the_risks_it_weighs_on_and_nothing_else():
    other = risk_for_org(org(industry="other")).register
    finance = risk_for_org(org(industry="financial-services")).register
    changed = {a.id for a, b in zip(other.risks, finance.risks, strict=True) if a != b}
    assert changed == {"mnpi-disclosure", "regulator-inquiry", "confidential-leak"}
    mnpi = finance.index("mnpi-disclosure")
    assert math.isclose(finance.risks[mnpi].impact_p90, other.risks[mnpi].impact_p90 * 1.5)
    assert expected_loss(finance) > expected_loss(other)


def test_appetite_picks_the_metric_to_plan_for():
    assert risk_for_org(org(risk_appetite="low")).appetite.metric == "p99"
    assert risk_for_org(org(risk_appetite="high")).appetite.metric == "expected"


def test_a_bigger_workforce_faces_more_events():
    bigger = {**DEMO["audiences"], "employees": {"headcount": 42_000, "hourly_wage": 48}}
    assert expected_loss(risk_for_org(org(audiences=bigger)).register) > expected_loss(risk_for_org(DEMO).register)


def test_profiles_of_other_organisations_load(tmp_path):
    profile = yaml.safe_load(DEMO_PROFILE.read_text())
    profile.update(industry="healthcare", risk_appetite="low", slug="clinic")
    path = tmp_path / "clinic.yaml"
    path.write_text(yaml.safe_dump(profile))
    result = risk_for_org(load_org(path).to_parameters())
    assert result.appetite.metric == "p99" and result.industry == "healthcare"


def test_incomplete_profile_is_a_clear_error():
    broken = {k: v for k, v in DEMO.items() if k != "risk_appetite"}
    with pytest.raises(ValueError, match="no 'risk_appetite'"):
        risk_for_org(broken)


def _write(tmp_path, edit) -> Path:
    data = yaml.safe_load(DEFAULT_TAILORING.read_text())
    edit(data)
    path = tmp_path / "tailoring.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (lambda d: d["industries"].pop("telecom"), "industries", "missing telecom"),
        (lambda d: d["industries"].update(mining=d["industries"]["other"]), "industries.mining", "expected one of"),
        (
            lambda d: d["industries"]["retail"]["adjust"][0].update(risk="meteor"),
            "industries.retail.adjust[0].risk",
            "expected one of",
        ),
        (
            lambda d: d["industries"]["retail"]["adjust"][0].update(impact=0),
            "industries.retail.adjust[0].impact",
            "positive",
        ),
        (
            lambda d: d["industries"]["retail"]["adjust"][0].update(likelihood=-1),
            "industries.retail.adjust[0].likelihood",
            ">= 0",
        ),
        (lambda d: d["industries"]["retail"].pop("sources"), "industries.retail.sources", "missing"),
        (lambda d: d["appetites"]["low"].update(metric="p95"), "appetites.low.metric", "expected one of"),
        (lambda d: d["appetites"].pop("high"), "appetites", "missing high"),
        (lambda d: d.update(extra=1), "extra", "unknown field"),
    ],
)
def test_malformed_tailoring_names_file_and_field(tmp_path, edit, field, words):
    path = _write(tmp_path, edit)
    with pytest.raises(DataError) as error:
        load_tailoring(path)
    assert error.value.path == str(path) and error.value.field == field
    assert words in error.value.problem
