"""The live exercise's after-action exports: the review PDF (real text, titled) and xAPI statements per participant,
from a stored log, matching an offline replay of it by the engine."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from pdf_tags import assert_pdfua
from pypdf import PdfReader

from graders.results import xapi
from graders.results.exercises import export_exercises
from simulations.common.eventlog import EventLog
from simulations.exercise import World, after_action, participants, play

SCHEMAS = Path(__file__).parent / "schemas"
HOME = "https://training.example/smtk"


def stored_exercise(target: str, code: str, *, end: bool = True) -> World:
    """A scripted team plays an exercise; its log is stored under `code` (ended, or with its end entry left out)."""
    world = World.create("defect-viral", seed=3)
    entries = play(world, per_role=1, seed=3)
    if not end:
        entries = [e for e in entries if not (e[0] == "clock" and e[1].get("action") == "end")]
    with EventLog(target) as db:
        db.append(code, "setup", world.setup_payload())
        for kind, payload in entries:
            db.append(code, kind, payload)
    return world


def test_ended_exercises_export_a_pdf_and_statements_per_participant(tmp_path):
    target = str(tmp_path / "events.db")
    played = stored_exercise(target, "DONE1")
    stored_exercise(target, "RUNNING", end=False)
    with EventLog(target) as db:
        db.append("other-feature", "note", {"x": 1})  # another feature's log in the same database is left alone

    found = export_exercises(target, tmp_path / "out", HOME)
    assert found.codes == ["DONE1"]
    with EventLog(target) as db:
        replayed = World.from_log(db.read("DONE1"))
    assert after_action(replayed).as_dict() == after_action(played).as_dict()

    reader = PdfReader(found.pdfs[0])
    assert len(reader.pages) == 1
    tags = assert_pdfua(found.pdfs[0])  # tagged for screen readers: headings, tables with header cells
    assert tags.roles.count("/Table") == 4 and "/TH" in tags.roles
    assert reader.metadata.title.startswith("After-action review")
    text = reader.pages[0].extract_text()
    figures = after_action(replayed)
    assert f"{figures.team_alignment:.0%}" in text and "fictional" in text
    people = participants(replayed)
    assert all(p["name"] in text for p in people)

    validator = jsonschema.Draft202012Validator(json.loads((SCHEMAS / "xapi-statement.schema.json").read_text()))
    for statement in found.statements:
        validator.validate(statement)
    newer = jsonschema.Draft202012Validator(json.loads((SCHEMAS / "xapi-2.0-statement.schema.json").read_text()))
    for statement in xapi.in_version(found.statements, xapi.VERSION_2):
        newer.validate(statement)
    assert len(found.statements) == 2 * len(people)
    done = {s["actor"]["account"]["name"]: s for s in found.statements if s["verb"]["display"]["en-US"] == "completed"}
    for p in people:
        if p["alignment"] is not None:
            assert done[p["participant"]]["result"]["score"]["scaled"] == round(p["alignment"], 4)
    again = export_exercises(target, tmp_path / "again", HOME)
    assert [s["id"] for s in again.statements] == [s["id"] for s in found.statements]  # same ids: the LRS keeps one
