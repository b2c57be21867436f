"""The learner's way into a module, from the hub or the LMS: the "Your lessons" page, module links, and LTI Deep
Linking 2.0 (the LMS's content picker lists the course's tracks and modules and inserts module links).

A learner signs in and lands on LESSONS: their tracks' modules, each one click from its first lesson; a code-free
module opens in the reading view (no code, answers kept as given), the analysts' modules in JupyterLab.

The LMS launches a trainer with an LtiDeepLinkingRequest (jupyterhub-ltiauthenticator checks it like any launch);
the hub shows the picker; the chosen modules go back as an LtiDeepLinkingResponse that pylti1p3 signs with the
tool's key (RS256, the key id of the keyset the hub serves), posted by the browser to the LMS's return address. Each
link's address is MODULE under the hub: it starts the learner's server if needed, fetches the module through
nbgrader's own Assignments API on that server, and opens its first notebook (`?view=lab`: in JupyterLab, whatever
the module).
"""

from __future__ import annotations

import asyncio
import html
import json
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import quote

from jupyterhub.handlers import BaseHandler
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.registration import Registration
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from graders.course.cmi5_package import LAUNCH as CMI5_LAUNCH
from graders.course.lti_key import public_pem
from graders.results.cmi5_session import Cmi5Refused, launch_module
from graders.results.xapi import LRSError

PICKER = "/lti13/deep_link"  # the content picker, under /hub
MODULE = "/lti13/module"  # /hub/lti13/module/<track course>/<module>: open a module (the address LMS links keep)
CMI5 = CMI5_LAUNCH  # /hub/cmi5/module/<track course>/<module>: a cmi5 launch of a module (the package's AU url)
LESSONS = "/lessons"  # /hub/lessons: the signed-in person's modules and apps, where they land after signing in
COOKIE = "smtk-deep-link"  # the LMS's deep linking settings, between the launch and the trainer's choice
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
KEPT = ("deep_link_return_url", "accept_types", "accept_multiple", "data", "title")  # of deep_linking_settings


class CatalogueModule(TypedDict):
    id: str
    title: str
    notebook: str  # the first lesson's notebook, opened by the link
    minutes: int
    code_free: bool  # opened in the reading view; else in JupyterLab


class App(TypedDict):
    """A hub service a person may be allowed to open, as the lessons page lists it."""

    name: str
    title: str


class CatalogueTrack(TypedDict):
    """One track of the course as the picker lists it: its nbgrader course id, title and modules."""

    course: str
    title: str
    modules: list[CatalogueModule]


def picking(id_token: dict[str, Any]) -> dict[str, Any] | None:
    """What the picker keeps of a deep linking launch (None for any other launch)."""
    if id_token.get(LTI + "message_type") != "LtiDeepLinkingRequest":
        return None
    settings = id_token.get(DL + "deep_linking_settings") or {}
    return {
        "issuer": id_token["iss"],
        "client_id": id_token["aud"] if isinstance(id_token["aud"], str) else id_token.get("azp"),
        "deployment_id": id_token.get(LTI + "deployment_id"),
        "settings": {k: settings[k] for k in KEPT if k in settings},
    }


def response_jwt(picked: dict[str, Any], private_key: str, links: list[tuple[str, str]]) -> str:
    """The signed LtiDeepLinkingResponse for the chosen links, (title, url) each, as the LMS must verify it."""
    registration = (
        Registration()
        .set_issuer(picked["issuer"])
        .set_client_id(picked["client_id"])
        .set_tool_private_key(Path(private_key).read_text(encoding="utf-8"))
        .set_tool_public_key(public_pem(private_key))
    )
    resources = [DeepLinkResource().set_url(url).set_title(title) for title, url in links]
    return DeepLink(registration, picked["deployment_id"], picked["settings"]).get_response_jwt(resources)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}"
        "fieldset{margin:1rem 0}label{display:block;padding:.3rem 0}button{font:inherit;padding:.5rem 1rem;"
        "min-height:44px;background:#1d4f91;color:#fff;border:0;border-radius:4px}button:focus,a:focus{outline:3px "
        "solid #f2a900;outline-offset:2px}a{color:#0b57d0}ul.smtk-modules{padding:0;list-style:none}"
        "ul.smtk-modules li{padding:.5rem 0;border-bottom:1px solid #d0d7de}ul.smtk-modules a{display:inline-block;"
        "min-height:24px;font-weight:600}.smtk-how{color:#444}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


