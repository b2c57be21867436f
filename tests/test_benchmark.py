"""Benchmarking on a tiny hand-made peer table: percentiles, radar, maturity, gaps and fallback, with exact answers."""

import pytest

from simulations.benchmark import (
    NEXT_STEPS,
    STAGES,
    benchmark,
    load_peers,
    maturity,
    peer_group,
    read_profile,
    stage_levels,
)
from simulations.common.tabular import TableError

HEADER = (
    "company,industry,size_band,employees,training_spend_per_employee,coverage_executives,coverage_coe,"
    "coverage_business_units,coverage_employees,coverage_partners,certification_program,recurring_program,"
    "policy_in_place,coe,formal_triage,crises_per_year\n"
)
TINY = (
    HEADER
    + """\
A,retail,mid,2000,10,0.2,0.0,0.1,0.0,0.0,0,0,1,0,0,1.0
B,retail,mid,3000,20,0.5,0.5,0.3,0.2,0.1,0,0,1,0,1,0.6
C,Retail,mid,4000,30,0.6,0.8,0.5,0.6,0.2,no,yes,yes,yes,yes,0.4
D,retail,mid,5000,40,0.9,1.0,0.7,0.8,0.6,1,1,1,1,1,0.2
E,media,small,500,50,1.0,1.0,1.0,1.0,1.0,1,1,1,1,1,0.0
F,media,large,20000,5,0.1,0.1,0.1,0.1,0.1,0,0,0,0,0,2.0
"""
)
PROFILE = {
    "industry": "retail",
    "employees": 2_500,
    "training_spend_per_employee": 20,
    "coverage_executives": 0.6,
    "coverage_coe": 0.3,
    "coverage_business_units": 0.5,
    "coverage_employees": 0.4,
    "coverage_partners": 0.0,
    "certification_program": False,
    "recurring_program": True,
    "policy_in_place": True,
    "coe": False,
    "formal_triage": False,
    "crises_per_year": 0.4,
}


@pytest.fixture(scope="module")
def tiny():
    return load_peers(TINY.encode(), "tiny.csv")


def test_percentiles_within_industry_and_size_band(tiny):
    report = benchmark(PROFILE, tiny, min_group=4)
    assert not report.group.fallback
    assert report.group.note == "Compared with 4 peers in retail with 1,000 to 9,999 employees."
    assert list(report.group.rows["company"]) == ["A", "B", "C", "D"]
    # percentile = (peers the organisation beats + half the ties) / 4 x 100; fewer crises is better
    expected = {
        "training_spend_per_employee": 37.5,  # 20 among 10, 20, 30, 40
        "coverage_executives": 62.5,
        "coverage_coe": 25.0,
        "coverage_business_units": 62.5,
        "coverage_employees": 50.0,
        "coverage_partners": 12.5,  # 0 ties with A only
        "certification_program": 37.5,  # no, like 3 of 4
        "recurring_program": 75.0,
        "policy_in_place": 50.0,  # everyone has one
        "coe": 25.0,
        "formal_triage": 12.5,
        "crises_per_year": 62.5,  # 0.4 beats 1.0 and 0.6, ties 0.4
    }
    assert {s.measure: s.percentile for s in report.standings} == expected
    medians = {s.measure: s.peer_median for s in report.standings}
    assert medians["training_spend_per_employee"] == 25
    assert medians["crises_per_year"] == pytest.approx(0.5)
    assert {s.measure: s.peer_mean for s in report.standings}["recurring_program"] == 0.5


def test_radar_against_the_peer_median(tiny):
    radar = benchmark(PROFILE, tiny, min_group=4).radar
    assert radar.audiences == ("executives", "coe", "business-units", "employees", "partners")
    assert radar.organisation == (0.6, 0.3, 0.5, 0.4, 0.0)
    assert radar.peer_median == pytest.approx((0.55, 0.65, 0.4, 0.4, 0.15))


def test_three_biggest_gaps_lowest_percentile_first_ties_in_maturity_order(tiny):
    gaps = benchmark(PROFILE, tiny, min_group=4).gaps
    # 12.5: formal_triage and coverage_partners; 25: coe and coverage_coe (coe comes first in NEXT_STEPS)
    assert [g.measure for g in gaps] == ["formal_triage", "coverage_partners", "coe"]
    assert [g.percentile for g in gaps] == [12.5, 12.5, 25.0]
    assert gaps[0].next_step == NEXT_STEPS["formal_triage"]


