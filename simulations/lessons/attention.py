"""How fast attention to a post fades, and how fast a crisis travels: the figures the media-literacy module uses.

All from the fact registry (courses/facts.yml): half-lives `bitly-half-life` (Twitter is today's X), crisis speed
`freshfields-spread` and `freshfields-response`, cascades `goel-cascades`.
"""

from __future__ import annotations

from simulations.common.decay import HALF_LIFE_HOURS as HALF_LIFE_HOURS
from simulations.common.decay import HALF_LIFE_SOURCE as HALF_LIFE_SOURCE
from simulations.common.decay import hours_until as hours_until
from simulations.common.decay import remaining_share as remaining_share
from simulations.common.facts import shipped_facts

_FACTS = shipped_facts()
# Share of crises that reached international media within 1 h and within 24 h, and the average time to respond.
REACH_INTERNATIONAL = {
    1: _FACTS["freshfields-spread"].number("hour"),
    24: _FACTS["freshfields-spread"].number("day"),
}
AVERAGE_RESPONSE_HOURS = int(_FACTS["freshfields-response"].number())
# The low and high shares of cascades that never spread beyond the first poster.
NEVER_SPREAD: tuple[float, float] = _FACTS["goel-cascades"].numbers()  # type: ignore[assignment]


def spread_range(posts: int) -> tuple[int, int]:
    """How many of `posts` complaints would spread beyond their first poster, at the low and high published rates."""
    low, high = NEVER_SPREAD
    return round(posts * (1 - high)), round(posts * (1 - low))
