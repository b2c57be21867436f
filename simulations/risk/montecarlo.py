"""Monte Carlo annual loss: per risk an annual event count (Bernoulli or Poisson) and lognormal impacts.

Common random numbers: the draws for a trial depend only on (seed, chunk, risk id), never on the factors, the other
risks or the number of scenarios, so comparing programs on the same seed compares like with like, and lowering a
rate or an impact can never raise any trial's loss. Work runs in fixed-size chunks on a few threads (numpy releases
the GIL), so memory stays bounded and results do not depend on the number of threads.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulations.risk.controls import Catalogue, Program, default_catalogue, factor_matrix
from simulations.risk.register import Register

CHUNK = 1 << 16  # trials per chunk: part of the random stream's definition, so changing it changes results
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


@dataclass(frozen=True)
class LossDistribution:
    """Simulated annual losses: one total per trial, and the mean annual loss of each risk."""

    totals: np.ndarray
    by_risk: pd.Series

    @property
    def expected(self) -> float:
        return float(self.totals.mean())

    def quantile(self, q: float) -> float:
        return float(np.quantile(self.totals, q))

    @property
    def p90(self) -> float:
        return self.quantile(0.90)

    @property
    def p99(self) -> float:
        return self.quantile(0.99)

    def summary(self) -> dict[str, float]:
        p90, p99 = np.quantile(self.totals, [0.90, 0.99])
        return {"expected": self.expected, "p90": float(p90), "p99": float(p99)}

    def exceedance(self, points: int = 100) -> pd.DataFrame:
        """Loss-exceedance curve: for probabilities from 1 down to 1/trials, the loss exceeded with that probability."""
        probability = np.geomspace(1.0, 1.0 / self.totals.size, points)
        loss = np.quantile(self.totals, 1.0 - probability)
        return pd.DataFrame({"probability": probability, "loss": loss})


def simulate(
    register: Register,
    programs: Sequence[Program],
    *,
    catalogue: Catalogue | None = None,
    trials: int = 100_000,
    seed: int = 0,
    workers: int | None = None,
) -> list[LossDistribution]:
    """Annual loss distributions of several programs on the same random draws (one per program, in order)."""
    catalogue = catalogue if catalogue is not None else default_catalogue()
    rate, impact = factor_matrix(register, programs, catalogue)
    totals, means = simulate_factors(register, rate, impact, trials=trials, seed=seed, workers=workers)
    return [
        LossDistribution(t, pd.Series(m, index=register.ids, name="expected_loss"))
        for t, m in zip(totals, means, strict=True)
    ]


def simulate_factors(
    register: Register,
    rate_factors: np.ndarray,
    impact_factors: np.ndarray,
    *,
    trials: int,
    seed: int = 0,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The engine: for S scenarios given as (S, risks) factors on rates and impacts, return the annual total loss
    of every trial (S, trials) and each risk's mean annual loss (S, risks)."""
    if trials < 1:
        raise ValueError(f"trials must be at least 1, got {trials}")
    rate_factors = np.atleast_2d(np.asarray(rate_factors, dtype=float))
    impact_factors = np.atleast_2d(np.asarray(impact_factors, dtype=float))
    if rate_factors.shape != impact_factors.shape or rate_factors.shape[1] != len(register):
        raise ValueError(f"factors must both have shape (scenarios, {len(register)})")
    if rate_factors.shape[0] == 0:
        raise ValueError("no scenario to simulate")
    if (rate_factors < 0).any() or (impact_factors < 0).any():
        raise ValueError("factors must be >= 0")
    totals = np.empty((rate_factors.shape[0], trials))
    rates = register.rates * rate_factors
    p_any = np.where(register.poisson, -np.expm1(-rates), np.minimum(rates, 1.0))  # P(at least one event)
    starts = range(0, trials, CHUNK)
    keys = [zlib.crc32(r.id.encode()) for r in register.risks]

    def run(chunk: int) -> np.ndarray:
        start = starts[chunk]
        n = min(CHUNK, trials - start)
        return _chunk(register, rates, p_any, impact_factors, keys, seed, chunk, totals[:, start : start + n])

    workers = workers or min(len(starts), _cpus())
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            sums = list(pool.map(run, range(len(starts))))
    else:
        sums = [run(c) for c in range(len(starts))]
    return totals, np.sum(sums, axis=0) / trials


