"""Grade passback to the company's LMS: each learner's score per module, posted to the course's LTI 1.3 Assignment
and Grade Services (AGS) line items, one per module, created on first use with the module's points as maximum.

pylti1p3 does the LTI work: the access token (OAuth 2 client credentials, authenticated by a JWT assertion it signs
with the tool's private key), finding and creating line items, posting scores with AGS's media type, and reading the
course's members (Names and Role Provisioning, NRPS), which give each learner's LMS user id by e-mail address, as
the hub's launch maps a person by e-mail. urllib3's Retry retries what failed on the way (5xx, 429, lost
connections) with exponential backoff.

What was posted is journaled, one JSON line per line item created or score accepted, in the course root (JOURNAL):
a rerun posts only scores that changed since, and a run that stopped half-way goes on where it stopped. The
gradebook is only read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from graders.course.manifest import load_manifest
from graders.results.gradebook import learners, module_scores
from graders.results.lti_services import (
    LmsError,
    course_members,
    lms_services,
    refusal,
    service_connector,
    service_session,
)
from simulations.profile.org import LtiServices

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPES = [AGS + "lineitem", AGS + "score"]  # find and create line items, post scores
JOURNAL = "lms-passback.jsonl"


class PassbackError(LmsError):
    """Passback cannot start: no LMS services in the profile, or the LMS refused the kit's access token or members."""


class Sent(TypedDict):
    """A score the LMS accepted, as journaled: what would make it worth sending again if it changed."""

    user_id: str
    score: float
    maximum: float
    progress: str


@dataclass
class Failure:
    """A score that could not be posted (after the retries), and why."""

    learner: str
    module: str
    reason: str


@dataclass
class PassbackReport:
    """What one passback did: scores sent and unchanged, line items created, who the LMS does not know, failures."""

    lms: str
    sent: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    created: list[str] = field(default_factory=list)
    not_in_lms: dict[str, str] = field(default_factory=dict)  # learner -> why no LMS user matches
    failed: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        lines = [
            f"{len(self.sent)} score(s) sent to {self.lms}, {self.unchanged} unchanged since the last passback, "
            f"{len(self.created)} line item(s) created, {len(self.failed)} failed."
        ]
        lines += [f"  not in the LMS course: {who} ({why})" for who, why in sorted(self.not_in_lms.items())]
        lines += [f"  FAILED {f.learner} {f.module}: {f.reason}" for f in self.failed]
        if self.failed:
            lines.append("Run it again to retry what failed: what was sent is not sent twice.")
        return "\n".join(lines)


class Journal:
    """The passback journal of a course root for one LMS course (its line items address): line items and scores
    sent, read back on the next run; each entry is flushed to disk as soon as the LMS accepts it."""

    def __init__(self, root: Path, lms: str) -> None:
        self.path, self.lms = root / JOURNAL, lms
        self.lineitems: dict[str, str] = {}
        self.sent: dict[tuple[str, str], Sent] = {}
        lines = self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []
        for number, line in enumerate(lines, 1):
            try:
                entry = json.loads(line)
            except ValueError:
                if number == len(lines):  # the last line, cut short by a crash: its score is sent again
                    continue
                problem = f"{self.path}: line {number}: not JSON; move the file away to send every score again"
                raise PassbackError(problem) from None
            if entry.get("lms") != lms:
                continue
            if "lineitem" in entry:
                self.lineitems[entry["module"]] = entry["lineitem"]
            else:
                self.sent[(entry["module"], entry["learner"])] = entry["sent"]

    def _append(self, entry: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"lms": self.lms, **entry}, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def lineitem(self, module: str, url: str) -> None:
        self.lineitems[module] = url
        self._append({"module": module, "lineitem": url})

    def score(self, module: str, learner: str, sent: Sent) -> None:
        self.sent[(module, learner)] = sent
        self._append({"module": module, "learner": learner, "sent": sent})


