"""Negative reach: a self-exciting (Hawkes) spread model with the SEISMIC kernel, damped by fitting, timely responses.

Model (Zhao et al., "SEISMIC", KDD 2015): a post by someone with n followers draws reshares at rate
p * n * phi(t); each reshare, seen by n* followers on average, draws more at p * n* * phi, so R = p * n* is the
branching ratio (supercritical above 1). phi is constant c up to s0, then c * (t / s0) ** -(1 + theta); with
theta 0.2315, s0 300 s, c 6.266e-4 per s it integrates to 1. We stretch time per platform by its attention
half-life (Bitly 2011; see vocab) relative to Twitter's, the platform SEISMIC was fitted on.

Per post (mean field, one step = 60 s): direct reshares K ~ Poisson(p * n) (so most posts die at once, as Goel,
Watts and Goldstein 2012 report for 70-95% of cascades), a cascade of K / (1 - R) reshares reaching n* people each,
unfolding over time as the kernel's CDF F, and the original seen by its n followers on the same clock. A fitting
response (the recommended route) cuts p to damping * p when it takes effect, which scales everything after that
moment by g = d (1 - R) / (1 - d R); an unhandled or mishandled post keeps spreading (g = 1). Only harmful posts
(severity above "none") count as negative reach. Branching ratios per severity are teaching assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulations.triage import vocab
from simulations.triage.decisions import Decisions, as_decisions, decision_arrays
from simulations.triage.policy import Policy
from simulations.triage.stream import Stream


@dataclass(frozen=True)
class SpreadParams:
    """Parameters of the spread model; defaults from SEISMIC (kernel, n*) and our assumptions (virality)."""

    theta: float = 0.2315
    s0: float = 300.0
    c: float = 6.266e-4
    n_star: float = 100.0
    reference_half_life_h: float = vocab.PLATFORM_HALF_LIFE_H["x"]
    virality: tuple[float, ...] = (0.04, 0.15, 0.4, 0.7, 0.9)  # branching ratio R per severity, none..critical
    step_s: float = 60.0

    def kernel_cdf(self, t: np.ndarray) -> np.ndarray:
        """F(t): the share of a post's spreading that happens within t seconds (SEISMIC kernel, Twitter clock)."""
        t = np.asarray(t, dtype=float)
        early = self.c * np.minimum(t, self.s0)
        late = self.c * self.s0 / self.theta * (1.0 - (np.maximum(t, self.s0) / self.s0) ** -self.theta)
        return early + late

    def cdf_table(self, steps: int) -> np.ndarray:
        """F per platform at every step 0..steps, one row per platform in vocab order."""
        scale = self.reference_half_life_h / np.array([vocab.PLATFORM_HALF_LIFE_H[p] for p in vocab.PLATFORMS])
        return self.kernel_cdf(np.arange(steps + 1)[None, :] * self.step_s * scale[:, None])


@dataclass(frozen=True)
class SimResult:
    """A simulated shift: the stream, the checked decisions, per-post outcome and the negative-reach curves."""

    stream: Stream
    decisions: pd.DataFrame
    outcome: pd.DataFrame
    curve: pd.DataFrame
    seed: int
    expected: bool


