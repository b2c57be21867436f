"""cmi5: the course package validates against cmi5's CourseStructure.xsd (and a damaged one fails, named), and a
launch from an LMS on loopback (cmi5_lms.py, real HTTP) records initialized, completed, passed or failed (as the
gradebook's grade against the package's masteryScore says) and terminated, in that order, in one session."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path

import jsonschema
import pytest
from cmi5_lms import ALREADY, SESSION_ID, Lms
from conftest import smtk_command
from lxml import etree

from graders.course.exchange import track_course, track_modules
from graders.results.cmi5_session import (
    Cmi5Error,
    Cmi5Refused,
    Grade,
    fetch_token,
    launch_module,
    parse_launch,
    run_session,
    within,
)
from graders.results.gradebook import module_scores
from simulations.profile.org import load_org

XSD = Path(__file__).parent / "schemas" / "cmi5-CourseStructure.xsd"
NS = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}
HUB = "https://training.example.test"
MODULE = "policy-disclosure"  # the graded course's graded module: ada handed in the solution, bob a blank


def schema_problems(xml: bytes, name: str = "cmi5.xml") -> list[str]:
    """What the XSD finds wrong with a course structure, each as file:line: message."""
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    if schema.validate(etree.fromstring(xml, etree.XMLParser(remove_blank_text=False))):
        return []
    return [f"{name}:{error.line}: {error.message}" for error in schema.error_log]


@pytest.fixture(scope="module")
def package(graded_course, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cmi5") / "course.zip"
    command = [*smtk_command(), "package", "cmi5", str(graded_course / "org.yaml"), "--course", str(graded_course)]
    proc = subprocess.run([*command, "--hub-url", HUB, "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert f"Wrote {out}" in proc.stdout
    return out


def structure(package: Path) -> bytes:
    with zipfile.ZipFile(package) as archive:
        assert archive.namelist() == ["cmi5.xml"]  # cmi5 14.1: the course structure at the zip's root
        return archive.read("cmi5.xml")


def aus(package: Path) -> dict[str, dict[str, str]]:
    """Module id -> its AU's id, url, moveOn and masteryScore, as an LMS reads them from the package."""
    root = etree.fromstring(structure(package))
    found = {}
    for au in root.iterfind(".//c:au", NS):
        url = au.findtext("c:url", namespaces=NS)
        found[url.rsplit("/", 1)[-1]] = {"id": au.get("id"), "url": url, **dict(au.attrib)}
    return found


def test_package_validates_and_has_an_au_per_released_module(package, graded_course):
    xml = structure(package)
    assert schema_problems(xml) == []
    slug = load_org(graded_course / "org.yaml").slug
    released = {m: track for track, modules in track_modules(graded_course).items() for m in modules}
    units = aus(package)
    assert set(units) == set(released)
    for module, au in units.items():
        assert au["url"] == f"{HUB}/hub/cmi5/module/{track_course(slug, released[module])}/{module}"
        assert au["launchMethod"] == "OwnWindow"
    graded = units[MODULE]
    assert graded["moveOn"] == "CompletedAndPassed" and 0 < float(graded["masteryScore"]) <= 1
    assert len({au["id"] for au in units.values()}) == len(units)


def test_a_package_missing_a_required_element_fails_named(package):
    xml = structure(package)
    root = etree.fromstring(xml)
    first = root.find(".//c:au", NS)
    first.remove(first.find("c:url", NS))  # an AU without its launch url
    damaged = etree.tostring(root)
    problems = schema_problems(damaged)
    assert problems, "the XSD takes an AU without a url"
    line = etree.fromstring(damaged).find(".//c:au", NS).sourceline
    assert any(p.startswith("cmi5.xml:") and "url" in p and "Missing child element" in p for p in problems), problems
    assert any(int(p.split(":")[1]) == line for p in problems), (line, problems)


@pytest.fixture
def lms():
    server = Lms().start()
    yield server
    server.stop()