def passback(
    org: str | Path, course: str | Path, *, retries: int = 5, backoff: float = 0.5, timeout: float = 30
) -> PassbackReport:
    """Post every graded learner's module scores of `course` to the LMS of `org`'s profile (`lti.services`)."""
    root = Path(course)
    profile, services = lms_services(org, "for grade passback", PassbackError)
    manifest = load_manifest(root / "course.yml", root / "source")
    scores = module_scores(root)
    emails = {row.learner: str(row.email).strip().lower() for row in learners(root).itertuples(index=False)}
    connector = service_connector(services, profile.lti.issuer, service_session(retries, backoff, timeout))
    ags = AssignmentsGradesService(connector, {"scope": SCOPES, "lineitems": services.lineitems_url})
    journal = Journal(root, services.lineitems_url)
    report = PassbackReport(services.lineitems_url)
    users: dict[str, str] | None = None  # e-mail -> LMS user id, read from the LMS only when a score is due

    for module_id, rows in scores.groupby("module", sort=True):
        module = manifest.module(module_id) if module_id in {m.id for m in manifest.modules} else None
        for row in rows.itertuples(index=False):
            progress = "PendingManual" if row.needs_manual_grade else "FullyGraded"
            before = journal.sent.get((module_id, row.learner))
            if before and (before["score"], before["maximum"], before["progress"]) == (
                row.score,
                row.max_score,
                progress,
            ):
                report.unchanged += 1
                continue
            if users is None:
                users = _start(connector, services)
            email = emails.get(row.learner, "")
            user_id = users.get(email) if email else None
            if user_id is None:
                report.not_in_lms[row.learner] = (
                    f"no LMS member with e-mail {email}" if email else "no e-mail address in the roster or gradebook"
                )
                continue
            try:
                url = journal.lineitems.get(module_id) or _lineitem(ags, journal, report, module_id, module, row)
                grade = (
                    Grade()
                    .set_user_id(user_id)
                    .set_score_given(row.score)
                    .set_score_maximum(row.max_score)
                    .set_activity_progress("Completed")
                    .set_grading_progress(progress)
                    .set_timestamp(dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"))
                )
                ags.put_grade(grade, LineItem({"id": url}))
            except LtiServiceException as exc:
                report.failed.append(Failure(row.learner, module_id, refusal(exc)))
                continue
            except (LtiException, requests.RequestException) as exc:
                report.failed.append(Failure(row.learner, module_id, str(exc)))
                continue
            journal.score(
                module_id, row.learner, Sent(user_id=user_id, score=row.score, maximum=row.max_score, progress=progress)
            )
            report.sent.append((row.learner, module_id))
    return report


def _lineitem(ags: AssignmentsGradesService, journal: Journal, report: PassbackReport, module_id, module, row) -> str:
    """The module's line item: found by its tag (the module id) or created with the module's points as maximum."""
    points = module.points if module else row.max_score
    wanted = LineItem().set_tag(module_id).set_resource_id(module_id).set_label(module.title if module else module_id)
    wanted.set_score_maximum(points)
    found = ags.find_lineitem_by_tag(module_id)
    item = found or ags.find_or_create_lineitem(wanted)
    if found is None:
        report.created.append(module_id)
    url = item.get_id()
    if not url:
        raise LtiException(f"the LMS gave no id for the line item of {module_id}")
    journal.lineitem(module_id, url)
    return url


def _start(connector: ServiceConnector, services: LtiServices) -> dict[str, str]:
    """Get the access token for line items and scores (a refusal stops the run: no score could pass) and the LMS
    course's active members: e-mail address (lower case) to LMS user id (`sub`)."""
    try:
        connector.get_access_token(SCOPES)
    except LtiServiceException as exc:
        raise PassbackError(f"the LMS refused the kit an access token for grades: {refusal(exc)}") from None
    except requests.RequestException as exc:
        raise PassbackError(f"the LMS could not be reached at {services.token_url}: {exc}") from None
    try:
        members = course_members(connector, services)
    except LmsError as exc:
        raise PassbackError(str(exc)) from None
    return {m["email"]: m["user_id"] for m in members if m["email"] and m["status"] == "Active"}
