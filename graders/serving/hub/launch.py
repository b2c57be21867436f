"""`smtk hub ORG.yaml --roster ROSTER.csv`: build the organisation's course, release each track to the exchange and
run JupyterHub (with configurable-http-proxy) on 127.0.0.1 until Ctrl-C; everything it starts ends with it."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import graders
import simulations
from graders.course.exchange import exchange_root, release_tracks, track_course
from graders.course.manifest import course_manifest
from graders.course.root import GradeError
from graders.course.roster import ROSTER, read_roster
from graders.course.tailor import TailorError, tailor
from graders.paths import BUILD, DASHBOARDS, DEMO_ORG, JUPYTER_DATA, ROOT
from graders.results.trainer_data import COURSE_ENV
from graders.serving.dashboards import dashboards_command, dashboards_env
from graders.serving.hub.content_links import CatalogueModule, CatalogueTrack
from graders.serving.hub.prestart import prestart
from graders.serving.hub.settings import (
    CULL_IDLE_SECONDS,
    FORMGRADER,
    LEARNER_APPS,
    TRAINER_APPS,
    HubSettings,
    Service,
    hub_settings,
    lti_for,
)
from graders.serving.hub.settings import (
    DASHBOARDS as DASHBOARDS_SERVICE,
)
from graders.serving.landing import APPS_FILE, load_apps
from graders.serving.servers import (
    HOST,
    LEARNER_LAB_CONFIG,
    Server,
    ServerError,
    check_port_free,
    start,
    trainer_lab_env,
)
from simulations.common.facts import FACTS_FILE
from simulations.profile.org import ORG_VARIABLE, load_org

PROXY = ROOT / "graders" / "serving" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
CONFIG = Path(__file__).with_name("jupyterhub_config.py")


@dataclass
class Hub:
    """A running hub: its server, where it listens and its settings."""

    server: Server
    url: str
    settings: HubSettings
    course_root: Path
    prestarted: dict[str, float | None] = field(default_factory=dict)  # learner -> seconds to ready (None: failed)

    def stop(self) -> None:
        self.server.stop(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def app_folders(hub_dir: Path) -> dict[str, Path]:
    """One folder per app service with copies of its audience's apps (courses/dashboards/apps.yml says whose);
    the executives' and the team apps' folders keep their part of apps.yml, so they open on a landing page."""
    apps = load_apps(DASHBOARDS)
    listed = yaml.safe_load((DASHBOARDS / APPS_FILE).read_text(encoding="utf-8"))["apps"]
    folders = {}
    for name, audience in ((DASHBOARDS_SERVICE, "executive"), (TRAINER_APPS, "trainer"), (LEARNER_APPS, "learner")):
        folder = folders[name] = hub_dir / "apps" / audience
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for app in apps:
            if app.audience == audience:
                shutil.copyfile(DASHBOARDS / app.notebook, folder / app.notebook)
        if audience != "trainer":  # the executives' and the team apps open on their landing page
            own = [entry for entry in listed if entry["audience"] == audience]
            (folder / APPS_FILE).write_text(yaml.safe_dump({"apps": own}, sort_keys=False), encoding="utf-8")
    return folders


def app_service(name: str, folder: Path, port: int, course_root: Path, org: Path) -> Service:
    """Voilà behind the hub's sign-in: JupyterHub's own identity provider and authorizer, under the service's URL."""
    # One warm kernel per app for the executives' apps and the team apps (the library reads its whole log before its
    # visitor comes, then waits for them: see simulations.ui.apps.visitor); the trainers' apps start on demand.
    command = dashboards_command(folder, port, pool_size=0 if name == TRAINER_APPS else 1)
    return Service(
        name=name,
        port=port,
        command=[
            sys.executable,
            "-m",
            "graders.serving.lifetime",
            *command,
            f"--Voila.base_url=/services/{name}/",
            "--Voila.identity_provider_class=jupyterhub.singleuser.extension.JupyterHubIdentityProvider",
            "--Voila.authorizer_class=jupyterhub.singleuser.extension.JupyterHubAuthorizer",
            *(["--SmtkVoila.landing_audience=learner"] if name == LEARNER_APPS else []),
        ],
        cwd=str(course_root),
        environment={**dashboards_env(org), COURSE_ENV: str(course_root)},  # every app service: one event database
    )


