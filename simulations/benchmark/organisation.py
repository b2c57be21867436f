"""An organisation profile (the `ORG` parameters) as the benchmark's profile: industry, headcount and measures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulations.benchmark.peers import FLAGS
from simulations.common.audiences import AUDIENCES, coverage_column

INTERNAL = ("executives", "coe", "business-units", "employees")  # partners work for other companies


def org_profile(org: Mapping[str, Any]) -> dict[str, Any]:
    """Industry, employees (every internal audience) and today's program measures; raises ValueError without them."""
    program = org.get("current_program")
    if not program:
        raise ValueError(
            f"the profile of {org.get('name', 'this organisation')} has no current_program section: add one "
            "(see courses/orgs/demo.yaml) so the benchmark knows where the program stands today"
        )
    profile: dict[str, Any] = {
        "industry": org["industry"],
        "employees": max(sum(org["audiences"][a]["headcount"] for a in INTERNAL if a in org["audiences"]), 1),
        "training_spend_per_employee": program["training_spend_per_employee"],
        "crises_per_year": program["crises_per_year"],
    }
    profile.update({coverage_column(a): program["coverage"][a] for a in AUDIENCES})
    profile.update({flag: program[flag] for flag in FLAGS})
    return profile
