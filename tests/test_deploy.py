"""deploy/kubernetes agrees with the kit's own hub: the same sign-in, roles, services, limits, culling and exchange."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config

from graders.course.roster import Person
from graders.paths import DEMO_ORG, ROOT
from graders.serving.hub.launch import CONFIG
from graders.serving.hub.settings import (
    CULL_IDLE_SECONDS,
    DASHBOARDS,
    FORMGRADER,
    LEARNER_APPS,
    MEMORY_MB,
    TRAINER_APPS,
    apply,
    hub_settings,
    lti_for,
    roles_for,
)
from simulations.common.datafiles import DataError
from simulations.profile.org import load_org

DEPLOY = ROOT / "deploy" / "kubernetes"
VALUES = yaml.safe_load((DEPLOY / "values.yaml").read_text(encoding="utf-8"))


PEOPLE = [
    Person("ana", email="Ana@example.org", tracks=("employees",)),
    Person("tom", email="tom@example.org", role="trainer"),
    Person("erin", role="executive"),
]


def small_hub(hub_dir: Path, extra_config: str = "", lti: dict | None = None) -> dict:
    """The settings `smtk hub` writes for a small roster: a learner, a trainer and an executive."""
    people = PEOPLE
    return hub_settings(
        hub_dir=hub_dir,
        course_id="demo",
        tracks=("employees",),
        people=people,
        port=8000,
        hub_port=8081,
        proxy_api_port=8001,
        proxy_command=["configurable-http-proxy"],
        services=[],
        learner_env={},
        extra_config=extra_config,
        lti=lti,
    )


def one_machine() -> Config:
    """The configuration `smtk hub` gives JupyterHub, for a small roster."""
    config = Config()
    apply(config, small_hub(Path("/srv/hub")))
    return config


def test_the_same_sign_in_and_the_same_settings_applied():
    config = one_machine()
    hub = VALUES["hub"]
    assert hub["config"]["JupyterHub"]["authenticator_class"] == config.JupyterHub.authenticator_class
    assert hub["config"]["FirstUseAuthenticator"]["create_users"] is config.FirstUseAuthenticator.create_users
    assert "apply(c, json.loads(" in hub["extraConfig"]["smtk"]
    assert hub["extraEnv"]["SMTK_HUB_SETTINGS"] == hub["extraFiles"]["smtk-settings"]["mountPath"]


def test_the_same_roles_and_services():
    ours = {role["name"]: role for role in roles_for() if "groups" in role or role["name"] == "user"}
    theirs = VALUES["hub"]["loadRoles"]
    assert set(theirs) == set(ours)
    for name, role in ours.items():
        assert sorted(theirs[name]["scopes"]) == sorted(role["scopes"])
        assert theirs[name].get("groups") == role.get("groups")
    assert set(VALUES["hub"]["services"]) == {DASHBOARDS, TRAINER_APPS, LEARNER_APPS, FORMGRADER}
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


def test_the_learner_image_builds_the_front_ends_and_its_wheel_carries_them(tmp_path):
    """The image installs the kit's wheel: what `make lab-a11y` and `make frontend` build (gitignored) must be in it
    whenever it is built, beside the trainers' configuration and formgrader's templates."""
    from hatchling.builders.wheel import WheelBuilder

    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "make lab-a11y frontend" in dockerfile and "TRAINER_LAB_CONFIG" in dockerfile
    wheel = next(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    built = [
        "graders/serving/jupyter/labextensions/smtk-lab-a11y/package.json",
        "graders/serving/jupyter/voila/templates/smtk-light/static/smtk.js",
    ]
    assert {name for name in built if name in names} == {name for name in built if (ROOT / name).exists()}
    if os.environ.get("CI") == "true":
        assert set(built) <= names, "`make test` builds both front ends"
    shipped = [
        "graders/serving/trainer-lab/jupyter_server_config.d/smtk-formgrader-a11y.json",
        "graders/serving/formgrader_a11y/templates/base.tpl",
        "graders/serving/jupyter/nbconvert/templates/formgrade/smtk-formgrade.html.j2",
        "graders/serving/jupyter/nbconvert/templates/feedback/smtk-feedback.html.j2",
        "graders/serving/learner-lab/jupyter_server_config.json",
    ]
    assert set(shipped) <= names


def shown_config(tmp_path: Path, extra: str = "", lti: dict | None = None) -> dict:
    """What JupyterHub itself loads from the kit's config file (`jupyterhub --show-config-json`, no server)."""
    extra_path = ""
    if extra:
        (tmp_path / "sso.py").write_text(extra, encoding="utf-8")
        extra_path = str(tmp_path / "sso.py")
    settings = small_hub(tmp_path, extra_path, lti)
    (tmp_path / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    shown = subprocess.run(
        [str(Path(sys.executable).parent / "jupyterhub"), "--show-config-json", "-f", str(CONFIG)],
        env={**os.environ, "SMTK_HUB_SETTINGS": str(tmp_path / "settings.json")},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def test_an_organisations_own_config_comes_last_and_keeps_the_roster(tmp_path):
    plain = shown_config(tmp_path)
    assert plain["JupyterHub"]["authenticator_class"] == "graders.serving.hub.signin.RosterPasswordAuthenticator"
    # an installed authenticator stands in for single sign-on (OAuthenticator is installed only where it is used)
    own = shown_config(tmp_path, 'c.JupyterHub.authenticator_class = "dummy"\nc.DummyAuthenticator.password = "s"\n')
    assert own["JupyterHub"]["authenticator_class"] == "dummy" and own["DummyAuthenticator"]["password"] == "s"
    users = own["Authenticator"]["allowed_users"]  # a set, which JSON shows as its repr
    assert sorted(ast.literal_eval(users) if isinstance(users, str) else users) == [
        "ana",
        "erin",
        "tom",
    ]  # still the roster


def test_an_lms_signs_in_through_lti_and_the_roster_maps_its_email(tmp_path):
    org = DEMO_ORG.read_text(encoding="utf-8") + LMS
    (tmp_path / "org.yaml").write_text(org, encoding="utf-8")
    platform = load_org(tmp_path / "org.yaml").lti
    assert (
        platform is not None
        and platform.client_ids == ("smtk",)
        and platform.password_roles == ("trainer", "executive")
    )
    shown = shown_config(tmp_path, lti=lti_for(platform, PEOPLE, "roster.csv"))
    assert shown["JupyterHub"]["authenticator_class"] == "graders.serving.hub.signin.LmsOrPasswordAuthenticator"
    own = shown["LmsOrPasswordAuthenticator"]
    assert own["issuer"] == "https://lms.example.org" and own["jwks_endpoint"] == "https://lms.example.org/jwks"
    assert own["emails"] == {"ana@example.org": "ana", "tom@example.org": "tom"}  # erin has none: no launch
    assert _set(own["password_users"]) == ["erin", "tom"]  # learners come from the LMS only
    assert "lti" not in load_org(tmp_path / "org.yaml").to_parameters()  # the notebooks never see it
    with pytest.raises(
        ValueError, match=r"roster.csv: column email: 'ana@example.org' is given for both 'ana' and 'al'"
    ):
        lti_for(platform, [*PEOPLE, Person("al", email="ana@example.org")], "roster.csv")


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (("jwks_url: https://lms.example.org/jwks", "jwks_url: lms.example.org/jwks"), "lti.jwks_url", "https://"),
        (("client_id: smtk", "client_id: []"), "lti.client_id", "at least 1"),
        (("client_id: smtk", "client_id: smtk\n  password_roles: [admin]"), "lti.password_roles[0]", "learner"),
        (("issuer:", "isuer:"), "lti.isuer", "unknown field (did you mean issuer?)"),
    ],
)
def test_a_wrong_lms_block_names_the_file_and_the_field(tmp_path, edit, field, words):
    path = tmp_path / "org.yaml"
    path.write_text(DEMO_ORG.read_text(encoding="utf-8") + LMS.replace(*edit), encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_org(path)
    found = {error.field: error.problem for error in raised.value.errors}  # a misspelt field is missing too
    assert raised.value.path == str(path) and words in found[field]


LMS = """
lti:
  issuer: https://lms.example.org
  client_id: smtk
  authorize_url: https://lms.example.org/authorize
  jwks_url: https://lms.example.org/jwks
"""


def _set(value) -> list[str]:
    """A set as JupyterHub's --show-config-json gives it (its repr, as a string), sorted."""
    return sorted(ast.literal_eval(value) if isinstance(value, str) else value)