def _chunk(
    register: Register,
    rates: np.ndarray,
    p_any: np.ndarray,
    impact_factors: np.ndarray,
    keys: list[int],
    seed: int,
    chunk: int,
    out: np.ndarray,
) -> np.ndarray:
    """Simulate one chunk of trials for every scenario into `out` (S, n); return per-risk loss sums (S, risks).
    Only slots (trial, risk) that have an event in some scenario get an impact, so work scales with events."""
    n = out.shape[1]
    slots, uniforms, first, hash_keys = [], [], [], []
    for i, key in enumerate(keys):
        streams = np.random.SeedSequence(seed, spawn_key=(chunk, key)).spawn(2)
        uniform = np.random.Generator(np.random.SFC64(streams[0])).random(n)
        hash_keys.append(streams[1].generate_state(1, np.uint64)[0])
        slot = np.flatnonzero(uniform < p_any[:, i].max())
        slots.append(slot)
        uniforms.append(uniform[slot])
        first.append(np.exp(register.mu[i] + register.sigma[i] * _hashed_normal(hash_keys[i], slot, 1)))
    bounds = np.cumsum([0] + [slot.size for slot in slots])
    risk = np.repeat(np.arange(len(keys)), np.diff(bounds))
    slot, uniform, first_impact = (np.concatenate(parts) for parts in (slots, uniforms, first))
    sums = np.empty(p_any.shape)
    for s in range(p_any.shape[0]):
        loss = np.where(uniform < p_any[s, risk], first_impact, 0.0)
        for i in np.flatnonzero(register.poisson):
            part = slice(bounds[i], bounds[i + 1])
            loss[part] += _extra_events(uniform[part], slot[part], rates[s, i], register, i, hash_keys[i])
        loss *= impact_factors[s, risk]
        out[s] = np.bincount(slot, weights=loss, minlength=n)
        sums[s] = np.bincount(risk, weights=loss, minlength=len(keys))
    return sums


def _extra_events(
    uniform: np.ndarray, slot: np.ndarray, rate: float, register: Register, i: int, key
) -> np.ndarray | float:
    """Impact of the 2nd, 3rd, ... events of a Poisson risk in each slot: the count comes by inverse transform from
    the same uniform as the first event (so it never falls when the rate rises), the impacts from the hash."""
    if rate <= 0:
        return 0.0
    tail = _poisson_tail(rate)  # P(N >= 2), P(N >= 3), ...
    many = np.flatnonzero(uniform < tail[0])
    if many.size == 0:
        return 0.0
    extra = np.searchsorted(-tail, -uniform[many], side="left")  # number of k >= 2 with P(N >= k) > u
    owner = np.repeat(many, extra)
    event = np.arange(owner.size) - np.repeat(np.cumsum(extra) - extra, extra) + 2
    impact = np.exp(register.mu[i] + register.sigma[i] * _hashed_normal(key, slot[owner], event))
    return np.bincount(owner, weights=impact, minlength=uniform.size)


def _hashed_normal(key, trial: np.ndarray, event) -> np.ndarray:
    """A standard normal that is a pure function of (key, trial, event number): Box-Muller on two hashed uniforms.
    This makes every event's impact a common random number, whatever the other scenarios in the call."""
    counter = (trial.astype(np.uint64) << np.uint64(24)) | np.asarray(event, dtype=np.uint64)
    u1 = _uniform_hash(key + np.uint64(2) * counter)
    u2 = _uniform_hash(key + np.uint64(2) * counter + np.uint64(1))
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def _poisson_tail(rate: float) -> np.ndarray:
    """P(N >= k) for k = 2, 3, ... until negligible, computed in log space so large rates do not underflow."""
    top = int(rate + 12.0 * np.sqrt(rate) + 25)
    k = np.arange(top + 1)
    log_factorial = np.concatenate(([0.0], np.cumsum(np.log(k[1:]))))
    pmf = np.exp(-rate + k * np.log(rate) - log_factorial)
    tail = np.cumsum(pmf[::-1])[::-1]
    return tail[2:]


def _uniform_hash(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser mapped to [0, 1): a fast, vectorised, counter-based uniform."""
    with np.errstate(over="ignore"):
        x = x + _MIX[0]
        x = (x ^ (x >> np.uint64(30))) * _MIX[1]
        x = (x ^ (x >> np.uint64(27))) * _MIX[2]
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