def test_fallback_to_all_peers_when_the_group_is_too_small(tiny):
    report = benchmark(PROFILE, tiny)  # 4 retail mid-size peers, fewer than the default 10
    assert report.group.fallback
    assert report.group.note == (
        "Only 4 peers in retail with 1,000 to 9,999 employees (fewer than 10), so compared with all 6 peers."
    )
    spend = next(s for s in report.standings if s.measure == "training_spend_per_employee")
    assert spend.percentile == pytest.approx(100 * 2.5 / 6)  # beats 10 and 5, ties 20
    none = peer_group(tiny, "healthcare", "small", min_size=1)
    assert none.fallback and none.note.startswith("No peers in healthcare with fewer than 1,000 employees")


def test_maturity_stages_of_the_tiny_peers(tiny):
    # A lacks triage, B lacks recurring training, C lacks certification, D and E have everything, F nothing
    assert list(stage_levels(tiny)) == [1, 1, 4, 5, 5, 1]
    report = benchmark(PROFILE, tiny, min_group=4)
    assert report.peer_stages == {
        "foundation": 0.5,
        "safety": 0.0,
        "formation": 0.0,
        "enablement": 0.25,
        "enlightenment": 0.25,
    }
    assert report.maturity.stage == "foundation"
    assert report.maturity.missing == ("a formal triage process for posts and complaints",)


def test_each_stage_needs_the_ones_below():
    org = read_profile(PROFILE).measures
    steps = [
        {},
        {"formal_triage": True},
        {"coe": True, "coverage_coe": 0.75},
        {"coverage_employees": 0.5},
        {"certification_program": True, "coverage_partners": 0.5},
    ]
    for level, step in enumerate(steps, start=1):
        org = org | step
        m = maturity(org)
        assert (m.level, m.stage) == (level, STAGES[level - 1])
    assert m.next_stage is None and m.missing == ()
    everything_but_policy = maturity(org | {"policy_in_place": False})
    assert (everything_but_policy.stage, everything_but_policy.missing) == ("foundation", ("a social media policy",))


def test_profile_problems_are_all_listed():
    bad = dict(PROFILE, employees=20_000, size_band="mid", coverage_coe=1.5, coe="perhaps", colour="red")
    del bad["crises_per_year"]
    with pytest.raises(TableError) as caught:
        read_profile(bad)
    message = str(caught.value)
    assert message.startswith("organisation profile: 5 problems to fix:")
    for line in [
        "profile: unknown field 'colour'",
        "profile: required field 'crises_per_year' is missing",
        "size_band: expected large for 20,000 employees (10,000 employees or more), got 'mid'",
        "coverage_coe: expected a share between 0 and 1 (or a percentage such as 60%), got 1.5",
        "coe: expected yes or no (also 1/0, true/false), got 'perhaps'",
    ]:
        assert line in message
    with pytest.raises(TableError, match="size_band: expected one of small, mid, large"):
        read_profile({k: v for k, v in PROFILE.items() if k != "employees"})


def test_bad_peer_upload_lists_every_problem_with_the_file_name():
    bad = HEADER.replace(",crises_per_year", "") + (
        "A,retail,mid,2000,ten,0.2,0.0,0.1,0.0,0.0,0,0,1,0,0\n"
        "B,retail,small,3000,20,0.5,1.5,0.3,0.2,0.1,0,maybe,1,0,1\n"
        "A,,mid,3000,-1,0.5,0.5,0.3,0.2,0.1,0,0,1,0,1\n"
    )
    with pytest.raises(TableError) as caught:
        load_peers(bad.encode(), "our-peers.csv")
    err = caught.value
    expected = [
        "header: required column 'crises_per_year' is missing",
        "row 2, column training_spend_per_employee: expected a number, got 'ten'",
        "row 3, column size_band: expected mid for 3,000 employees",
        "row 3, column coverage_coe: expected a share between 0 and 1",
        "row 3, column recurring_program: expected yes or no",
        "row 4, column industry: expected text, got nothing (empty)",
        "row 4, column training_spend_per_employee: expected a value >= 0, got -1",
        "row 4, column company: expected a unique company; 'A' is already on row 2",
    ]
    assert str(err).startswith(f"our-peers.csv: {len(expected)} problems to fix:")
    for line in expected:
        assert line in str(err)
    assert len(err.problems) == len(expected)


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"", "our-peers.csv: file: the file is empty"),
        (
            (HEADER + "A,d\xe9tail,mid,2000,1,0,0,0,0,0,0,0,0,0,0,0\n").encode("latin-1"),
            "our-peers.csv: file: not UTF-8",
        ),
    ],
)
def test_unreadable_peer_uploads(data, problem):
    with pytest.raises(TableError, match=f"^{problem}"):
        load_peers(data, "our-peers.csv")


def test_upload_replaces_built_in_data_and_says_where_it_came_from(tiny):
    report = benchmark(PROFILE, tiny)
    assert (report.source, report.synthetic) == ("tiny.csv", False)
    assert list(tiny["industry"]) == ["retail"] * 4 + ["media"] * 2  # industry names compare case-insensitively
