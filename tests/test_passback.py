"""Grade passback to an LMS over LTI 1.3 Assignment and Grade Services, against the loopback test platform: the
platform receives the gradebook's scores, a rerun sends nothing new, passing 500s cost no score, a refused token is
a clear error, and the gradebook file is never changed."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import jwt
import pytest
import requests
from conftest import smtk_command
from cryptography.hazmat.primitives import serialization
from lti_platform import AGS, ASSERTION_TYPE, NRPS, LmsUser, Platform, Tool, new_key, org_with_lms

from graders.course.lti_key import tool_jwks
from graders.course.manifest import load_manifest
from graders.paths import DEMO_ORG
from graders.results.gradebook import module_scores
from graders.results.passback import JOURNAL, PassbackError, passback
from simulations.common.datafiles import DataError
from simulations.profile.org import load_org

CLIENT_ID = "smtk-tool"
# The LMS course's members: ada and bob of the graded course (e-mail letter case as the LMS keeps it), and carol,
# who is in the LMS course but not graded. Fictional people.
MEMBERS = {
    "ada": LmsUser("lms-7f3a", "ada@example.com", "Ada Lovelace"),
    "bob": LmsUser("lms-91c2", "BOB@example.com", "Bob Ng"),
    "carol": LmsUser("lms-0d44", "carol@example.com", "Carol Diaz"),
}


@pytest.fixture
def course(graded_course, tmp_path) -> Path:
    """A copy of the graded course: passback writes its journal into the course root."""
    return Path(shutil.copytree(graded_course, tmp_path / "course"))


@pytest.fixture
def lms(tmp_path):
    """The LMS with the kit registered as a tool: its public keyset pasted in, as an LMS administrator does."""
    key = new_key(tmp_path / "tool.pem")
    tool = Tool(CLIENT_ID, "1", "http://tool.invalid/login", "http://tool.invalid/launch", "http://tool.invalid/home")
    tool.jwks = tool_jwks(key)
    platform = Platform(tool, dict(MEMBERS), page_size=1).start()  # one member a page: passback follows the pages
    yield platform
    platform.stop()


def org_for(folder: Path, platform: Platform, key: str = "tool.pem") -> Path:
    """The demo organisation's profile with its LMS and the LMS's services for this course."""
    return org_with_lms(folder, platform, key)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_lms_receives_the_gradebook_and_a_rerun_sends_nothing(tmp_path, course, lms):
    gradebook = course / "gradebook.db"
    before = digest(gradebook)
    done = subprocess.run(
        [*smtk_command(), "grade", "passback", str(org_for(tmp_path, lms)), "--course", str(course)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    scores = module_scores(course)
    assert len(scores) == 2 and "2 score(s) sent" in done.stdout, done.stdout
    manifest = load_manifest(course / "course.yml", course / "source")

    # One line item per graded module, tagged with its id, the module's points as maximum.
    assert sorted(i["tag"] for i in lms.lineitems) == sorted(set(scores["module"]))
    for item in lms.lineitems:
        module = manifest.module(item["tag"])
        assert item["scoreMaximum"] == module.points and item["label"] == module.title
    # Each learner's score, once, for their LMS user, as the gradebook has it.
    by_item = {i["id"]: i["tag"] for i in lms.lineitems}
    received = {(by_item[item], s["userId"]): s for item, s in lms.scores}
    assert len(received) == len(lms.scores) == len(scores)
    for row in scores.itertuples(index=False):
        score = received[(row.module, MEMBERS[row.learner].sub)]
        assert (score["scoreGiven"], score["scoreMaximum"]) == (row.score, row.max_score)
        assert score["activityProgress"] == "Completed"
        assert score["gradingProgress"] == ("PendingManual" if row.needs_manual_grade else "FullyGraded")
    assert {s["scoreGiven"] for _, s in lms.scores} != {0.0}  # ada's solution scored: not a blank passback

    again = passback(tmp_path / "org.yaml", course)
    assert again.sent == [] and again.unchanged == 2 and again.ok
    assert len(lms.scores) == 2 and len(lms.lineitems) == 1  # nothing new reached the LMS
    assert digest(gradebook) == before  # the gradebook is only read


def test_passing_server_errors_cost_no_score_and_none_is_sent_twice(tmp_path, course, lms):
    lms.flaky = 2  # every score's first two posts answer 500
    report = passback(org_for(tmp_path, lms), course, backoff=0.05)
    assert report.ok and len(report.sent) == 2, report.summary()
    assert len(lms.scores) == 2 and len({(i, s["userId"]) for i, s in lms.scores}) == 2
    assert [status for path, status in lms.refused] == [500] * 4


def test_a_token_the_lms_stops_taking_is_replaced(tmp_path, course, lms):
    lms.revoke_after = 1
    report = passback(org_for(tmp_path, lms), course)
    assert report.ok and len(report.sent) == 2 and len(lms.scores) == 2, report.summary()
    assert [status for path, status in lms.refused] == [401] and len(lms.assertions) == 3  # members, scores, again


def test_a_failed_score_is_reported_and_sent_on_the_next_run_alone(tmp_path, course, lms):
    lms.flaky = 100  # the LMS keeps failing: the retries run out
    report = passback(org_for(tmp_path, lms), course, retries=1, backoff=0.01)
    assert not report.ok and len(report.failed) == 2 and report.sent == []
    assert all("HTTP 500" in f.reason for f in report.failed), report.summary()
    assert "FAILED ada policy-disclosure" in report.summary()
    assert len(lms.lineitems) == 1  # created before the scores failed, and journaled

    lms.flaky = 0
    healed = passback(tmp_path / "org.yaml", course)
    assert healed.ok and len(healed.sent) == 2 and healed.created == []
    assert len(lms.lineitems) == 1 and len(lms.scores) == 2


def test_a_run_cut_short_goes_on_where_it_stopped(tmp_path, course, lms):
    org = org_for(tmp_path, lms)
    passback(org, course)
    journal = (course / JOURNAL).read_text(encoding="utf-8").splitlines()
    assert len(journal) == 3  # the line item, then each score as the LMS accepted it
    # As if the run had died while writing its last entry: that score is sent again, the other is not.
    (course / JOURNAL).write_text("\n".join(journal[:2]) + "\n" + journal[2][:20], encoding="utf-8")
    resumed = passback(org, course)
    assert len(resumed.sent) == 1 and resumed.unchanged == 1
    assert resumed.sent[0][0] == json.loads(journal[2])["learner"]


def test_a_learner_the_lms_does_not_list_is_reported(tmp_path, course, lms):
    del lms.users["bob"]
    report = passback(org_for(tmp_path, lms), course)
    assert report.ok and [who for who, _ in report.sent] == ["ada"]
    assert "no LMS member with e-mail bob@example.com" in report.not_in_lms["bob"]


def test_a_wrongly_signed_assertion_is_refused_with_a_clear_error(tmp_path, course, lms):
    new_key(tmp_path / "other.pem")  # not the key the LMS has for the tool
    done = subprocess.run(
        [*smtk_command(), "grade", "passback", str(org_for(tmp_path, lms, "other.pem")), "--course", str(course)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "refused the kit an access token" in done.stderr and "invalid_client" in done.stderr
    assert "no key" in done.stderr and "in the tool's keyset" in done.stderr  # the LMS has another key for the tool
    # The LMS holds another key under the very key id the kit signs with: the signature itself fails.
    kid = tool_jwks(tmp_path / "other.pem")["keys"][0]["kid"]
    lms.tool.jwks = {"keys": [{**lms.tool.jwks["keys"][0], "kid": kid}]}
    with pytest.raises(PassbackError, match="invalid_client: the client assertion's signature does not match"):
        passback(tmp_path / "org.yaml", course)
    assert lms.scores == [] and not (course / JOURNAL).exists()


def test_an_expired_assertion_is_refused(tmp_path, course, lms):
    lms.clock_offset = 600  # the LMS's clock is ten minutes ahead: the kit's one-minute assertion has lapsed there
    with pytest.raises(PassbackError, match="invalid_client: the client assertion has expired"):
        passback(org_for(tmp_path, lms), course)
    assert lms.scores == []


def test_the_platform_follows_the_standard(tmp_path, lms):
    """The test platform itself refuses what 1EdTech's Security Framework and AGS say to refuse."""
    key = serialization.load_pem_private_key((tmp_path / "tool.pem").read_bytes(), password=None)
    kid = lms.tool.jwks["keys"][0]["kid"]

    def assertion(**change) -> str:
        now = int(time.time())
        claims = {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": f"{lms.url}/token", "iat": now, "exp": now + 60}
        return jwt.encode({"jti": uuid.uuid4().hex, **claims, **change}, key, "RS256", headers={"kid": kid})

    def token(signed: str, scope: str = AGS + "score") -> requests.Response:
        form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE}
        return requests.post(f"{lms.url}/token", data={**form, "client_assertion": signed, "scope": scope}, timeout=30)

    expired = token(assertion(iat=int(time.time()) - 600, exp=int(time.time()) - 540))
    assert expired.status_code == 401 and expired.json()["error"] == "invalid_client"
    assert token(assertion(aud="https://elsewhere.example")).status_code == 401
    assert token(assertion(), scope="https://example.com/anything").json()["error"] == "invalid_scope"
    once = assertion()
    granted = token(once, scope=f"{AGS}score {NRPS}")
    assert granted.status_code == 200 and granted.json()["token_type"] == "Bearer"
    assert token(once).status_code == 401  # an assertion is used once (jti)

    bearer = {"Authorization": f"Bearer {granted.json()['access_token']}"}
    assert requests.get(f"{lms.url}/lineitems", headers=bearer, timeout=30).status_code == 403  # no lineitem scope
    assert requests.get(f"{lms.url}/memberships", timeout=30).status_code == 401
    first = requests.get(f"{lms.url}/memberships", headers=bearer, timeout=30)
    assert len(first.json()["members"]) == 1 and first.links["next"]["url"].endswith("page=2")


