"""How fast attention to a post fades, and how fast a crisis travels: the figures the media-literacy module uses.

Half-lives of a link's attention by platform: Bitly, "You just shared a link. How long will people pay attention?"
(2011; Twitter is today's X). Crisis speed: Freshfields Bruckhaus Deringer, crisis survey (2013).
Cascades: Goel, Watts and Goldstein, "The structure of online diffusion networks" (2012).
"""

from __future__ import annotations

from simulations.common.decay import HALF_LIFE_HOURS as HALF_LIFE_HOURS
from simulations.common.decay import HALF_LIFE_SOURCE as HALF_LIFE_SOURCE
from simulations.common.decay import hours_until as hours_until
from simulations.common.decay import remaining_share as remaining_share

# Freshfields (2013): share of crises that reached international media within 1 h and within 24 h,
# and the average time companies took to respond.
REACH_INTERNATIONAL = {1: 0.28, 24: 0.69}
AVERAGE_RESPONSE_HOURS = 21
# Goel, Watts and Goldstein (2012): 70-95% of cascades never spread beyond the first poster.
NEVER_SPREAD = (0.70, 0.95)


def spread_range(posts: int) -> tuple[int, int]:
    """How many of `posts` complaints would spread beyond their first poster, at the low and high published rates."""
    low, high = NEVER_SPREAD
    return round(posts * (1 - high)), round(posts * (1 - low))
