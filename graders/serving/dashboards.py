"""`smtk dashboards`: Voilà serving the executive apps in courses/dashboards/, fast and safe by default.

One function builds the command line and one starts the server, and both `smtk dashboards` and `smtk demo` use them,
so the two cannot drift apart. What the options do, and why:
- 127.0.0.1 only, one port, no retries: nothing listens where the user did not ask.
- Only courses/dashboards/ is served (it is Voilà's root), with the smtk-light template: Voilà's lab page with
  the light front end built from graders/serving/frontend (ipywidgets' own widget manager instead of a JupyterLab
  application in the page: interactive in about half the time). Where it has not been built (`make` builds it with
  Node.js), the smtk template serves Voilà's own front end. Neither fetches FontAwesome from a public CDN.
- Preheated kernels: each app keeps `pool_size` kernels that have already run it, so a visitor gets a page that is
  interactive at once; a used kernel is replaced `fill_delay` seconds later, after the visitor's page has loaded,
  and a failed one at once (graders/serving/pools.py).
- Voilà waits up to `OUTPUT_WAIT` seconds for a cell's output after the cell's reply (nbclient's default, 4 s, drew
  apps without their widgets on a busy server).
- Tracebacks hidden; the browser may send the kernel widget messages only (Voilà refuses execute requests).
- JupyterLab extensions that fail inside Voilà's page (and slow it down) are not loaded.
- At most `max_kernels` visitors at once: the next one gets a polite "busy" page (graders/serving/voila_app.py).
- A closed page stops its own kernel at once. A visitor's kernel with no page connected (the page never opened its
  websocket: a link preview, curl, a bot; or its connection dropped and did not come back: a browser that quit) is
  stopped `disconnect_grace` seconds after its page was sent or lost its connection, so it frees its place
  (graders/serving/admission.py). Kernels idle for `cull_idle_timeout` seconds without a page attached are stopped
  too; a kernel with a page open is never stopped.
- The live crisis exercise's pages (exercise-*.ipynb) are not preheated: a page learns who its visitor is (the
  hub's signed-in user, passed as a header the server sets from its own sign-in) and the exercise code in its
  address only when its kernel starts for that visitor. They share one database of exercises
  ($SMTK_EXERCISE_DB, by default build/exercises/events.db).
- / is a landing page for executives (graders/serving/landing.py, from the folder's apps.yml): each executive app's
  title, the question it answers and for whom; the trainer's apps are not listed there.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
import webbrowser
from collections.abc import Callable
from pathlib import Path

from graders.paths import BUILD, DASHBOARDS, DEMO_ORG, JUPYTER_DATA
from graders.serving import servers
from graders.serving.landing import APPS_FILE, load_apps
from graders.serving.servers import HOST, Server, ServerError, check_port_free, has_display, start
from simulations.exercise.live import DB_VARIABLE
from simulations.profile.org import ORG_VARIABLE, load_org

LIGHT_FRONT_END = JUPYTER_DATA / "voila" / "templates" / "smtk-light" / "static" / "smtk.js"  # `make frontend`
POOL_SIZE = 2  # preheated kernels per app: two executives may arrive together and both get a warm kernel
MAX_KERNELS = 10  # visitors at once; each kernel holds about 100-140 MB
CULL_IDLE_TIMEOUT = 600  # seconds a kernel may sit idle with no page attached
DISCONNECT_GRACE = 60  # seconds a visitor's kernel may wait for its page to connect, or to reconnect
# Seconds Voilà waits for a cell's output after the cell's reply: past nbclient's default (4 s) it draws the app
# without that output (its widgets), which a server busy with other visitors reached.
OUTPUT_WAIT = 60
# JupyterLab extensions that fail inside Voilà's page (and cost load time): Voilà must not load them. Nor the kit's
# fixes to JupyterLab's own interface (graders/serving/lab_a11y), which Voilà's page does not show.
EXTENSION_DENYLIST = (
    "@jupyter/nbgrader",
    "@jupyter-notebook/lab-extension",
    "@voila-dashboards/jupyterlab-preview",
    "jupyterlab_pygments",
    "smtk-lab-a11y",
)
NOT_PREHEATED = ("exercise-",)  # pages that need their visitor's request (user, address) when their kernel starts
USER_HEADER = "X-Smtk-User"  # set by smtk's Voilà from its own sign-in (any such header a browser sends is dropped)
EXERCISE_DB = BUILD / "exercises" / "events.db"


def template() -> str:
    """The light front end's template once it is built, else the one with Voilà's own front end."""
    return "smtk-light" if LIGHT_FRONT_END.is_file() else "smtk"


def front_end_notice() -> str | None:
    """What to tell whoever starts the dashboards when they will run on Voilà's own, slower front end."""
    if template() == "smtk-light":
        return None
    return (
        "  the light front end is not built, so each app takes about 2 s more to open; "
        "`make frontend` builds it (Node.js and npm)"
    )