def test_the_lms_services_block_names_the_file_and_the_field(tmp_path, lms):
    org = org_for(tmp_path, lms, "missing.pem")
    with pytest.raises(DataError) as raised:
        load_org(org)
    assert raised.value.field == "lti.services.private_key" and "missing.pem" in raised.value.problem
    (tmp_path / "not-a-key.pem").write_text("hello", encoding="utf-8")
    with pytest.raises(DataError, match="not an unencrypted private key in PEM"):
        load_org(org_for(tmp_path, lms, "not-a-key.pem"))
    text = org_for(tmp_path, lms).read_text(encoding="utf-8").replace("token_url: http", "token_url: ftp")
    (tmp_path / "org.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_org(tmp_path / "org.yaml")
    assert raised.value.field == "lti.services.token_url"
    services = load_org(org_for(tmp_path, lms)).lti.services
    assert services.client_id == CLIENT_ID and Path(services.private_key) == tmp_path / "tool.pem"
    shown = subprocess.run(
        [*smtk_command(), "grade", "passback", str(tmp_path / "org.yaml"), "--keyset"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    keyset = json.loads(shown.stdout)  # what the LMS was given: the public half, with the key id the kit signs with
    assert keyset == lms.tool.jwks and not {"d", "p", "q"} & set(keyset["keys"][0])
    without = tmp_path / "plain.yaml"
    without.write_text(DEMO_ORG.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(PassbackError, match=r"plain.yaml: lti.services: required"):
        passback(without, tmp_path)
