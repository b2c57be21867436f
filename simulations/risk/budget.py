"""Choosing controls under a budget: exhaustive search, every combination simulated on the same random draws."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from simulations.risk.controls import Candidate, Catalogue, Program, default_catalogue, factor_matrix
from simulations.risk.montecarlo import simulate_factors
from simulations.risk.register import Register

METRICS: tuple[str, ...] = ("expected", "p90", "p99")
MAX_CANDIDATES = 16  # 2^16 combinations at most
_BATCH = 64  # scenarios simulated together: bounds memory at _BATCH x trials floats


@dataclass(frozen=True)
class BudgetChoice:
    """The best affordable combination, and every affordable combination ranked best first (`options`)."""

    chosen: tuple[str, ...]
    program: Program
    cost: float
    metric: str
    value: float
    baseline: float
    options: pd.DataFrame

    @property
    def reduction(self) -> float:
        return self.baseline - self.value


def best_controls_under_budget(
    register: Register,
    candidates: Sequence[Candidate],
    budget: float,
    *,
    metric: str = "p90",
    base: Program | None = None,
    catalogue: Catalogue | None = None,
    trials: int = 20_000,
    seed: int = 0,
) -> BudgetChoice:
    """The combination of candidates, added to `base`, with total cost <= budget that minimises the annual-loss
    `metric` (expected, p90 or p99). Ties go to the cheaper, then the alphabetically first combination."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError(f"candidate ids must be unique, got {ids}")
    if len(candidates) > MAX_CANDIDATES:
        raise ValueError(f"at most {MAX_CANDIDATES} candidates for an exhaustive search, got {len(candidates)}")
    if any(c.cost < 0 for c in candidates):
        raise ValueError("candidate costs must be >= 0")
    catalogue = catalogue if catalogue is not None else default_catalogue()
    base = base if base is not None else Program()
    combos = [
        tuple(sorted(combo, key=lambda c: c.id))
        for size in range(len(candidates) + 1)
        for combo in combinations(candidates, size)
        if sum(c.cost for c in combo) <= budget * (1 + 1e-12)
    ]
    if not combos:
        raise ValueError(f"budget must be >= 0, got {budget}")
    programs = [base.plus(*combo) for combo in combos]
    batches = [programs[i : i + _BATCH] for i in range(0, len(programs), _BATCH)]
    values = np.concatenate([_metric(register, batch, catalogue, metric, trials, seed) for batch in batches])
    options = pd.DataFrame(
        {
            "chosen": [tuple(c.id for c in combo) for combo in combos],
            "cost": [float(sum(c.cost for c in combo)) for combo in combos],
            metric: values,
        }
    )
    options["reduction"] = values[0] - values  # combos[0] is the empty combination: the base program
    options = options.sort_values([metric, "cost", "chosen"], kind="stable")
    best = options.index[0]
    chosen, cost, value = options.loc[best, ["chosen", "cost", metric]]
    options = options.reset_index(drop=True)
    return BudgetChoice(chosen, programs[best], float(cost), metric, float(value), float(values[0]), options)


def _metric(
    register: Register, programs: list[Program], catalogue: Catalogue, metric: str, trials: int, seed: int
) -> np.ndarray:
    """The metric of each program's simulated annual loss; the draws are the same for every batch."""
    rate, impact = factor_matrix(register, programs, catalogue)
    totals, _ = simulate_factors(register, rate, impact, trials=trials, seed=seed)
    if metric == "expected":
        return totals.mean(axis=1)
    return np.quantile(totals, 0.90 if metric == "p90" else 0.99, axis=1)
