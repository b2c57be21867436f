"""An LTI 1.3 platform (the LMS's side of a launch) on loopback, following 1EdTech Security Framework 1.0 and
LTI Core 1.3: a launch page that starts the OIDC third-party-initiated login at the tool, an OIDC authorization
endpoint that answers with an RS256-signed id_token (form_post), and the platform's JWKS. Signed with PyJWT.

A test drives it as a browser would (`launch`): open the launch page, submit each auto-submitting form by hand,
follow the redirects, and stop before the id_token is posted to the tool, so it may be replaced or altered.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


@dataclass(frozen=True)
class LmsUser:
    """A person signed in to the LMS: its own opaque id (`sub`) and the OpenID Connect profile claims it shares."""

    sub: str
    email: str
    name: str


@dataclass
class Tool:
    """The kit as registered on the platform: its client id, deployment, login initiation and launch addresses."""

    client_id: str
    deployment_id: str
    login_url: str
    launch_url: str
    target_link_uri: str


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
    ) -> str:
        """The launch message the platform signs for `user` (LtiResourceLinkRequest), valid five minutes."""
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
            LTI + "target_link_uri": self.tool.target_link_uri,
            LTI + "resource_link": {"id": "social-media-101", "title": "Social media training"},
            LTI + "roles": [LEARNER_ROLE],
            LTI + "context": {"id": "course-1", "label": "SM101", "title": "Social media at work"},
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

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
                elif url.path == "/launch":
                    self._launch(query)
                elif url.path == "/authorize":
                    self._authorize(query)
                else:
                    self._send(404, "not found", "text/plain")

            def _launch(self, query: dict[str, str]) -> None:
                """Step 1: third-party-initiated login, posted to the tool's login initiation address."""
                if query.get("user") not in platform.users:
                    return self._send(404, "no such user", "text/plain")
                form = {
                    "iss": platform.url,
                    "login_hint": query["user"],
                    "target_link_uri": platform.tool.target_link_uri,
                    "lti_message_hint": query.get("deployment", platform.tool.deployment_id),
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
                token = platform.id_token(
                    platform.users[query["login_hint"]], query["nonce"], deployment_id=query.get("lti_message_hint")
                )
                form = {"id_token": token, "state": query["state"]}
                self._send(200, auto_submit(query["redirect_uri"], form), "text/html")

            def _send(self, status: int, body: str, kind: str) -> None:
                data = body.encode()
                self.send_response(status)
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


def launch(platform: Platform, user: str, deployment: str | None = None) -> Launch:
    """A browser's launch from the LMS for `user`, up to the id_token form."""
    session = requests.Session()
    query = {"user": user, **({"deployment": deployment} if deployment else {})}
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
