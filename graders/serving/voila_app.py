"""Voilà as `smtk dashboards` runs it: stock Voilà plus a cap on concurrent visitors, a readiness endpoint, and the
`_xsrf` cookie its pages need to stop their own kernel when closed. Run as `python -m graders.serving.voila_app`
with Voilà's usual options; `graders.serving.dashboards` builds the command line.

- Cap: when `SmtkVoila.max_kernels` visitors already have a place, a new visitor gets a polite "busy" page (HTTP
  503, Retry-After) instead of a kernel. Preheated kernels waiting in the pool do not count: they serve no one yet.
  Voilà has no such option (voila-dashboards/voila#617, open). A place is taken as the request is admitted, before
  its kernel exists, so a burst of requests cannot get past the cap (`graders.serving.admission`).
- Pages that never connect: a visitor's kernel whose page never opened its websocket, or lost it and did not come
  back, is stopped after `SmtkVoila.disconnect_grace` seconds, so link previews, scripts and quit browsers do not
  hold the places until the idle culler's much longer timeout.
- Readiness: `/smtk/ready` answers 200 once every preheated kernel has started and run its notebook, so the first
  visitor after start gets a warm kernel, and 503 until then. Preheated kernels that fail are replaced
  (`graders.serving.pools`); the body names any notebook whose kernels kept failing and is no longer preheated, and
  counts the places taken: pages being rendered, pages connected, kernels waiting out their grace.
- Kernel shutdown: a Voilà page sends a shutdown beacon for its kernel when it is closed, with the `_xsrf` cookie as
  token; stock Voilà never sets that cookie, so the beacon is refused (403) and the kernel lingers until culled.
  Setting the cookie with the page lets the beacon through: closed pages free their kernels (and their cap slots)
  at once, with the cross-site request check still in place.
- Failures: a page whose kernel cannot start gets a plain-language page (HTTP 500) instead of Voilà's bare "500";
  one whose kernel dies before the app has run, or is restarted meanwhile, is ended with that message
  (`graders.serving.visits`) where stock Voilà spins for ever.
- Landing page: where the served folder has an apps.yml (courses/dashboards/ has), / is the executives' landing page
  (`graders.serving.landing`: each app's title, question and readers, no file names) instead of Voilà's file list,
  and Voilà's file list at /voila/tree sends visitors there.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import time
from pathlib import Path

import tornado.ioloop
import tornado.web
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from traitlets import Enum, Float, Integer
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from graders.paths import JUPYTER_DATA
from graders.serving.admission import Admission
from graders.serving.dashboards import USER_HEADER
from graders.serving.landing import APPS_FILE, landing_page, load_apps
from graders.serving.pools import PoolMender, pooled_kernels, stop_kernel
from graders.serving.visits import begin_visit
from simulations.profile.org import dashboard_org

# The look of smtk's own pages, and of the message that ends a page whose kernel died
MESSAGE_STYLE = (
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328;max-width:40em;"
    "margin:12vh auto;padding:0 1em;line-height:1.5"
)
PAGE = (
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8">{head}<title>{title}</title>
<style>body{{"""
    + MESSAGE_STYLE  # holds no braces, so .format leaves it be
    + """}}h1{{font-size:1.6em}}small{{color:#57606a}}</style>
</head><body><div class="{kind}"><h1>{title}</h1>
{body}</div></body></html>
"""
)
BUSY = """<p>This server takes {capacity} at once, and every place is taken. Please try again in a minute or two:
this page reloads by itself every {retry} seconds and opens the dashboard as soon as a place is free.</p>
<p><small>If this happens often, ask the person who runs the dashboards to raise the limit
(<code>smtk dashboards --max-kernels</code>).</small></p>"""
BROKEN = """<p>Something went wrong on the server while it was preparing this dashboard. Please try again in a few
minutes.</p>
<p><small>If it keeps happening, tell the person who runs the dashboards: the server's log says what went wrong
(error {status}, {when}).</small></p>"""
# Ends a page whose kernel died while Voilà rendered it: what was sent of the page may hide the message (Voilà's
# loading spinner, its hidden cell area), so the script moves it to the top and removes the rest.
KERNEL_DIED = (
    f'<div class="smtk-broken" role="alert" style="{MESSAGE_STYLE}">'
    + """<h1>{title}</h1>{body}</div>
<script>(function () {{
  var message = document.querySelector('.smtk-broken');
  ['loading', 'rendered_cells'].forEach(function (id) {{ var e = document.getElementById(id); if (e) e.remove(); }});
  document.body.prepend(message);
}})();</script>
"""
)
BROKEN_TITLE = "This dashboard could not start"
RETRY_SECONDS = 30
MEND_EVERY_MS = 1000
SWEEP_EVERY_MS = 1000


