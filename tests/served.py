"""What an `smtk dashboards` server under test says of itself: its readiness and its count of visitors."""

from __future__ import annotations

import time
from pathlib import Path

from graders.serving.dashboards import readiness

__all__ = ["processes_with", "readiness", "wait_for_no_visitors"]


def processes_with(text: str) -> list[int]:
    """Ids of the processes whose command line holds `text` (a kernel's script or connection file)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                pids.append(int(cmdline.parent.name))
        except OSError:
            continue  # the process ended while we looked
    return pids


def wait_for_no_visitors(url: str, timeout: float = 30.0) -> int:
    """Wait until the server serves no visitor (closed pages have stopped their kernels); the count left."""
    deadline = time.monotonic() + timeout
    while (left := readiness(url)["visitors"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left
