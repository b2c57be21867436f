"""The likelihood x impact heat map: bands on both axes, where the model puts each risk, and how well a learner's
placements match it (the mean squared gap between the probabilities the likelihood bands stand for and the
register's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulations.risk.register import Register
from simulations.risk.scoring import squared_gap


@dataclass(frozen=True)
class Band:
    """One row or column of the heat map: values in [low, high), and the single value a placement there stands for."""

    label: str
    low: float
    high: float
    point: float


@dataclass(frozen=True)
class HeatMapScale:
    """Likelihood bands (annual probability of at least one event) and impact bands (mean cost of one event),
    each ordered from the lowest to the highest."""

    likelihood: tuple[Band, ...]
    impact: tuple[Band, ...]

    def band(self, axis: str, value: float) -> int:
        """Index of the band of `axis` ("likelihood" or "impact") that holds `value`."""
        bands = self._axis(axis)
        edges = [b.high for b in bands[:-1]]
        return int(np.searchsorted(edges, value, side="right"))

    def index(self, axis: str, band: str | int) -> int:
        """A band given by label or index, checked; ValueError names the axis and the bands it has."""
        bands = self._axis(axis)
        labels = [b.label for b in bands]
        if isinstance(band, str) and band in labels:
            return labels.index(band)
        if isinstance(band, int | np.integer) and not isinstance(band, bool) and 0 <= band < len(bands):
            return int(band)
        raise ValueError(f"unknown {axis} band {band!r}; expected one of {', '.join(labels)} (or 0..{len(bands) - 1})")

    def _axis(self, axis: str) -> tuple[Band, ...]:
        if axis == "likelihood":
            return self.likelihood
        if axis == "impact":
            return self.impact
        raise ValueError(f"axis must be 'likelihood' or 'impact', got {axis!r}")


# Likelihood bands as risk matrices commonly word them; each placement stands for the probability `point` (about the
# middle of the band on a log scale), which is what the mean squared gap compares with the register.
# Impact bands (mean cost of one event, counting the rare expensive ones; USD) are set so the reference register
# spreads over all five columns with no risk close to an edge.
DEFAULT_SCALE = HeatMapScale(
    likelihood=(
        Band("rare", 0.0, 0.05, 0.03),
        Band("unlikely", 0.05, 0.15, 0.09),
        Band("possible", 0.15, 0.30, 0.21),
        Band("likely", 0.30, 0.55, 0.41),
        Band("almost certain", 0.55, 1.0, 0.70),
    ),
    impact=(
        Band("minor", 0.0, 75_000.0, 40_000.0),
        Band("moderate", 75_000.0, 250_000.0, 140_000.0),
        Band("major", 250_000.0, 450_000.0, 340_000.0),
        Band("severe", 450_000.0, 1_000_000.0, 670_000.0),
        Band("critical", 1_000_000.0, float("inf"), 2_000_000.0),
    ),
)

Placements = Mapping[str, tuple[str | int, str | int]]


def model_view(register: Register, scale: HeatMapScale = DEFAULT_SCALE) -> pd.DataFrame:
    """Where the model puts each risk: its likelihood and mean impact, and the band index of each (by risk id)."""
    likelihood = np.array([r.likelihood for r in register.risks])
    return pd.DataFrame(
        {
            "title": [r.title for r in register.risks],
            "likelihood": likelihood,
            "impact_mean": register.impact_mean,
            "likelihood_band": [scale.band("likelihood", p) for p in likelihood],
            "impact_band": [scale.band("impact", m) for m in register.impact_mean],
        },
        index=pd.Index(register.ids, name="id"),
    )


@dataclass(frozen=True)
class Calibration:
    """How a learner's placements compare with the model: the mean squared gap between their probabilities and the
    register's (0 is perfect; not a Brier score, which compares forecasts with outcomes), the score of a learner who
    knew only the average likelihood (the reference to beat), and a row per risk."""

    gap: float
    reference: float
    table: pd.DataFrame

    @property
    def skill(self) -> float:
        """1 - gap / reference: above 0 beats knowing only the average, 1 is perfect."""
        return 1.0 - self.gap / self.reference if self.reference > 0 else float(self.gap == 0)


def calibration(placements: Placements, register: Register, scale: HeatMapScale = DEFAULT_SCALE) -> Calibration:
    """Score placements {risk id: (likelihood band, impact band)} (labels or indices) against the model's view."""
    if not placements:
        raise ValueError("no placements to score")
    view = model_view(register, scale)
    rows = []
    for risk_id, (likelihood, impact) in placements.items():
        register.index(risk_id)  # KeyError naming an unknown risk
        li, ii = scale.index("likelihood", likelihood), scale.index("impact", impact)
        model = view.loc[risk_id]
        rows.append(
            {
                "id": risk_id,
                "title": model["title"],
                "your_likelihood": scale.likelihood[li].label,
                "your_probability": scale.likelihood[li].point,
                "model_likelihood": scale.likelihood[int(model["likelihood_band"])].label,
                "model_probability": model["likelihood"],
                "your_impact": scale.impact[ii].label,
                "model_impact": scale.impact[int(model["impact_band"])].label,
                "likelihood_off": li - int(model["likelihood_band"]),
                "impact_off": ii - int(model["impact_band"]),
            }
        )
    table = pd.DataFrame(rows).set_index("id")
    gap = squared_gap(table["your_probability"].to_dict(), register)
    truth = table["model_probability"].to_numpy()
    reference = float(np.mean((truth - truth.mean()) ** 2))
    return Calibration(gap, reference, table)
