"""A cmi5 launch of a module (the assignable unit, AU, of `smtk package cmi5`): the kit's side of one AU session.

The LMS opens the AU's url with the launch parameters of cmi5 section 8.1 (endpoint, fetch, actor, registration,
activityId) after recording "launched" itself. The kit then, as the AU: POSTs to the fetch URL once for the session's
auth token; GETs the LMS.LaunchData state document (context template, launch mode, masteryScore, moveOn); and sends,
through the kit's xAPI client (graders.results.xapi), initialized, then what the gradebook holds for the learner's
module (completed once the work is handed in and graded; passed or failed at the masteryScore once no answer waits
for the trainer), then terminated. Each statement's context is the LMS's template with the registration, the cmi5
category, and the moveOn category on completed, passed and failed. Browse and Review launches send only initialized
and terminated. What was accepted per registration and AU is journaled in the course root (JOURNAL), so a later
session sends no second completed or passed, nor failed after passed, as cmi5 requires within a registration.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from graders.course.certification import load_rules
from graders.results import xapi
from graders.results.gradebook import module_scores

PARAMETERS = ("endpoint", "fetch", "actor", "registration", "activityId")
LAUNCH_DATA = "LMS.LaunchData"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
JOURNAL = "lms-cmi5.jsonl"


class Cmi5Error(xapi.LRSError):
    """The launch cannot go on: a launch parameter is missing or wrong, or the LMS refused the token or launch data."""


class Cmi5Refused(Cmi5Error):
    """The launch names a record store or fetch URL outside the LMS addresses the profile lists: nothing is sent."""


@dataclass(frozen=True)
class Launch:
    """The launch parameters of cmi5 section 8.1, checked."""

    endpoint: str
    fetch: str
    actor: dict
    registration: str
    activity_id: str


@dataclass(frozen=True)
class Grade:
    """What the gradebook holds for one learner's module: score, maximum, and whether an answer waits for grading."""

    score: float
    maximum: float
    pending: bool


@dataclass
class Session:
    """What one AU session sent: the verbs in order, the xAPI version, and the LMS's ids and return address."""

    registration: str
    session_id: str
    verbs: list[str] = field(default_factory=list)
    version: str = ""
    return_url: str = ""


def parse_launch(query: Mapping[str, str]) -> Launch:
    """The launch parameters from the AU url's query (any order); a missing or malformed one is named."""
    missing = [name for name in PARAMETERS if not query.get(name)]
    if missing:
        raise Cmi5Error(f"cmi5 launch: the LMS's launch url has no {', '.join(missing)} (cmi5 section 8.1)")
    for name in ("endpoint", "fetch"):
        parts = urlsplit(query[name])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Cmi5Error(f"cmi5 launch: {name} is not an http(s) URL: {query[name]!r}")
    try:
        actor = json.loads(query["actor"])
    except ValueError:
        raise Cmi5Error(f"cmi5 launch: actor is not JSON: {query['actor'][:200]!r}") from None
    account = actor.get("account") if isinstance(actor, dict) else None
    if actor.get("objectType", "Agent") != "Agent" or not isinstance(account, dict) or not account.get("name"):
        raise Cmi5Error("cmi5 launch: actor is not an Agent with an account (cmi5 section 9.2)")
    try:
        registration = str(uuid.UUID(query["registration"]))
    except ValueError:
        raise Cmi5Error(f"cmi5 launch: registration is not a UUID: {query['registration']!r}") from None
    return Launch(query["endpoint"], query["fetch"], actor, registration, query["activityId"])


def within(url: str, bases: Sequence[str]) -> bool:
    """Whether `url` is under one of `bases`: the same scheme and host (and port), and its path below theirs."""
    parts = urlsplit(url)
    for base in bases:
        allowed = urlsplit(base)
        prefix = allowed.path.rstrip("/") + "/"
        if (parts.scheme, parts.netloc.lower()) == (allowed.scheme, allowed.netloc.lower()) and (
            parts.path + "/"
        ).startswith(prefix):
            return True
    return False