def catalogue(root: Path, course_id: str, tracks: dict[str, list[str]]) -> list[CatalogueTrack]:
    """The released tracks and modules, with titles, minutes and each module's first notebook: the lessons page, the
    module links and the LMS's content picker."""
    manifest = course_manifest(root)
    titles = {t.id: t.title for t in manifest.tracks}
    return [
        CatalogueTrack(
            course=track_course(course_id, track),
            title=titles.get(track, track),
            modules=[
                CatalogueModule(
                    id=m,
                    title=manifest.module(m).title,
                    notebook=f"{manifest.module(m).lessons[0].id}.ipynb",
                    minutes=manifest.module(m).minutes,
                    code_free=manifest.module(m).code_free,
                )
                for m in modules
            ],
        )
        for track, modules in tracks.items()
    ]


def formgrader_service(port: int, course_root: Path) -> Service:
    """nbgrader's formgrader on the course root, for trainers: its own tab (it breaks inside JupyterLab's frame
    under the hub's security headers), the course's own nbgrader_config.py and gradebook."""
    command = [sys.executable, "-m", "graders.serving.lifetime", "jupyterhub-singleuser", f"--port={port}"]
    command += ["--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={course_root}"]
    command += ["--allow-root"] if os.geteuid() == 0 else []
    return Service(
        name=FORMGRADER,
        port=port,
        command=command,
        cwd=str(course_root),
        environment={"JUPYTERHUB_DEFAULT_URL": "/formgrader", **trainer_lab_env()},
    )


