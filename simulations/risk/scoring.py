"""Scoring a learner's risk placements: how well their probability guesses match the register."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from simulations.risk.register import Register


def squared_gap(guesses: Mapping[str, float], register: Register) -> float:
    """Mean squared gap between a learner's annual-probability guesses and the register's likelihoods, over the
    risks guessed (0 is perfect, 1 the worst possible). Not a Brier score, which compares forecasts with outcomes:
    here both sides are probabilities."""
    if not guesses:
        raise ValueError("no guesses to score")
    truth = []
    for risk_id, guess in guesses.items():
        if not 0.0 <= guess <= 1.0:
            raise ValueError(f"guess for {risk_id} must be a probability between 0 and 1, got {guess}")
        truth.append(register.risks[register.index(risk_id)].likelihood)
    return float(np.mean((np.array(list(guesses.values()), dtype=float) - np.array(truth)) ** 2))
