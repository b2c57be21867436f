"""Sign-in from the company's LMS (LTI 1.3) beside the hub's own password page, both limited to the roster.

jupyterhub-ltiauthenticator does the LTI 1.3 work (OIDC login initiation, the id_token's RS256 signature checked
against the platform's JWKS, issuer, audience, expiry, age, nonce and state); this class adds what the kit decides:
the LMS names a person by the OpenID Connect `email` claim and the roster maps that address to the person's sign-in
name, so a launch and a password sign-in reach the same account, groups and work. Learners launched from the LMS
have no password to claim on the hub's page (FirstUseAuthenticator would let whoever comes first set one), so only
the roster roles in `password_roles` may still use that page.

Passwords are checked with bcrypt (a quarter of a second of CPU each, by design) in a worker thread, so a class
signing in together neither queues behind one core nor stalls the hub for everyone else.
"""

from __future__ import annotations

import asyncio
import dbm
import json
from typing import Any

import bcrypt
from firstuseauthenticator import FirstUseAuthenticator
from jupyterhub.auth import Authenticator
from jupyterhub.handlers import BaseHandler
from ltiauthenticator.lti13.auth import LTI13Authenticator
from ltiauthenticator.lti13.handlers import LTI13CallbackHandler, LTI13LoginInitHandler
from tornado.web import HTTPError
from traitlets import Dict, List, Set, Unicode

from graders.serving.hub.content_links import (
    CMI5,
    COOKIE,
    LESSONS,
    MODULE,
    PICKER,
    Cmi5Launch,
    ContentPicker,
    Lessons,
    OpenModule,
    picking,
)

DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
LAUNCH_START = "/lti13/oauth_login"  # the OIDC login initiation address the LMS is given, under /hub
LAUNCH_END = "/lti13/oauth_callback"  # the redirect (launch) address the LMS posts the id_token to, under /hub
KEYSET = "/lti13/jwks"  # the tool's public keyset, for LMSs that fetch it (grade passback's signed requests)


class LaunchStart(LTI13LoginInitHandler):
    """OIDC login initiation. Behind HTTPS its state and nonce cookies are SameSite=None, so the browser sends them
    with the LMS's cross-site form post of the id_token (a Lax cookie stays behind and every launch fails)."""

    def _set_oauth_cookie(self, key: str, value: str) -> None:
        cross_site = {"samesite": "None", "secure": True}
        https = self.authenticator.get_uri_scheme(self.request) == "https"
        self._set_cookie(key, value, expires_days=1, httponly=True, encrypted=True, **(cross_site if https else {}))


class Keyset(BaseHandler):
    """The tool's public keyset (JWKS), open to all: the LMS checks the kit's signed token requests against it."""

    def get(self) -> None:
        keyset = self.authenticator.keyset
        if not keyset:
            raise HTTPError(404, "This hub has no LTI tool key: the profile has no lti.services.")
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "max-age=300")
        self.finish(json.dumps(keyset))


class RosterPasswordAuthenticator(FirstUseAuthenticator):
    """FirstUseAuthenticator (the first sign-in sets the password) with bcrypt run off the hub's event loop.

    The library hashes inside its `async authenticate` on the event loop: 20 learners signing in at once wait about
    5 s for each other on one core, and every other request to the hub waits with them. Here only the password
    file is read and written on the loop; the hashing runs in threads (bcrypt releases the interpreter's lock).
    It also serves the "Your lessons" page, the module links and cmi5 launches (content_links.py).
    """

    catalogue = List(config=True, help="The released tracks and modules (content_links.py: lessons page, picker).")
    apps = List(config=True, help="The hub's app services, name and title, for the lessons page of those allowed.")
    course_root = Unicode(config=True, help="The course root: its gradebook gives the grades a cmi5 launch reports.")
    cmi5_lms_urls = List(Unicode(), config=True, help="The LMS addresses a cmi5 launch may name; empty: no launches.")

    def get_handlers(self, app: Any) -> list:
        lessons = [
            (LESSONS, Lessons),
            (MODULE + r"/([^/]+)/([^/]+)", OpenModule),
            (CMI5 + r"/([^/]+)/([^/]+)", Cmi5Launch),
        ]
        return [*FirstUseAuthenticator.get_handlers(self, app), *lessons]

    async def authenticate(self, handler: Any, data: dict[str, Any]) -> str | None:
        username = self.normalize_username(data["username"])
        password = str(data["password"]).encode("utf8")
        if not self.create_users and not self._user_exists(username):
            return None
        with dbm.open(self.dbm_path, "c", 0o600) as db:
            stored = db.get(username.encode("utf8"), None)
        if stored is not None:
            return username if await asyncio.to_thread(bcrypt.checkpw, password, stored) else None
        if not self._validate_password(data["password"]):
            handler.custom_login_error = (
                f"Password too short! Please choose a password at least {self.min_password_length} characters long."
            )
            self.log.error(handler.custom_login_error)
            return None
        hashed = await asyncio.to_thread(bcrypt.hashpw, password, bcrypt.gensalt())
        with dbm.open(self.dbm_path, "c", 0o600) as db:
            if username.encode("utf8") in db:  # set by a sign-in that finished while this one hashed: it stands
                return await self.authenticate(handler, data)
            db[username] = hashed
        return username