class ContentPicker(BaseHandler):
    """The picker: the course's tracks and modules as a form; the choice goes back to the LMS, signed."""

    def _picked(self) -> dict[str, Any]:
        if "trainers" not in {g.name for g in self.current_user.groups}:
            raise web.HTTPError(403, "Only trainers choose the course's modules for the learning platform.")
        raw = self.get_secure_cookie(COOKIE, max_age_days=1 / 24)
        if not raw:
            raise web.HTTPError(400, "Open the content picker from your learning platform (it starts here).")
        return json.loads(raw)

    @web.authenticated
    def get(self) -> None:
        multiple = str(self._picked()["settings"].get("accept_multiple", "true")).lower() != "false"
        kind = "checkbox" if multiple else "radio"
        fieldsets = []
        for track in self.authenticator.catalogue:
            boxes = "".join(
                f'<label><input type="{kind}" name="module" value="{html.escape(track["course"])}/'
                f'{html.escape(m["id"])}"> {html.escape(m["title"])}</label>'
                for m in track["modules"]
            )
            fieldsets.append(f"<fieldset><legend>{html.escape(track['title'])}</legend>{boxes}</fieldset>")
        body = (
            "<h1>Add modules to your course</h1><p>Choose the modules to link from your learning platform. Each link "
            "opens the module in the learner's own workspace.</p>"
            f'<form method="post"><input type="hidden" name="_xsrf" value="{html.escape(self.xsrf_token.decode())}">'
            f'{"".join(fieldsets)}<button type="submit">Add to the course</button></form>'
        )
        self.finish(_page("Add modules to your course", body))

    @web.authenticated
    def post(self) -> None:
        picked = self._picked()
        titles = {f"{t['course']}/{m['id']}": m["title"] for t in self.authenticator.catalogue for m in t["modules"]}
        chosen = [c for c in self.get_arguments("module") if c in titles]
        if not chosen:
            raise web.HTTPError(400, "Choose at least one module.")
        base = f"{self.request.protocol}://{self.request.host}{self.hub.base_url}"
        links = [(titles[c], f"{base}{MODULE.lstrip('/')}/{quote(c)}") for c in chosen]
        token = response_jwt(picked, self.authenticator.tool_private_key, links)
        self.clear_cookie(COOKIE)
        action = html.escape(picked["settings"]["deep_link_return_url"])
        body = (
            f"<h1>Sending your choice to your learning platform</h1>"
            f'<form method="post" action="{action}"><input type="hidden" name="JWT" value="{html.escape(token)}">'
            f'<p>{len(links)} module(s) chosen.</p><button type="submit">Continue</button></form>'
            "<script>document.forms[0].submit()</script>"
        )
        self.finish(_page("Sending your choice", body))


def _own_module(handler: BaseHandler, course: str, module: str) -> CatalogueModule:
    """The signed-in person's module of that track course; 404 when it is not in their tracks."""
    found = next(
        (
            m
            for t in handler.authenticator.catalogue
            if t["course"] == course
            for m in t["modules"]
            if m["id"] == module
        ),
        None,
    )
    if found is None or f"nbgrader-{course}" not in {g.name for g in handler.current_user.groups}:
        raise web.HTTPError(404, "This module is not in your tracks.")
    return found


