"""Loss figures for people: exact expected loss per risk, ranking, and the with/without-program comparison whose
expected-loss reduction is the ROI app's risk benefit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulations.risk.controls import Catalogue, Program, default_catalogue, factors
from simulations.risk.montecarlo import LossDistribution, simulate
from simulations.risk.register import Register


def effective(
    register: Register, program: Program | None = None, *, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """Per risk after the program: likelihood of at least one event, events a year, mean impact, expected loss."""
    rate_factor, impact_factor = factors(register, program or Program(), catalogue or default_catalogue())
    rate = register.rates * rate_factor
    events = np.where(register.poisson, rate, np.minimum(rate, 1.0))
    impact = register.impact_mean * impact_factor
    return pd.DataFrame(
        {
            "title": [r.title for r in register.risks],
            "likelihood": np.where(register.poisson, -np.expm1(-rate), events),
            "events_per_year": events,
            "impact_p50": [r.impact_p50 for r in register.risks] * impact_factor,
            "impact_p90": [r.impact_p90 for r in register.risks] * impact_factor,
            "impact_mean": impact,
            "expected_loss": events * impact,
        },
        index=pd.Index(register.ids, name="id"),
    )


def expected_loss(register: Register, program: Program | None = None, *, catalogue: Catalogue | None = None) -> float:
    """Exact expected annual loss: the sum over risks of events a year x mean impact (no sampling)."""
    return float(effective(register, program, catalogue=catalogue)["expected_loss"].sum())


def rank_risks(
    register: Register, program: Program | None = None, *, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """Risks sorted by exact expected annual loss, largest first, with a 1-based `rank` column."""
    table = effective(register, program, catalogue=catalogue)
    table = table.sort_values("expected_loss", ascending=False, kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


@dataclass(frozen=True)
class Comparison:
    """Annual loss without the program (the status quo) and with it, simulated on the same random draws."""

    baseline: LossDistribution
    program: LossDistribution

    def table(self) -> pd.DataFrame:
        """Rows expected, p90, p99; columns without, with, reduction."""
        without = pd.Series(self.baseline.summary())
        with_ = pd.Series(self.program.summary())
        return pd.DataFrame({"without": without, "with": with_, "reduction": without - with_})

    def reduction(self) -> dict[str, float]:
        return self.table()["reduction"].to_dict()

    def exceedance(self, points: int = 100) -> pd.DataFrame:
        """Both loss-exceedance curves on one probability grid: columns probability, without, with."""
        without = self.baseline.exceedance(points)
        return without.rename(columns={"loss": "without"}).assign(**{"with": self.program.exceedance(points)["loss"]})


def compare(
    register: Register,
    program: Program,
    *,
    catalogue: Catalogue | None = None,
    trials: int = 100_000,
    seed: int = 0,
) -> Comparison:
    """Simulate the status quo and the program with common random numbers."""
    baseline, with_program = simulate(register, [Program(), program], catalogue=catalogue, trials=trials, seed=seed)
    return Comparison(baseline, with_program)


def expected_loss_reduction(
    register: Register,
    program: Program,
    *,
    catalogue: Catalogue | None = None,
    trials: int | None = 100_000,
    seed: int = 0,
) -> float:
    """The program's annual risk benefit in currency units: expected loss without minus with it.
    Monte Carlo with common random numbers; `trials=None` gives the exact closed-form value instead."""
    if trials is None:
        return expected_loss(register, catalogue=catalogue) - expected_loss(register, program, catalogue=catalogue)
    return compare(register, program, catalogue=catalogue, trials=trials, seed=seed).reduction()["expected"]
