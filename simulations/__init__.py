"""smtk simulations: pure, seeded engines (triage, risk, ROI, benchmarking) and their thin widget front-ends in `ui`."""

from simulations import _moved

__version__ = "0.1.0"

_moved.install()
