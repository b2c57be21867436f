"""Generate the SYNTHETIC peer dataset peers.csv from a seeded model calibrated on published survey figures.

    python -m simulations.data.peers.generate            # rewrite peers.csv and print the calibration
    python -m simulations.data.peers.generate --check    # exit 1 if peers.csv differs from a fresh generation

No row describes a real company. The model and its calibration targets are documented in README.md next to
this file; figures marked "assumed" there are smtk's planning assumptions, not survey results.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from pathlib import Path

import numpy as np

from simulations.benchmark import COLUMNS, FLAGS, MIN_GROUP, PRICE_YEAR, load_peers, stage_shares
from simulations.common.facts import shipped_facts

SEED = 20110412
N_COMPANIES = 480
# Every industry and size band gets at least this many companies, so any segment of the data can be benchmarked on
# its own (the benchmark falls back to all peers below MIN_GROUP); the rest are drawn with the weights below.
MIN_PER_SEGMENT = MIN_GROUP
OUT = Path(__file__).resolve().parent / "peers.csv"

# Calibration targets: the published figures of the fact registry (courses/facts.yml), by fact id.
_FACTS = shipped_facts()
RECURRING_SHARE = round(1 - _FACTS["altimeter-never-trained"].number(), 10)  # the rest never train, or at hiring
BASELINE_GOVERNANCE_SHARE = round(1 - _FACTS["altimeter-governance"].number(), 10)  # the rest lack it
SURVEY_SPEND = _FACTS["altimeter-training-spend"].number()  # average annual training spend, USD of its survey's year
# The same spend in USD of PRICE_YEAR: the survey's mean times the ratio of the two years' consumer price indexes.
_SURVEY_YEAR = _FACTS["altimeter-training-spend"].source.year
PRICE_RATIO = _FACTS[f"bls-cpi-u-{PRICE_YEAR}"].number() / _FACTS[f"bls-cpi-u-{_SURVEY_YEAR}"].number()
MEAN_PROGRAM_SPEND = SURVEY_SPEND * PRICE_RATIO
CRISIS_IN_FIVE_YEARS = _FACTS["pwc-crisis"].number("five_years")  # leaders with a crisis in the last five years
PREVENTABLE = _FACTS["altimeter-preventable"].number()  # crises that could have been prevented or diminished

# ASSUMED shares and effects (no published figure: fact `peer-practice-shares`, kind model); see README.md.
POLICY_SHARE, TRIAGE_SHARE, COE_SHARE, CERTIFICATION_SHARE = (
    _FACTS["peer-practice-shares"].number(key) for key in ("policy", "triage", "coe", "certification")
)
NEVER_TRAINED = 0.5  # of companies without a recurring program: half never train employees, half only at hiring
INDUSTRIES = {  # name: (weight, effect on maturity, effect on partner coverage)
    "technology": (0.13, 0.3, 0.5),
    "financial-services": (0.11, 0.1, -0.3),
    "retail": (0.11, 0.1, 0.8),
    "healthcare": (0.10, -0.2, -0.5),
    "manufacturing": (0.10, -0.2, 0.6),
    "media": (0.08, 0.3, -0.2),
    "professional-services": (0.09, 0.0, -0.4),
    "public-sector": (0.09, -0.3, -1.0),
    "consumer-goods": (0.07, 0.1, 0.6),  # dealers and retailers sell the brand
    "restaurants": (0.06, -0.1, 0.7),  # franchisees
    "telecom": (0.06, 0.2, 0.2),
}
SIZES = {  # band: (weight, lowest and highest headcount, effect on maturity, effect on log spend, crisis-rate factor)
    "small": (0.30, 100, 999, -0.3, -0.7, 0.5),
    "mid": (0.40, 1_000, 9_999, 0.0, 0.0, 1.0),
    "large": (0.30, 10_000, 150_000, 0.3, 0.7, 2.0),
}


def generate(seed: int = SEED, n: int = N_COMPANIES) -> str:
    """The peer CSV text for a seed: the same seed always gives the same bytes."""
    rng = np.random.default_rng(seed)
    industry, band = _segments(rng, n)
    size = np.array([SIZES[b] for b in band], dtype=float)
    employees = np.round(np.exp(rng.uniform(np.log(size[:, 1]), np.log(size[:, 2])))).astype(int)
    maturity = np.array([INDUSTRIES[i][1] for i in industry]) + size[:, 3] + rng.standard_normal(n)
    flags = _practices(rng, maturity)
    coverage = _coverage(rng, maturity, flags, np.array([INDUSTRIES[i][2] for i in industry]))
    spend = np.exp(0.5 * maturity + size[:, 4] + 0.6 * rng.standard_normal(n))
    spend *= MEAN_PROGRAM_SPEND / spend.mean()
    governance = (
        flags["policy_in_place"] + flags["formal_triage"] + flags["recurring_program"] + coverage["employees"]
    ) / 4
    relative_rate = size[:, 5] * (1 - PREVENTABLE * governance)
    base = _crisis_base_rate(relative_rate)
    crises = rng.poisson(5 * base * relative_rate) / 5
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in range(n):
        writer.writerow(
            [
                f"P{i + 1:03d}",
                industry[i],
                band[i],
                employees[i],
                f"{spend[i] / employees[i]:.2f}",
                *(f"{coverage[a][i]:.2f}" for a in coverage),
                *(int(flags[f][i]) for f in FLAGS),
                f"{crises[i]:.1f}",
            ]
        )
    return out.getvalue()


def _segments(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Industry and size band per company: MIN_PER_SEGMENT in every pair, the rest drawn by weight, then shuffled."""
    floor = [(i, b) for i in INDUSTRIES for b in SIZES for _ in range(MIN_PER_SEGMENT)]
    if len(floor) > n:
        raise ValueError(f"expected at least {len(floor)} companies for {MIN_PER_SEGMENT} per segment, got {n}")
    rest = n - len(floor)
    industry = np.concatenate(
        [[i for i, _ in floor], rng.choice(list(INDUSTRIES), rest, p=[v[0] for v in INDUSTRIES.values()])]
    )
    band = np.concatenate([[b for _, b in floor], rng.choice(list(SIZES), rest, p=[v[0] for v in SIZES.values()])])
    order = rng.permutation(n)
    return industry[order], band[order]


