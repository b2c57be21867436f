"""Risk-framing engine: a risk register, controls (training coverage, policy, CoE triage, open or sanitised style),
Monte Carlo annual loss with and without the program, and helpers for the learner modules. Pure and seeded."""

from simulations.risk.budget import METRICS, BudgetChoice, best_controls_under_budget
from simulations.risk.controls import (
    DEFAULT_CONTROLS,
    STYLES,
    Candidate,
    Catalogue,
    Control,
    Effect,
    Program,
    Training,
    candidate_controls,
    default_catalogue,
    factors,
    load_controls,
    program_cost,
)
from simulations.risk.losses import (
    Comparison,
    compare,
    effective,
    expected_loss,
    expected_loss_reduction,
    rank_risks,
)
from simulations.risk.montecarlo import LossDistribution, simulate, simulate_factors
from simulations.risk.register import (
    AUDIENCES,
    DEFAULT_REGISTER,
    Register,
    Risk,
    load_register,
    make_risk,
    scale_register,
)
from simulations.risk.scoring import brier_score

__all__ = [
    "AUDIENCES",
    "DEFAULT_CONTROLS",
    "DEFAULT_REGISTER",
    "METRICS",
    "STYLES",
    "BudgetChoice",
    "Candidate",
    "Catalogue",
    "Comparison",
    "Control",
    "Effect",
    "LossDistribution",
    "Program",
    "Register",
    "Risk",
    "Training",
    "best_controls_under_budget",
    "brier_score",
    "candidate_controls",
    "compare",
    "default_catalogue",
    "effective",
    "expected_loss",
    "expected_loss_reduction",
    "factors",
    "load_controls",
    "load_register",
    "make_risk",
    "program_cost",
    "rank_risks",
    "scale_register",
    "simulate",
    "simulate_factors",
]
