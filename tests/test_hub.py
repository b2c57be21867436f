"""`smtk hub`: a real JupyterHub and configurable-http-proxy on 127.0.0.1, signing in from the roster, one course
per track in nbgrader's exchange, the apps as hub services behind the same sign-in, and nothing left behind."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlparse
from xml.etree import ElementTree

import nbformat
import psutil
import pytest
import requests
import websocket  # websocket-client, a dependency of jupyter_server
from accessibility import axe_result, axe_violations, described, violations
from cmi5_lms import Lms as Cmi5Lms
from grading_helpers import answered
from lti_platform import LmsUser, Platform, Tool, launch, new_key, read_form
from lti_platform import org_with_lms as lms_profile
from playwright.sync_api import expect

from graders.course.cmi5_package import package_cmi5
from graders.course.exchange import exchange_root
from graders.course.lti_key import tool_jwks
from graders.course.manifest import load_manifest
from graders.course.roster import read_roster
from graders.grading.collect import collect
from graders.grading.pipeline import autograde
from graders.paths import DEMO_ORG, MANIFEST
from graders.results.exports import feedback
from graders.results.gradebook import module_scores
from graders.serving.hub.launch import free_port, start_hub
from simulations.common.records import saved_record
from simulations.common.tabular import TableError

pytestmark = pytest.mark.slow

ROSTER = """learner,name,email,tracks,business_unit,region,role
ana,Ana Souza,ana@example.org,employees,support,South America,learner
ben,Ben Okafor,ben@example.org,employees;partners,product,Europe,learner
chloe,Chloe Martin,chloe@example.org,partners;executives,hr,Europe,learner
tom,Tom Becker,tom@example.org,,,Europe,trainer
erin,Erin Walsh,erin@example.org,,,North America,executive
"""
PASSWORD = "correct-horse-1"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CLIENT_ID, DEPLOYMENT = "smtk-hub-client", "deployment-1"
# The LMS's own people: its ids (`sub`) are not the roster's; their e-mail addresses are (case aside).
LMS_USERS = {
    "lms-ana": LmsUser("8f14e45f", "Ana@Example.org", "Ana Souza"),
    "lms-mallory": LmsUser("c9f0f895", "mallory@example.org", "Mallory Doe"),
    "lms-tom": LmsUser("45c48cce", "tom@example.org", "Tom Becker", roles=(INSTRUCTOR,)),
}


def track_modules(track: str) -> set[str]:
    return {m.id for t in load_manifest(MANIFEST).tracks if t.id == track for m in t.modules}


@pytest.fixture(scope="module")
def lms():
    """The company's LMS, with the hub registered on it as an LTI 1.3 tool (its port chosen before the hub starts)."""
    hub = f"http://127.0.0.1:{free_port()}/hub"
    tool = Tool(CLIENT_ID, DEPLOYMENT, f"{hub}/lti13/oauth_login", f"{hub}/lti13/oauth_callback", f"{hub}/lessons")
    platform = Platform(tool, LMS_USERS).start()
    yield platform
    platform.stop()


def org_with_lms(folder: Path, platform: Platform, password_roles: list[str] | None = None) -> Path:
    """The demo organisation's profile with its LMS; `password_roles`: who may still use passwords (None: the
    default, trainers and executives). The LMS's services make the hub serve the tool's public keyset."""
    roles = {"password_roles": password_roles} if password_roles is not None else {}
    return lms_profile(folder, platform, new_key(folder / "tool.pem"), deployment_ids=[DEPLOYMENT], **roles)


@pytest.fixture(scope="module")
def cmi5_lms():
    """The company's LMS as a cmi5 LMS (its record store and fetch URLs), listed in the profile's cmi5.lms_urls."""
    server = Cmi5Lms().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hub(tmp_path_factory, demo_course, lms, cmi5_lms):
    folder = tmp_path_factory.mktemp("hub")
    roster = folder / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = folder / "course"
    shutil.copytree(demo_course.root, out)
    port = urlparse(lms.tool.login_url).port
    everyone = ["learner", "trainer", "executive"]  # learners here also use passwords, as the tests below do
    org = org_with_lms(folder, lms, everyone)
    with org.open("a", encoding="utf-8") as profile:
        profile.write(f"cmi5:\n  lms_urls: [{cmi5_lms.url}]\n")
    running = start_hub(org, roster, out, port=port, progress=False)
    try:
        yield running
    finally:
        running.stop()
    proxy = f"--api-port {running.settings['proxy_api_port']}"
    left = [p for p in psutil.process_iter() if proxy in _cmdline(p)]
    assert psutil.wait_procs(left, timeout=30)[1] == [], "the proxy outlived the hub"


