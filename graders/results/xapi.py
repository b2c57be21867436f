"""xAPI statements of module results, for the company's learning record store (LRS): xAPI 2.0 (IEEE 9274.1.1-2023)
and 1.0.3, the same statements in either.

Per graded module: attempted, scored (result.score.scaled), completed, and passed or failed. Statement ids are
derived from their content but not from the version, so exporting twice, or once in each version, sends the same
statements and an LRS keeps one copy. Sending asks the LRS's /about which versions it speaks and uses 2.0.0 when it
can, 1.0.3 otherwise. Both versions take these statements as they are: timestamps in UTC with their offset (which
2.0 requires), context activities as arrays; only the version property and header differ.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from graders.course.manifest import Manifest

VERSION = "1.0.3"
VERSION_2 = "2.0.0"
VERBS = {
    name: {"id": f"http://adlnet.gov/expapi/verbs/{name}", "display": {"en-US": name}}
    for name in ("attempted", "scored", "completed", "passed", "failed", "initialized", "terminated")
}
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
SIMULATION_TYPE = "http://adlnet.gov/expapi/activities/simulation"
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
_NAMESPACE = uuid.UUID("0b5a1f0e-8f0a-4c55-a0f4-51c1e2a9d3c7")


def actor(learner: str, email: str, home_page: str, by: str = "account") -> dict:
    """The learner as an xAPI Agent: an account on the course's home page, or a hashed mailbox (mbox_sha1sum)."""
    if by == "mbox" and email:
        return {
            "objectType": "Agent",
            "mbox_sha1sum": hashlib.sha1(f"mailto:{email.strip().lower()}".encode()).hexdigest(),
        }
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": learner}}


