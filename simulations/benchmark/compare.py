"""An organisation against its peers: percentile per measure, five-audience radar, maturity and the biggest gaps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulations.benchmark.maturity import Maturity, maturity, stage_shares
from simulations.benchmark.peers import MEASURES, SIZE_LABELS, load_peers, read_measures, read_size
from simulations.common.audiences import AUDIENCE_LABELS, AUDIENCES, coverage_column
from simulations.common.tabular import Problems, Record, check_columns

MIN_GROUP = 10
"""Fewer peers than this in the organisation's industry and size band: compare with all peers instead."""

# Plain-language next steps, drawn from the practical notes in docs/domain.md#the-five-audiences; ties between equal
# gaps follow this order, which walks up the maturity hierarchy (governance first).
NEXT_STEPS: dict[str, str] = {
    "policy_in_place": "Write a short social media policy in plain words (confidential information, disclosure of "
    "your connection, whom to contact) and have legal check it for overbroad clauses.",
    "formal_triage": "Adopt a written triage process for posts and complaints (respond, fix the facts, monitor or "
    "escalate), with a time limit for handing legal threats and journalists to the crisis team.",
    "recurring_program": "Make training recurring, not a one-off: put it into new-hire orientation and repeat it on "
    "a schedule, because platforms change every quarter.",
    "coverage_employees": "Reach the workforce with bite-sized on-demand modules and webinars on the policy, "
    "disclosure and the triage process, and track completion.",
    "coverage_executives": "Start at the top: a private session for executives on business goals, customer "
    "relationships, peer benchmarks and the business case, and find a sponsor.",
    "coe": "Form a Center of Excellence: a small hub that owns the policy, the triage process and the KPIs, "
    "and enables the business units.",
    "coverage_coe": "Keep the Center of Excellence learning: conferences, peer groups, and free vendor "
    "show-and-tell sessions twice a year.",
    "coverage_business_units": "Run a brown-bag session where business units share what they already do, then give "
    "them the hub's policy, process and KPI resources; let them teach each other.",
    "certification_program": "Add a certification with tiers (carrot before stick): short modules and a quiz per "
    "level, with certificates that expire so people come back.",
    "coverage_partners": "Give partners scalable on-demand resources: whether and how they may run their own "
    "accounts, the content you syndicate, and the basics of engaging in dialogue.",
    "training_spend_per_employee": "Budget for the program as a recurring line and weigh it with the ROI app, "
    "against the value of the people trained and the business they manage.",
    "crises_per_year": "Rehearse the response: run the crisis-triage simulation with the teams that answer posts; "
    "most crises can be prevented or diminished (Altimeter, 2011).",
}


@dataclass(frozen=True)
class Profile:
    """A validated organisation profile: industry, size band and the compared measures."""

    industry: str
    size_band: str
    measures: dict[str, float | bool]


@dataclass(frozen=True)
class PeerGroup:
    """The peers compared with, and a plain sentence saying who they are (and if the fallback to all was used)."""

    rows: pd.DataFrame
    fallback: bool
    note: str


@dataclass(frozen=True)
class Standing:
    """One measure: the organisation's value, the peers' median and mean, and its percentile (100 = best)."""

    measure: str
    label: str
    value: float
    peer_median: float
    peer_mean: float
    percentile: float


@dataclass(frozen=True)
class Radar:
    """Share of each audience trained, the organisation against the peer median, in AUDIENCES order."""

    audiences: tuple[str, ...]
    labels: tuple[str, ...]
    organisation: tuple[float, ...]
    peer_median: tuple[float, ...]


@dataclass(frozen=True)
class Gap:
    """A measure where the organisation trails its peers, with a recommended next step in plain words."""

    measure: str
    label: str
    value: float
    peer_median: float
    percentile: float
    next_step: str


