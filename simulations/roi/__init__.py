"""ROI engine: Phillips ROI Methodology with fully loaded costs, Monte Carlo uncertainty, tornado, CSV import.

Pure functions and dataclasses over numpy; no widgets. Typical use:
    program = default_program(headcount, wages, risk_reduction=80_000)
    result = evaluate(program)                       # ROI %, BCR, payback months, costs by line and category
    band = monte_carlo(program, default_ranges(program), n=10_000, seed=1)
    bars = tornado(program, default_ranges(program)).bars
"""

from simulations.roi.csvio import COLUMNS, OPTIONAL_COLUMNS, program_to_csv, read_costs_benefits_csv
from simulations.roi.defaults import (
    DEFAULT_FORMATS,
    Assumptions,
    DeliveryFormat,
    FormatCost,
    default_program,
    format_costs,
)
from simulations.roi.model import (
    BENEFIT_KINDS,
    COST_CATEGORIES,
    Benefit,
    CostLine,
    Program,
    RoiResult,
    evaluate,
)
from simulations.roi.uncertainty import (
    MonteCarlo,
    Range,
    Tornado,
    TornadoBar,
    at_likely,
    default_ranges,
    monte_carlo,
    tornado,
)

__all__ = [
    "BENEFIT_KINDS",
    "COLUMNS",
    "COST_CATEGORIES",
    "DEFAULT_FORMATS",
    "OPTIONAL_COLUMNS",
    "Assumptions",
    "Benefit",
    "CostLine",
    "DeliveryFormat",
    "FormatCost",
    "MonteCarlo",
    "Program",
    "Range",
    "RoiResult",
    "Tornado",
    "TornadoBar",
    "at_likely",
    "default_program",
    "default_ranges",
    "evaluate",
    "format_costs",
    "monte_carlo",
    "program_to_csv",
    "read_costs_benefits_csv",
    "tornado",
]
