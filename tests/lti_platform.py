"""An LTI 1.3 platform (the LMS's side) on loopback, following 1EdTech Security Framework 1.0, LTI Core 1.3,
Assignment and Grade Services 2.0 and Names and Role Provisioning Services 2.0:

- launches: a launch page that starts the OIDC third-party-initiated login at the tool, an OIDC authorization
  endpoint that answers with an RS256-signed id_token (form_post), and the platform's JWKS;
- services: the OAuth 2 client-credentials grant with a JWT client assertion (RFC 7523) verified against the tool's
  JWKS as registered (signature, iss = sub = client id, aud = the token URL, exp, iat, jti once), granting only the
  registered scopes; AGS line items (GET with ?tag=, POST) and scores (POST, application/vnd.ims.lis.v1.score+json,
  the latest timestamp wins); NRPS members. Each service checks the bearer token and its scope.

Signed and verified with PyJWT. `flaky` makes each score's first posts answer 500, as a struggling LMS does.

A test drives it as a browser would (`launch`): open the launch page, submit each auto-submitting form by hand,
follow the redirects, and stop before the id_token is posted to the tool, so it may be replaced or altered.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import requests
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from graders.paths import DEMO_ORG

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SERVICE_SCOPES = (AGS + "lineitem", AGS + "lineitem.readonly", AGS + "score", AGS + "result.readonly", NRPS)
CLAIMS = ("iss", "sub", "aud", "exp", "iat", "jti")  # what a client assertion must hold (RFC 7523 section 3)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
MEMBERS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
ACTIVITY = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")


@dataclass(frozen=True)
class LmsUser:
    """A person signed in to the LMS: its own opaque id (`sub`) and the OpenID Connect profile claims it shares."""

    sub: str
    email: str
    name: str
    roles: tuple[str, ...] = (LEARNER_ROLE,)  # LIS context roles in the course (NRPS `roles`)
    status: str = "Active"  # NRPS member status: Active, Inactive or Deleted


@dataclass
class Tool:
    """The kit as registered on the platform: its client id, deployment, login initiation and launch addresses."""

    client_id: str
    deployment_id: str
    login_url: str
    launch_url: str
    target_link_uri: str
    jwks: dict[str, Any] | None = None  # the tool's public keyset, as pasted into the LMS: for its service tokens
    scopes: tuple[str, ...] = SERVICE_SCOPES  # the services the LMS lets the tool use


@dataclass
class Token:
    """An access token the platform issued: its scopes and when it lapses (platform clock)."""

    scopes: frozenset[str]
    expires: float


@dataclass
class Platform:
    """A running platform: `url` is its issuer; `users` by login hint."""

    tool: Tool
    users: dict[str, LmsUser]
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)
    server: ThreadingHTTPServer | None = None
    clock_offset: float = 0.0  # seconds the platform's clock runs ahead of the machine's (a skewed LMS)
    flaky: int = 0  # answer 500 to the first `flaky` posts of each user's score on each line item
    revoke_after: int = 0  # after this many scores accepted, every access token issued so far stops working; 0: never
    page_size: int = 2  # members and line items per page; the next page is linked (Link: <...>; rel="next")
    tokens: dict[str, Token] = field(default_factory=dict)
    assertions: set[str] = field(default_factory=set)  # jti of every client assertion accepted: each once
    lineitems: list[dict[str, Any]] = field(default_factory=list)
    scores: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (line item id, score) as accepted
    results: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (line item id, user) -> latest
    refused: list[tuple[str, int]] = field(default_factory=list)  # (path, status) of every request refused
    attempts: dict[tuple[str, str], int] = field(default_factory=dict)
    deep_links: list[dict[str, Any]] = field(default_factory=list)  # content items of accepted deep linking responses
    deep_link_data: str = "picker-state-42"  # the opaque `data` the platform sends and must get back unchanged
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.time() + self.clock_offset

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def id_token(
        self,
        user: LmsUser,
        nonce: str,
        *,
        audience: str | None = None,
        deployment_id: str | None = None,
        issued: float | None = None,
        deep_link: bool = False,
        target: str | None = None,
    ) -> str:
        """The launch message the platform signs for `user`, valid five minutes: an LtiResourceLinkRequest, or with
        `deep_link` an LtiDeepLinkingRequest (the content picker), whose settings say where the choice goes back."""
        issued = time.time() if issued is None else issued
        audience = audience or self.tool.client_id
        claims = {
            "iss": self.url,
            "sub": user.sub,
            "aud": audience,
            "azp": audience,
            "iat": int(issued),
            "exp": int(issued) + 300,
            "nonce": nonce,
            "email": user.email,
            "name": user.name,
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": deployment_id or self.tool.deployment_id,
            LTI + "target_link_uri": target or self.tool.target_link_uri,
            LTI + "resource_link": {"id": "social-media-101", "title": "Social media training"},
            LTI + "roles": list(user.roles),
            LTI + "context": {"id": "course-1", "label": "SM101", "title": "Social media at work"},
        }
        if deep_link:  # Deep Linking 2.0, section 4.4: no resource link; the settings claim instead
            del claims[LTI + "resource_link"]
            claims[LTI + "message_type"] = "LtiDeepLinkingRequest"
            # optional in LTI Core, sent by the common LMSs, and required of a deep linking request by the hub's
            # authenticator (jupyterhub-ltiauthenticator)
            claims[LTI + "tool_platform"] = {"guid": "lms-1", "name": "Test LMS", "product_family_code": "test"}
            claims[LTI + "launch_presentation"] = {"document_target": "window", "return_url": f"{self.url}/return"}
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/deep_link_return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["window"],
                "accept_multiple": True,
                "data": self.deep_link_data,
            }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def check_assertion(self, assertion: str) -> str:
        """Why the tool's client assertion is not acceptable ('' when it is): signed (RS256) by a key of the tool's
        registered JWKS, issued by and about its client id, for this token URL, unexpired, and never seen before."""
        if not self.tool.jwks:
            return "the tool has no public keyset registered"
        try:
            header = jwt.get_unverified_header(assertion)
            keys = {k.get("kid"): k for k in self.tool.jwks["keys"]}
            kid = header.get("kid")
            jwk = keys.get(kid) if kid else (next(iter(keys.values())) if len(keys) == 1 else None)
            if jwk is None:
                return f"no key {header.get('kid')!r} in the tool's keyset"
            claims = jwt.decode(
                assertion,
                RSAAlgorithm.from_jwk(json.dumps(jwk)),
                algorithms=["RS256"],
                audience=f"{self.url}/token",
                issuer=self.tool.client_id,
                # the platform's own clock decides what has expired (below), not the machine's
                options={"require": [*CLAIMS], "verify_exp": False, "verify_iat": False},
            )
        except jwt.InvalidSignatureError:
            return "the client assertion's signature does not match the tool's registered key"
        except jwt.PyJWTError as exc:
            return f"the client assertion is not valid: {exc}"
        if claims["exp"] <= self.now():
            return "the client assertion has expired"
        if claims["iat"] > self.now() + 60:
            return "the client assertion was issued in the future"
        if claims["sub"] != self.tool.client_id:
            return "the client assertion's sub is not the tool's client id"
        if claims["jti"] in self.assertions:
            return "the client assertion was used before (jti)"
        self.assertions.add(claims["jti"])
        return ""

    def check_deep_link_response(self, token: str) -> str:
        """Why a deep linking response is not acceptable ('' when it is), as Deep Linking 2.0 section 4.5 asks: signed
        (RS256) by the tool's registered key, issued by its client id for this platform, unexpired, with a nonce,
        the response message type, the deployment, the `data` sent, and content items of the types offered."""
        if not self.tool.jwks:
            return "the tool has no public keyset registered"
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            jwk = next((k for k in self.tool.jwks["keys"] if k.get("kid") == kid), None)
            if jwk is None:
                return f"no key {kid!r} in the tool's keyset"
            claims = jwt.decode(
                token,
                RSAAlgorithm.from_jwk(json.dumps(jwk)),
                algorithms=["RS256"],
                audience=self.url,
                issuer=self.tool.client_id,
                options={"require": ["iss", "aud", "exp", "iat", "nonce"]},
            )
        except jwt.InvalidSignatureError:
            return "the deep linking response's signature does not match the tool's registered key"
        except jwt.PyJWTError as exc:
            return f"the deep linking response is not valid: {exc}"
        expected = {
            LTI + "message_type": "LtiDeepLinkingResponse",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.tool.deployment_id,
            DL + "data": self.deep_link_data,
        }
        wrong = [k.rsplit("/", 1)[-1] for k, v in expected.items() if claims.get(k) != v]
        if wrong:
            return f"wrong {', '.join(wrong)}"
        items = claims.get(DL + "content_items")
        if not isinstance(items, list) or not items:
            return "no content_items"
        if any(i.get("type") != "ltiResourceLink" or not i.get("url") or not i.get("title") for i in items):
            return "a content item is not an ltiResourceLink with a url and a title"
        self.deep_links.extend(items)
        return ""

    def start(self) -> Platform:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet: the test reports what matters
                pass

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/jwks":
                    self._send(200, json.dumps(platform.jwks()), "application/json")
                elif url.path == "/lineitems":
                    self._lineitems(query)
                elif url.path == "/memberships":
                    self._members(query)
                elif url.path == "/launch":
                    self._launch(query)
                elif url.path == "/authorize":
                    self._authorize(query)
                else:
                    self._send(404, "not found", "text/plain")

            def do_POST(self) -> None:
                url = urlparse(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with platform.lock:
                    if url.path == "/token":
                        self._token(body)
                    elif url.path == "/lineitems":
                        self._new_lineitem(body)
                    elif url.path.startswith("/lineitems/") and url.path.endswith("/scores"):
                        self._score(url.path.removesuffix("/scores"), body)
                    elif url.path == "/deep_link_return":
                        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                        why = platform.check_deep_link_response(form.get("JWT", ""))
                        if why:
                            self._refuse(400, why)
                        else:
                            self._send(200, f"{len(platform.deep_links)} link(s) added", "text/plain")
                    else:
                        self._send(404, "not found", "text/plain")

            def _token(self, body: bytes) -> None:
                """The client-credentials grant, the client authenticated by a signed JWT (1EdTech Security 4.1)."""
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                if form.get("grant_type") != "client_credentials":
                    return self._oauth_error(400, "unsupported_grant_type", "expected client_credentials")
                if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
                    return self._oauth_error(400, "invalid_request", f"expected a {ASSERTION_TYPE} client_assertion")
                problem = platform.check_assertion(form["client_assertion"])
                if problem:
                    return self._oauth_error(401, "invalid_client", problem)
                asked = set(form.get("scope", "").split())
                if not asked or not asked <= set(platform.tool.scopes):
                    return self._oauth_error(
                        400, "invalid_scope", f"not granted: {sorted(asked - set(platform.tool.scopes))}"
                    )
                token = uuid.uuid4().hex
                platform.tokens[token] = Token(frozenset(asked), platform.now() + 3600)
                answer = {
                    "access_token": token,
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "scope": " ".join(sorted(asked)),
                }
                self._send(200, json.dumps(answer), "application/json")

            def _oauth_error(self, status: int, error: str, description: str) -> None:
                platform.refused.append((self.path, status))
                self._send(status, json.dumps({"error": error, "error_description": description}), "application/json")

            def _authorized(self, *scopes: str) -> bool:
                """The request's bearer token is live and grants one of `scopes`; else answers 401 or 403."""
                kind, _, value = self.headers.get("Authorization", "").partition(" ")
                token = platform.tokens.get(value) if kind.lower() == "bearer" else None
                if token is None or token.expires < platform.now():
                    self._refuse(401, "a valid bearer token is required")
                    return False
                if not token.scopes & set(scopes):
                    self._refuse(403, f"the token lacks the scope {scopes[0]}")
                    return False
                return True

            def _media(self, header: str, expected: str) -> bool:
                given = (self.headers.get(header) or "").split(";")[0].strip()
                if header == "Accept" and given in ("", "*/*", "application/json", expected):
                    return True
                if given == expected:
                    return True
                self._refuse(406 if header == "Accept" else 415, f"{header} must be {expected}, got {given!r}")
                return False

            def _refuse(self, status: int, why: str) -> None:
                platform.refused.append((self.path, status))
                self._send(status, json.dumps({"error": why}), "application/json")

            def _lineitems(self, query: dict[str, str]) -> None:
                if self._authorized(AGS + "lineitem", AGS + "lineitem.readonly") and self._media("Accept", LINEITEMS):
                    items = [i for i in platform.lineitems if "tag" not in query or i.get("tag") == query["tag"]]
                    self._page("/lineitems", query, items, lambda page: page, LINEITEMS)

            def _page(self, path: str, query: dict[str, str], items: list, wrap: Any, kind: str) -> None:
                """One page of `items` (?page=N, from 1), with a Link to the next page while there is one."""
                page = int(query.get("page", "1"))
                size = platform.page_size
                start = (page - 1) * size
                links = {}
                if start + size < len(items):
                    following = urlencode({**query, "page": str(page + 1)})
                    links["Link"] = f'<{platform.url}{path}?{following}>; rel="next"'
                self._send(200, json.dumps(wrap(items[start : start + size])), kind, links)

            def _new_lineitem(self, body: bytes) -> None:
                if not (self._authorized(AGS + "lineitem") and self._media("Content-Type", LINEITEM)):
                    return
                item = json.loads(body)
                maximum = item.get("scoreMaximum")
                if not item.get("label") or not isinstance(maximum, int | float) or maximum <= 0:
                    return self._refuse(400, "a line item needs a label and a scoreMaximum above 0")
                item["id"] = f"{platform.url}/lineitems/{len(platform.lineitems) + 1}"
                platform.lineitems.append(item)
                self._send(201, json.dumps(item), LINEITEM)

            def _score(self, path: str, body: bytes) -> None:
                """A score for one user (AGS 2.0 section 3.4): checked field by field, the latest timestamp kept."""
                if not (self._authorized(AGS + "score") and self._media("Content-Type", SCORE)):
                    return
                lineitem = platform.url + path
                if lineitem not in {i["id"] for i in platform.lineitems}:
                    return self._refuse(404, "no such line item")
                score = json.loads(body)
                members = {u.sub for u in platform.users.values()}
                wrong = [] if score.get("userId") in members else ["userId"]
                wrong += [] if score.get("activityProgress") in ACTIVITY else ["activityProgress"]
                wrong += [] if score.get("gradingProgress") in GRADING else ["gradingProgress"]
                if "scoreGiven" in score:
                    given, maximum = score["scoreGiven"], score.get("scoreMaximum")
                    if not isinstance(maximum, int | float) or maximum <= 0:
                        wrong.append("scoreMaximum")
                    elif not isinstance(given, int | float) or given < 0:
                        wrong.append("scoreGiven")
                try:
                    stamp = dt.datetime.fromisoformat(score.get("timestamp", ""))
                    wrong += [] if stamp.tzinfo else ["timestamp"]
                except (TypeError, ValueError):
                    wrong.append("timestamp")
                if wrong:
                    return self._refuse(400, f"invalid score: {', '.join(wrong)}")
                key = (lineitem, score["userId"])
                platform.attempts[key] = platform.attempts.get(key, 0) + 1
                if platform.attempts[key] <= platform.flaky:
                    return self._refuse(500, "the gradebook is busy")
                platform.scores.append((lineitem, score))
                if len(platform.scores) == platform.revoke_after:
                    platform.tokens.clear()  # as after a restart of the LMS: the tool must ask again
                latest = platform.results.get(key)
                if latest is None or dt.datetime.fromisoformat(latest["timestamp"]) <= stamp:
                    platform.results[key] = score
                self._send(204, "", SCORE)

            def _members(self, query: dict[str, str]) -> None:
                if not (self._authorized(NRPS) and self._media("Accept", MEMBERS)):
                    return
                members = [
                    {"user_id": u.sub, "email": u.email, "name": u.name, "status": u.status, "roles": list(u.roles)}
                    for u in platform.users.values()
                ]
                context = {"id": "course-1", "label": "SM101", "title": "Social media at work"}

                def container(page: list) -> dict:
                    return {"id": f"{platform.url}/memberships", "context": context, "members": page}

                self._page("/memberships", query, members, container, MEMBERS)

            def _launch(self, query: dict[str, str]) -> None:
                """Step 1: third-party-initiated login, posted to the tool's login initiation address."""
                if query.get("user") not in platform.users:
                    return self._send(404, "no such user", "text/plain")
                hint = {"deployment": query.get("deployment", platform.tool.deployment_id)}
                hint |= {"deep_link": "1"} if query.get("deep_link") else {}
                hint |= {"target": query["target"]} if query.get("target") else {}
                form = {
                    "iss": platform.url,
                    "login_hint": query["user"],
                    "target_link_uri": query.get("target", platform.tool.target_link_uri),
                    "lti_message_hint": json.dumps(hint),
                    "client_id": platform.tool.client_id,
                    "lti_deployment_id": query.get("deployment", platform.tool.deployment_id),
                }
                self._send(200, auto_submit(platform.tool.login_url, form), "text/html")

            def _authorize(self, query: dict[str, str]) -> None:
                """Step 2 and 3: the OIDC authentication request, answered with the id_token as a form post."""
                expected = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post"}
                wrong = [k for k, v in expected.items() if query.get(k) != v]
                wrong += [] if query.get("prompt") == "none" else ["prompt"]
                wrong += [] if query.get("client_id") == platform.tool.client_id else ["client_id"]
                wrong += [] if query.get("redirect_uri") == platform.tool.launch_url else ["redirect_uri"]
                wrong += [] if query.get("login_hint") in platform.users else ["login_hint"]
                wrong += [] if query.get("nonce") and query.get("state") else ["nonce", "state"]
                if wrong:
                    return self._send(400, f"invalid_request: {', '.join(wrong)}", "text/plain")
                hint = json.loads(query.get("lti_message_hint") or "{}")
                token = platform.id_token(
                    platform.users[query["login_hint"]],
                    query["nonce"],
                    deployment_id=hint.get("deployment"),
                    deep_link=bool(hint.get("deep_link")),
                    target=hint.get("target"),
                )
                form = {"id_token": token, "state": query["state"]}
                self._send(200, auto_submit(query["redirect_uri"], form), "text/html")

            def _send(self, status: int, body: str, kind: str, headers: dict[str, str] | None = None) -> None:
                data = body.encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if data:
                    self.send_header("Content-Type", f"{kind}; charset=utf-8")
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