class LaunchEnd(LTI13CallbackHandler):
    """The launch: a deep linking request (a trainer choosing content in the LMS) goes on to the content picker,
    with the LMS's settings in a signed, encrypted cookie; every other launch to the page the LMS linked."""

    def decode_and_validate_launch_request(self) -> dict[str, Any]:
        self._id_token = super().decode_and_validate_launch_request()
        return self._id_token

    async def redirect_to_next_url(self, user: Any) -> None:
        picked = picking(self._id_token)
        if picked is None:
            return await super().redirect_to_next_url(user)
        cross_site = {"samesite": "None", "secure": True} if self.request.protocol == "https" else {}
        self.set_secure_cookie(COOKIE, json.dumps(picked), expires_days=1 / 24, httponly=True, **cross_site)
        self.redirect(f"{self.hub.base_url}{PICKER.lstrip('/')}")


class LmsOrPasswordAuthenticator(RosterPasswordAuthenticator, LTI13Authenticator):
    """LTI 1.3 launches mapped to the roster by e-mail, and the roster's first-use passwords for `password_users`."""

    login_service = ""  # the hub's login page keeps its password form

    emails = Dict(
        key_trait=Unicode(), value_trait=Unicode(), config=True, help="Roster e-mail (lower case) to sign-in name."
    )
    password_users = Set(Unicode(), config=True, help="Sign-in names that may also sign in with a password.")
    deployment_ids = Set(Unicode(), config=True, help="The tool's deployment ids on the platform; empty: any.")
    keyset = Dict(config=True, help="The tool's public JWKS served at KEYSET; empty: none (404).")
    tool_private_key = Unicode(config=True, help="The tool's private key file, which signs deep linking responses.")

    def login_url(self, base_url: str) -> str:
        return Authenticator.login_url(self, base_url)

    def callback_url(self, base_url: str) -> str:
        return base_url.rstrip("/") + LAUNCH_END

    def get_handlers(self, app: Any) -> list:
        launch = [(LAUNCH_START, LaunchStart), (LAUNCH_END, LaunchEnd), (KEYSET, Keyset), (PICKER, ContentPicker)]
        return [*RosterPasswordAuthenticator.get_handlers(self, app), *launch]

    async def authenticate(self, handler: Any, data: dict[str, Any]) -> dict[str, str] | str | None:
        if isinstance(handler, LTI13CallbackHandler):
            return self.launched(data)
        if self.normalize_username(data.get("username", "")) not in self.password_users:
            handler.custom_login_error = "Open the course from your learning platform: it signs you in here."
            return None
        return await RosterPasswordAuthenticator.authenticate(self, handler, data)

    def launched(self, id_token: dict[str, Any]) -> dict[str, str]:
        """The roster's person for a launch whose id_token the library has verified; 403 for anyone else."""
        deployment = id_token.get(DEPLOYMENT_CLAIM)
        if self.deployment_ids and deployment not in self.deployment_ids:
            self.log.warning("LTI launch from deployment %r refused: not one of %s", deployment, self.deployment_ids)
            raise HTTPError(403, "This course is not set up for launches from that place in your learning platform.")
        email = str(id_token.get("email") or "").strip().lower()
        name = self.emails.get(email)
        if name is None:
            self.log.warning("LTI launch for %r (sub %r) refused: not on the roster", email, id_token.get("sub"))
            raise HTTPError(403, "You are not on this course's roster. Ask your trainer to add you.")
        return {"name": name}
