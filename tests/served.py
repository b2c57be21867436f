"""What an `smtk dashboards` server under test says of itself: its readiness and its count of visitors."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request


def readiness(url: str) -> dict:
    """The JSON body of the server's /smtk/ready (200 when warm, 503 before: both carry the body)."""
    try:
        with urllib.request.urlopen(f"{url}smtk/ready", timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def wait_for_no_visitors(url: str, timeout: float = 30.0) -> int:
    """Wait until the server serves no visitor (closed pages have stopped their kernels); the count left."""
    deadline = time.monotonic() + timeout
    while (left := readiness(url)["visitors"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left
