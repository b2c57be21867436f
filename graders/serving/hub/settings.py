"""What the kit's JupyterHub is, as data: who may sign in, their groups and roles, the services, the limits.

`hub_settings` derives it from the organisation and the roster (pure, so tests and the Kubernetes values check the
same thing); `apply` sets JupyterHub's own traitlets from it inside `jupyterhub_config.py`. Access is JupyterHub's
RBAC, nothing of our own: each track is an nbgrader course (`<org>-<track>`) whose learners are in the hub group
`nbgrader-<course>` (nbgrader's JupyterHub integration lists a learner only their courses' assignments); trainers
are in `formgrade-<course>` for every track and may open both app services; executives may open the executive apps;
everyone signed in may open the team apps (the crisis exercise's player and review, the library).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, TypedDict

from graders.course.exchange import track_course
from graders.course.lti_key import tool_jwks
from graders.course.roster import Person
from graders.serving.hub.content_links import LESSONS, App, CatalogueTrack
from simulations.profile.org import LtiPlatform

DASHBOARDS = "dashboards"  # the executive apps, a hub service
TRAINER_APPS = "trainer-apps"  # the trainer's apps, a hub service only trainers may open
LEARNER_APPS = (
    "learner-apps"  # the pages every signed-in person may open: the exercise's player and review, the library
)
FORMGRADER = "formgrader"  # nbgrader's formgrader on the course root, a hub service only trainers may open
TEMPLATES = Path(__file__).parent / "templates"  # pages of JupyterHub's that the kit restyles
APP_TITLES = {
    DASHBOARDS: "Executive apps: ROI and benchmarking",
    TRAINER_APPS: "Trainer apps: hand-ins, grades and the course overview",
    LEARNER_APPS: "Team apps: join a crisis exercise, read its review, the library",
    FORMGRADER: "Manual grading (nbgrader's formgrader)",
}
CULLER = "idle-culler"
PRESTART = "smtk-prestart"  # the hub service whose token starts learners' servers ahead of sign-in
MEMORY_MB = 2048  # per process of a learner's server (its JupyterLab, each kernel): see spawner.py
CULL_IDLE_SECONDS = 3600


class Service(TypedDict):
    """One hub-managed service: its name, where it listens and the command the hub starts it with."""

    name: str
    port: int
    command: list[str]
    cwd: str
    environment: dict[str, str]


class LtiSettings(TypedDict):
    """Launches from the company's LMS (the profile's `lti:`), with the roster's e-mail addresses to sign-in names."""

    issuer: str
    client_ids: list[str]
    authorize_url: str
    jwks_url: str
    deployment_ids: list[str]
    emails: dict[str, str]
    password_users: list[str]
    keyset: dict[str, Any] | None  # the tool's public JWKS, served for the LMS when the profile has lti.services
    private_key: str  # the tool's private key file, which signs deep linking responses ("": no lti.services)


class HubSettings(TypedDict):
    """Everything jupyterhub_config.py needs, written as JSON beside the hub's database."""

    hub_dir: str
    ip: str
    port: int
    hub_port: int
    proxy_api_port: int
    proxy_command: list[str]
    course_id: str
    exchange: str
    users_dir: str
    allowed: list[str]
    groups: dict[str, list[str]]
    roles: list[dict[str, Any]]
    services: list[Service]
    learner_env: dict[str, str]
    memory_mb: int
    cull_idle_seconds: int
    extra_config: str
    lti: LtiSettings | None
    catalogue: list[CatalogueTrack]  # the released tracks and modules: the lessons page, module links, the picker
    learner_reads: list[str]
    prestart_token: str  # the token that starts learners' servers ahead of sign-in ("": no prestart)
    cmi5_lms_urls: list[str]  # the LMS addresses a cmi5 launch may name (the profile's cmi5.lms_urls; []: none)


def groups_for(people: list[Person], course_id: str, tracks: tuple[str, ...]) -> dict[str, list[str]]:
    """Hub groups: nbgrader-<course> per track for its learners, formgrade-<course> for trainers, one per role."""
    groups: dict[str, list[str]] = {}
    trainers = sorted(p.learner for p in people if p.role == "trainer")
    for track in tracks:
        course = track_course(course_id, track)
        groups[f"nbgrader-{course}"] = sorted(p.learner for p in people if p.role == "learner" and track in p.tracks)
        groups[f"formgrade-{course}"] = trainers
    for role in ("learner", "trainer", "executive"):
        groups[f"{role}s"] = sorted(p.learner for p in people if p.role == role)
    return groups


