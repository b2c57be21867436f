"""`smtk certify` on a real gradebook made by grading real submissions: certificates, badges, xAPI, an LRS."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from conftest import SUBMITTED_AT
from pdf_tags import assert_pdfua
from pypdf import PdfReader
from test_exercise_exports import stored_exercise

from graders.course.certification import load_rules
from graders.course.manifest import load_manifest
from graders.results.badges import hashed_email
from graders.results.tiers import add_months

SCHEMAS = Path(__file__).parent / "schemas"
NOTICE_DAYS = 30  # how far ahead the re-certification list looks; ada's certificate lapses exactly then


def schema(name: str, ref: str | None = None) -> dict:
    document = json.loads((SCHEMAS / name).read_text())
    return {**document, "$ref": f"#/$defs/{ref}"} if ref else document


def smtk(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "smtk"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def certified(graded_course, tmp_path_factory):
    """Certify as of NOTICE_DAYS before ada's certificate lapses, counted from her fixed submission date: the same
    dates on any day the suite runs."""
    out = tmp_path_factory.mktemp("certs")
    valid_months = load_rules(graded_course / "course.yml").valid_months
    today = add_months(SUBMITTED_AT.date(), valid_months) - dt.timedelta(days=NOTICE_DAYS)
    args = ("--today", today.isoformat(), "--within-days", str(NOTICE_DAYS))
    exercises = str(out.parent / "exercises.db")
    stored_exercise(exercises, "TEAM1")  # a live exercise the cohort played: its review and statements join the exports
    proc = smtk("certify", "--course", str(graded_course), "--out", str(out), "--exercises", exercises, *args)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def test_tiers_from_the_gradebook(certified, graded_course):
    out, stdout = certified
    certs = pd.read_csv(out / "certificates.csv")
    assert list(certs["learner"]) == ["ada"], "bob's blank submission earns nothing"
    ada = certs.iloc[0]
    tracks = {t.id: t for t in load_manifest(graded_course / "course.yml", graded_course / "source").tracks}
    size = len(tracks["employees"].modules)
    # ada passed one module of the track at 100%: the highest tier that one module earns
    rules = load_rules(graded_course / "course.yml")
    expected = [t for t in rules.tiers if t.needed(size) <= 1][-1]
    assert (ada["track"], ada["tier"], ada["name"]) == ("employees", expected.id, "Ada Lovelace")
    issued = dt.date.fromisoformat(ada["issued"])
    assert issued == SUBMITTED_AT.date(), "issued on the day of the graded submission, not the day of grading"
    # Issued on 29 February: a year later is 28 February (add_months clamps to the month's end).
    assert dt.date.fromisoformat(ada["expires"]) == add_months(issued, rules.valid_months)
    assert "1 certificate(s)" in stdout and "ada" in stdout
    due = pd.read_csv(out / "recertification.csv")
    assert list(due["learner"]) == ["ada"] and due.iloc[0]["email"] == "Ada@Example.com"
    assert due.iloc[0]["days_left"] == NOTICE_DAYS, "a certificate lapsing on the horizon's last day is listed"


def test_grades_and_track_summary_exports(certified, graded_course):
    out, stdout = certified
    grades = pd.read_csv(out / "grades.csv")
    assert set(grades["learner"]) == {"ada", "bob"} and set(grades["kind"]) == {"test", "answer"}
    by_learner = grades.groupby("learner")["score"].sum()
    assert by_learner["ada"] == grades.loc[grades["learner"] == "ada", "max_score"].sum() and by_learner["bob"] == 0
    rows = json.loads((out / "grades.json").read_text())
    assert [(r["learner"], r["item"], r["score"]) for r in rows] == list(
        zip(grades["learner"], grades["item"], grades["score"], strict=True)
    )
    summary = pd.read_csv(out / "track-summary.csv").set_index("track")
    employees = summary.loc["employees"]
    # bob left the written answer blank and the trainer scored it 0, so his submission is final and failed
    assert employees[["learners", "graded", "passed", "certified"]].tolist() == [2, 2, 1, 1]
    assert "employees" in stdout and "pass rate" in stdout


def test_pdf_certificate_is_valid_and_names_the_learner(certified):
    out, _ = certified
    certs = pd.read_csv(out / "certificates.csv")
    pdfs = list((out / "pdf").glob("*.pdf"))
    assert len(pdfs) == 1
    reader = PdfReader(pdfs[0])
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Ada Lovelace" in text and certs.iloc[0]["verification_id"] in text
    assert "Larkspur Appliances" in text


def test_pdf_certificate_is_tagged_for_screen_readers(certified, graded_course):
    """PDF/UA-1: a tag tree in reading order, the language, one H1, and the name and tier as real text in order."""
    out, _ = certified
    certs = pd.read_csv(out / "certificates.csv")
    (pdf,) = (out / "pdf").glob("*.pdf")
    tags = assert_pdfua(pdf)
    assert "/P" in tags.roles
    text = PdfReader(pdf).pages[0].extract_text()
    titles = {t.id: t.title for t in load_rules(graded_course / "course.yml").tiers}
    name, tier = "Ada Lovelace", titles[certs.iloc[0]["tier"]]
    assert name in text and tier in text
    assert text.index("Certificate of achievement") < text.index(name) < text.index(tier), "reading order"


def test_open_badges_validate(certified):
    out, _ = certified
    issuer = json.loads((out / "badges" / "issuer.json").read_text())
    jsonschema.validate(issuer, schema("openbadges-v2.schema.json", "Issuer"))
    klasses = list((out / "badges" / "badges").glob("*.json"))
    assert len(klasses) == 1
    klass = json.loads(klasses[0].read_text())
    jsonschema.validate(klass, schema("openbadges-v2.schema.json", "BadgeClass"))
    assert klass["issuer"] == issuer["id"]
    assert (out / "badges" / "images" / Path(klass["image"]).name).read_bytes()[:4] == b"\x89PNG"
    (path,) = (out / "badges" / "assertions").glob("*.json")
    badge = json.loads(path.read_text())
    jsonschema.validate(badge, schema("openbadges-v2.schema.json", "Assertion"))
    assert badge["badge"] == klass["id"] and badge["id"].endswith(path.name)
    salt = badge["recipient"]["salt"]
    assert badge["recipient"]["identity"] == hashed_email("ada@example.com", salt)
    assert "ada@example.com" not in path.read_text().lower()


@pytest.mark.parametrize(
    ("file", "own", "other"),
    [
        ("xapi-statements.jsonl", "xapi-statement.schema.json", "xapi-2.0-statement.schema.json"),
        ("xapi-2.0-statements.jsonl", "xapi-2.0-statement.schema.json", "xapi-statement.schema.json"),
    ],
)
def test_xapi_statements_validate(certified, file, own, other):
    out, _ = certified
    lines = (out / file).read_text().splitlines()
    statements = [json.loads(line) for line in lines]
    validator = jsonschema.Draft202012Validator(schema(own))
    for statement in statements:
        validator.validate(statement)
    assert not jsonschema.Draft202012Validator(schema(other)).is_valid(statements[0])  # each is its own version
    by = {(s["actor"]["account"]["name"], s["verb"]["display"]["en-US"]): s for s in statements}
    assert by[("ada", "passed")]["result"]["score"]["scaled"] == 1.0
    assert by[("bob", "failed")]["result"]["score"]["scaled"] == 0.0
    assert ("ada", "failed") not in by and ("bob", "passed") not in by
    assert len({s["id"] for s in statements}) == len(statements)
    played = [s for s in statements if s["object"]["id"].endswith("/exercises/TEAM1")]
    assert played and {s["verb"]["display"]["en-US"] for s in played} == {"attempted", "completed"}
    assert (out / "exercises" / "TEAM1.pdf").is_file()


def test_bad_xapi_is_rejected_by_the_schema():
    validator = jsonschema.Draft202012Validator(schema("xapi-statement.schema.json"))
    bad = {"id": "x", "actor": {"mbox_sha1sum": "nothex"}, "verb": {"id": "passed"}, "object": {"id": "m"},
           "timestamp": "yesterday", "version": "2.0"}  # fmt: skip
    assert len(list(validator.iter_errors(bad))) >= 5


class RecordStore(BaseHTTPRequestHandler):
    """A learning record store on loopback: /about lists the xAPI versions it speaks (`versions`); it takes
    statements only in one of them, with the matching version header (400 otherwise, as xAPI requires)."""

    versions: list[str] = []
    received: list[tuple[str, str, str, bytes]] = []

    def do_GET(self):  # noqa: N802
        if self.path.endswith("/about"):
            self._answer(200, json.dumps({"version": self.versions}).encode())
        else:
            self._answer(404, b"{}")

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        version = self.headers["X-Experience-API-Version"]
        if version not in self.versions or {s["version"] for s in json.loads(body)} != {version}:
            return self._answer(400, b'{"error": "unsupported version"}')
        self.received.append((self.path, version, self.headers["Authorization"], body))
        self._answer(200, b"[]")

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(
    ("speaks", "expected", "file"),
    [
        (["1.0.3", "2.0.0"], "2.0.0", "xapi-2.0-statements.jsonl"),
        (["1.0.0", "1.0.3"], "1.0.3", "xapi-statements.jsonl"),
    ],
)
def test_statements_sent_to_a_learning_record_store(graded_course, tmp_path, speaks, expected, file):
    store = type("Store", (RecordStore,), {"versions": speaks, "received": []})
    server = HTTPServer(("127.0.0.1", 0), store)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/xapi"
        proc = smtk(
            "certify", "--course", str(graded_course), "--out", str(tmp_path), "--lrs", url, "--lrs-auth", "k:s"
        )
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr
    assert f"in xAPI {expected}" in proc.stdout
    sent = [s for _, _, _, body in store.received for s in json.loads(body)]
    lines = (tmp_path / file).read_text().splitlines()
    assert sent == [json.loads(line) for line in lines]  # the version the record store prefers, as written
    assert {(p, v, a) for p, v, a, _ in store.received} == {("/xapi/statements", expected, "Basic azpz")}
    other = "xapi-statements.jsonl" if file != "xapi-statements.jsonl" else "xapi-2.0-statements.jsonl"
    assert {s["id"] for s in sent} == {json.loads(line)["id"] for line in (tmp_path / other).read_text().splitlines()}


def test_unreachable_lrs_and_bad_roster_are_clear(graded_course, tmp_path):
    proc = smtk("certify", "--course", str(graded_course), "--out", str(tmp_path), "--lrs", "http://127.0.0.1:9/x")
    assert proc.returncode == 2 and "could not be reached" in proc.stderr and "Traceback" not in proc.stderr
    import shutil

    root = tmp_path / "course"
    shutil.copytree(graded_course, root)
    (root / "roster.csv").write_text("learner,email\nbob,not-an-email\nbob,\n")
    proc = smtk("certify", "--course", str(root), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "roster.csv" in proc.stderr and "row 2, column email" in proc.stderr and "listed twice" in proc.stderr


def test_a_record_store_speaking_neither_version_is_a_clear_error(graded_course, tmp_path):
    store = type("Store", (RecordStore,), {"versions": ["0.95"], "received": []})
    server = HTTPServer(("127.0.0.1", 0), store)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/xapi"
        proc = smtk("certify", "--course", str(graded_course), "--out", str(tmp_path), "--lrs", url)
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "the LRS speaks xAPI 0.95, not 2.0 or 1.0" in proc.stderr and store.received == []