def _practices(rng: np.random.Generator, maturity: np.ndarray) -> dict[str, np.ndarray]:
    """Yes/no practices: the top share of maturity plus noise; the noise scale is tuned for baseline governance."""
    shares = {
        "certification_program": CERTIFICATION_SHARE,
        "recurring_program": RECURRING_SHARE,
        "policy_in_place": POLICY_SHARE,
        "coe": COE_SHARE,
        "formal_triage": TRIAGE_SHARE,
    }
    noise = {f: rng.standard_normal(len(maturity)) for f in FLAGS}

    def practices(scale: float) -> dict[str, np.ndarray]:
        return {f: _top_share(maturity + scale * noise[f], shares[f]) for f in FLAGS}

    def governed(scale: float) -> float:
        p = practices(scale)
        return float(np.mean(p["policy_in_place"] & p["formal_triage"] & p["recurring_program"]))

    best = min(np.arange(0.2, 3.0, 0.05), key=lambda s: (abs(governed(s) - BASELINE_GOVERNANCE_SHARE), s))
    return practices(float(best))


def _coverage(
    rng: np.random.Generator, maturity: np.ndarray, flags: dict[str, np.ndarray], partner_effect: np.ndarray
) -> dict[str, np.ndarray]:
    """Share of each audience trained: beta draws around means that rise with maturity and the practices."""
    n = len(maturity)
    hired_only = rng.random(n) >= NEVER_TRAINED
    employees = np.where(
        flags["recurring_program"],
        _beta(rng, np.full(n, 0.75), 6),
        np.where(hired_only, _beta(rng, np.full(n, 0.17), 12), 0.0),
    )
    coe = np.where(flags["coe"], _beta(rng, np.full(n, 0.85), 8), _beta(rng, _logistic(-1.0 + 0.8 * maturity), 4))
    return {
        "executives": _beta(rng, _logistic(0.2 + 0.9 * maturity), 5),
        "coe": coe,
        "business-units": _beta(rng, _logistic(-0.5 + 0.9 * maturity), 5),
        "employees": employees,
        "partners": _beta(rng, _logistic(-1.5 + partner_effect + 0.7 * maturity), 4),
    }


def _crisis_base_rate(relative_rate: np.ndarray) -> float:
    """The yearly crisis rate scale at which the expected share with a crisis in five years meets the target."""
    low, high = 0.0, 10.0
    for _ in range(100):
        mid = (low + high) / 2
        if np.mean(1 - np.exp(-5 * mid * relative_rate)) < CRISIS_IN_FIVE_YEARS:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def _top_share(score: np.ndarray, share: float) -> np.ndarray:
    """True for exactly round(share x n) highest scores."""
    chosen = np.zeros(len(score), dtype=bool)
    chosen[np.argsort(-score, kind="stable")[: round(share * len(score))]] = True
    return chosen


def _beta(rng: np.random.Generator, mean: np.ndarray, concentration: float) -> np.ndarray:
    return rng.beta(mean * concentration, (1 - mean) * concentration)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def calibration(text: str) -> dict[str, float]:
    """The calibration measures of a generated CSV, to compare with the targets (README.md)."""
    peers = load_peers(text.encode(), "generated peers")
    program_spend = peers["training_spend_per_employee"] * peers["employees"]
    governed = peers["policy_in_place"] & peers["formal_triage"] & peers["recurring_program"]
    return {
        "companies": len(peers),
        "recurring_program": float(peers["recurring_program"].mean()),
        "baseline_governance": float(governed.mean()),
        "mean_program_spend": float(program_spend.mean()),
        "crisis_in_five_years": float((peers["crises_per_year"] > 0).mean()),
        "never_trained_employees": float((peers["coverage_employees"] == 0).mean()),
        **{f"stage_{k}": v for k, v in stage_shares(peers).items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed peers.csv, write nothing")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print("peers.csv matches the generator" if same else "peers.csv differs: run without --check to rewrite")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    for key, value in calibration(text).items():
        print(f"{key:28} {value:,.3f}" if not math.isclose(value, round(value)) else f"{key:28} {value:,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