def lti_for(platform: LtiPlatform, people: list[Person], roster: str) -> LtiSettings:
    """The LMS's settings, with each roster e-mail (lower case) naming one person; two people sharing an address
    cannot be told apart in a launch, so that stops the hub."""
    emails: dict[str, str] = {}
    for person in people:
        email = person.email.strip().lower()
        if email in emails:
            raise ValueError(
                f"{roster}: column email: {person.email!r} is given for both {emails[email]!r} and {person.learner!r}; "
                "a launch from the LMS names a person by e-mail, so each must have their own"
            )
        if email:
            emails[email] = person.learner
    return LtiSettings(
        keyset=tool_jwks(platform.services.private_key) if platform.services else None,
        private_key=platform.services.private_key if platform.services else "",
        issuer=platform.issuer,
        client_ids=list(platform.client_ids),
        authorize_url=platform.authorize_url,
        jwks_url=platform.jwks_url,
        deployment_ids=list(platform.deployment_ids),
        emails=emails,
        password_users=sorted(p.learner for p in people if p.role in platform.password_roles),
    )


def roles_for(prestart: bool = False) -> list[dict[str, Any]]:
    """Least privilege: who may open which service, and what the hub's own helpers may do."""
    starter = {
        "name": "smtk-prestart",
        "description": "start learners' servers ahead of sign-in",
        "scopes": ["list:users", "read:servers", "servers"],
        "services": [PRESTART],
    }
    return [
        *([starter] if prestart else []),
        {
            "name": "user",  # JupyterHub's default role of every user, widened by the apps everyone may open
            "description": "a signed-in person: their own server and the team apps",
            "scopes": ["self", f"access:services!service={LEARNER_APPS}"],
        },
        {
            "name": "smtk-executive-apps",
            "description": "open the executive apps",
            "scopes": [f"access:services!service={DASHBOARDS}"],
            "groups": ["executives", "trainers"],
        },
        {
            "name": "smtk-trainer-apps",
            "description": "open the trainer's apps",
            "scopes": [f"access:services!service={TRAINER_APPS}", f"access:services!service={FORMGRADER}"],
            "groups": ["trainers"],
        },
        {
            "name": "smtk-idle-culler",
            "description": "stop idle learner servers",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": [CULLER],
        },
    ]


def hub_settings(
    *,
    hub_dir: Path,
    course_id: str,
    tracks: tuple[str, ...],
    people: list[Person],
    port: int,
    hub_port: int,
    proxy_api_port: int,
    proxy_command: list[str],
    services: list[Service],
    learner_env: dict[str, str],
    memory_mb: int = MEMORY_MB,
    cull_idle_seconds: int = CULL_IDLE_SECONDS,
    extra_config: str = "",
    lti: LtiSettings | None = None,
    catalogue: list[CatalogueTrack] | None = None,
    learner_reads: list[str] | None = None,
    prestart_token: str = "",
    cmi5_lms_urls: list[str] | None = None,
) -> HubSettings:
    """The hub for one organisation's course and roster."""
    return HubSettings(
        hub_dir=str(hub_dir),
        ip="127.0.0.1",
        port=port,
        hub_port=hub_port,
        proxy_api_port=proxy_api_port,
        proxy_command=proxy_command,
        course_id=course_id,
        exchange=str(hub_dir / "exchange"),
        users_dir=str(hub_dir / "users"),
        allowed=sorted(p.learner for p in people),
        groups=groups_for(people, course_id, tracks),
        roles=roles_for(prestart=bool(prestart_token)),
        services=services,
        learner_env=learner_env,
        memory_mb=memory_mb,
        cull_idle_seconds=cull_idle_seconds,
        extra_config=extra_config,
        lti=lti,
        catalogue=list(catalogue or []),
        learner_reads=list(learner_reads or []),
        prestart_token=prestart_token,
        cmi5_lms_urls=list(cmi5_lms_urls or []),
    )


