"""Benchmark of the crisis-triage engine: posts per second to generate, simulate and score a shift, by stream size.

Run as a script (`python benchmarks/sim_triage.py`); the last line printed is the JSON of `measure()`. The goal is
1e6 posts in at most one second, with a rate that stays flat as the stream grows (cost linear in posts).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import simulations.triage as triage  # noqa: E402

SIZES = (1_000, 10_000, 100_000, 1_000_000)
SCENARIO = "defect-viral"


def one_shift(scenario: triage.Scenario, policy: triage.Policy, n_posts: int, seed: int) -> int:
    """Generate, decide (the recommended routes), simulate and score one shift; returns the number of posts."""
    stream = triage.generate_stream(scenario, seed=seed, n_posts=n_posts, policy=policy)
    result = triage.simulate(stream, triage.follow_policy(stream), seed=seed)
    triage.score(result)
    return len(stream)


def measure(sizes: tuple[int, ...] = SIZES, repeats: int = 3) -> dict[str, dict[str, float]]:
    """Best-of-`repeats` posts per second for each stream size (data files loaded once, before timing)."""
    policy = triage.load_policy()
    scenario = triage.load_scenario(SCENARIO, policy=policy)
    one_shift(scenario, policy, 1_000, seed=0)
    rates = {}
    for n in sizes:
        best = float("inf")
        for seed in range(repeats):
            start = time.perf_counter()
            posts = one_shift(scenario, policy, n, seed)
            best = min(best, time.perf_counter() - start)
        rates[str(n)] = round(posts / best, 1)
    return {"triage_posts_per_s": rates}


if __name__ == "__main__":
    print(json.dumps(measure()))
