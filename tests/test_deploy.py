"""deploy/kubernetes agrees with the kit's own hub: the same sign-in, roles, services, limits, culling and exchange."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from traitlets.config import Config

from graders.course.roster import Person
from graders.paths import ROOT
from graders.serving.hub.settings import (
    CULL_IDLE_SECONDS,
    DASHBOARDS,
    FORMGRADER,
    MEMORY_MB,
    TRAINER_APPS,
    apply,
    hub_settings,
    roles_for,
)

DEPLOY = ROOT / "deploy" / "kubernetes"
VALUES = yaml.safe_load((DEPLOY / "values.yaml").read_text(encoding="utf-8"))


def one_machine() -> Config:
    """The configuration `smtk hub` gives JupyterHub, for a small roster."""
    people = [Person("ana", tracks=("employees",)), Person("tom", role="trainer"), Person("erin", role="executive")]
    settings = hub_settings(
        hub_dir=Path("/srv/hub"),
        course_id="demo",
        tracks=("employees",),
        people=people,
        port=8000,
        hub_port=8081,
        proxy_api_port=8001,
        proxy_command=["configurable-http-proxy"],
        services=[],
        learner_env={},
    )
    config = Config()
    apply(config, settings)
    return config


def test_the_same_sign_in_and_the_same_settings_applied():
    config = one_machine()
    hub = VALUES["hub"]
    assert hub["config"]["JupyterHub"]["authenticator_class"] == config.JupyterHub.authenticator_class
    assert hub["config"]["FirstUseAuthenticator"]["create_users"] is config.FirstUseAuthenticator.create_users
    assert "apply(c, json.loads(" in hub["extraConfig"]["smtk"]
    assert hub["extraEnv"]["SMTK_HUB_SETTINGS"] == hub["extraFiles"]["smtk-settings"]["mountPath"]


def test_the_same_roles_and_services():
    ours = {role["name"]: role for role in roles_for() if "groups" in role}
    theirs = VALUES["hub"]["loadRoles"]
    assert set(theirs) == set(ours)
    for name, role in ours.items():
        assert sorted(theirs[name]["scopes"]) == sorted(role["scopes"]) and theirs[name]["groups"] == role["groups"]
    assert set(VALUES["hub"]["services"]) == {DASHBOARDS, TRAINER_APPS, FORMGRADER}
    assert all(service["oauth_no_confirm"] for service in VALUES["hub"]["services"].values())


def test_the_same_learner_server_limits_and_culling():
    single, config = VALUES["singleuser"], one_machine()
    assert single["defaultUrl"] == config.Spawner.default_url
    assert int(re.fullmatch(r"(\d+)M", single["memory"]["limit"]).group(1)) == MEMORY_MB
    assert VALUES["cull"]["enabled"] and VALUES["cull"]["timeout"] == CULL_IDLE_SECONDS
    assert single["image"]["name"] == "smtk-learner" and single["cmd"] == "jupyterhub-singleuser"


def test_the_learner_image_has_the_kernel_and_the_exchange_the_values_mount():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "smtk kernels install" in dockerfile
    (exchange,) = re.findall(r"write_learner_config\(Path\('/'\), Path\('([^']+)'\)\)", dockerfile)
    mounts = {m["name"]: m["mountPath"] for m in VALUES["singleuser"]["storage"]["extraVolumeMounts"]}
    assert mounts["exchange"] == exchange