def broken_body(status: int) -> str:
    """What a visitor reads when the server failed them: try later, and what to tell whoever runs the dashboards."""
    return BROKEN.format(status=status, when=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime()))


class CappedVoilaHandler(TornadoVoilaHandler):
    """Voilà's page handler, refusing politely when the cap is reached and setting the `_xsrf` cookie."""

    @tornado.web.authenticated
    async def get(self, path=None):
        admission: Admission = self.settings["smtk_admission"]
        self.visit = begin_visit()
        if not admission.admit(self.visit):  # no await before this: the place is taken in the same step as counted
            cap = admission.cap
            self.log.warning("smtk: all %s places for visitors are taken; a new visitor got the busy page", cap)
            self.set_status(503)
            self.set_header("Retry-After", str(RETRY_SECONDS))
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            capacity = f"{cap} {'person' if cap == 1 else 'people'}"
            body = BUSY.format(capacity=html.escape(capacity), retry=RETRY_SECONDS)
            head = f'<meta http-equiv="refresh" content="{RETRY_SECONDS}">'
            self.finish(PAGE.format(head=head, title="The dashboards are busy right now", kind="smtk-busy", body=body))
            return
        self.pass_user()
        try:
            self.xsrf_token  # noqa: B018 - reading it sets the _xsrf cookie the page's shutdown beacon sends back
            await super().get(path)
        finally:
            admission.rendered(self.visit)

    def pass_user(self) -> None:
        """Hand the page's kernel the hub's signed-in user (as the header Voilà passes to the kernel's environment),
        never a value the browser sent; under a plain `smtk dashboards` nobody signs in and nothing is passed."""
        self.request.headers.pop(USER_HEADER, None)
        user = self.current_user
        if user is not None and type(self.identity_provider).__name__ == "JupyterHubIdentityProvider":
            self.request.headers[USER_HEADER] = user.username

    def write_error(self, status_code: int, **kwargs) -> None:
        """A server fault (say, a kernel that cannot start) gets a plain-language page, not Voilà's bare "500"."""
        if status_code < 500:
            super().write_error(status_code, **kwargs)
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        body = broken_body(status_code)
        self.finish(PAGE.format(head="", title=BROKEN_TITLE, kind="smtk-broken", body=body))

    async def get_generator(self, path=None):
        """Voilà's page, ended with a message if the kernel started for it dies before the app has run."""
        visit, manager = self.visit, self.kernel_manager
        async with contextlib.aclosing(super().get_generator(path=path)) as page:
            async for snippet in page:
                kernel_id = visit.kernel_id
                if kernel_id is not None and (kernel_id not in manager or kernel_id in manager.restarted):
                    self.log.error("smtk: the kernel started for a visitor of %s died before the app had run", path)
                    if kernel_id in manager:  # restarted, so the app never runs in it: free the visitor's place
                        tornado.ioloop.IOLoop.current().spawn_callback(stop_kernel, manager, kernel_id, self.log)
                    yield KERNEL_DIED.format(title=BROKEN_TITLE, body=broken_body(500))
                    return
                yield snippet