@pytest.fixture
def course(graded_course, tmp_path) -> Path:
    """A copy of the graded course: a launch journals what the LMS accepted in the course root."""
    return Path(shutil.copytree(graded_course, tmp_path / "course"))


def expected_verb(course: Path, learner: str, mastery: float) -> str:
    """passed or failed, from the gradebook's score for the module against the package's masteryScore."""
    row = module_scores(course).query("learner == @learner and module == @MODULE").iloc[0]
    assert not row.needs_manual_grade
    return "passed" if round(row.score / row.max_score, 4) >= mastery else "failed"


def query_of(url: str) -> dict[str, str]:
    from urllib.parse import parse_qs, urlsplit

    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_a_launch_records_the_cmi5_statements_in_order(package, course, lms):
    au = aus(package)[MODULE]
    mastery = float(au["masteryScore"])
    wanted = {learner: expected_verb(course, learner, mastery) for learner in ("ada", "bob")}
    assert set(wanted.values()) == {"passed", "failed"}  # both ways are taken
    for learner, verdict in wanted.items():
        url, session = lms.launch(au, learner)
        assert url.startswith(au["url"] + "?")
        sent = launch_module(course, learner, MODULE, query_of(url), [lms.url])
        assert lms.refused == []
        assert lms.verbs(session) == ["launched", "initialized", "completed", verdict, "terminated"]
        assert sent.verbs == ["initialized", "completed", verdict, "terminated"]
        assert (sent.registration, sent.session_id) == (session.registration, session.session_id)
        recorded = [s for s in lms.statements if s["context"]["extensions"][SESSION_ID] == session.session_id]
        assert {s["context"]["registration"] for s in recorded} == {session.registration}
        stamps = [s["timestamp"] for s in recorded[1:]]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)  # cmi5 orders by timestamp
        xapi = jsonschema.Draft202012Validator(json.loads((XSD.parent / "xapi-2.0-statement.schema.json").read_text()))
        assert [list(xapi.iter_errors(s)) for s in recorded[1:]] == [[]] * 4  # the AU's, in the version they declare
        judged = next(s for s in recorded if s["verb"]["id"].endswith(verdict))
        score = module_scores(course).query("learner == @learner and module == @MODULE").iloc[0]
        assert judged["result"]["score"]["scaled"] == round(score.score / score.max_score, 4)
    assert lms.fetches == 2  # one token fetch per session
    assert {h for h in lms.headers} == {(f"Basic {s.token}", "2.0.0") for s in lms.sessions.values()}


def test_a_later_session_sends_no_second_completed_or_passed(package, course, lms):
    au = aus(package)[MODULE]
    mastery = float(au["masteryScore"])
    registrations = {learner: str(uuid.uuid4()) for learner in ("ada", "bob")}
    for learner, registration in registrations.items():
        url, _ = lms.launch(au, learner, registration)
        launch_module(course, learner, MODULE, query_of(url), [lms.url])
        url, again = lms.launch(au, learner, registration)  # the same registration, a new session
        launch_module(course, learner, MODULE, query_of(url), [lms.url])
        verdict = expected_verb(course, learner, mastery)
        # cmi5 9.3: one completed and one passed per registration; failed may be reported again
        later = ["initialized", "terminated"] if verdict == "passed" else ["initialized", verdict, "terminated"]
        assert lms.verbs(again) == ["launched", *later]
    assert lms.refused == []


def test_browse_mode_and_an_ungraded_module_send_only_initialized_and_terminated(package, course, lms):
    au = aus(package)[MODULE]
    url, browse = lms.launch(au, "ada", mode="Browse")
    launch_module(course, "ada", MODULE, query_of(url), [lms.url])
    url, nothing_yet = lms.launch(au, "carol")  # carol handed nothing in: the gradebook has no grade for her
    launch_module(course, "carol", MODULE, query_of(url), [lms.url])
    assert lms.verbs(browse) == lms.verbs(nothing_yet) == ["launched", "initialized", "terminated"]
    assert lms.refused == []