def fetch_token(launch: Launch, timeout: float = 30) -> str:
    """The session's auth token: one POST to the fetch URL (cmi5 section 8.2); an error the LMS returns is named."""
    request = urllib.request.Request(launch.fetch, data=b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise Cmi5Error(f"cmi5 launch: the LMS's fetch URL answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise Cmi5Error(f"cmi5 launch: the LMS's fetch URL could not be reached ({exc})") from None
    except ValueError:
        raise Cmi5Error("cmi5 launch: the LMS's fetch URL did not answer JSON") from None
    if isinstance(answer, dict) and answer.get("auth-token"):
        return str(answer["auth-token"])
    if isinstance(answer, dict) and "error-code" in answer:
        raise Cmi5Error(
            f"cmi5 launch: the LMS gave no auth token: error {answer['error-code']} ({answer.get('error-text', '')}); "
            "launch the module from the LMS again"
        )
    raise Cmi5Error("cmi5 launch: the LMS's fetch URL answered neither auth-token nor error-code")


def _duration(seconds: float) -> str:
    return f"PT{max(seconds, 0):.2f}S"


def _context(template: dict, registration: str, move_on: bool, mastery: float | None) -> dict:
    """The LMS's context template, its values kept, with the registration and the cmi5 (and moveOn) categories."""
    context = copy.deepcopy(template)
    context["registration"] = registration
    activities = context.setdefault("contextActivities", {})
    category = activities.setdefault("category", [])
    if isinstance(category, dict):
        category = activities["category"] = [category]
    wanted = [CMI5_CATEGORY, *([MOVEON_CATEGORY] if move_on else [])]
    category += [{"objectType": "Activity", "id": c} for c in wanted if c not in {a.get("id") for a in category}]
    if mastery is not None:
        context.setdefault("extensions", {})[MASTERY_SCORE] = mastery
    return context


class Journal:
    """The cmi5 verbs the LMS accepted per registration and AU (completed, passed, failed), one JSON line each."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.sent: set[tuple[str, str, str]] = set()
        for line in path.read_text(encoding="utf-8").splitlines() if path and path.exists() else []:
            try:
                entry = json.loads(line)
                self.sent.add((entry["registration"], entry["activityId"], entry["verb"]))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash: that verb may go again, as if not sent

    def add(self, registration: str, activity: str, verbs: list[str]) -> None:
        self.sent.update((registration, activity, v) for v in verbs)
        if self.path is None or not verbs:
            return
        with self.path.open("a", encoding="utf-8") as f:
            for verb in verbs:
                f.write(json.dumps({"registration": registration, "activityId": activity, "verb": verb}) + "\n")
            f.flush()
            os.fsync(f.fileno())


def run_session(
    launch: Launch,
    grade: Grade | None,
    pass_mark: float,
    journal: Path | None = None,
    timeout: float = 30,
) -> Session:
    """One AU session for `launch`: fetch the token, read LMS.LaunchData, send the statements `grade` calls for.
    Without a masteryScore in the launch data, `pass_mark` (the kit's) decides passed or failed."""
    token = fetch_token(launch, timeout)
    version = xapi.lrs_version(launch.endpoint, timeout=timeout, token=token)
    params = {
        "activityId": launch.activity_id,
        "agent": json.dumps(launch.actor),
        "registration": launch.registration,
        "stateId": LAUNCH_DATA,
    }
    data = xapi.state(launch.endpoint, params, version, timeout=timeout, token=token)
    if not isinstance(data, dict) or not isinstance(data.get("contextTemplate"), dict):
        raise Cmi5Error(f"cmi5 launch: the LMS has no {LAUNCH_DATA} document with a contextTemplate for this launch")
    template = data["contextTemplate"]
    session = Session(launch.registration, str(template.get("extensions", {}).get(SESSION_ID, "")))
    session.version, session.return_url = version, str(data.get("returnURL") or "")
    mastery = data.get("masteryScore")
    mastery = float(mastery) if isinstance(mastery, int | float) and not isinstance(mastery, bool) else None
    book = Journal(journal)
    done = {v for r, a, v in book.sent if (r, a) == (launch.registration, launch.activity_id)}

    verbs: list[tuple[str, dict | None, bool]] = [("initialized", None, False)]  # verb, result, moveOn category
    if data.get("launchMode", "Normal") == "Normal" and grade is not None:
        if "completed" not in done:
            verbs.append(("completed", {"completion": True}, True))
        if not grade.pending and grade.maximum > 0 and "passed" not in done:
            scaled = round(grade.score / grade.maximum, 4)
            success = scaled >= (mastery if mastery is not None else pass_mark) - 1e-9
            score: dict = {"scaled": scaled}
            if float(grade.score).is_integer() and float(grade.maximum).is_integer():
                score.update(raw=int(grade.score), min=0, max=int(grade.maximum))
            verbs.append(("passed" if success else "failed", {"success": success, "score": score}, True))
    verbs.append(("terminated", None, False))

    activity = {"objectType": "Activity", "id": launch.activity_id}
    start = dt.datetime.now(dt.UTC)
    items = []
    for step, (verb, result, move_on) in enumerate(verbs):
        when = max(dt.datetime.now(dt.UTC), start + dt.timedelta(milliseconds=step))  # strictly in order
        if verb != "initialized":
            result = {**(result or {}), "duration": _duration((when - start).total_seconds())}
        judged = mastery if verb in ("passed", "failed") else None
        context = _context(template, launch.registration, move_on, judged)
        items.append(xapi.statement(launch.actor, verb, activity, context, when, result, version))
    xapi.send(launch.endpoint, items, timeout=timeout, token=token, version=version)
    session.verbs = verbs_sent = [verb for verb, _, _ in verbs]
    book.add(launch.registration, launch.activity_id, [v for v in verbs_sent if v in ("completed", "passed", "failed")])
    return session


def module_grade(root: Path, learner: str, module: str) -> Grade | None:
    """The learner's grade for the module from the course's gradebook (what grade passback sends); None if none."""
    scores = module_scores(root)
    rows = scores[(scores["learner"] == learner) & (scores["module"] == module)]
    if rows.empty:
        return None
    row = rows.iloc[-1]
    return Grade(float(row["score"]), float(row["max_score"]), bool(row["needs_manual_grade"]))


def launch_module(
    root: str | Path,
    learner: str,
    module: str,
    query: Mapping[str, str],
    lms_urls: Sequence[str],
    timeout: float = 30,
) -> Session:
    """The cmi5 session of a hub launch: `learner`'s grade for `module` in course root `root`, reported to the LMS
    named in the launch `query` when its endpoint and fetch URL are under `lms_urls` (the profile's cmi5.lms_urls),
    at the manifest's pass mark when the LMS gives no masteryScore."""
    root = Path(root)
    launch = parse_launch(query)
    outside = [name for name in ("endpoint", "fetch") if not within(getattr(launch, name), lms_urls)]
    if outside:
        listed = ", ".join(lms_urls) or "none: the profile has no cmi5.lms_urls"
        raise Cmi5Refused(
            f"cmi5 launch: the {' and '.join(outside)} URL is not under the LMS addresses of the profile's "
            f"cmi5.lms_urls ({listed}); launch the module from the company's LMS"
        )
    grade = module_grade(root, learner, module)
    return run_session(launch, grade, load_rules(root / "course.yml").pass_mark, root / JOURNAL, timeout)