class Person:
    """A signed-in person: a browser-like session (cookies) and an API token of their own."""

    def __init__(self, hub, name: str, password: str = PASSWORD):
        self.base, self.name = hub.url, name
        self.session = requests.Session()
        self.session.get(f"{self.base}/hub/login", timeout=30)
        self.login = self.session.post(
            f"{self.base}/hub/login",
            data={"username": name, "password": password, "_xsrf": self.session.cookies.get("_xsrf")},
            allow_redirects=False,
            timeout=30,
        )

    @property
    def signed_in(self) -> bool:
        return self.login.status_code == 302 and "/hub/login" not in self.login.headers.get("location", "")

    def token(self) -> str:
        reply = self.session.post(
            f"{self.base}/hub/api/users/{self.name}/tokens",
            headers={"X-XSRFToken": self.session.cookies.get("_xsrf")},
            json={"note": "test"},
            timeout=30,
        )
        reply.raise_for_status()
        return reply.json()["token"]

    def open(self, path: str) -> requests.Response:
        return self.session.get(f"{self.base}{path}", timeout=120)


def sign_in_on_the_login_page(page, hub, name: str, then: str = "") -> None:
    """Sign in as `name` with the hub's login form in the browser, then go on to `then` (a path) if given."""
    query = f"?next={urllib.parse.quote(then, safe='')}" if then else ""
    page.goto(f"{hub.url}/hub/login{query}", wait_until="commit")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def start_server(hub, name: str, token: str) -> dict[str, str]:
    headers = {"Authorization": f"token {token}"}
    assert requests.post(f"{hub.url}/hub/api/users/{name}/server", headers=headers, timeout=60).status_code in (
        201,
        202,
        400,  # already running
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        server = requests.get(f"{hub.url}/hub/api/users/{name}", headers=headers, timeout=30).json()["servers"]
        if server.get("", {}).get("ready"):
            return headers
        time.sleep(0.5)
    raise AssertionError(f"{name}'s server was not ready within 120 s")


def test_learners_list_only_their_tracks_modules(hub):
    for name, tracks in (("ana", ["employees"]), ("ben", ["employees", "partners"])):
        person = Person(hub, name)
        assert person.signed_in
        headers = start_server(hub, name, person.token())
        for tool in ("formgrader",):  # the learner's JupyterLab has no trainer tools (nbgrader enables it by default)
            assert requests.get(f"{hub.url}/user/{name}/{tool}", headers=headers, timeout=60).status_code == 404
        courses = requests.get(f"{hub.url}/user/{name}/courses", headers=headers, timeout=60).json()
        assert sorted(courses["value"]) == sorted(f"demo-{t}" for t in tracks)
        for track in tracks:
            listed = requests.get(
                f"{hub.url}/user/{name}/assignments", headers=headers, params={"course_id": f"demo-{track}"}, timeout=60
            ).json()["value"]
            assert {a["assignment_id"] for a in listed} == track_modules(track)
        server = next(p for p in psutil.process_iter() if f"/users/{name}" in _cwd(p) and "singleuser" in _cmdline(p))
        cap = hub.settings["memory_mb"] * 1024 * 1024
        assert server.rlimit(psutil.RLIMIT_DATA) == (cap, cap) and server.nice() > psutil.Process().nice()
        other = next(t for t in ("coe", "executives") if t not in tracks)
        listed = requests.get(
            f"{hub.url}/user/{name}/assignments", headers=headers, params={"course_id": f"demo-{other}"}, timeout=60
        ).json()["value"]
        assert listed == []


def test_each_role_opens_only_its_apps(hub):
    ana, erin, tom = Person(hub, "ana"), Person(hub, "erin"), Person(hub, "tom")
    assert ana.signed_in and erin.signed_in and tom.signed_in
    assert ana.open("/services/dashboards/").status_code == 403
    assert ana.open("/services/trainer-apps/").status_code == 403
    assert erin.open("/services/dashboards/voila/render/roi.ipynb").status_code == 200
    assert erin.open("/services/dashboards/voila/render/trainer.ipynb").status_code == 404
    assert erin.open("/services/dashboards/voila/render/hand-ins.ipynb").status_code == 404  # a trainer's app
    assert erin.open("/services/trainer-apps/").status_code == 403
    assert tom.open("/services/dashboards/").status_code == 200
    trainer_app = tom.open("/services/trainer-apps/voila/render/trainer.ipynb")
    assert trainer_app.status_code == 200 and "Trainer" in trainer_app.text
    formgrader = tom.open("/services/formgrader/formgrader/api/assignments")
    assert formgrader.status_code == 200 and {a["name"] for a in formgrader.json()} >= track_modules("employees")
    assert (
        ana.open("/services/formgrader/").status_code == 403 and erin.open("/services/formgrader/").status_code == 403
    )
    # The team apps are everyone's: a learner joins a crisis exercise and reads the library; no controller there.
    for person in (ana, erin, tom):
        assert person.open("/services/learner-apps/voila/render/exercise-player.ipynb").status_code == 200
    assert ana.open("/services/learner-apps/voila/render/library.ipynb").status_code == 200
    assert ana.open("/services/learner-apps/voila/render/exercise-controller.ipynb").status_code == 404
    # Nobody, trainers included, gets JupyterHub's admin pages: people come and go through the roster.
    for person in (ana, erin, tom):
        assert person.open("/hub/admin").status_code == 403


def test_nobody_reaches_another_learners_server(hub):
    ben = Person(hub, "ben")
    start_server(hub, "ben", ben.token())
    assert ben.open("/user/ben/lab").status_code == 200  # signs in to his own server through the hub
    assert ben.open("/user/ben/api/contents").status_code == 200
    for other in (Person(hub, "ana"), Person(hub, "tom")):
        assert other.open("/user/ben/lab").status_code == 403
        assert other.open("/user/ben/api/contents").status_code == 403
        with_token = {"Authorization": f"token {other.token()}"}
        assert requests.get(f"{hub.url}/user/ben/api/contents", headers=with_token, timeout=60).status_code == 403


ATTEMPTS = """
import json, os
def attempt(action):
    try:
        action()
        return "allowed"
    except PermissionError:
        return "denied"
    except Exception as error:
        return type(error).__name__
print(json.dumps({name: attempt(action) for name, action in {
    "own folder": lambda: open("mine.txt", "w").write("mine"),
    "released modules": lambda: os.listdir(OUTBOUND),
    "another learner's notebook": lambda: open(THEIRS).read(),
    "another learner's folder": lambda: os.listdir(os.path.dirname(THEIRS)),
    "the learners' folders": lambda: os.listdir(os.path.dirname(os.path.dirname(THEIRS))),
    "another learner's environment": lambda: open(f"/proc/{THEIR_SERVER}/environ").read(),
    "the solutions": lambda: open(SOLUTION).read(),
    "the hub's cookie secret": lambda: open(SECRET).read(),
    "others' submissions": lambda: os.listdir(INBOUND),
}.items()}))
"""


def run_in_kernel(hub, name: str, headers: dict[str, str], code: str) -> str:
    """Start a kernel in `name`'s server, run `code` in it over the kernel's websocket, return what it printed."""
    server = f"{hub.url}/user/{name}"
    kernel = requests.post(f"{server}/api/kernels", headers=headers, json={"name": "smtk"}, timeout=120).json()["id"]
    socket = websocket.create_connection(
        f"ws{server[4:]}/api/kernels/{kernel}/channels",
        header=[f"Authorization: {headers['Authorization']}"],
        timeout=120,
    )
    try:
        msg_id, session = uuid.uuid4().hex, uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": "execute_request", "session": session, "username": name}
        content = {"code": code, "silent": False, "store_history": False}
        message = {"header": {**header, "version": "5.3"}, "parent_header": {}, "metadata": {}, "content": content}
        socket.send(json.dumps({**message, "channel": "shell", "buffers": []}))
        printed = []
        while True:
            reply = json.loads(socket.recv())
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if reply["msg_type"] == "stream":
                printed.append(reply["content"]["text"])
            elif reply["msg_type"] == "error":
                raise AssertionError("\n".join(reply["content"]["traceback"]))
            elif reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
                return "".join(printed)
    finally:
        socket.close()
        requests.delete(f"{server}/api/kernels/{kernel}", headers=headers, timeout=60)


def test_a_learners_kernel_cannot_read_another_learners_files(hub):
    ana, ben = Person(hub, "ana"), Person(hub, "ben")
    ana_headers, ben_headers = start_server(hub, "ana", ana.token()), start_server(hub, "ben", ben.token())
    secret = {"type": "file", "format": "text", "content": "ben's private draft"}
    saved = requests.put(f"{hub.url}/user/ben/api/contents/draft.txt", headers=ben_headers, json=secret, timeout=60)
    assert saved.status_code in (200, 201), saved.text
    users = Path(hub.settings["users_dir"])
    ben_server = next(p for p in psutil.process_iter() if _environ(p).get("JUPYTERHUB_USER") == "ben")
    course = f"{hub.settings['course_id']}-employees"
    module = sorted(track_modules("employees"))[0]
    places = {
        "THEIRS": str(users / "ben" / "draft.txt"),
        "THEIR_SERVER": ben_server.pid,
        "OUTBOUND": str(Path(hub.settings["exchange"]) / course / "outbound"),
        "INBOUND": str(Path(hub.settings["exchange"]) / course / "inbound"),
        "SOLUTION": str(sorted((hub.course_root / "source" / module).glob("*.ipynb"))[0]),
        "SECRET": str(Path(hub.settings["hub_dir"]) / "jupyterhub_cookie_secret"),
    }
    assert all(Path(p).exists() for k, p in places.items() if k != "THEIR_SERVER")  # each is there to be refused
    code = "".join(f"{key} = {value!r}\n" for key, value in places.items()) + ATTEMPTS
    outcome = json.loads(run_in_kernel(hub, "ana", ana_headers, code))
    assert outcome == {
        "own folder": "allowed",
        "released modules": "allowed",
        "another learner's notebook": "denied",
        "another learner's folder": "denied",
        "the learners' folders": "denied",
        "another learner's environment": "denied",
        "the solutions": "denied",
        "the hub's cookie secret": "denied",
        "others' submissions": "denied",
    }
    assert (users / "ana" / "mine.txt").read_text() == "mine"


def _environ(process: psutil.Process) -> dict[str, str]:
    try:
        return process.environ()
    except psutil.Error:
        return {}


def hand_in(hub, name: str, course_id: str, module: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """A learner fetches a module from their Assignments panel's API, answers it (the solution's answers in the
    release) and submits it: their server's address, their headers and the assignment's ids."""
    headers = start_server(hub, name, Person(hub, name).token())
    server = f"{hub.url}/user/{name}"
    ids = {"course_id": course_id, "assignment_id": module}
    fetched = requests.post(f"{server}/assignments/fetch", headers=headers, data=ids, timeout=60).json()
    assert fetched["success"], fetched
    work = answered(hub.course_root, module)
    path = f"{course_id}/{module}/{module}.ipynb"
    saved = requests.put(
        f"{server}/api/contents/{path}",
        headers=headers,
        json={"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(work))},
        timeout=60,
    )
    assert saved.status_code == 200, saved.text
    submitted = requests.post(f"{server}/assignments/submit", headers=headers, data=ids, timeout=60).json()
    assert submitted["success"], submitted
    return server, headers, ids


def fetched_feedback(server: str, headers: dict[str, str], ids: dict[str, str]) -> str:
    """The learner fetches their feedback and reads its HTML page."""
    got = requests.post(f"{server}/assignments/fetch_feedback", headers=headers, data=ids, timeout=60).json()
    assert got["success"], got
    course_id, module = ids["course_id"], ids["assignment_id"]
    listing = requests.get(f"{server}/api/contents/{course_id}/{module}/feedback", headers=headers, timeout=60)
    (attempt,) = listing.json()["content"]
    page = requests.get(f"{server}/api/contents/{attempt['path']}/{module}.html", headers=headers, timeout=60)
    return page.json()["content"]


def test_a_learner_submits_the_trainer_grades_and_the_learner_fetches_feedback(hub):
    module = "new-hire" if "new-hire" in track_modules("employees") else sorted(track_modules("employees"))[0]
    server, headers, ids = hand_in(hub, "ana", "demo-employees", module)

    root = hub.course_root  # the trainer, on the same machine: collect, autograde, feedback
    assert [r.status for r in collect(module, exchange_root(root), root).learners] == ["collected"]
    graded = autograde(module, root, workers=2, progress=False)
    assert [(r.learner, r.status) for r in graded.learners] == [("ana", "graded")]
    assert 0 < graded.learners[0].score <= graded.learners[0].max_score  # written answers wait for the trainer
    released = feedback(module, root)
    assert any("released to the exchange of demo-employees" in " ".join(r.notes) for r in released.learners)

    html = fetched_feedback(server, headers, ids)
    source = nbformat.read(root / "source" / module / f"{module}.ipynb", as_version=4)
    hidden = [c.source for c in source.cells if "BEGIN HIDDEN TESTS" in c.source]
    assert f"{graded.learners[0].score:g}" in html and "BEGIN HIDDEN TESTS" not in html
    assert hidden and all(line.strip() not in html for c in hidden for line in _hidden_lines(c))


def _hidden_lines(source: str) -> list[str]:
    """The lines between nbgrader's hidden-test markers (long enough to be telling)."""
    inside, lines = False, []
    for line in source.splitlines():
        if "BEGIN HIDDEN TESTS" in line or "END HIDDEN TESTS" in line:
            inside = "BEGIN" in line
        elif inside and len(line.strip()) > 20:
            lines.append(line)
    return lines


def test_only_the_roster_signs_in_and_strangers_are_sent_to_sign_in(hub):
    assert not Person(hub, "mallory").signed_in
    Person(hub, "chloe")  # sets chloe's password on first use
    assert not Person(hub, "chloe", password="another-password").signed_in
    for path in ("/services/dashboards/", "/services/trainer-apps/", "/user/ana/lab"):
        reply = requests.get(f"{hub.url}{path}", timeout=60)
        assert reply.status_code == 200 and "/hub/login" in reply.url, path


def test_a_roster_learner_launched_from_the_lms_reaches_their_server(hub, lms):
    started = launch(lms, "lms-ana")
    landed = started.finish()
    assert landed.status_code == 302 and landed.headers["location"] == "/hub/lessons", landed.text[:500]
    session = started.session
    assert session.get(f"{hub.url}/hub/lessons", allow_redirects=False, timeout=60).status_code == 200
    made = session.post(
        f"{hub.url}/hub/api/users/ana/tokens",
        headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")},
        json={"note": "lti"},
        timeout=30,
    )
    assert made.status_code == 201, made.text  # the browser's hub session is ana's, the roster's name for that e-mail
    headers = start_server(hub, "ana", made.json()["token"])
    assert requests.get(f"{hub.url}/hub/api/user", headers=headers, timeout=30).json()["name"] == "ana"
    lab = session.get(f"{hub.url}/user/ana/lab", timeout=120)
    assert lab.status_code == 200  # through the hub's OAuth
    assert '"name": "smtk-lab-a11y"' in lab.text  # the kit's fixes to JupyterLab's interface (`make lab-a11y`)
    assert session.get(f"{hub.url}/user/ana/api/contents", timeout=120).status_code == 200


def test_the_hub_serves_the_tools_public_keyset_for_the_lms(hub):
    served = requests.get(f"{hub.url}/hub/lti13/jwks", timeout=30)  # no sign-in: the LMS fetches it
    assert served.status_code == 200 and served.headers["Content-Type"].startswith("application/json")
    key = Path(hub.course_root).parent / "tool.pem"
    assert served.json() == tool_jwks(key) and not {"d", "p", "q"} & set(served.json()["keys"][0])


def test_the_lms_content_picker_links_a_module_that_opens_for_the_learner(hub, lms):
    """Deep Linking: the trainer, launched into the picker, chooses a module; the LMS receives the signed link; a
    learner launched through that link lands in the module's notebook in their own JupyterLab."""
    lms.tool.jwks = tool_jwks(Path(hub.course_root).parent / "tool.pem")  # pasted into the LMS at registration
    picking = launch(lms, "lms-tom", deep_link=True)
    landed = picking.finish()
    assert landed.status_code == 302 and landed.headers["location"] == "/hub/lti13/deep_link", landed.text[:500]
    picker = picking.session.get(f"{hub.url}/hub/lti13/deep_link", timeout=60)
    assert picker.status_code == 200 and '<html lang="en">' in picker.text
    module = sorted(track_modules("employees"))[0]
    title = load_manifest(MANIFEST).module(module).title
    assert f'value="demo-employees/{module}"' in picker.text and title in picker.text
    assert f'value="demo-partners/{sorted(track_modules("partners"))[0]}"' in picker.text
    xsrf = picker.text.split('name="_xsrf" value="')[1].split('"')[0]
    chosen = picking.session.post(
        f"{hub.url}/hub/lti13/deep_link", data={"_xsrf": xsrf, "module": f"demo-employees/{module}"}, timeout=60
    )
    assert chosen.status_code == 200, chosen.text[:500]
    action, fields = read_form(chosen.text)
    assert action == f"{lms.url}/deep_link_return" and set(fields) == {"JWT"}
    back = picking.session.post(action, data=fields, timeout=60)  # the browser's auto-submitted form
    assert back.status_code == 200 and back.text == "1 link(s) added", back.text
    (item,) = lms.deep_links
    assert item["title"] == title and item["url"] == f"{hub.url}/hub/lti13/module/demo-employees/{module}"

    # A tampered response is refused by the platform (the kit's signature is what it checks).
    head, payload, signature = fields["JWT"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]["url"] = "https://evil.example/"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    refused = requests.post(action, data={"JWT": f"{head}.{forged}.{signature}"}, timeout=60)
    assert refused.status_code == 400 and "signature" in refused.text and len(lms.deep_links) == 1

    # A learner may not use the picker; through the link they land in the module, fetched for them.
    ana = Person(hub, "ana")
    assert ana.open("/hub/lti13/deep_link").status_code == 403
    opening = launch(lms, "lms-ana", target=item["url"])
    landed = opening.finish()
    assert landed.status_code == 302 and landed.headers["location"] == f"/hub/lti13/module/demo-employees/{module}"
    start_server(hub, "ana", ana.token())
    lab = opening.session.get(f"{hub.url}{landed.headers['location']}", allow_redirects=False, timeout=120)
    notebook = f"{load_manifest(MANIFEST).module(module).lessons[0].id}.ipynb"
    assert load_manifest(MANIFEST).module(module).code_free, "an employee module opens in the reading view"
    where = f"demo-employees/{module}/{notebook}"
    assert lab.status_code == 302 and lab.headers["location"] == f"/user/ana/voila/render/{where}"
    in_lab = opening.session.get(f"{hub.url}{landed.headers['location']}?view=lab", allow_redirects=False, timeout=120)
    assert in_lab.status_code == 302 and in_lab.headers["location"] == f"/user/ana/lab/tree/{where}"
    token = {"Authorization": f"token {ana.token()}"}
    there = requests.get(
        f"{hub.url}/user/ana/api/contents/demo-employees/{module}/{notebook}", headers=token, timeout=60
    )
    assert there.status_code == 200, there.text[:300]
    other = opening.session.get(f"{hub.url}/hub/lti13/module/demo-partners/{module}", allow_redirects=False, timeout=60)
    assert other.status_code == 404, "a module of a track the learner is not on"


def test_a_cmi5_launch_reports_to_the_lms_and_opens_the_module(hub, cmi5_lms, tmp_path):
    """cmi5: the LMS opens the package's AU url for a signed-in learner; the hub runs the AU session against the
    LMS's record store (what the gradebook holds for the learner's module) and opens the module; a learner of
    another track gets 404 and the LMS is asked nothing."""
    made = package_cmi5(hub.course_root / "org.yaml", hub.url, hub.course_root, tmp_path / "cmi5.zip")
    module = sorted(track_modules("employees"))[0]
    url = f"{hub.url}/hub/cmi5/module/demo-employees/{module}"
    ns = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}
    units = ElementTree.fromstring(zipfile.ZipFile(made.path).read("cmi5.xml")).iterfind(".//c:au", ns)
    au = next(a for a in units if a.findtext("c:url", namespaces=ns) == url)
    mastery = au.get("masteryScore")
    lms, unlisted = cmi5_lms, Cmi5Lms().start()  # another server, not in the profile's cmi5.lms_urls
    au = {"id": au.get("id"), "url": url, "masteryScore": mastery or ""}
    try:
        launch_url, session = lms.launch(au, "ana")
        stranger = requests.get(launch_url, allow_redirects=False, timeout=60)
        assert stranger.status_code == 302 and "/hub/login" in stranger.headers["location"] and lms.fetches == 0
        elsewhere = launch_url.replace("demo-employees", "demo-partners")
        chloe = Person(hub, "chloe").session.get(elsewhere, allow_redirects=False, timeout=60)
        assert chloe.status_code == 404 and lms.fetches == 0
        ana = Person(hub, "ana").session
        forged, _ = unlisted.launch(au, "ana")
        refused = ana.get(forged, allow_redirects=False, timeout=60)
        assert refused.status_code == 403 and "cmi5.lms_urls" in refused.text and unlisted.fetches == 0
        opened = ana.get(launch_url, allow_redirects=False, timeout=120)
    finally:
        unlisted.stop()
    assert opened.status_code == 302, opened.text[-1500:]
    assert opened.headers["location"] == f"/hub/lti13/module/demo-employees/{module}"
    graded = module_scores(hub.course_root).query("learner == 'ana' and module == @module")
    if graded.empty:
        judged = []
    elif graded.iloc[0].needs_manual_grade:
        judged = ["completed"]
    else:
        row = graded.iloc[0]
        passed = round(row.score / row.max_score, 4) >= float(mastery or 0.7) - 1e-9 if row.max_score else None
        judged = ["completed", *([] if passed is None else ["passed" if passed else "failed"])]
    assert lms.verbs(session) == ["launched", "initialized", *judged, "terminated"] and lms.refused == []
    assert lms.fetches == 1


def _refused(started, reply: requests.Response, status: int, reason: str) -> None:
    assert reply.status_code == status and reason in reply.text, (reply.status_code, reply.text[-1500:])
    home = started.session.get(started.launch_url.replace("lti13/oauth_callback", "home"), timeout=60)
    assert "/hub/login" in home.url, "a refused launch left the browser signed in"


def test_launches_that_cannot_be_trusted_are_refused(hub, lms):
    ana = LMS_USERS["lms-ana"]
    started = launch(lms, "lms-ana")  # the learner edits the signed token to become ben
    head, payload, signature = started.form["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "email": "ben@example.org"}).encode()).rstrip(b"=")
    _refused(started, started.finish(id_token=f"{head}.{forged.decode()}.{signature}"), 400, "Signature verification")
    started = launch(lms, "lms-ana")  # a token the platform signed an hour ago, replayed
    old = lms.id_token(ana, started.nonce, issued=time.time() - 3600)
    _refused(started, started.finish(id_token=old), 400, "expired")
    first, second = launch(lms, "lms-ana"), launch(lms, "lms-ana")  # another launch's token: not this nonce
    _refused(second, second.finish(id_token=first.form["id_token"]), 400, "nonce mismatch")
    started = launch(lms, "lms-ana")  # signed for another tool on the same platform
    _refused(
        started, started.finish(id_token=lms.id_token(ana, started.nonce, audience="another-tool")), 401, "udience"
    )
    started = launch(lms, "lms-mallory")  # a person the LMS knows and the roster does not
    _refused(started, started.finish(), 403, "not on this course")
    started = launch(lms, "lms-ana", deployment="deployment-2")  # a deployment the organisation did not set up
    _refused(started, started.finish(), 403, "not set up for launches")


@pytest.mark.browser
def test_a_learner_signs_in_in_the_browser_and_opens_a_module(hub, page):
    page.goto(f"{hub.url}/hub/login", wait_until="commit")
    page.get_by_label("Username").wait_for()
    found = axe_violations(page)
    assert found == [], [
        (v["id"], [(n["html"][:120], n.get("failureSummary", "")[:300]) for n in v["nodes"]]) for v in found
    ]
    page.get_by_label("Username").fill("chloe")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Signed in, the learner lands on their lessons: each module of their tracks one click away, none of the others.
    page.get_by_role("heading", name="Your lessons, chloe").wait_for(timeout=120_000)
    manifest = load_manifest(MANIFEST)
    module = sorted(track_modules("partners"))[0]
    for other in track_modules("partners"):
        expect(page.get_by_role("link", name=manifest.module(other).title, exact=True)).to_be_visible()
    employees_only = sorted(track_modules("employees") - track_modules("partners") - track_modules("executives"))[0]
    expect(page.get_by_role("link", name=manifest.module(employees_only).title, exact=True)).to_have_count(0)
    result = axe_result(page)
    if result is not None:
        assert violations(result) == []
    # The team apps are listed for everyone; the crisis exercise's join page knows who signed in (no name to type).
    page.get_by_role("link", name=re.compile("^Team apps")).click()
    page.get_by_role("heading", level=1, name=re.compile("^Team apps for ")).wait_for(timeout=60_000)
    page.get_by_role("link", name="Crisis exercise: join your team").click()
    name = page.get_by_role("textbox", name="Your name")
    name.wait_for(timeout=120_000)
    expect(name).to_have_value("chloe")
    expect(name).to_be_disabled()
    # So does the library, whose page the team apps keep warm (the log read before anyone comes) until chloe arrives.
    page.go_back()
    page.get_by_role("link", name=re.compile("^Library: notes")).click()
    name = page.get_by_role("textbox", name="Your name")
    name.wait_for(timeout=120_000)
    expect(name).to_have_value("chloe")
    expect(name).to_be_disabled()
    page.goto(f"{hub.url}/hub/lessons", wait_until="commit")
    page.get_by_role("link", name=manifest.module(module).title, exact=True).click()  # one click: fetched and open
    page.locator(".smtk-hand-in").wait_for(timeout=180_000)
    assert "/voila/render/demo-partners/" in page.url
    assert page.locator(".jp-CodeCell .jp-InputArea:visible, .cm-editor:visible").count() == 0
    # The same link with ?view=lab opens the module in JupyterLab, with the learner kernel.
    page.goto(f"{hub.url}/hub/lti13/module/demo-partners/{module}?view=lab", wait_until="commit")
    release = nbformat.read(hub.course_root / "release" / module / f"{module}.ipynb", as_version=4)
    heading = next(c.source for c in release.cells if c.cell_type == "markdown").splitlines()[0].lstrip("# ")
    page.get_by_role("heading", name=heading).first.wait_for(timeout=120_000)
    page.locator("text=Social Media Training (Python 3) >> visible=true").first.wait_for()


# JupyterHub's own pages a signed-in person reaches from the hub's menu, and what marks each as drawn.
HUB_PAGES = {"home": "#start", "token": "#request-token-form", "admin": ".error h1"}  # admin: the 403 page


@pytest.mark.browser
@pytest.mark.parametrize("name", list(HUB_PAGES))
def test_jupyterhubs_own_pages_pass_axe(hub, page, name):
    """WCAG 2.2 AA on the hub's pages beyond the kit's own: the server's home page, the token page, and the error page
    a learner gets for a page they may not open (JupyterHub's admin page, which nobody gets)."""
    sign_in_on_the_login_page(page, hub, "chloe")
    page.get_by_role("heading", name="Your lessons, chloe").wait_for(timeout=120_000)
    page.goto(f"{hub.url}/hub/{name}", wait_until="load")
    page.locator(HUB_PAGES[name]).first.wait_for(state="attached", timeout=60_000)
    found = axe_violations(page)
    assert found == [], described(found)


@pytest.mark.browser
def test_the_trainer_grades_a_hand_in_from_the_browser(hub, page):
    """A learner hands in; the trainer signs in, grades the module on the hand-ins page and the learner gets the
    feedback: the newcomer's whole round trip without a terminal."""
    module = sorted(track_modules("partners"))[0]
    server, headers, ids = hand_in(hub, "ben", "demo-partners", module)
    sign_in_on_the_login_page(page, hub, "tom", then="/services/trainer-apps/voila/render/hand-ins.ipynb")
    table = page.get_by_role("table", name="Learners at each stage, per module")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=module, exact=True))
    row.wait_for(timeout=120_000)
    expect(row.get_by_role("cell")).to_have_text(["1", "0", "0", "0"])  # handed in, not collected yet
    page.get_by_label("Module to grade").select_option(module)
    page.get_by_role("button", name="Collect, grade and release feedback").click()
    page.get_by_text(f"{module}: done.").wait_for(timeout=300_000)
    expect(row.get_by_role("cell")).to_have_text(["1", "1", "1", "1"])
    result = axe_result(page)
    if result is not None:
        assert violations(result) == []
    html = fetched_feedback(server, headers, ids)
    graded = [p for p in (hub.course_root / "feedback" / "ben" / module).glob("*.html")]
    assert graded and "BEGIN HIDDEN TESTS" not in html and "ben" in page.inner_text("body")


@pytest.mark.browser
def test_a_learner_answers_in_the_reading_view_and_hands_in_behind_the_hub(hub, page):
    """A code-free module in the reading view (Voilà in the learner's own server, behind the hub's sign-in and
    Landlock): no code shown, an answer written into the learner's notebook, and Hand in puts it in the exchange."""
    module = next(m.id for m in load_manifest(MANIFEST).modules if m.code_free and m.id in track_modules("executives"))
    sign_in_on_the_login_page(page, hub, "chloe")
    page.get_by_role("heading", name="Your lessons, chloe").wait_for(timeout=120_000)
    # her server is started here: whether another test of this hub started it depends on the order tests run in
    headers = start_server(hub, "chloe", Person(hub, "chloe").token())
    fetched = requests.post(
        f"{hub.url}/user/chloe/assignments/fetch",
        headers=headers,
        data={"course_id": "demo-executives", "assignment_id": module},
        timeout=60,
    )
    assert fetched.json()["success"], fetched.text
    notebook = Path(hub.settings["users_dir"]) / "chloe" / "demo-executives" / module / f"{module}.ipynb"
    page.goto(f"{hub.url}/user/chloe/voila/render/demo-executives/{module}/{module}.ipynb", wait_until="commit")
    page.locator(".smtk-hand-in").wait_for(timeout=180_000)
    assert page.locator(".jp-CodeCell .jp-InputArea:visible, .cm-editor:visible").count() == 0
    comment = page.get_by_role("textbox", name="Your comment")
    comment.fill("Read on the hub.")
    deadline = time.monotonic() + 60
    while (saved_record(notebook, "module-feedback") or {}).get("comment") != "Read on the hub.":
        assert time.monotonic() < deadline, "the answer never reached the learner's notebook"
        time.sleep(0.25)
    page.get_by_role("button", name="Hand in this module").click()
    status = page.locator(".smtk-hand-in").get_by_role("status")
    status.filter(has_text="Handed in at").wait_for(timeout=60_000)
    inbound = exchange_root(hub.course_root) / "demo-executives" / "inbound"
    assert [p.name.split("+")[:2] for p in inbound.iterdir() if p.name.startswith("chloe+")] == [["chloe", module]]


@pytest.mark.browser
def test_the_trainer_signs_in_on_the_login_page_and_opens_the_formgrader(hub, page):
    sign_in_on_the_login_page(page, hub, "tom", then="/services/formgrader/formgrader/")
    for module in track_modules("employees") | track_modules("partners"):  # every track's modules, in one course
        page.get_by_role("link", name=module, exact=True).first.wait_for()
    assert page.url.startswith(f"{hub.url}/services/formgrader/")
    page.wait_for_load_state("networkidle")
    assert described(axe_violations(page)) == [], "the hub's formgrader serves the kit's accessible templates"
    page.goto(f"{hub.url}/services/dashboards/")  # the kit's own page behind the hub: the executives' landing page
    page.get_by_role("heading", level=1).wait_for()
    result = axe_result(page)
    if result is not None:
        assert violations(result) == [] and len(result["passes"]) >= 5


def test_a_malformed_roster_names_line_and_field_and_starts_nothing(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER.replace("ben,Ben Okafor", "Ben Okafor,Ben").replace("tom@example.org,,", "x,ghosts,"))
    with pytest.raises(TableError) as raised:
        start_hub(DEMO_ORG, roster, tmp_path / "course", port=free_port(), progress=False)
    message = str(raised.value)
    assert str(roster) in message and "row 3, column learner" in message and "row 5, column tracks" in message
    assert not (tmp_path / "course").exists()
    with pytest.raises(TableError, match="row 2, column tracks"):
        read_roster(_write(tmp_path / "r.csv", "learner,tracks\nann,\n"), need_tracks=True)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _cmdline(process: psutil.Process) -> str:
    """A process's command line, or '' once it has ended (a zombie has none)."""
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def _cwd(process: psutil.Process) -> str:
    try:
        return process.cwd()
    except psutil.Error:
        return ""


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def test_sigkill_of_smtk_hub_leaves_no_process_and_frees_the_port(tmp_path, demo_course, lms):
    """This hub has the LMS with its default sign-in: learners come from the LMS only, the trainer has a password;
    and --prestart: the learners' servers run before anyone signs in (and end with the rest)."""
    shutil.copytree(demo_course.root, tmp_path / "course")
    roster = _write(tmp_path / "roster.csv", ROSTER)
    org = org_with_lms(tmp_path, lms)
    port = free_port()
    command = [sys.executable, "-m", "graders.cli", "hub", str(org), "--roster", str(roster)]
    command += ["--out", str(tmp_path / "course"), "--port", str(port), "--prestart"]
    log = tmp_path / "smtk-hub.log"
    with open(log, "wb") as out:
        smtk = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ})
    try:
        deadline = time.monotonic() + 240
        while "Sign in" not in log.read_text(errors="replace"):
            assert smtk.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        assert "Sign in here as executive or trainer" in log.read_text(errors="replace")
        learners = sorted(p.learner for p in read_roster(roster) if p.role == "learner")
        assert f"{len(learners)} learner server(s) started ahead of sign-in" in log.read_text(errors="replace")
        running = {_environ(p).get("JUPYTERHUB_USER") for p in psutil.Process(smtk.pid).children(recursive=True)}
        assert set(learners) <= running and not {"tom", "erin"} & running, running
        hub = type("Hub", (), {"url": f"http://127.0.0.1:{port}"})
        ana = Person(hub, "ana")  # a learner's name, unclaimed: nobody may set its password on the login page
        assert not ana.signed_in and "Open the course from your learning platform" in ana.login.text
        tom = Person(hub, "tom")
        start_server(hub, "tom", tom.token())
        family = psutil.Process(smtk.pid).children(recursive=True)
        names = " ".join(_cmdline(p) for p in family)
        assert "configurable-http-proxy" in names and "jupyterhub-singleuser" in names and "voila_app" in names
        smtk.send_signal(signal.SIGKILL)
        smtk.wait(10)
        gone, alive = psutil.wait_procs(family, timeout=60)
        assert alive == [], [_cmdline(p) for p in alive]
        assert _port_free(port)
    finally:
        if smtk.poll() is None:
            smtk.kill()
        for process in psutil.Process().children(recursive=True):
            if "jupyterhub" in _cmdline(process):
                process.kill()
