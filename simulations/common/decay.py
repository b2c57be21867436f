"""How fast attention to a post fades: the sourced half-lives by platform and the one decay function.

Half-lives of a link's attention: fact `bitly-half-life` of the registry (courses/facts.yml; Twitter then, X now).
The exponential decay itself is the course's model (fact `attention-decay-model`). See
docs/domain.md#escalation-dynamics.
"""

from __future__ import annotations

import math

import numpy as np

from simulations.common.facts import shipped_facts

_BITLY = shipped_facts()["bitly-half-life"]
HALF_LIFE_HOURS: dict[str, float] = {
    "X": _BITLY.number("x"),
    "Facebook": _BITLY.number("facebook"),
    "YouTube": _BITLY.number("youtube"),
}
HALF_LIFE_SOURCE = (
    f"{_BITLY.source.publisher} ({_BITLY.source.year}): half-life of a link's attention, "
    f"Twitter (now X) {HALF_LIFE_HOURS['X']:g} h, Facebook {HALF_LIFE_HOURS['Facebook']:g} h, "
    f"YouTube {HALF_LIFE_HOURS['YouTube']:g} h"
)


def remaining_share(hours, half_life: float):
    """The share of a post's attention still to come `hours` after it was posted (exponential decay).

    Works on a number (returns a float) or a numpy array of hours; negative hours count as zero.
    """
    if half_life <= 0:
        raise ValueError(f"a half-life must be positive, got {half_life}")
    left = 0.5 ** (np.maximum(np.asarray(hours, dtype=float), 0.0) / half_life)
    return float(left) if left.ndim == 0 else left


def hours_until(share: float, half_life: float) -> float:
    """How many hours until only `share` of the attention is still to come."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    return half_life * math.log2(1 / share)
