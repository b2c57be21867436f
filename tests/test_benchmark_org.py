"""The organisation profile's current_program section: validated like the rest, and read by the benchmark."""

import pytest
import yaml

from graders.paths import DEMO_ORG
from simulations.benchmark import benchmark
from simulations.benchmark.organisation import org_profile
from simulations.common.datafiles import DataError
from simulations.profile.org import load_org


def write(tmp_path, edit):
    data = yaml.safe_load(DEMO_ORG.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_demo_profile_has_its_program_today():
    program = load_org(DEMO_ORG).current_program
    assert program.coverage["employees"] == 0.15 and program.policy_in_place and not program.recurring_program


@pytest.mark.parametrize(
    "edit, field, problem",
    [
        (lambda d: d["current_program"]["coverage"].update(employees=1.5), "current_program.coverage.employees", "<="),
        (lambda d: d["current_program"].update(coe="often"), "current_program.coe", "true or false"),
        (lambda d: d["current_program"].pop("crises_per_year"), "current_program.crises_per_year", "missing"),
        (lambda d: d["current_program"].update(budget=1), "current_program.budget", "unknown field; expected"),
        (lambda d: d["current_program"]["coverage"].pop("partners"), "current_program.coverage.partners", "missing"),
    ],
)
def test_a_wrong_current_program_names_the_field(tmp_path, edit, field, problem):
    with pytest.raises(DataError) as caught:
        load_org(write(tmp_path, edit))
    assert caught.value.field == field and problem in caught.value.problem


def test_the_section_is_optional_but_the_benchmark_says_what_is_missing(tmp_path):
    org = load_org(write(tmp_path, lambda d: d.pop("current_program")))
    assert org.current_program is None
    with pytest.raises(ValueError, match="has no current_program section"):
        org_profile(org.to_parameters())


def test_org_profile_counts_employees_without_partners_and_maps_every_measure():
    profile = org_profile(load_org(DEMO_ORG).to_parameters())
    assert profile["employees"] == 18 + 6 + 140 + 4_200
    assert profile["coverage_business_units"] == 0.4 and profile["formal_triage"] is True
    report = benchmark(profile)
    assert report.maturity.stage == "foundation"
    assert report.maturity.missing == ("training that recurs, not only at hiring",)
    assert benchmark({**profile, "recurring_program": True}).maturity.stage == "safety"
    assert "consumer-goods with 1,000 to 9,999 employees" in report.group.note and not report.group.fallback