def start_hub(
    org_path: str | Path,
    roster_path: str | Path,
    out: str | Path | None = None,
    port: int = 8000,
    wait: bool = True,
    progress: bool = True,
    cull_idle_seconds: int = CULL_IDLE_SECONDS,
    hub_config: str | Path | None = None,
    prestart: bool = False,
) -> Hub:
    """Validate the roster, build the course, release it track by track and start the hub; fail with what to fix.

    With `prestart`, every roster learner's server is started once the hub is up (waited for when `wait`)."""
    if hub_config is not None and not Path(hub_config).is_file():
        raise ServerError(f"--hub-config {hub_config}: no such file")
    if cull_idle_seconds < 60:
        raise ServerError(f"expected --cull-idle-timeout of at least 60 seconds, got {cull_idle_seconds}")
    org = load_org(org_path)
    people = read_roster(roster_path, tracks=org.tracks, need_tracks=True)
    try:
        lti = lti_for(org.lti, people, str(roster_path)) if org.lti else None
    except ValueError as exc:
        raise ServerError(str(exc)) from None
    check_port_free(port, "JupyterHub", "--port")
    if not PROXY.exists():
        raise ServerError(f"configurable-http-proxy is not installed ({PROXY}); run `make hub-proxy` (needs npm)")
    root = Path(out or BUILD / org.slug).resolve()
    try:
        tailor(org_path, root, progress=progress)
    except TailorError as exc:
        raise ServerError(str(exc)) from None
    shutil.copyfile(roster_path, root / ROSTER)  # the file certification reads: one roster for both
    hub_dir = root / "hub"
    hub_dir.mkdir(exist_ok=True)
    try:
        tracks = release_tracks(root)
    except GradeError as exc:
        raise ServerError(str(exc)) from None
    view = learner_exchange(hub_dir, exchange_root(root), [track_course(org.slug, track) for track in tracks])
    learner_config = write_learner_config(hub_dir, view)
    code = code_folder(hub_dir)
    folders = app_folders(hub_dir)
    services = [
        app_service(name, folder, free_port(), root, Path(org_path).resolve()) for name, folder in folders.items()
    ] + [formgrader_service(free_port(), root)]
    settings = hub_settings(
        hub_dir=hub_dir,
        course_id=org.slug,
        tracks=tuple(tracks),
        people=people,
        port=port,
        hub_port=free_port(),
        proxy_api_port=free_port(),
        # the proxy runs in a session of its own: it must end with the hub however the hub ends
        proxy_command=[sys.executable, "-m", "graders.serving.lifetime", str(PROXY)],
        services=services,
        # the learners' JupyterLab (no authoring tools) and nbgrader's settings for the hub
        learner_env={
            "JUPYTER_CONFIG_PATH": os.pathsep.join([str(LEARNER_LAB_CONFIG), str(learner_config.parent)]),
            # the smtk Voilà template of the reading view, and the kit's fixes to JupyterLab's interface
            "JUPYTER_PATH": str(JUPYTER_DATA),
            "PYTHONPATH": str(code),
        },
        # the kit's code, the organisations, the exchange's view, and the fact registry lessons cite (the file
        # alone: the rest of courses/ holds the solutions)
        learner_reads=[
            str(code),
            *(str(link.resolve()) for link in code.iterdir()),
            str(DEMO_ORG.parent),
            str(view),
            str(FACTS_FILE),
        ],
        cull_idle_seconds=cull_idle_seconds,
        extra_config=str(Path(hub_config).resolve()) if hub_config else "",
        lti=lti,
        catalogue=catalogue(root, org.slug, tracks),
        prestart_token=secrets.token_hex(32) if prestart else "",
        cmi5_lms_urls=list(org.cmi5.lms_urls) if org.cmi5 else [],
    )
    settings_path = hub_dir / "settings.json"
    settings_path.touch(mode=0o600)  # it holds a token: for the hub's user alone
    settings_path.write_text(json.dumps(settings, indent=1), encoding="utf-8")
    command = [sys.executable, "-m", "graders.serving.lifetime", sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)]
    url = f"http://{HOST}:{port}"
    server = start(
        "JupyterHub",
        command,
        hub_dir,
        f"{url}/hub/health",
        hub_dir / "logs" / "jupyterhub.log",
        env={"SMTK_HUB_SETTINGS": str(settings_path), ORG_VARIABLE: str(Path(org_path).resolve())},
    )
    hub = Hub(server, url, settings, root)
    if wait:
        try:
            server.wait_ready(timeout=120)
            if prestart:
                hub.prestarted = start_learners(hub, [p.learner for p in people if p.role == "learner"])
        except BaseException:
            hub.stop()
            raise
    return hub


def start_learners(hub: Hub, names: list[str]) -> dict[str, float | None]:
    """Start these learners' servers ahead of their sign-in (prestart.py); name -> seconds to ready, or None."""
    return prestart(hub.url, hub.settings["prestart_token"], names)


EXCHANGE_PARTS = ("outbound", "inbound", "feedback")


def learner_exchange(hub_dir: Path, exchange: Path, courses: list[str]) -> Path:
    """The exchange as learners' servers see it: a folder per course of links to its three parts. nbgrader lists
    the exchange's root to find the courses; listing the real one would let a confined server list every folder
    beneath it, others' submissions and feedback among them, while a folder of links grants nothing beyond itself."""
    view = hub_dir / "learner-exchange"
    for course in courses:
        (view / course).mkdir(parents=True, exist_ok=True)
        for part in EXCHANGE_PARTS:
            (exchange / course / part).mkdir(parents=True, exist_ok=True)  # a learner server cannot create them
            link = view / course / part
            if not link.is_symlink():
                link.symlink_to(exchange / course / part, target_is_directory=True)
    return view


