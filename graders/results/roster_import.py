"""`smtk roster import`: the LMS course's members (LTI Names and Role Provisioning) written as the kit's roster CSV.

The LMS knows who is in the course, their name, e-mail and LIS role; the kit's roster also needs a sign-in name, the
tracks, the business unit and the region. An existing roster is merged, never overwritten: a member already on it
(matched by e-mail, as the hub's LTI launch matches people) keeps their sign-in name, tracks, unit, region and role;
a new member gets a sign-in name made from their e-mail address and the tracks given on the command line; people on
the roster whom the LMS no longer lists stay, so nobody's work or certificate is orphaned. The file is written whole
or not at all.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from graders.course.roster import COLUMNS, Person, read_roster
from graders.results.lti_services import (
    LmsError,
    Member,
    course_members,
    lms_services,
    service_connector,
    service_session,
)

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership"
# LIS context roles (LTI 1.3 core, appendix A.2.3) the kit maps: `<LIS>#Instructor`; a sub-role
# (`<LIS>/Instructor#TeachingAssistant`) counts as its principal role. Mentors and others have no place on the
# roster and are reported, not added.
ROLE_OF = {"Learner": "learner", "Instructor": "trainer", "ContentDeveloper": "trainer", "Administrator": "trainer"}


class RosterImportError(LmsError):
    """The import cannot write a roster: the LMS refused, or members need a track that was not given."""


@dataclass
class ImportReport:
    """What one import did to the roster."""

    roster: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # name or e-mail changed in the LMS
    kept: int = 0  # on the roster and in the LMS, unchanged
    not_in_lms: list[str] = field(default_factory=list)  # on the roster, not (or no longer active) in the LMS
    skipped: dict[str, str] = field(default_factory=dict)  # LMS user id -> why they are not on the roster

    def summary(self) -> str:
        lines = [
            f"{self.roster}: {len(self.added)} added, {len(self.updated)} updated, {self.kept} unchanged, "
            f"{len(self.not_in_lms)} kept though not active in the LMS course, {len(self.skipped)} not added."
        ]
        lines += [f"  added {name}" for name in self.added]
        lines += [f"  updated {name}" for name in self.updated]
        lines += [f"  not active in the LMS (kept): {name}" for name in self.not_in_lms]
        lines += [f"  not added: LMS user {who} ({why})" for who, why in sorted(self.skipped.items())]
        return "\n".join(lines)


def role_of(member: Member) -> str | None:
    """The roster role of an LMS member: trainer over learner when they hold both; None when neither."""
    principal = {r.removeprefix(LIS).lstrip("#/").split("#")[0] for r in member["roles"] if r.startswith(LIS)}
    principal |= {r for r in member["roles"] if r in ROLE_OF}  # simple names, which LTI 1.3 allows for context roles
    roles = {ROLE_OF[r] for r in principal if r in ROLE_OF}
    return "trainer" if "trainer" in roles else ("learner" if roles else None)


def sign_in_name(email: str, taken: set[str]) -> str:
    """A roster sign-in name from an e-mail address's local part (lowercase letters, digits, '.', '_', '-'),
    numbered when another person has it."""
    base = re.sub(r"[^a-z0-9._-]+", "-", email.split("@")[0].lower()).strip("-._")[:60] or "learner"
    if not base[0].isalnum():
        base = f"l{base}"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def merge(people: list[Person], members: list[Member], tracks: tuple[str, ...], report: ImportReport) -> list[Person]:
    """The roster after the import: existing rows first, in their order, then the new members in the LMS's order."""
    by_email = {p.email.strip().lower(): i for i, p in enumerate(people) if p.email}
    taken = {p.learner for p in people}
    merged, seen, new_without_track = list(people), set(), []
    for member in members:
        role = role_of(member)
        active = member["status"] == "Active"
        if not member["email"]:
            report.skipped[member["user_id"]] = "the LMS shares no e-mail address, which the hub signs people in by"
            continue
        if member["email"] in by_email:
            i = by_email[member["email"]]
            seen.add(i)
            if not active:
                continue
            before = merged[i]
            after = replace(before, name=member["name"] or before.name)
            merged[i] = after
            if after != before:
                report.updated.append(after.learner)
            else:
                report.kept += 1
            continue
        if not active:
            continue
        if role is None:
            report.skipped[member["user_id"]] = f"no roster role for LMS roles {', '.join(member['roles']) or 'none'}"
            continue
        name = sign_in_name(member["email"], taken)
        taken.add(name)
        person = Person(name, member["name"], member["email"], tracks if role == "learner" else (), role=role)
        if role == "learner" and not tracks:
            new_without_track.append(member["email"])
        merged.append(person)
        report.added.append(name)
    active_emails = {m["email"] for m in members if m["status"] == "Active"}
    report.not_in_lms = [p.learner for p in people if p.email and p.email.strip().lower() not in active_emails]
    if new_without_track:
        raise RosterImportError(
            f"{len(new_without_track)} new learner(s) need a track ({', '.join(new_without_track[:5])}"
            f"{', ...' if len(new_without_track) > 5 else ''}): give one with --tracks; the roster was not changed"
        )
    return merged


def roster_csv(people: list[Person]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in people:
        writer.writerow([p.learner, p.name, p.email, ";".join(p.tracks), p.business_unit, p.region, p.role])
    return out.getvalue()


def import_roster(
    org: str | Path, roster: str | Path, *, tracks: tuple[str, ...] = (), retries: int = 5, timeout: float = 30
) -> ImportReport:
    """Read the LMS course's members and write them into `roster` (merged with it when it exists)."""
    roster = Path(roster)
    profile, services = lms_services(org, "to read the LMS course's members", RosterImportError)
    unknown = [t for t in tracks if t not in profile.tracks]
    if unknown:
        known = ", ".join(profile.tracks)
        raise RosterImportError(f"--tracks: {', '.join(unknown)} not among {org}'s tracks ({known})")
    people = read_roster(roster, profile.tracks) if roster.exists() else []
    connector = service_connector(services, profile.lti.issuer, service_session(retries, 0.5, timeout))
    report = ImportReport(roster)
    try:
        members = course_members(connector, services)
    except LmsError as exc:
        raise RosterImportError(f"{exc}; the roster was not changed") from None
    merged = merge(people, members, tracks, report)
    text = roster_csv(merged)
    roster.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=roster.parent, suffix=".csv", delete=False) as f:
        f.write(text)
    try:
        read_roster(f.name, profile.tracks)  # what is written reads back as a valid roster
        os.replace(f.name, roster)
    finally:
        Path(f.name).unlink(missing_ok=True)
    return report
