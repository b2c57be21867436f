"""How fast attention to a post fades, and how fast a crisis travels: the figures the media-literacy module uses.

Half-lives of a link's attention by platform: Bitly, "You just shared a link. How long will people pay attention?"
(2011; Twitter is today's X). Crisis speed: Freshfields Bruckhaus Deringer, crisis survey (2013).
Cascades: Goel, Watts and Goldstein, "The structure of online diffusion networks" (2012).
"""

from __future__ import annotations

import math

HALF_LIFE_HOURS: dict[str, float] = {"X": 2.8, "Facebook": 3.2, "YouTube": 7.4}
HALF_LIFE_SOURCE = "Bitly (2011): half-life of attention to a shared link; Twitter then, X now"
# Freshfields (2013): share of crises that reached international media within 1 h and within 24 h,
# and the average time companies took to respond.
REACH_INTERNATIONAL = {1: 0.28, 24: 0.69}
AVERAGE_RESPONSE_HOURS = 21
# Goel, Watts and Goldstein (2012): 70-95% of cascades never spread beyond the first poster.
NEVER_SPREAD = (0.70, 0.95)


def remaining_share(hours: float, half_life: float) -> float:
    """The share of a post's attention still to come `hours` after it was posted (exponential decay)."""
    if half_life <= 0:
        raise ValueError(f"half_life must be positive, got {half_life}")
    return 0.5 ** (max(hours, 0.0) / half_life)


def hours_until(share: float, half_life: float) -> float:
    """How many hours until only `share` of the attention is still to come."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    return half_life * math.log2(1 / share)


def spread_range(posts: int) -> tuple[int, int]:
    """How many of `posts` complaints would spread beyond their first poster, at the low and high published rates."""
    low, high = NEVER_SPREAD
    return round(posts * (1 - high)), round(posts * (1 - low))
