"""An LMS's side of cmi5 on loopback, for the tests: it launches an AU as cmi5 sections 8 and 10 say and checks what
the AU sends as sections 8.2 and 9 require, over real HTTP.

A launch records "launched" itself (the LMS's job), writes the LMS.LaunchData state document (context template with
the session id and the AU's publisher id, launch mode, moveOn, masteryScore, returnURL) and gives the launch url. The
fetch URL returns the session's auth token once, as JSON, and the cmi5 error (code 1) after that. The record store
(/xapi) answers /about, serves the state document and takes statements only with the fetched token as Basic
credential and an X-Experience-API-Version it speaks; every statement must carry the launch's actor, object id,
registration, session id, cmi5 category and the template's grouping, the moveOn category exactly when its result has
success or completion, a score only when passed or failed, and a duration where cmi5 asks one; nothing is taken after
terminated. What it refuses is kept in `refused` with the reason.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
ALREADY = "The authorization token has already been returned."


@dataclass
class Session:
    """One AU session the LMS launched."""

    au_id: str
    activity_id: str
    actor: dict
    registration: str
    session_id: str
    token: str
    launch_data: dict
    fetched: bool = False
    terminated: bool = False


@dataclass
class Lms:
    versions: list[str] = field(default_factory=lambda: ["1.0.3", "2.0.0"])
    sessions: dict[str, Session] = field(default_factory=dict)  # fetch key -> session
    statements: list[dict] = field(default_factory=list)  # accepted, in arrival order (launched included)
    headers: list[tuple[str, str]] = field(default_factory=list)  # (Authorization, X-Experience-API-Version) sent
    refused: list[str] = field(default_factory=list)
    fetches: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    def launch(
        self,
        au: dict[str, str],
        learner: str,
        registration: str | None = None,
        mode: str = "Normal",
    ) -> tuple[str, Session]:
        """Launch the AU (`au`: its id, url, moveOn and masteryScore as the package gives them) for an LMS user:
        the launch url and the session."""
        actor = {"objectType": "Agent", "account": {"homePage": self.url, "name": f"lms-{learner}"}}
        registration = registration or str(uuid.uuid4())
        # cmi5 8.1.5: the LMS's own activity id for the AU, not the publisher's, the same in every launch
        activity = f"{self.url}/activities/au-{hashlib.sha256(au['id'].encode()).hexdigest()[:16]}"
        session_id = str(uuid.uuid4())
        token = base64.b64encode(f"{session_id}:{secrets.token_hex(16)}".encode()).decode()
        data: dict[str, Any] = {
            "contextTemplate": {
                "contextActivities": {"grouping": [{"objectType": "Activity", "id": au["id"]}]},
                "extensions": {SESSION_ID: session_id},
            },
            "launchMode": mode,
            "moveOn": au.get("moveOn", "NotApplicable"),
            "returnURL": f"{self.url}/course",
        }
        if au.get("masteryScore"):
            data["masteryScore"] = float(au["masteryScore"])
        session = Session(au["id"], activity, actor, registration, session_id, token, data)
        key = secrets.token_urlsafe(12)
        with self.lock:
            self.sessions[key] = session
            self.statements.append(
                {
                    "actor": actor,
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"},
                    "object": {"id": activity},
                    "context": {**data["contextTemplate"], "registration": registration},
                }
            )
        query = {
            "endpoint": f"{self.url}/xapi/",
            "fetch": f"{self.url}/fetch?k={key}",
            "actor": json.dumps(actor),
            "registration": registration,
            "activityId": activity,
        }
        return f"{au['url']}?{urlencode(query)}", session

    def verbs(self, session: Session) -> list[str]:
        """The verbs recorded for that session, in order (launched included)."""
        return [
            s["verb"]["id"].rsplit("/", 1)[-1]
            for s in self.statements
            if s["context"].get("extensions", {}).get(SESSION_ID) == session.session_id
        ]

    def check(self, session: Session, statement: dict, version: str) -> str:
        """Why the statement breaks cmi5 for its session ('' when it does not)."""
        context = statement.get("context", {})
        verb = statement.get("verb", {}).get("id", "").rsplit("/", 1)[-1]
        result = statement.get("result", {})
        categories = {a.get("id") for a in context.get("contextActivities", {}).get("category", [])}
        grouping = {a.get("id") for a in context.get("contextActivities", {}).get("grouping", [])}
        problems = {
            "statement version": statement.get("version") != version,
            "id": not statement.get("id"),
            "timestamp": not str(statement.get("timestamp", "")).endswith("Z"),
            "actor": statement.get("actor") != session.actor,
            "object": statement.get("object", {}).get("id") != session.activity_id,
            "registration": context.get("registration") != session.registration,
            "session id": context.get("extensions", {}).get(SESSION_ID) != session.session_id,
            "cmi5 category": CMI5 not in categories,
            "publisher id": session.au_id not in grouping,
            "moveOn category": (MOVEON in categories) != ("success" in result or "completion" in result),
            "score": ("score" in result) != (verb in ("passed", "failed")),
            "duration": verb in ("completed", "passed", "failed", "terminated") and "duration" not in result,
            "success": verb in ("passed", "failed") and result.get("success") is not (verb == "passed"),
            "completion": verb == "completed" and result.get("completion") is not True,
            "after terminated": session.terminated,
        }
        mastery = session.launch_data.get("masteryScore")
        if verb in ("passed", "failed") and mastery is not None:
            scaled = result.get("score", {}).get("scaled", -1)
            problems["masteryScore"] = (scaled >= mastery) != (verb == "passed")
        return ", ".join(name for name, bad in problems.items() if bad)

    def start(self) -> Lms:
        lms = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _session(self) -> Session | None:
                given = self.headers.get("Authorization", "")
                return next((s for s in lms.sessions.values() if given == f"Basic {s.token}" and s.fetched), None)

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/xapi/about":
                    return self._json(200, {"version": lms.versions})
                if url.path == "/fetch":
                    return self._json(405, {"error": "cmi5 8.2.1: the fetch URL takes POST, not GET"})
                if url.path != "/xapi/activities/state":
                    return self._json(404, {})
                with lms.lock:
                    session = self._session()
                    version = self.headers.get("X-Experience-API-Version", "")
                    if session is None:
                        lms.refused.append("state: not the fetched token")
                        return self._json(401, {"error": "unauthorized"})
                    if version not in lms.versions:
                        lms.refused.append(f"state: version header {version!r}")
                        return self._json(400, {"error": "X-Experience-API-Version"})
                    wanted = {
                        "stateId": "LMS.LaunchData",
                        "activityId": session.activity_id,
                        "registration": session.registration,
                    }
                    agent = json.loads(query.get("agent", "null"))
                    if any(query.get(k) != v for k, v in wanted.items()) or agent != session.actor:
                        return self._json(404, {})
                    self._json(200, session.launch_data)

            def do_POST(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lms.lock:
                    if url.path == "/fetch":
                        lms.fetches += 1
                        session = lms.sessions.get(parse_qs(url.query).get("k", [""])[0])
                        if session is None:
                            return self._json(200, {"error-code": "2", "error-text": "Unknown fetch URL."})
                        if session.fetched:
                            return self._json(200, {"error-code": "1", "error-text": ALREADY})
                        session.fetched = True
                        return self._json(200, {"auth-token": session.token})
                    if url.path != "/xapi/statements":
                        return self._json(404, {})
                    session = self._session()
                    version = self.headers.get("X-Experience-API-Version", "")
                    lms.headers.append((self.headers.get("Authorization", ""), version))
                    if session is None:
                        lms.refused.append("statements: not the fetched token")
                        return self._json(401, {"error": "unauthorized"})
                    if version not in lms.versions:
                        lms.refused.append(f"statements: version header {version!r}")
                        return self._json(400, {"error": "X-Experience-API-Version"})
                    items = json.loads(body)
                    items = items if isinstance(items, list) else [items]
                    for item in items:
                        why = lms.check(session, item, version)
                        if why:
                            lms.refused.append(f"{item.get('verb', {}).get('id')}: {why}")
                            return self._json(400, {"error": why})
                        lms.statements.append(item)
                        session.terminated = session.terminated or item["verb"]["id"].endswith("/terminated")
                    self._json(200, [item["id"] for item in items])

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
