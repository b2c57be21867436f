"""How fast attention to a post fades: the sourced half-lives by platform and the one decay function.

Half-lives of a link's attention: Bitly, "You just shared a link. How long will people pay attention?" (2011;
Twitter then, X now). See docs/domain.md#escalation-dynamics.
"""

from __future__ import annotations

import math

import numpy as np

HALF_LIFE_HOURS: dict[str, float] = {"X": 2.8, "Facebook": 3.2, "YouTube": 7.4}
HALF_LIFE_SOURCE = "Bitly (2011): half-life of a link's attention, Twitter (now X) 2.8 h, Facebook 3.2 h, YouTube 7.4 h"


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