def simulate(
    stream: Stream,
    decisions: Decisions = None,
    policy: Policy | None = None,
    *,
    seed: int = 0,
    expected: bool = False,
    params: SpreadParams | None = None,
) -> SimResult:
    """Spread every post to the horizon under the decisions; `expected=True` uses mean reshares instead of draws.

    The random draws depend only on the stream and the seed, never on the decisions, so two sets of decisions on
    the same stream and seed are compared on the same luck.
    """
    params = params or SpreadParams()
    stream = stream.with_policy(policy) if policy is not None else stream
    routes = list(stream.policy.routes.values())
    checked = as_decisions(decisions, stream)
    chosen, seconds = decision_arrays(checked, len(stream))
    posts = stream.posts
    dt = params.step_s
    horizon = int(np.ceil(stream.horizon_s / dt))
    arrive = np.minimum((posts["time_s"].to_numpy() // dt).astype(np.int64), horizon)
    platform = posts["platform"].cat.codes.to_numpy().astype(np.int64)
    severity = posts["severity"].cat.codes.to_numpy()
    followers = posts["followers"].to_numpy().astype(float)
    virality = posts["virality"].to_numpy()
    virality = np.where(np.isnan(virality), np.asarray(params.virality)[severity], virality)

    rng = np.random.default_rng(seed)
    mean = virality / params.n_star * followers
    reshares = mean if expected else rng.poisson(mean).astype(float)
    harmful = severity > 0
    seen = np.where(harmful, followers, 0.0)
    cascade = np.where(harmful, params.n_star * reshares / (1.0 - virality), 0.0)

    recommended = posts["route"].cat.codes.to_numpy()
    fitting = (chosen >= 0) & (chosen == recommended)
    damping = np.where(fitting, np.array([r.damping for r in routes])[recommended], 1.0)
    g = damping * (1.0 - virality) / (1.0 - damping * virality)
    act_after = np.append(np.array([r.act_after_min * 60.0 for r in routes]), np.inf)[chosen]
    effect_at = np.ceil((posts["time_s"].to_numpy() + seconds + act_after) / dt)
    respond = np.minimum(np.where(np.isfinite(effect_at), effect_at, horizon), horizon).astype(np.int64)

    table = params.cdf_table(horizon)
    age = horizon - arrive
    f_end = table[platform, age]
    f_resp = table[platform, np.minimum(age, respond - arrive)]
    reach = seen * f_end + cascade * (f_resp + g * (f_end - f_resp))
    baseline = (seen + cascade) * f_end

    curve = _curves(arrive, respond, platform, seen, cascade, g, np.diff(table, axis=1), horizon)
    outcome = pd.DataFrame(
        {
            "post_id": posts["post_id"].to_numpy(),
            "decision": pd.Categorical.from_codes(chosen, categories=stream.policy.route_names),
            "response_time_s": np.where(chosen >= 0, seconds, np.nan),
            "fitting": fitting,
            "reshares": reshares,
            "negative_reach": reach,
            "baseline_reach": baseline,
        }
    )
    frame = pd.DataFrame(
        {"time_s": np.arange(horizon + 1) * dt, "negative_reach": curve[0], "baseline_reach": curve[1]}
    )
    return SimResult(stream, checked, outcome, frame, seed, expected)


def _curves(
    arrive: np.ndarray,
    respond: np.ndarray,
    platform: np.ndarray,
    seen: np.ndarray,
    cascade: np.ndarray,
    g: np.ndarray,
    steps: np.ndarray,
    horizon: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Total negative reach at every step, with and without the responses, in O(posts + platforms x steps^2).

    A post adds steps[k] * (seen + cascade * w) at age k, where w is 1 before its response takes effect and g after.
    The part that does not depend on the response timing is a convolution per platform of what arrives per step;
    the rest, cascade * (1 - g) before the response, is binned by arrival step and delay and added along diagonals.
    """
    n_platforms, width = len(steps), int(arrive.max(initial=0)) + 1
    cell = platform * width + arrive
    size = n_platforms * width
    always = np.bincount(cell, weights=seen + cascade * g, minlength=size).reshape(n_platforms, width)
    total = np.bincount(cell, weights=seen + cascade, minlength=size).reshape(n_platforms, width)
    inc, base = np.zeros(horizon), np.zeros(horizon)
    for p in np.flatnonzero(total.any(axis=1)):
        inc += np.convolve(always[p], steps[p])[:horizon]
        base += np.convolve(total[p], steps[p])[:horizon]
    delay = respond - arrive
    cut = cascade * (1.0 - g)
    early = np.flatnonzero((cut > 0) & (delay > 0))
    for p in np.unique(platform[early]):
        mine = early[platform[early] == p]
        span = int(delay[mine].max())
        binned = np.bincount(
            arrive[mine] * (span + 1) + delay[mine], weights=cut[mine], minlength=width * (span + 1)
        ).reshape(width, span + 1)
        # still_on[a, k]: the damped-away cascade of posts arriving at step a whose response comes after age k
        still_on = np.cumsum(binned[:, ::-1], axis=1)[:, ::-1][:, 1:]
        target = (np.arange(width)[:, None] + np.arange(span)[None, :]).ravel()
        inc += np.bincount(target, weights=(still_on * steps[p][:span]).ravel(), minlength=horizon + width + span)[
            :horizon
        ]
    zero = np.zeros(1)
    return np.concatenate([zero, np.cumsum(inc)]), np.concatenate([zero, np.cumsum(base)])
