"""Benchmark of the risk simulation: trials of the shipped register per second, and the speed-up over a plain
numpy simulation (one draw per risk for all trials at once, numpy's own Poisson and lognormal samplers) run in the
same process; and the coverage slider's redraw time on the real widget (slider value set -> program simulated ->
loss-exceedance curve redrawn -> new PNG in the Image widget), against the stock way of drawing a fresh figure per
change, measured on the same changes in the same run. Goals: 1e6 trials of the register in <= 1 s on 2 cores;
slider -> redraw p95 <= 100 ms. Prints a JSON object as its last line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulations.risk import AUDIENCES, Program, Register, load_register, simulate  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)
CHANGES = 40  # slider changes timed for the redraw figures


def measure(repeats: int = 3) -> dict:
    """Best-of-`repeats` throughput at each size, and the ratio to the plain numpy simulation at the largest."""
    register = load_register()
    simulate(register, [Program()], trials=SIZES[0], seed=0)  # warm caches and thread start-up
    rates = {str(n): n / _best(lambda n=n: simulate(register, [Program()], trials=n, seed=1), repeats) for n in SIZES}
    plain = SIZES[-1] / _best(lambda: _plain_numpy(register, SIZES[-1], seed=1), repeats)
    return {
        "risk_trials_per_s": {k: round(v) for k, v in rates.items()},
        "risk_register_risks": len(register),
        "risk_plain_numpy_trials_per_s": round(plain),
        "risk_speedup_vs_plain_numpy": round(rates[str(SIZES[-1])] / plain, 2),
        **measure_redraw(register),
    }


def measure_redraw(register: Register, changes: int = CHANGES) -> dict:
    """p50/p95 milliseconds from a coverage slider's new value to the new curve image, for the CoverageExplorer
    (which reuses its figure and blits the moving curve onto a saved background) and for the stock way, a fresh
    figure of the same chart drawn in full on every change, on the same sequence of changes."""
    from simulations.ui.lessons.risk_curves import CoverageExplorer, LossCurves

    def fresh_figure(explorer: CoverageExplorer) -> None:
        explorer.chart = LossCurves({"Without the program": explorer.baseline}, ["With the program"], blit=False)

    timings = {}
    for way, before_each in (("fast", None), ("stock", fresh_figure)):
        explorer = CoverageExplorer(register, audience_sizes=register.reference_audiences)
        times = []
        for i in range(changes):
            audience = AUDIENCES[i % len(AUDIENCES)]
            value = (explorer.sliders[audience].value + 35) % 105  # 0 -> 35 -> 70 -> 0: every change is a change
            start = time.perf_counter()
            if before_each is not None:
                before_each(explorer)
            explorer.sliders[audience].value = value  # the observer simulates and redraws synchronously
            times.append(time.perf_counter() - start)
        assert explorer.chart.redraws == (changes + 1 if before_each is None else 1)
        timings[way] = 1000 * np.array(times)
    fast, stock = timings["fast"], timings["stock"]
    return {
        "risk_redraw_ms_p95": round(float(np.percentile(fast, 95)), 1),
        "risk_redraw_ms_p50": round(float(np.percentile(fast, 50)), 1),
        "risk_redraw_stock_ms_p95": round(float(np.percentile(stock, 95)), 1),
        "risk_redraw_stock_ms_p50": round(float(np.percentile(stock, 50)), 1),
        "risk_redraw_speedup_p95": round(float(np.percentile(stock, 95) / np.percentile(fast, 95)), 2),
        "risk_redraw_changes": changes,
    }


def _plain_numpy(register: Register, trials: int, seed: int) -> np.ndarray:
    """The straightforward way: per risk, numpy's samplers over all trials at once, no chunking, no threads."""
    rng = np.random.default_rng(seed)
    total = np.zeros(trials)
    for risk, mu, sigma in zip(register.risks, register.mu, register.sigma, strict=True):
        if risk.frequency == "poisson":
            counts = rng.poisson(risk.rate, trials)
        else:
            counts = (rng.random(trials) < risk.likelihood).astype(np.intp)
        impacts = rng.lognormal(mu, sigma, counts.sum())
        total += np.bincount(np.repeat(np.arange(trials), counts), weights=impacts, minlength=trials)
    return total


def _best(run, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


if __name__ == "__main__":
    print(json.dumps(measure()))
