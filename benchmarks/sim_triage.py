"""Benchmark of the crisis-triage simulation: posts per second to generate, simulate and score a shift, by stream
size, and the inbox widget's decision latency (one click -> updated chart).

Run as a script (`python benchmarks/sim_triage.py`); the last line printed is the JSON of `measure()`. Goals: 1e6
posts in at most one second, with a rate that stays flat as the stream grows (cost linear in posts); a decision ->
chart p95 of at most 100 ms. The widget is measured in the kernel, against the stock way (a fresh matplotlib figure
per update) in the same run, and end to end in Chromium under Voilà (keys left out, with the reason on stderr, when
the browser cannot run).
"""

from __future__ import annotations

import importlib.util
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


def measure(sizes: tuple[int, ...] = SIZES, repeats: int = 3, widget: bool = True, browser: bool = True) -> dict:
    """Best-of-`repeats` posts per second for each stream size (data files loaded once, before timing), then the
    widget's decision latency."""
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
    result: dict = {"triage_posts_per_s": rates}
    if widget:
        result.update(measure_widget(browser=browser))
    return result


def measure_widget(clicks: int = 60, browser: bool = True) -> dict[str, float]:
    """p50/p95 milliseconds from a route button's click to the updated chart, in place and with a fresh figure."""
    bench = _load_sibling("triage_widget")
    bench.kernel_decision_ms(clicks=5)  # warm up imports, font cache and the first figure
    in_place = bench.percentiles(bench.kernel_decision_ms(clicks=clicks))
    fresh = bench.percentiles(bench.kernel_decision_ms(clicks=clicks, fresh=True))
    out = {
        "triage_decision_ms_p50": in_place[0],
        "triage_decision_ms_p95": in_place[1],
        "triage_decision_fresh_figure_ms_p50": fresh[0],
        "triage_decision_fresh_figure_ms_p95": fresh[1],
        "triage_decision_speedup_vs_fresh_figure": round(fresh[0] / in_place[0], 2),
    }
    if browser:
        try:
            page = bench.percentiles(bench.browser_decision_ms())
        except Exception as exc:  # a missing browser or a stalled server must not lose the other figures
            print(f"sim_triage: browser decision latency not measured: {exc}", file=sys.stderr)
        else:
            out["triage_decision_browser_ms_p50"], out["triage_decision_browser_ms_p95"] = page
    return out


def _load_sibling(name: str):
    """A module beside this file, loaded by path (simulations.py loads this file by path too, not as a package)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    print(json.dumps(measure()))
