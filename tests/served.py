"""What an `smtk dashboards` server under test says of itself: its readiness and its count of visitors."""

from __future__ import annotations

import time

from graders.dashboards import readiness

__all__ = ["readiness", "wait_for_no_visitors"]


def wait_for_no_visitors(url: str, timeout: float = 30.0) -> int:
    """Wait until the server serves no visitor (closed pages have stopped their kernels); the count left."""
    deadline = time.monotonic() + timeout
    while (left := readiness(url)["visitors"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left