class Cmi5Launch(BaseHandler):
    """A cmi5 launch from the LMS (the AU url `smtk package cmi5` writes): one AU session reports the learner's grade
    for the module to the LMS's record store (graders.results.cmi5_session), then the module opens as a module link
    opens it. The session runs in a thread: it waits on the LMS and reads the gradebook."""

    @web.authenticated
    async def get(self, course: str, module: str) -> None:
        user = self.current_user
        _own_module(self, course, module)
        query = {name: self.get_argument(name) for name in self.request.arguments}
        root, allowed = self.authenticator.course_root, tuple(self.authenticator.cmi5_lms_urls)
        try:
            session = await asyncio.to_thread(launch_module, root, user.name, module, query, allowed)
        except Cmi5Refused as exc:
            self.log.warning("cmi5 launch of %s/%s for %s refused: %s", course, module, user.name, exc)
            raise web.HTTPError(403, f"{exc}") from None
        except LRSError as exc:
            self.log.warning("cmi5 launch of %s/%s for %s failed: %s", course, module, user.name, exc)
            raise web.HTTPError(502, f"{exc}") from None
        self.log.info(
            "cmi5 session %s of %s/%s for %s: %s (xAPI %s)",
            session.session_id, course, module, user.name, ", ".join(session.verbs), session.version,
        )  # fmt: skip
        self.redirect(f"{self.hub.base_url}{MODULE.lstrip('/')}/{quote(course)}/{quote(module)}")


class OpenModule(BaseHandler):
    """A module link: the learner's server started if needed, the module fetched (nbgrader's fetch on that server,
    kept if it was fetched before) and its first notebook opened."""

    @web.authenticated
    async def get(self, course: str, module: str) -> None:
        user = self.current_user
        found = _own_module(self, course, module)
        if not user.spawner.ready:
            self.redirect(f"{self.hub.base_url}spawn/{user.escaped_name}?next={quote(self.request.uri)}")
            return
        token = user.new_api_token(note="open a module", expires_in=120, scopes=[f"access:servers!user={user.name}"])
        request = HTTPRequest(
            f"{user.spawner.server.url.rstrip('/')}/assignments/fetch",
            method="POST",
            headers={"Authorization": f"token {token}", "Content-Type": "application/x-www-form-urlencoded"},
            body=f"course_id={quote(course)}&assignment_id={quote(module)}",
            request_timeout=120,
        )
        await AsyncHTTPClient().fetch(request, raise_error=False)  # fetched before: nbgrader says so; open it anyway
        path = f"{quote(course)}/{quote(module)}/{quote(found['notebook'])}"
        reading = found.get("code_free", False) and self.get_argument("view", "") != "lab"
        self.redirect(f"{user.url}voila/render/{path}" if reading else f"{user.url}lab/tree/{path}")


class Lessons(BaseHandler):
    """ "Your lessons": the signed-in person's tracks and modules, each one click from its first lesson, and the apps
    their role opens; where everyone lands after signing in."""

    @web.authenticated
    def get(self) -> None:
        user = self.current_user
        groups = {g.name for g in user.groups}
        base = self.hub.base_url
        sections = []
        for track in self.authenticator.catalogue:
            if f"nbgrader-{track['course']}" not in groups:
                continue
            items = "".join(
                f'<li><a href="{base}{MODULE.lstrip("/")}/{quote(track["course"])}/{quote(m["id"])}">'
                f"{html.escape(m['title'])}</a><br><span class='smtk-how'>about {m['minutes']} minutes · "
                + (
                    "reading view: choose, tick or type your answers"
                    if m["code_free"]
                    else "JupyterLab: analyst work in code"
                )
                + "</span></li>"
                for m in track["modules"]
            )
            sections.append(f"<h2>{html.escape(track['title'])}</h2><ul class='smtk-modules'>{items}</ul>")
        scopes = self.expanded_scopes
        apps = [
            a for a in self.authenticator.apps if {"access:services", f"access:services!service={a['name']}"} & scopes
        ]
        if apps:
            links = "".join(
                f'<li><a href="{self.base_url}services/{quote(a["name"])}/">{html.escape(a["title"])}</a></li>'
                for a in apps
            )
            sections.append(f"<h2>Your apps</h2><ul class='smtk-modules'>{links}</ul>")
        if not sections:
            sections.append("<p>No module or app is open to you yet. Ask your trainer to add you to a track.</p>")
        body = (
            f"<h1>Your lessons, {html.escape(user.name)}</h1><p>Open a module to start or go on where you left off: "
            "your answers are kept as you give them, and each lesson ends with a button to hand the module in.</p>"
            + "".join(sections)
            + f'<p><a href="{user.url}lab">Open JupyterLab</a> (your files and the analysts\' notebooks) · '
            f'<a href="{base}logout">Sign out</a></p>'
        )
        self.finish(_page("Your lessons", body))
