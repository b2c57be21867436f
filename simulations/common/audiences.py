"""The five audiences a corporate social-media program trains (docs/domain.md#the-five-audiences), shared by the ROI
and peer engines."""

from __future__ import annotations

AUDIENCES: tuple[str, ...] = ("executives", "coe", "business-units", "employees", "partners")

# The roles a person has on a course's roster: who works modules, who grades them, who reads the executive apps.
ROSTER_ROLES: tuple[str, ...] = ("learner", "trainer", "executive")

AUDIENCE_LABELS: dict[str, str] = {
    "executives": "Executives",
    "coe": "Center of Excellence",
    "business-units": "Business units",
    "employees": "Employees",
    "partners": "Partners",
}


def coverage_column(audience: str) -> str:
    """The peer-data column holding the share of `audience` trained, e.g. business-units -> coverage_business_units."""
    return "coverage_" + audience.replace("-", "_")