def _timestamp(value) -> str:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(dt.UTC)
    return stamp.tz_convert(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def statements(
    scores: pd.DataFrame,
    learners: pd.DataFrame,
    manifest: Manifest,
    home_page: str,
    pass_mark: float,
    by: str = "account",
    version: str = VERSION,
) -> list[dict]:
    """The statements for every graded submission in `scores` (see graders.results.gradebook.module_scores), in
    xAPI `version` (VERSION or VERSION_2)."""
    emails = dict(zip(learners["learner"], learners["email"], strict=True)) if len(learners) else {}
    known = {m.id: m for m in manifest.modules}
    course_id = f"{home_page}/course"
    out = []
    for row in scores.itertuples(index=False):
        module = known.get(row.module)
        title = module.title if module else row.module
        agent = actor(row.learner, emails.get(row.learner, ""), home_page, by)
        activity = {
            "objectType": "Activity",
            "id": f"{home_page}/modules/{row.module}",
            "definition": {"name": {"en-US": title}, "type": MODULE_TYPE},
        }
        context = {
            "contextActivities": {
                "parent": [{"objectType": "Activity", "id": course_id, "definition": {"type": COURSE_TYPE}}]
            }
        }
        if module:
            context["extensions"] = {f"{home_page}/extensions/track": module.track}
        scaled = round(row.score / row.max_score, 4) if row.max_score > 0 else 0.0
        final = not row.needs_manual_grade
        success = scaled >= pass_mark - 1e-9
        score = {"scaled": scaled, "raw": row.score, "min": 0.0, "max": row.max_score}
        verbs = [("attempted", None), ("scored", {"score": score, "completion": final})]
        if final:
            verbs += [
                ("completed", {"completion": True}),
                ("passed" if success else "failed", {"score": score, "success": success, "completion": True}),
            ]
        for verb, result in verbs:
            out.append(statement(agent, verb, activity, context, row.graded_at, result, version))
    return out


def statement(
    agent: dict, verb: str, activity: dict, context: dict, when, result: dict | None = None, version: str = VERSION
) -> dict:
    """One statement, its id derived from its content (not its version), so exporting twice sends the same one."""
    item = {"actor": agent, "verb": VERBS[verb], "object": activity, "context": context, "timestamp": _timestamp(when)}
    if result is not None:
        item["result"] = result
    item["id"] = str(uuid.uuid5(_NAMESPACE, json.dumps(item, sort_keys=True)))
    return {**item, "version": version}


def in_version(items: list[dict], version: str) -> list[dict]:
    """The same statements (same ids) declared in xAPI `version`."""
    return [{**item, "version": version} for item in items]


def write_jsonl(path: Path, items: Iterable[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
    return path


class LRSError(RuntimeError):
    """The learning record store refused the statements or could not be reached."""


def _base(url: str) -> str:
    return url.rstrip("/").removesuffix("/statements")


def _auth(auth: str | None, token: str | None = None) -> dict[str, str]:
    """HTTP Basic authorization from a `key:secret` pair, or from a token already encoded (cmi5's auth-token)."""
    if token:
        return {"Authorization": "Basic " + token}
    return {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}


def lrs_version(url: str, auth: str | None = None, timeout: float = 30, token: str | None = None) -> str:
    """The xAPI version to speak with the LRS at `url`, from the versions its /about lists: 2.0.0 when it speaks a
    2.0 version, else 1.0.3 when it speaks a 1.0 one."""
    about = _base(url) + "/about"
    request = urllib.request.Request(about, headers=_auth(auth, token))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            versions = json.loads(response.read()).get("version", [])
    except urllib.error.HTTPError as exc:
        raise LRSError(f"{about} did not say which xAPI versions the LRS speaks: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise LRSError(f"{about} could not be reached ({exc})") from None
    except (ValueError, AttributeError):
        raise LRSError(f"{about} did not answer with xAPI's About object") from None
    if any(str(v).startswith("2.0.") for v in versions):
        return VERSION_2
    if any(str(v).startswith("1.0.") for v in versions):
        return VERSION
    raise LRSError(f"{about}: the LRS speaks xAPI {', '.join(map(str, versions)) or '(none listed)'}, not 2.0 or 1.0")


def send(
    url: str,
    items: list[dict],
    auth: str | None = None,
    batch: int = 200,
    timeout: float = 30,
    token: str | None = None,
    version: str | None = None,
) -> tuple[int, str]:
    """POST the statements to `url`/statements in batches, in `version` or else the one the LRS's /about prefers
    (2.0.0, else 1.0.3); returns how many were sent and in which version. `token` is an encoded Basic credential."""
    version = version or lrs_version(url, auth, timeout, token)
    items = in_version(items, version)
    endpoint = _base(url) + "/statements"
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": version, **_auth(auth, token)}
    sent = 0
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        request = urllib.request.Request(endpoint, json.dumps(chunk).encode(), headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", errors="replace")[:300]
            raise LRSError(f"{endpoint} refused the statements: HTTP {exc.code} {body}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise LRSError(f"{endpoint} could not be reached ({exc}); {sent} statement(s) were sent") from None
        sent += len(chunk)
    return sent, version


def state(
    url: str,
    params: dict[str, str],
    version: str,
    auth: str | None = None,
    timeout: float = 30,
    token: str | None = None,
) -> dict | None:
    """GET a JSON document of the LRS's State resource (activityId, agent, registration, stateId in `params`);
    None when the LRS has none (404)."""
    address = _base(url) + "/activities/state?" + urllib.parse.urlencode(params)
    headers = {"X-Experience-API-Version": version, **_auth(auth, token)}
    try:
        with urllib.request.urlopen(urllib.request.Request(address, headers=headers), timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        body = exc.read().decode("utf-8", errors="replace")[:300]
        raise LRSError(f"{_base(url)}/activities/state refused the {params.get('stateId')} document: "
                       f"HTTP {exc.code} {body}") from None  # fmt: skip
    except (urllib.error.URLError, OSError) as exc:
        raise LRSError(f"{_base(url)}/activities/state could not be reached ({exc})") from None
    except ValueError:
        raise LRSError(f"{_base(url)}/activities/state: the {params.get('stateId')} document is not JSON") from None
