"""The built-in SYNTHETIC peer data: reproducible from its seed, valid, and still on its calibration targets."""

from pathlib import Path

import pytest

from graders.paths import ROOT
from simulations.benchmark import BUILTIN_PEERS, MIN_GROUP, SIZE_BANDS, benchmark, load_peers, size_band
from simulations.benchmark.organisation import org_profile
from simulations.data.peers.generate import INDUSTRIES, N_COMPANIES, SEED, calibration, generate
from simulations.profile.org import load_org
from simulations.ui.apps.benchmark import BenchmarkApp

SHIPPED_ORGS = sorted((ROOT / "courses" / "orgs").glob("*.yaml"))


@pytest.fixture(scope="module")
def regenerated():
    return generate(SEED, N_COMPANIES)


def test_regenerating_with_the_seed_reproduces_the_committed_csv(regenerated):
    assert regenerated == BUILTIN_PEERS.read_text(encoding="utf-8")


def test_built_in_peers_cover_industries_and_sizes():
    peers = load_peers()
    assert len(peers) >= 300
    assert peers.attrs == {"source": "built-in peer data (synthetic)", "synthetic": True}
    assert set(peers["industry"]) == set(INDUSTRIES)
    assert set(peers["size_band"]) == set(SIZE_BANDS)
    assert peers["company"].is_unique
    segments = peers.groupby(["industry", "size_band"]).size()
    assert len(segments) == len(INDUSTRIES) * len(SIZE_BANDS) and segments.min() >= MIN_GROUP


@pytest.mark.parametrize("path", SHIPPED_ORGS, ids=lambda p: Path(p).stem)
def test_every_shipped_organisation_is_compared_with_its_own_segment(path):
    """The benchmarking app compares each example organisation with its own industry and size band, not all peers."""
    org = load_org(path).to_parameters()
    report = BenchmarkApp(org).report
    industry, band = org["industry"], size_band(org_profile(org)["employees"])
    assert (report.profile.industry, report.profile.size_band) == (industry, band)
    assert not report.group.fallback and report.group.note.startswith(f"Compared with {len(report.group.rows)} peers")
    peers = load_peers()
    segment = peers[(peers["industry"] == industry) & (peers["size_band"] == band)]
    assert len(segment) >= MIN_GROUP
    assert list(report.group.rows["company"]) == list(segment["company"])


def test_calibration_targets_hold(regenerated):
    # targets and sources: simulations/data/peers/README.md
    c = calibration(regenerated)
    assert c["recurring_program"] == pytest.approx(0.40)  # 60% never train, or only at hiring (Altimeter 2012)
    assert c["baseline_governance"] == pytest.approx(0.26, abs=0.01)  # 74% lack it (Altimeter 2011)
    # about $23,000 (Altimeter 2011) in USD of 2024: x 313.689 / 224.939 (BLS CPI-U annual averages)
    assert c["mean_program_spend"] == pytest.approx(23_000 * 313.689 / 224.939, rel=0.001)
    assert c["crisis_in_five_years"] == pytest.approx(0.69, abs=0.05)  # PwC 2019
    assert c["stage_foundation"] == pytest.approx(1 - c["baseline_governance"])


def test_a_profile_against_the_built_in_peers():
    profile = {
        "industry": "Retail",
        "size_band": "mid",
        "training_spend_per_employee": 12,
        "coverage_executives": 0.8,
        "coverage_coe": 1,
        "coverage_business_units": 0.3,
        "coverage_employees": "40%",
        "coverage_partners": 0,
        "certification_program": 0,
        "recurring_program": 1,
        "policy_in_place": True,
        "coe": True,
        "formal_triage": False,
        "crises_per_year": 0.4,
    }
    report = benchmark(profile)
    assert not report.group.fallback
    assert report.group.note.startswith("Compared with ")
    assert report.synthetic
    assert len(report.gaps) == 3
    assert all(0 <= s.percentile <= 100 for s in report.standings)