def dashboards_command(
    folder: Path = DASHBOARDS,
    port: int = 8866,
    *,
    pool_size: int = POOL_SIZE,
    max_kernels: int = MAX_KERNELS,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
    disconnect_grace: float = DISCONNECT_GRACE,
    fill_delay: float = 5.0,
) -> list[str]:
    """The Voilà command line of `smtk dashboards` (see the module docstring for what each option is for)."""
    return [
        sys.executable,
        "-m",
        "graders.serving.voila_app",
        str(folder),
        "--no-browser",
        f"--Voila.ip={HOST}",
        f"--port={port}",
        "--Voila.port_retries=0",
        f"--template={template()}",
        "--show_tracebacks=False",
        f"--VoilaConfiguration.extension_denylist={list(EXTENSION_DENYLIST)!r}",
        f"--VoilaConfiguration.http_header_envs={[USER_HEADER]!r}",
        f"--VoilaKernelManager.preheat_denylist={list(NOT_PREHEATED)!r}",
        f"--preheat_kernel={pool_size > 0}",
        f"--pool_size={pool_size}",
        f"--VoilaKernelManager.fill_delay={fill_delay}",
        f"--VoilaExecutor.iopub_timeout={OUTPUT_WAIT}",
        f"--SmtkVoila.max_kernels={max_kernels}",
        f"--SmtkVoila.disconnect_grace={disconnect_grace}",
        "--VoilaConfiguration.multi_kernel_manager_class=graders.serving.visits.VisitKernelManager",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle_timeout}",
        f"--MappingKernelManager.cull_interval={max(min(cull_idle_timeout // 4, 60), 1)}",
        "--MappingKernelManager.cull_connected=False",
    ]


def dashboards_env(org: Path | None = None) -> dict[str, str]:
    """The server's environment: which organisation the apps show (the demo one unless given), and where the live
    exercise's log is (kept if already set, so an operator can point several servers at one PostgreSQL)."""
    env = {DB_VARIABLE: os.environ.get(DB_VARIABLE) or str(EXERCISE_DB)}
    return env if org is None else {**env, ORG_VARIABLE: str(Path(org).resolve())}


def start_dashboards(
    port: int = 8866,
    log: Path | None = None,
    *,
    org: Path | None = None,
    folder: Path = DASHBOARDS,
    pool_size: int = POOL_SIZE,
    max_kernels: int = MAX_KERNELS,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
    disconnect_grace: float = DISCONNECT_GRACE,
    option: str = "--port",
    wait: bool = True,
    env: dict[str, str] | None = None,
) -> Server:
    """Start the dashboards server and (unless `wait` is False) wait until its preheated kernels are warm.

    The organisation profile and the folder's apps.yml are validated first, so a mistake in either fails here with
    its file and field named.
    """
    if pool_size < 0 or max_kernels < 0 or cull_idle_timeout < 1 or disconnect_grace < 0:
        raise ServerError(
            f"expected --pool-size >= 0, --max-kernels >= 0, --cull-idle-timeout >= 1 and --disconnect-grace >= 0, "
            f"got {pool_size}, {max_kernels}, {cull_idle_timeout} and {disconnect_grace:g}"
        )
    if org is not None:
        load_org(org)
    if (Path(folder) / APPS_FILE).exists():
        load_apps(folder)
    check_port_free(port, "Voilà", option)
    command = dashboards_command(
        folder,
        port,
        pool_size=pool_size,
        max_kernels=max_kernels,
        cull_idle_timeout=cull_idle_timeout,
        disconnect_grace=disconnect_grace,
    )
    log = log or BUILD / "logs" / "dashboards.log"
    ready = f"http://{HOST}:{port}/smtk/ready"
    server = start("Voilà", command, folder, ready, log, env={**dashboards_env(org), **(env or {})})
    if wait:
        try:
            server.wait_ready(timeout=180)
        except BaseException:
            server.stop()
            raise
    return server


def dashboards_url(port: int) -> str:
    return f"http://{HOST}:{port}/"


def readiness(url: str) -> dict:
    """The JSON body of the server's /smtk/ready at `url` (200 when warm, 503 before: both carry the body)."""
    try:
        with urllib.request.urlopen(f"{url}smtk/ready", timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def preheat_notice(url: str) -> str | None:
    """What to tell the person running the server when some app is no longer preheated (its kernels kept failing)."""
    if not (notebooks := readiness(url).get("not_preheated")):
        return None
    return (
        f"  not preheated: {', '.join(notebooks)}: its preheated kernels kept failing to start, so each visitor "
        "waits for a new kernel; the server log says why"
    )


def run_dashboards(
    org: Path = DEMO_ORG,
    port: int = 8866,
    pool_size: int = POOL_SIZE,
    max_kernels: int = MAX_KERNELS,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
    disconnect_grace: float = DISCONNECT_GRACE,
    open_browser: bool = True,
    echo: Callable[[str], None] = print,
) -> int:
    """Serve the dashboards until Ctrl-C or SIGTERM, printing the URLs of the apps."""
    servers.stop_on_signals()
    server = start_dashboards(
        port,
        org=org,
        pool_size=pool_size,
        max_kernels=max_kernels,
        cull_idle_timeout=cull_idle_timeout,
        disconnect_grace=disconnect_grace,
    )
    url = dashboards_url(port)
    try:
        echo(f"\nsmtk dashboards is running for {load_org(org).name}.")
        echo(f"  for executives, the landing page: {url}")
        apps = load_apps(DASHBOARDS)
        for app in apps:
            if app.audience == "executive":
                echo(f"    {app.title}: {url}voila/render/{app.notebook}")
        echo("  for trainers (not listed on the landing page):")
        for app in apps:
            if app.audience != "executive":
                echo(f"    {app.title}: {url}voila/render/{app.notebook}")
        echo(
            f"  at most {max_kernels} visitors at once; a page not connected frees its place after "
            f"{disconnect_grace:g} s; server log: {server.log}"
        )
        for notice in (front_end_notice(), preheat_notice(url)):
            if notice:
                echo(notice)
        echo("Press Ctrl-C to stop.")
        sys.stdout.flush()
        if open_browser and has_display():
            webbrowser.open(url)
        while server.process.poll() is None:
            time.sleep(0.5)
        echo(f"smtk: Voilà stopped unexpectedly (exit {server.process.returncode}); see {server.log}")
        return 1
    except KeyboardInterrupt:
        echo("Stopping Voilà ...")
        return 0
    finally:
        servers.ignore_stop_signals()
        server.stop()
        echo("Stopped.")
