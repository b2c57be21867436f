"""The roster (CSV): who takes the course, on which tracks, in which role; one file for the hub and certification.

Columns: learner (the sign-in name), name, email, tracks (one or more track ids, separated by spaces or ';'),
business_unit, region, role (learner, trainer or executive; learner when blank). Only `learner` is required, so a
roster written for certification alone (learner, name, email, business_unit, region) still reads; the hub needs a
track for every learner. Every problem of the file is reported at once, naming its row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from simulations.common.audiences import AUDIENCES, ROSTER_ROLES
from simulations.common.tabular import read_csv

ROSTER = "roster.csv"
COLUMNS = ("learner", "name", "email", "tracks", "business_unit", "region", "role")
Role = Literal["learner", "trainer", "executive"]
ROLES: tuple[Role, ...] = ROSTER_ROLES  # type: ignore[assignment]  # the same three, as a Literal
# A name JupyterHub keeps as it is (it lowercases names) and that is safe in a URL, a folder and a group name.
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Person:
    """One row of the roster."""

    learner: str
    name: str = ""
    email: str = ""
    tracks: tuple[str, ...] = ()
    business_unit: str = ""
    region: str = ""
    role: Role = "learner"


def read_roster(path: str | Path, tracks: tuple[str, ...] = AUDIENCES, need_tracks: bool = False) -> list[Person]:
    """The roster's people, validated against the course's `tracks`; `need_tracks`: every learner must have one."""
    records, problems = read_csv(Path(path), None, ["learner"], COLUMNS[1:])
    people, seen = [], set()
    for record in records:
        learner = record.text("learner") or ""
        if learner and not _NAME.match(learner):
            problems.add(
                record.where("learner"),
                f"expected a sign-in name of lowercase letters, digits, '.', '_' or '-', got {learner!r}",
            )
        if learner in seen:
            problems.add(record.where("learner"), f"learner {learner!r} is listed twice")
        seen.add(learner)
        email = record.text("email", default="") or ""
        if email and "@" not in email:
            problems.add(record.where("email"), f"expected an email address, got {email!r}")
        role = record.choice("role", ROLES, default="learner") or "learner"
        listed = tuple(t for t in re.split(r"[;\s]+", record.text("tracks", default="") or "") if t)
        unknown = [t for t in listed if t not in tracks]
        if unknown:
            problems.add(record.where("tracks"), f"expected tracks among {', '.join(tracks)}, got {', '.join(unknown)}")
        if need_tracks and role == "learner" and not listed:
            problems.add(record.where("tracks"), "expected at least one track for a learner, got nothing (empty)")
        people.append(
            Person(
                learner=learner,
                name=record.text("name", default="") or "",
                email=email,
                tracks=listed,
                business_unit=record.text("business_unit", default="") or "",
                region=record.text("region", default="") or "",
                role=role,
            )
        )
    problems.raise_if_any()
    return people