def test_work_awaiting_the_trainer_is_completed_not_judged(package, lms):
    url, session = lms.launch(aus(package)[MODULE], "ada")
    run_session(parse_launch(query_of(url)), Grade(score=3.0, maximum=10.0, pending=True), pass_mark=0.7)
    assert lms.verbs(session) == ["launched", "initialized", "completed", "terminated"]
    assert lms.refused == []


def test_the_fetch_url_gives_its_token_once(package, lms):
    url, _ = lms.launch(aus(package)[MODULE], "ada")
    launch = parse_launch(query_of(url))
    fetch_token(launch)
    with pytest.raises(Cmi5Error, match=f"error 1 \\({ALREADY}\\)"):
        fetch_token(launch)


@pytest.mark.parametrize(
    ("drop", "change", "message"),
    [
        ("registration", {}, "has no registration"),
        (None, {"registration": "not-a-uuid"}, "registration is not a UUID"),
        (None, {"actor": '{"mbox": "mailto:a@example.com"}'}, "actor is not an Agent with an account"),
        (None, {"endpoint": "lrs.example.com"}, "endpoint is not an http"),
    ],
)
def test_a_wrong_launch_url_is_named(package, lms, drop, change, message):
    url, _ = lms.launch(aus(package)[MODULE], "ada")
    query = {**query_of(url), **change}
    query.pop(drop or "", None)
    with pytest.raises(Cmi5Error, match=message):
        parse_launch(query)
    assert lms.fetches == 0  # nothing asked of the LMS


def test_a_launch_naming_another_lms_is_refused_before_anything_is_sent(package, course, lms):
    """The launch url's endpoint and fetch come from whoever made the link: only the profile's LMS addresses count."""
    url, session = lms.launch(aus(package)[MODULE], "ada")
    for listed in ([], ["http://lms.example.test"], [lms.url + "/elsewhere"]):
        with pytest.raises(Cmi5Refused, match="not under the LMS addresses of the profile's cmi5.lms_urls"):
            launch_module(course, "ada", MODULE, query_of(url), listed)
    assert lms.fetches == 0 and lms.verbs(session) == ["launched"]


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        ("https://lms.example.com/xapi/statements", True),
        ("https://LMS.example.com/lrs/", True),
        ("https://lms.example.com.evil.test/lrs/", False),
        ("http://lms.example.com/lrs/", False),
        ("https://lms.example.com/lrs-other/", False),
        ("https://lms.example.com:8443/lrs/", False),
    ],
)
def test_within_compares_scheme_host_and_path(url, inside):
    assert within(url, ["https://lms.example.com/lrs", "https://lms.example.com/xapi/"]) is inside


def test_a_wrong_hub_url_is_refused(graded_course, tmp_path):
    command = [*smtk_command(), "package", "cmi5", str(graded_course / "org.yaml"), "--course", str(graded_course)]
    proc = subprocess.run([*command, "--hub-url", "training.example.test", "--out", str(tmp_path / "p.zip")],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 2 and "--hub-url" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "p.zip").exists()


def test_a_wrong_lms_address_in_the_profile_names_file_line_and_field(tmp_path):
    from graders.paths import DEMO_ORG
    from simulations.common.datafiles import DataError

    text = DEMO_ORG.read_text(encoding="utf-8")
    path = tmp_path / "demo.yaml"
    path.write_text(text + "cmi5:\n  lms_urls: [lms.example.com]\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_org(path)
    assert err.value.line == len(text.splitlines()) + 2 and err.value.field.startswith("cmi5.lms_urls")
    path.write_text(text + "cmi5:\n  lms_urls: [https://lms.example.com/]\n", encoding="utf-8")
    assert load_org(path).cmi5.lms_urls == ("https://lms.example.com/",)