def new_key(path: Path) -> Path:
    """A fresh RSA key pair for the tool, its private key written to `path` in PEM (as `openssl genpkey` makes)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.write_bytes(pem)
    return path


def auto_submit(action: str, fields: dict[str, str]) -> str:
    """An HTML page whose form posts `fields` to `action` as soon as it loads, as LMSs send launches."""
    inputs = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())
    return (
        '<!doctype html><html lang="en"><head><title>Launching</title></head><body onload="document.forms[0].submit()">'
        f'<form method="post" action="{escape(action)}">{inputs}<button>Continue</button></form></body></html>'
    )


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action, self.fields = "", {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.action = found.get("action") or ""
        elif tag == "input" and found.get("name"):
            self.fields[found["name"]] = found.get("value") or ""


def read_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and the fields of the (first) form of an auto-submitting page."""
    parser = _Form()
    parser.feed(page)
    assert parser.action, page[:500]
    return parser.action, parser.fields


@dataclass
class Launch:
    """A launch in progress, stopped just before the browser posts the id_token to the tool."""

    session: requests.Session
    launch_url: str
    form: dict[str, str]
    nonce: str

    def finish(self, **replace: str) -> requests.Response:
        """Post the form to the tool (with `replace`d fields), without following the tool's redirect."""
        return self.session.post(self.launch_url, data={**self.form, **replace}, allow_redirects=False, timeout=60)


