"""Uncertainty in ROI: a seeded, vectorised Monte Carlo over low/likely/high input ranges, and a tornado analysis.

Inputs are addressed as 'line.field' (see `Program.inputs`); one evaluation of the Phillips formulas over arrays of
draws replaces a Python loop, for the Monte Carlo and for the tornado alike. The standard draws of a seeded run are
cached, so rerunning with other values (an app's input changed) only rescales them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simulations.roi.model import Program, evaluate

DISTRIBUTIONS = ("pert", "triangular")


@dataclass(frozen=True)
class Range:
    """An input's low, most likely and high values, drawn from a PERT (default) or triangular distribution."""

    low: float
    likely: float
    high: float
    dist: str = "pert"

    def __post_init__(self) -> None:
        if not all(math.isfinite(v) for v in (self.low, self.likely, self.high)):
            raise ValueError(f"range values must be finite numbers, got {self.low}, {self.likely}, {self.high}")
        if not self.low <= self.likely <= self.high:
            raise ValueError(f"expected low <= likely <= high, got {self.low}, {self.likely}, {self.high}")
        if self.dist not in DISTRIBUTIONS:
            raise ValueError(f"dist must be one of {', '.join(DISTRIBUTIONS)}, got {self.dist!r}")

    @property
    def shape(self) -> tuple[str, float]:
        """What the standard draws depend on: the distribution and where the mode sits (0..1) between low and high."""
        width = self.high - self.low
        return self.dist, (self.likely - self.low) / width if width else 0.5

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` draws: low + (high - low) x a standard draw on [0, 1]. PERT's is a beta distribution with shape
        parameters 1 + 4 x (mode share) and 1 + 4 x (1 - mode share); the triangular one has its mode there."""
        if self.high == self.low:
            return np.full(n, self.likely, dtype=float)
        return self.scale(_standard(rng, n, *self.shape))

    def scale(self, standard: np.ndarray) -> np.ndarray:
        """Standard draws on [0, 1] moved onto this range."""
        if self.high == self.low:
            return np.full(standard.shape, self.likely, dtype=float)
        return self.low + (self.high - self.low) * standard


@dataclass(frozen=True)
class MonteCarlo:
    """The ROI band of a Monte Carlo run: percentiles of ROI %, the chance that ROI > 0, and the draws themselves."""

    n: int
    seed: int
    roi_pct: np.ndarray
    p10: float
    p50: float
    p90: float
    prob_positive: float


@dataclass(frozen=True)
class TornadoBar:
    """ROI % with one input at its low and at its high value, every other ranged input at its likely value."""

    input: str
    low: float
    high: float
    roi_at_low: float
    roi_at_high: float

    @property
    def swing(self) -> float:
        return abs(self.roi_at_high - self.roi_at_low)


@dataclass(frozen=True)
class Tornado:
    """The base ROI % (all ranged inputs likely) and one bar per input, largest swing first."""

    base_roi_pct: float
    bars: tuple[TornadoBar, ...]


def at_likely(program: Program, ranges: Mapping[str, Range]) -> Program:
    """The point estimate: every ranged input at its likely value."""
    return program.with_inputs({key: r.likely for key, r in ranges.items()})


def monte_carlo(
    program: Program, ranges: Mapping[str, Range], *, n: int = 10_000, seed: int = 0, years: int = 1
) -> MonteCarlo:
    """Draw every ranged input `n` times (seeded, inputs in name order) and summarise the ROI % they give."""
    if n < 1:
        raise ValueError(f"n must be 1 or more, got {n}")
    keys = sorted(ranges)
    standard = _standard_draws(seed, n, tuple(ranges[key].shape if ranges[key].high != ranges[key].low else None
                                                for key in keys))  # fmt: skip
    draws = {key: ranges[key].scale(std) for key, std in zip(keys, standard, strict=True)}
    roi = np.broadcast_to(evaluate(program.with_inputs(draws), years).roi_pct, (n,))
    p10, p50, p90 = np.percentile(roi, [10, 50, 90])
    return MonteCarlo(
        n=n,
        seed=seed,
        roi_pct=roi,
        p10=float(p10),
        p50=float(p50),
        p90=float(p90),
        prob_positive=float(np.mean(roi > 0)),
    )


def tornado(program: Program, ranges: Mapping[str, Range], *, years: int = 1) -> Tornado:
    """One-at-a-time sensitivity of ROI % to each ranged input, sorted by swing (then by name, for ties)."""
    base = at_likely(program, ranges)
    keys = list(ranges)
    # One vectorised evaluation: scenario 2i moves input i to its low value, 2i + 1 to its high value, 2k is the base.
    values = {key: np.full(2 * len(keys) + 1, ranges[key].likely, dtype=float) for key in keys}
    for i, key in enumerate(keys):
        values[key][2 * i : 2 * i + 2] = (ranges[key].low, ranges[key].high)
    roi = np.asarray(evaluate(base.with_inputs(values), years).roi_pct, dtype=float) if keys else np.array([])
    bars = [
        TornadoBar(key, ranges[key].low, ranges[key].high, float(roi[2 * i]), float(roi[2 * i + 1]))
        for i, key in enumerate(keys)
    ]
    bars.sort(key=lambda bar: (-bar.swing, bar.input))
    return Tornado(float(evaluate(base, years).roi_pct), tuple(bars))


def default_ranges(
    program: Program, *, benefit: tuple[float, float] = (0.5, 1.5), cost: tuple[float, float] = (0.9, 1.3)
) -> dict[str, Range]:
    """ASSUMED spreads around the current values: each benefit's change and each cost's unit value times low/high.

    Costs lean high because overruns are likelier than savings; attribution and confidence are not varied, as they
    already are the Phillips adjustment for uncertainty.
    """
    ranges = {}
    for line in program.benefits:
        ranges[f"{line.name}.change"] = _scaled(line.change, *benefit)
    for line in program.costs:
        ranges[f"{line.name}.unit_value"] = _scaled(line.unit_value, *cost)
    return {key: r for key, r in ranges.items() if r.high != r.low}


def _scaled(value: float, low: float, high: float) -> Range:
    ends = sorted((value * low, value * high))
    return Range(ends[0], value, ends[1])


def _standard(rng: np.random.Generator, n: int, dist: str, mode: float) -> np.ndarray:
    if dist == "triangular":
        return rng.triangular(0.0, mode, 1.0, n)
    return rng.beta(1 + 4 * mode, 1 + 4 * (1 - mode), n)


@lru_cache(maxsize=8)
def _standard_draws(seed: int, n: int, shapes: tuple[tuple[str, float] | None, ...]) -> tuple[np.ndarray, ...]:
    """The standard draws of a seeded run, input by input in name order (None: a fixed input, drawing nothing).

    They depend only on the seed, the count and each input's shape, not on its low and high values, so an app
    that changes values (not the set of inputs) reuses them: sampling is most of a run's cost.
    """
    rng = np.random.default_rng(seed)
    draws = tuple(np.zeros(0) if shape is None else _standard(rng, n, *shape) for shape in shapes)
    for array in draws:
        array.flags.writeable = False
    return draws
