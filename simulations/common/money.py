"""Money and shares in plain words for executives: "$1,234", "-$56,000", "$1.2M", "25%"."""

from __future__ import annotations

import math

SYMBOLS: dict[str, str] = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "CHF": "CHF "}


def money(value: float, currency: str = "USD", *, compact: bool = False) -> str:
    """An amount with its currency symbol and thousands separators; `compact` shortens to k/M/B for chart labels."""
    if not math.isfinite(value):
        return "n/a"
    symbol = SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if round(value) < 0 else ""
    amount = abs(value)
    if compact:
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if amount >= size:
                return f"{sign}{symbol}{amount / size:.3g}{suffix}"
    return f"{sign}{symbol}{amount:,.0f}"


def percent(share: float, *, signed: bool = False) -> str:
    """A share as a percentage: 0.25 -> '25%'; `signed` gives '+25%'."""
    if not math.isfinite(share):
        return "n/a"
    return f"{share:+.0%}" if signed else f"{share:.0%}"