def launch(
    platform: Platform, user: str, deployment: str | None = None, *, deep_link: bool = False, target: str = ""
) -> Launch:
    """A browser's launch from the LMS for `user`, up to the id_token form: of the tool's page, of a link's `target`,
    or with `deep_link` of the tool's content picker."""
    session = requests.Session()
    query = {"user": user, **({"deployment": deployment} if deployment else {})}
    query |= ({"deep_link": "1"} if deep_link else {}) | ({"target": target} if target else {})
    page = session.get(f"{platform.url}/launch?{urlencode(query)}", timeout=60)
    page.raise_for_status()
    action, fields = read_form(page.text)
    started = session.post(action, data=fields, allow_redirects=False, timeout=60)
    assert started.status_code == 302, (started.status_code, started.text[:500])
    authorize = started.headers["location"]
    answer = session.get(authorize, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    launch_url, form = read_form(answer.text)
    nonce = parse_qs(urlparse(authorize).query)["nonce"][0]
    return Launch(session, launch_url, form, nonce)


def org_with_lms(folder: Path, platform: Platform, key: str | Path = "tool.pem", **lti: Any) -> Path:
    """The demo organisation's profile with this platform as its LMS and the LMS's services for the course, as an
    administrator fills it in from what the LMS shows; `lti`: more of the profile's `lti:` block."""
    block = {
        "issuer": platform.url,
        "client_id": platform.tool.client_id,
        "authorize_url": f"{platform.url}/authorize",
        "jwks_url": f"{platform.url}/jwks",
        **lti,
        "services": {
            "token_url": f"{platform.url}/token",
            "lineitems_url": f"{platform.url}/lineitems",
            "memberships_url": f"{platform.url}/memberships",
            "private_key": str(key),
        },
    }
    path = folder / "org.yaml"
    path.write_text(DEMO_ORG.read_text(encoding="utf-8") + "\n" + yaml.safe_dump({"lti": block}), encoding="utf-8")
    return path