def apply(c: Any, settings: HubSettings) -> None:
    """Set JupyterHub's traitlets on the config object `c` of jupyterhub_config.py."""
    hub_dir = Path(settings["hub_dir"])
    c.JupyterHub.ip = settings["ip"]
    c.JupyterHub.port = settings["port"]
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings["hub_port"]
    c.JupyterHub.db_url = f"sqlite:///{hub_dir / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(hub_dir / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(hub_dir / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
    c.ConfigurableHTTPProxy.command = settings["proxy_command"]
    c.ConfigurableHTTPProxy.pid_file = str(hub_dir / "proxy.pid")
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.cleanup_proxy = True
    # Sign-in: the roster is the list of who may sign in; each person sets a password on first use (signin.py).
    c.JupyterHub.authenticator_class = "graders.serving.hub.signin.RosterPasswordAuthenticator"
    c.FirstUseAuthenticator.create_users = False
    c.FirstUseAuthenticator.dbm_path = str(hub_dir / "passwords.dbm")
    # Everyone lands on "Your lessons" (content_links.py): modules one click away, and the apps their role opens.
    c.RosterPasswordAuthenticator.catalogue = settings["catalogue"]
    c.RosterPasswordAuthenticator.course_root = str(hub_dir.parent)  # `smtk hub` keeps the hub in <course root>/hub
    c.RosterPasswordAuthenticator.cmi5_lms_urls = settings.get("cmi5_lms_urls", [])
    c.RosterPasswordAuthenticator.apps = [
        App(name=s["name"], title=APP_TITLES[s["name"]]) for s in settings["services"] if s["name"] in APP_TITLES
    ]
    c.JupyterHub.default_url = f"/hub{LESSONS}"
    c.JupyterHub.template_paths = [str(TEMPLATES)]  # every hub page, with accessible colours
    c.Authenticator.allowed_users = set(settings["allowed"])
    c.Authenticator.admin_users = set()
    lti = settings.get("lti")
    if lti:  # launches from the company's LMS too (signin.py), limited to the same roster
        c.JupyterHub.authenticator_class = "graders.serving.hub.signin.LmsOrPasswordAuthenticator"
        c.LmsOrPasswordAuthenticator.issuer = lti["issuer"]
        c.LmsOrPasswordAuthenticator.client_id = set(lti["client_ids"])
        c.LmsOrPasswordAuthenticator.authorize_url = lti["authorize_url"]
        c.LmsOrPasswordAuthenticator.jwks_endpoint = lti["jwks_url"]
        c.LmsOrPasswordAuthenticator.deployment_ids = set(lti["deployment_ids"])
        c.LmsOrPasswordAuthenticator.emails = dict(lti["emails"])
        c.LmsOrPasswordAuthenticator.password_users = set(lti["password_users"])
        c.LmsOrPasswordAuthenticator.keyset = lti.get("keyset") or {}
        c.LmsOrPasswordAuthenticator.tool_private_key = lti.get("private_key", "")
    # Groups and roles come from the roster on every start: adding rows adds people, nobody's work is lost.
    c.JupyterHub.load_groups = {name: {"users": users} for name, users in settings["groups"].items()}
    c.JupyterHub.load_roles = settings["roles"]
    # Learners' servers: JupyterLab with the learner kernel, a folder each, limits per process (spawner.py).
    c.JupyterHub.spawner_class = "graders.serving.hub.spawner.LearnerSpawner"
    c.LearnerSpawner.home_dir_template = str(Path(settings["users_dir"]) / "{username}")
    c.LearnerSpawner.memory_mb = settings["memory_mb"]
    # Each server is confined to its own folder (spawner.py); it reads the kit's code and configuration, the
    # released modules, drops submissions in without reading others', and reads its feedback by name.
    exchange = Path(settings["exchange"])
    courses = [group.removeprefix("nbgrader-") for group in settings["groups"] if group.startswith("nbgrader-")]
    config_path = settings["learner_env"].get("JUPYTER_CONFIG_PATH", "")
    c.LearnerSpawner.read_only_paths = [
        *settings.get("learner_reads", []),
        *(p for p in config_path.split(os.pathsep) if p),
        *(str(exchange / course / "outbound") for course in courses),
    ]
    c.LearnerSpawner.drop_box_paths = [str(exchange / course / "inbound") for course in courses]
    c.LearnerSpawner.open_by_name_paths = [str(exchange / course / "feedback") for course in courses]
    c.Spawner.default_url = "/lab"
    c.Spawner.environment = dict(settings["learner_env"])
    c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []
    c.Spawner.start_timeout = 120
    c.Spawner.http_timeout = 120
    # nbgrader's JupyterHub plugin reads the learner's groups with the server's own token.
    c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", "read:users:groups!user"]
    c.JupyterHub.services = [
        {
            "name": service["name"],
            "url": f"http://127.0.0.1:{service['port']}",
            "command": service["command"],
            "cwd": service["cwd"],
            "environment": service["environment"],
            "oauth_no_confirm": True,
            "display": True,
        }
        for service in settings["services"]
    ] + [
        {
            "name": CULLER,
            "command": [
                sys.executable,
                "-m",
                "graders.serving.lifetime",
                sys.executable,
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={settings['cull_idle_seconds']}",
            ],
        }
    ]
    if settings.get("prestart_token"):  # an external service: only its token, used by `smtk hub --prestart`
        c.JupyterHub.services.append({"name": PRESTART, "api_token": settings["prestart_token"]})