class ReadyHandler(tornado.web.RequestHandler):
    """200 once every preheated kernel is warm (its notebook has run), 503 before; a JSON body says how many."""

    def get(self) -> None:
        manager = self.settings["kernel_manager"]
        pooled, starting, warm = pooled_kernels(manager)
        self.set_status(200 if warm else 503)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        body = {
            "ready": warm,
            "pooled": len(pooled),
            "starting": starting,
            **self.settings["smtk_admission"].state(),
            "not_preheated": sorted(self.settings["smtk_pool_mender"].given_up),
        }
        self.finish(json.dumps(body))


class LandingHandler(JupyterHandler):
    """The executives' landing page (graders.serving.landing), in place of Voilà's list of notebook files."""

    def initialize(self, page: str) -> None:
        self.page = page

    @tornado.web.authenticated
    def get(self, path: str | None = None) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        if path and path != "/":  # Voilà's file list of a subfolder, or a file: the landing page is the only index
            self.set_status(404)
            body = f'<p>There is no page at this address. <a href="{html.escape(self.base_url)}">The dashboards</a></p>'
            self.finish(PAGE.format(head="", title="Page not found", kind="smtk-missing", body=body))
            return
        self.set_header("Cache-Control", "no-cache")
        self.finish(self.page)


class SmtkVoila(Voila):
    """Voilà with a cap on concurrent visitors and a readiness endpoint (see the module docstring)."""

    max_kernels = Integer(
        0, config=True, help="Most kernels serving visitors at once; 0 means no cap. Preheated kernels do not count."
    )
    disconnect_grace = Float(
        0,
        config=True,
        help="Seconds a visitor's kernel is kept, once its page has been sent, with no page connected to it (the page "
        "never connected, or its connection dropped); then it is stopped and its place freed. 0 means for ever.",
    )
    landing_audience = Enum(
        ["executive", "learner"], "executive", config=True, help="Whose apps the landing page lists (apps.yml)."
    )

    def init_settings(self) -> dict:
        settings = super().init_settings()
        admission = Admission(self.kernel_manager, self.log, self.max_kernels, self.disconnect_grace)
        settings["smtk_admission"] = admission
        mender = PoolMender(self.kernel_manager, self.log)
        settings["smtk_pool_mender"] = mender
        tornado.ioloop.PeriodicCallback(mender.mend, MEND_EVERY_MS).start()
        tornado.ioloop.PeriodicCallback(admission.sweep, SWEEP_EVERY_MS).start()
        return settings

    def init_handlers(self) -> list:
        landing = self._landing()
        handlers = []
        # Voilà adds the identity provider's handlers (behind a hub: /oauth_callback, /logout) without its base URL.
        own = {pattern for pattern, *_ in self.identity_provider.get_handlers()}
        for pattern, handler, *rest in super().init_handlers():
            pattern = url_path_join(self.server_url, pattern) if pattern in own else pattern
            if handler is TornadoVoilaHandler:
                handler = CappedVoilaHandler
            elif handler is TornadoVoilaTreeHandler and landing is not None:
                handler, rest = LandingHandler, [{"page": landing}]
            handlers.append((pattern, handler, *rest))
        return [(url_path_join(self.server_url, "/smtk/ready"), ReadyHandler), *handlers]

    def _landing(self) -> str | None:
        """The landing page's HTML when the served folder describes its apps (apps.yml), else None (Voilà's list)."""
        folder = Path(self.root_dir)
        if not (folder / APPS_FILE).exists():
            return None
        return landing_page(load_apps(folder), dashboard_org()["name"], self.base_url, self.landing_audience)


def main() -> None:
    """Put the smtk templates on Jupyter's data path, then run Voilà with the command-line options."""
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(JUPYTER_DATA), os.environ.get("JUPYTER_PATH")) if p)
    SmtkVoila.launch_instance()


if __name__ == "__main__":
    main()
