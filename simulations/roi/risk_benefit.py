"""The ROI's risk benefit, from the risk engine: expected annual loss without training minus with it.

The shipped register (simulations/data/risk/) is scaled to the organisation's audience headcounts, so more people
mean more chances of an incident, and the training program is the coverage of each audience plus the training style.
The exact closed-form expected loss is used (no sampling), so the same inputs always give the same benefit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from simulations.risk import Program, Register, expected_loss, load_register, scale_register


@dataclass(frozen=True)
class RiskBenefit:
    """Expected annual loss from social-media risks without and with the training, and the difference."""

    without: float
    with_training: float
    risks: int
    source: str

    @property
    def reduction(self) -> float:
        return self.without - self.with_training


def risk_benefit(
    headcount: Mapping[str, float],
    coverage: Mapping[str, float],
    *,
    style: str = "open",
    register: Register | None = None,
) -> RiskBenefit:
    """The expected-loss reduction of training `coverage` (share 0..1 per audience) of an organisation this size."""
    if register is None:  # the shipped register: cached, as an app asks for the same inputs again and again
        return _default_benefit(tuple(sorted(headcount.items())), tuple(sorted(coverage.items())), style)
    return _benefit(scale_register(register, headcount), coverage, style)


def _benefit(scaled: Register, coverage: Mapping[str, float], style: str) -> RiskBenefit:
    without = expected_loss(scaled)
    with_training = expected_loss(scaled, Program(dict(coverage), style=style))
    return RiskBenefit(without, with_training, len(scaled), scaled.source)


@lru_cache(maxsize=256)
def _default_benefit(
    headcount: tuple[tuple[str, float], ...], coverage: tuple[tuple[str, float], ...], style: str
) -> RiskBenefit:
    return _benefit(_scaled_default(headcount), dict(coverage), style)


@lru_cache(maxsize=8)
def _scaled_default(headcount: tuple[tuple[str, float], ...]) -> Register:
    return scale_register(load_register(), dict(headcount))