def code_folder(hub_dir: Path) -> Path:
    """Where learner servers import the kit from: links to its two packages, so that a server confined to its own
    folder reads them without reading, or listing, the rest of the repository (which may hold course roots)."""
    folder = hub_dir / "python"
    folder.mkdir(exist_ok=True)
    for package in (graders, simulations):
        link = folder / package.__name__
        if not link.is_symlink():
            link.symlink_to(Path(package.__file__).resolve().parent, target_is_directory=True)
    return folder


def write_learner_config(hub_dir: Path, exchange: Path) -> Path:
    """nbgrader on a learner's server: the shared exchange, one course per track, courses from the hub's groups."""
    folder = hub_dir / "etc" / "jupyter"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "nbgrader_config.py"
    path.write_text(
        '"""nbgrader for learners on the smtk hub (written by `smtk hub`)."""\n\n'
        "import os\n\n"
        "c = get_config()  # noqa: F821\n"
        "# Learners' servers share one system user here: sign submissions with the hub's name, not the system's.\n"
        'c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]\n'
        f"c.Exchange.root = {str(exchange)!r}\n"
        "c.Exchange.path_includes_course = True\n"
        'c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"\n',
        encoding="utf-8",
    )
    return path


def run_hub(
    org_path: str | Path,
    roster_path: str | Path,
    out: str | Path | None = None,
    port: int = 8000,
    cull_idle_seconds: int = CULL_IDLE_SECONDS,
    hub_config: str | Path | None = None,
    prestart: bool = False,
) -> int:
    """`smtk hub`: start, print how to sign in, serve until Ctrl-C or SIGTERM, then stop everything."""
    from graders.serving.servers import ignore_stop_signals, stop_on_signals

    stop_on_signals()
    hub = start_hub(
        org_path, roster_path, out, port, cull_idle_seconds=cull_idle_seconds, hub_config=hub_config, prestart=prestart
    )
    print(f"JupyterHub for {hub.course_root.name}: {hub.url}/hub/login")
    if prestart:
        ready = sorted(s for s in hub.prestarted.values() if s is not None)
        failed = sorted(name for name, s in hub.prestarted.items() if s is None)
        took = f" in {ready[-1]:.0f} s" if ready else ""
        print(f"  {len(ready)} learner server(s) started ahead of sign-in{took}")
        if failed:
            print(f"  Not started (see {hub.server.log}): {', '.join(failed)}")
    lti = hub.settings["lti"]
    if lti:
        print(f"  Learners open the course from the LMS at {lti['issuer']}, which launches them (LTI 1.3) through")
        print(f"  {hub.url}/hub/lti13/oauth_login and {hub.url}/hub/lti13/oauth_callback.")
        if lti.get("keyset"):
            print(f"  Grade passback signs with the tool key whose public keyset is at {hub.url}/hub/lti13/jwks.")
        roles = sorted({p.role for p in read_roster(hub.course_root / ROSTER) if p.learner in lti["password_users"]})
        print(f"  Sign in here as {' or '.join(roles) or 'nobody'}: your name from the roster; the first sign-in sets")
        print("  your password.")
    else:
        print("  Sign in with your name from the roster; the first sign-in sets your password.")
    if hub.settings["cmi5_lms_urls"]:
        print(f"  cmi5 launches (smtk package cmi5) come in at {hub.url}/hub/cmi5/module/... from the LMS at")
        print(f"  {', '.join(hub.settings['cmi5_lms_urls'])}.")
    print(f"  Logs: {hub.server.log}. Ctrl-C stops the hub, every learner server and the apps.")
    try:
        while hub.server.process.poll() is None:
            time.sleep(0.5)
        raise ServerError(f"JupyterHub stopped (exit {hub.server.process.returncode}); see {hub.server.log}")
    except KeyboardInterrupt:
        pass
    finally:
        ignore_stop_signals()
        hub.stop()
    return 0
