"""Benchmarking engine: an organisation's social-media training program against peer companies.

Pure functions and dataclasses over pandas; no widgets. Typical use:
    report = benchmark(profile)                     # built-in SYNTHETIC peers, see simulations/data/peers/README.md
    report = benchmark(profile, load_peers(upload_bytes, "our-peers.csv"))   # the company's own peer data
report.standings (percentile per measure), report.radar, report.maturity, report.gaps, report.group.note.
"""

from simulations.benchmark.compare import (
    MIN_GROUP,
    NEXT_STEPS,
    BenchmarkReport,
    Gap,
    PeerGroup,
    Profile,
    Radar,
    Standing,
    benchmark,
    biggest_gaps,
    coverage_radar,
    peer_group,
    read_profile,
    standings,
)
from simulations.benchmark.maturity import (
    REQUIREMENTS,
    STAGES,
    Maturity,
    Requirement,
    maturity,
    stage_levels,
    stage_shares,
)
from simulations.benchmark.peers import (
    BUILTIN_PEERS,
    COLUMNS,
    COVERAGES,
    FLAGS,
    MEASURES,
    PRICE_YEAR,
    SIZE_BANDS,
    SIZE_LABELS,
    Measure,
    load_peers,
    size_band,
)

__all__ = [
    "BUILTIN_PEERS",
    "COLUMNS",
    "COVERAGES",
    "FLAGS",
    "MEASURES",
    "MIN_GROUP",
    "NEXT_STEPS",
    "PRICE_YEAR",
    "REQUIREMENTS",
    "SIZE_BANDS",
    "SIZE_LABELS",
    "STAGES",
    "BenchmarkReport",
    "Gap",
    "Maturity",
    "Measure",
    "PeerGroup",
    "Profile",
    "Radar",
    "Requirement",
    "Standing",
    "benchmark",
    "biggest_gaps",
    "coverage_radar",
    "load_peers",
    "maturity",
    "peer_group",
    "read_profile",
    "size_band",
    "stage_levels",
    "stage_shares",
    "standings",
]
