"""Simulation benchmarks in one run: every benchmarks/sim_*.py module's `measure()`, merged into one JSON object.

Run `python benchmarks/simulations.py`; the last line printed is the JSON object the issues ask for
(triage posts per second, risk trials per second, widget decision and redraw times, and their ratios).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure_all() -> dict:
    """Import each sim_*.py beside this file and merge the dicts their measure() returns (keys must not clash)."""
    merged: dict = {}
    for path in sorted(HERE.glob("sim_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        result = module.measure()
        clash = merged.keys() & result.keys()
        if clash:
            raise SystemExit(f"{path.name}: keys {sorted(clash)} are already reported by another benchmark")
        print(f"{path.stem}: {json.dumps(result)}", file=sys.stderr)
        merged.update(result)
    return merged


if __name__ == "__main__":
    print(json.dumps(measure_all()))
