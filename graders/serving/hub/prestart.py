"""Learners' servers started ahead of sign-in, so a class that signs in at once finds them running.

Starting JupyterLab is CPU-bound (a few CPU-seconds each): twenty learners who sign in together on two cores wait
for each other. `smtk hub --prestart` starts every roster learner's server right after the hub is up, through the
hub's REST API with a token of its own that may only list users and start servers; the idle culler stops the ones
nobody uses, as it stops any idle server.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests


def prestart(
    url: str, token: str, names: list[str], timeout: float = 600.0, parallel: int = 4
) -> dict[str, float | None]:
    """Start each named learner's server (`parallel` asked at once; the hub queues the rest) and wait until each is
    ready; name -> seconds from the hub's start of it to ready, or None for a server that did not start."""
    session = requests.Session()
    session.headers["Authorization"] = f"token {token}"
    api = f"{url}/hub/api"
    deadline = time.monotonic() + timeout

    def one(name: str) -> float | None:
        started = time.monotonic()
        asked = session.post(f"{api}/users/{name}/server", timeout=60)
        if asked.status_code not in (201, 202, 400):  # 400: already running
            return None
        while time.monotonic() < deadline:
            servers = session.get(f"{api}/users/{name}", timeout=60).json().get("servers", {})
            if servers.get("", {}).get("ready"):
                return round(time.monotonic() - started, 2)
            if "" not in servers:  # neither pending nor ready: the hub gave up (its log says why)
                return None
            time.sleep(0.25)
        return None

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        return dict(zip(names, pool.map(one, names), strict=True))