@dataclass(frozen=True)
class BenchmarkReport:
    """Everything the benchmarking app shows, computed in one call."""

    profile: Profile
    group: PeerGroup
    standings: tuple[Standing, ...]
    radar: Radar
    maturity: Maturity
    peer_stages: dict[str, float]
    gaps: tuple[Gap, ...]
    source: str
    synthetic: bool


def read_profile(profile: Mapping[str, Any]) -> Profile:
    """Validate a plain-dict profile (the peer columns, with size_band or employees); lists every problem."""
    problems = Problems("organisation profile")
    check_columns(
        problems,
        list(profile),
        ["industry", *MEASURES],
        ["company", "size_band", "employees"],
        where="profile",
        noun="field",
    )
    record = Record(profile, problems)
    industry = record.text("industry")
    band, _ = read_size(record, both=False)
    measures = read_measures(record)
    problems.raise_if_any()
    return Profile(industry.strip().lower(), band, measures)


def peer_group(peers: pd.DataFrame, industry: str, size_band: str, *, min_size: int = MIN_GROUP) -> PeerGroup:
    """Peers of the same industry and size band, or all peers when fewer than `min_size` of them exist."""
    same = peers[(peers["industry"] == industry) & (peers["size_band"] == size_band)]
    who = f"{industry} with {SIZE_LABELS[size_band]}"
    if len(same) >= min_size:
        return PeerGroup(same, False, f"Compared with {len(same)} peers in {who}.")
    found = f"Only {len(same)} peers" if len(same) else "No peers"
    return PeerGroup(peers, True, f"{found} in {who} (fewer than {min_size}), so compared with all {len(peers)} peers.")


def standings(profile: Profile, group: PeerGroup) -> tuple[Standing, ...]:
    """The percentile of the organisation on every measure; ties count half, and fewer crises is better."""
    result = []
    for name, measure in MEASURES.items():
        values = group.rows[name].to_numpy(dtype=float)
        value = float(profile.measures[name])
        better = (values < value) if measure.higher_is_better else (values > value)
        ties = values == value
        percentile = 100 * (better.sum() + 0.5 * ties.sum()) / len(values)
        result.append(
            Standing(name, measure.label, value, float(np.median(values)), float(values.mean()), float(percentile))
        )
    return tuple(result)


def coverage_radar(profile: Profile, group: PeerGroup) -> Radar:
    """Five-audience coverage of the organisation against the median of its peer group."""
    columns = [coverage_column(a) for a in AUDIENCES]
    return Radar(
        audiences=AUDIENCES,
        labels=tuple(AUDIENCE_LABELS[a] for a in AUDIENCES),
        organisation=tuple(float(profile.measures[c]) for c in columns),
        peer_median=tuple(float(group.rows[c].median()) for c in columns),
    )


def biggest_gaps(items: tuple[Standing, ...], n: int = 3) -> tuple[Gap, ...]:
    """The `n` measures with the lowest percentile below 50 (behind most peers), ties in NEXT_STEPS order."""
    order = list(NEXT_STEPS)
    behind = sorted((s for s in items if s.percentile < 50), key=lambda s: (s.percentile, order.index(s.measure)))
    return tuple(
        Gap(s.measure, s.label, s.value, s.peer_median, s.percentile, NEXT_STEPS[s.measure]) for s in behind[:n]
    )


def benchmark(
    profile: Mapping[str, Any], peers: pd.DataFrame | None = None, *, min_group: int = MIN_GROUP
) -> BenchmarkReport:
    """Compare an organisation with its peers (built-in synthetic data unless `peers` is given)."""
    org = read_profile(profile)
    peers = load_peers() if peers is None else peers
    group = peer_group(peers, org.industry, org.size_band, min_size=min_group)
    items = standings(org, group)
    return BenchmarkReport(
        profile=org,
        group=group,
        standings=items,
        radar=coverage_radar(org, group),
        maturity=maturity(org.measures),
        peer_stages=stage_shares(group.rows),
        gaps=biggest_gaps(items),
        source=str(peers.attrs.get("source", "peer data")),
        synthetic=bool(peers.attrs.get("synthetic", False)),
    )
