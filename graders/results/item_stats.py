"""Item statistics after a cohort (pure pandas): how hard each graded item is and whether it goes with its module.

Classical test theory, per graded item (a question widget's test cell, a code test, a written answer the trainer
graded): its difficulty is the mean share of its points that learners got; its discrimination is the point-biserial
correlation of the item's score with the rest of the module (the learner's module score without this item), which
is Pearson's correlation where the item is scored all or nothing. An item nearly everyone gets right or nearly no one
does tells the trainer little; an item whose score does not go with the rest of the module may be misleading or
keyed wrong. Only final submissions count (none of the module's items still waiting for the trainer), so a written
answer not graded yet does not read as a wrong one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

EASY = 0.95  # difficulty at or above: nearly everyone right
HARD = 0.05  # difficulty at or below: nearly no one right
LOW_DISCRIMINATION = 0.2  # point-biserial below: the item's score does not go with the rest of the module
FLAG_EASY = "nearly everyone right"
FLAG_HARD = "nearly no one right"
FLAG_LOW = "does not go with the rest of the module"
# How the apps head the two figures, so that a reader knows what each one is.
HEADERS = {"difficulty": "difficulty (mean share of points)", "discrimination": "discrimination (point-biserial)"}
COLUMNS = ["module", "notebook", "item", "widget", "points", "learners", "difficulty", "discrimination", "flags"]


def point_biserial(item: pd.Series, rest: pd.Series) -> float:
    """Pearson's correlation of an item's scores with the rest scores; NaN with fewer than 3 learners or when either
    does not vary (everyone scored the same: nothing to correlate)."""
    x, y = item.to_numpy(dtype=float), rest.to_numpy(dtype=float)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return math.nan
    return float(np.corrcoef(x, y)[0, 1])


def flags(difficulty: float, discrimination: float) -> list[str]:
    """What a trainer should look at in an item: too easy, too hard, or not going with its module."""
    found = []
    if difficulty >= EASY:
        found.append(FLAG_EASY)
    if difficulty <= HARD:
        found.append(FLAG_HARD)
    if not math.isnan(discrimination) and discrimination < LOW_DISCRIMINATION:
        found.append(FLAG_LOW)
    return found


def item_statistics(items: pd.DataFrame) -> pd.DataFrame:
    """One row per graded item of each module from the item table (`graders.results.gradebook.item_scores`): module,
    notebook, item, widget, points, learners, difficulty, discrimination and flags ("; "-joined), sorted by module,
    notebook and item."""
    if items.empty:
        return pd.DataFrame(columns=COLUMNS)
    waiting = items.groupby(["module", "learner"])["needs_manual_grade"].transform("any").astype(bool)
    final = items[~waiting]
    rows = []
    for module, group in final.groupby("module", sort=True):
        scores = group.pivot_table(index="learner", columns=["notebook", "item"], values="score", aggfunc="sum")
        points = group.groupby(["notebook", "item"])["max_score"].max()
        widgets = group.groupby(["notebook", "item"])["widget"].first()
        totals = scores.sum(axis=1)
        for (notebook, item), column in scores.items():
            taken = column.notna()
            mine, rest = column[taken], (totals - column)[taken]
            most = points[(notebook, item)]
            difficulty = float((mine / most).mean()) if most > 0 else math.nan
            discrimination = point_biserial(mine, rest)
            rows.append(
                {
                    "module": module,
                    "notebook": notebook,
                    "item": item,
                    "widget": widgets[(notebook, item)],
                    "points": float(most),
                    "learners": int(taken.sum()),
                    "difficulty": round(difficulty, 3),
                    "discrimination": round(discrimination, 3),
                    "flags": "; ".join(flags(difficulty, discrimination)),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)
