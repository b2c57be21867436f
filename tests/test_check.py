"""`smtk check`: modules past review_by and manifest problems are listed together, and the exit code says so."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

from graders.course.check import check_course, format_report, notebook_points, release_syntax_errors
from graders.course.manifest import load_manifest, read_manifest
from graders.paths import DEMO_ORG, MANIFEST, ROOT, SOURCE

FIRST = "policy-disclosure"  # the kit's first module, in the employees track (index 3)


def smtk(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "smtk"
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def course(tmp_path: Path, edit=None) -> Path:
    """A private copy of the manifest (edited by `edit`) with a copy of the master notebooks next to it."""
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    if edit:
        edit(data)
    shutil.copytree(SOURCE, tmp_path / "source")
    shutil.copyfile(MANIFEST.parent / "facts.yml", tmp_path / "facts.yml")  # the registry the lessons' figures name
    path = tmp_path / "course.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def module_entry(data: dict, module_id: str = FIRST) -> dict:
    return next(m for t in data["tracks"] for m in t["modules"] if m["id"] == module_id)


def track_of(data: dict, track_id: str) -> dict:
    return next(t for t in data["tracks"] if t["id"] == track_id)


def test_shipped_manifest_has_no_problems():
    report = check_course(today=dt.date(2026, 11, 23))
    assert report.problems == ()
    assert report.modules == len(load_manifest().modules)
    assert report.minutes_checked and report.minutes == (), "every lesson's minutes are its estimate's, within 20%"


def test_points_of_first_module_counted_from_its_lessons_notebooks():
    module = load_manifest().module(FIRST)
    assert len(module.lessons) > 1
    assert sum(notebook_points(SOURCE / FIRST / f"{lesson.id}.ipynb") for lesson in module.lessons) == module.points


def test_expired_review_by_is_caught(tmp_path):
    path = course(tmp_path, lambda d: module_entry(d).update(review_by="2026-03-31"))
    report = check_course(path, today=dt.date(2026, 11, 23))
    assert not report.ok and report.problems == ()
    assert [(d.id, d.days_left) for d in report.expired] == [(FIRST, -237)]

    cli = smtk("check", "--manifest", str(path), "--today", "2026-11-23")
    assert cli.returncode == 1, cli.stdout + cli.stderr
    assert f"EXPIRED {FIRST}: review_by 2026-03-31 passed 237 day(s) ago" in cli.stdout
    assert "1 problem(s)" in cli.stdout.splitlines()[-1]


def test_review_by_day_itself_is_still_in_time(tmp_path):
    path = course(tmp_path, lambda d: module_entry(d).update(review_by="2026-11-23"))
    on_the_day = check_course(path, today=dt.date(2026, 11, 23), soon_days=0)
    assert not on_the_day.expired and not on_the_day.problems and [d.id for d in on_the_day.due_soon] == [FIRST]
    assert f"due soon {FIRST}: review_by 2026-11-23, in 0 day(s)" in format_report(on_the_day)
    assert check_course(path, today=dt.date(2026, 11, 24)).expired


def test_today_defaults_to_the_real_date(tmp_path):
    path = course(tmp_path, lambda d: module_entry(d).update(review_by="2000-01-01"))
    before = dt.date.today()
    report = check_course(path)
    # Read the date on both sides: a run that crosses midnight sees one of the two.
    assert report.today in {before, dt.date.today()} and not report.ok


def test_every_manifest_problem_is_listed_at_once(tmp_path):
    appended_at = []

    def edit(data):
        module_entry(data).update(points=99, prerequisites=["nowhere"])
        appended_at.append(len(track_of(data, "partners")["modules"]))
        track_of(data, "partners")["modules"].append(
            {
                "id": "ghost-module",
                "title": "A module nobody wrote",
                "minutes": 5,
                "points": 3,
                "prerequisites": [FIRST],
                "review_by": "2030-01-01",
                "objectives": ["exist"],
            }
        )

    path = course(tmp_path, edit)
    report = check_course(path, today=dt.date(2026, 11, 23))
    found = {(p.field, p.problem.split(";")[0]) for p in report.problems}
    assert ("tracks[3].modules[0].prerequisites[0]", "unknown module 'nowhere'") in found
    lessons = sum(notebook_points(SOURCE / FIRST / f"{n.id}.ipynb") for n in load_manifest().module(FIRST).lessons)
    assert ("tracks[3].modules[0].points", f"{FIRST}: the manifest says 99, its lessons have {lessons:g}") in found
    ghost = [p for p in report.problems if "ghost-module.ipynb" in p.problem]
    field = f"tracks[4].modules[{appended_at[0]}].id"
    assert ghost and ghost[0].field == field and "no source notebook" in ghost[0].problem
    assert len(report.problems) == 3 and report.expired == ()

    printed = format_report(report)
    assert printed.count("PROBLEM ") == 3 and f"PROBLEM {path}: tracks[3].modules[0].points" in printed
    assert printed.splitlines()[-1].endswith(": 3 problem(s)")


# The first module's first lesson, copied as a one-lesson module: its points and minutes.
COPY_POINTS, COPY_MINUTES = notebook_points(SOURCE / FIRST / f"{FIRST}.ipynb"), 8


def copy_module(tmp_path, new_id: str) -> None:
    """The first module's first lesson again as the one-lesson module `new_id`: its notebook and answer bank."""
    folder = tmp_path / "source" / new_id
    folder.mkdir()
    for suffix in (".ipynb", ".bank.yml"):
        shutil.copyfile(tmp_path / "source" / FIRST / f"{FIRST}{suffix}", folder / f"{new_id}{suffix}")


def test_prerequisites_in_another_track_must_exist_and_not_go_round(tmp_path):
    def edit(data):
        module_entry(data).update(prerequisites=["ghost-module"])
        track_of(data, "partners")["modules"].append(
            {
                "id": "ghost-module",
                "title": "Depends on the first module, which depends on it",
                "minutes": COPY_MINUTES,
                "points": COPY_POINTS,
                "prerequisites": [FIRST],
                "review_by": "2030-01-01",
                "objectives": ["go round"],
            }
        )

    path = course(tmp_path, edit)
    copy_module(tmp_path, "ghost-module")
    report = check_course(path, today=dt.date(2026, 11, 23))
    assert [p.problem for p in report.problems] == [
        f"prerequisites go round in a circle: {FIRST} -> ghost-module -> {FIRST}"
    ]


def test_a_module_cannot_require_itself(tmp_path):
    path = course(tmp_path, lambda d: module_entry(d).update(prerequisites=[FIRST]))
    (problem,) = check_course(path, today=dt.date(2026, 11, 23)).problems
    assert problem.field == "tracks[3].modules[0].prerequisites[0]" and "its own prerequisite" in problem.problem


def test_prerequisite_outside_the_organisations_tracks(tmp_path):
    def edit(data):
        track_of(data, "partners")["modules"].append(
            {
                "id": "partner-copy",
                "title": "Needs the employees' module",
                "minutes": COPY_MINUTES,
                "points": COPY_POINTS,
                "prerequisites": [FIRST],
                "review_by": "2030-01-01",
                "objectives": ["need another track"],
            }
        )

    path = course(tmp_path, edit)
    copy_module(tmp_path, "partner-copy")
    org = yaml.safe_load(DEMO_ORG.read_text(encoding="utf-8"))
    org["tracks"] = ["partners"]
    org_path = tmp_path / "partners-only.yaml"
    org_path.write_text(yaml.safe_dump(org, sort_keys=False), encoding="utf-8")

    plain = check_course(path, today=dt.date(2026, 11, 23))
    assert not plain.problems and not plain.expired
    cli = smtk("check", "--manifest", str(path), "--today", "2026-11-23", "--org", str(org_path))
    assert cli.returncode == 1
    assert f"partner-copy needs {FIRST} from track employees, which Larkspur Appliances does not build" in cli.stdout


def test_malformed_manifest_is_a_problem_not_a_traceback(tmp_path):
    path = course(tmp_path, lambda d: module_entry(d).update(review_by="next spring"))
    cli = smtk("check", "--manifest", str(path))
    assert cli.returncode == 1 and "Traceback" not in cli.stderr
    line, column = next(
        (i, text.index("review_by") + 1)
        for i, text in enumerate(path.read_text("utf-8").splitlines(), 1)
        if "review_by: next spring" in text
    )
    problem = 'tracks[3].modules[0].review_by: expected a date as YYYY-MM-DD (got "next spring")'
    assert f"PROBLEM {path}:{line}:{column}: {problem}" in cli.stdout


def test_corrupt_notebook_is_named_and_the_rest_still_checked(tmp_path):
    path = course(tmp_path, lambda d: module_entry(d).update(review_by="2001-01-01"))
    notebook = tmp_path / "source" / FIRST / f"{FIRST}.ipynb"
    notebook.write_text('{"cells": [', encoding="utf-8")
    report = check_course(path, today=dt.date(2026, 11, 23))
    (problem,) = report.problems
    assert problem.path == str(notebook) and "cannot read the notebook" in problem.problem
    assert [d.id for d in report.expired] == [FIRST]
    assert notebook.read_text(encoding="utf-8") == '{"cells": [', "check never rewrites a notebook"


def test_bad_today_is_a_usage_error():
    cli = smtk("check", "--today", "23/11/2026")
    assert cli.returncode == 2 and "expected a date as YYYY-MM-DD" in cli.stderr


def test_certification_rules_are_checked_too(tmp_path):
    path = course(tmp_path, lambda d: d.update(certification={"pass_mark": 0.7, "tiers": []}))
    (problem,) = check_course(path, today=dt.date(2026, 11, 23)).problems
    assert problem.path == str(path) and problem.field == "certification.tiers"


def test_a_released_cell_that_does_not_parse_is_a_problem(tmp_path):
    """A solution region cut inside a dict literal: the source runs, the release reads `x = {  # YOUR CODE HERE ...`."""
    path = course(tmp_path)
    notebook = tmp_path / "source" / FIRST / f"{FIRST}.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    index, cell = next((i, c) for i, c in enumerate(nb.cells) if "### BEGIN SOLUTION" in c.source)
    grade_id = cell.metadata.nbgrader["grade_id"]
    cell.source = 'answer = {\n    ### BEGIN SOLUTION\n    "a": True,\n    ### END SOLUTION\n}'
    compile(cell.source, "source", "exec")  # the source notebook itself still runs
    nbformat.write(nb, notebook)

    report = check_course(path, today=dt.date(2026, 11, 23))
    assert [(p.field, p.problem) for p in report.problems] == [
        (f"cells[{index}] ({grade_id})", "the released cell does not parse: line 3: invalid syntax")
    ]
    assert str(notebook) in format_report(report)
    cli = smtk("check", "--manifest", str(path), "--today", "2026-11-23")
    assert cli.returncode == 1 and f"cells[{index}] ({grade_id})" in cli.stdout


def test_magics_in_a_released_cell_parse_as_the_kernel_reads_them():
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("%matplotlib inline\nx = 1"), nbformat.v4.new_code_cell("x = (")]
    )
    assert [(i, e.msg) for i, _, e in release_syntax_errors(nb)] == [(1, "'(' was never closed")]


def test_a_lesson_longer_than_ten_minutes_is_a_problem(tmp_path):
    def edit(data):
        module_entry(data, "risk-framing")["lessons"][1]["minutes"] = 12
        module_entry(data)["lessons"][0]["minutes"] = 15

    path = course(tmp_path, edit)
    report = check_course(path, today=dt.date(2026, 11, 23))
    manifest = read_manifest(path)
    assert sorted(p.field for p in report.problems) == sorted(
        [f"{manifest.where('risk-framing')}.lessons[1].minutes", f"{manifest.where(FIRST)}.lessons[0].minutes"]
    )
    first, _, last = manifest.module("risk-framing").lessons
    assert manifest.module("risk-framing").minutes == first.minutes + 12 + last.minutes, "its lessons' added up"


def test_a_module_with_lessons_has_no_minutes_of_its_own(tmp_path):
    path = course(tmp_path, lambda d: module_entry(d, "risk-framing").update(minutes=25))
    report = check_course(path, today=dt.date(2026, 11, 23))
    assert [p.field for p in report.problems] == ["tracks[0].modules[2].minutes"]
    assert "sum of its lessons' minutes" in report.problems[0].problem


def _lesson(path: Path, words: int) -> Path:
    """A hand-made lesson: `words` words of text, two single-choice questions, one written answer, the feedback."""
    nb = nbformat.v4.new_notebook()
    text = " ".join(["word"] * (words - 2))
    question = 'SingleChoice("q{n}", "Which?", {{"a": "A", "b": "B"}}, key="a", notebook=NOTEBOOK)'
    feedback = nbformat.v4.new_code_cell("display(ModuleFeedback(notebook=NOTEBOOK))")
    feedback.metadata["tags"] = ["feedback"]
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# A lesson\n\n{text}"),
        nbformat.v4.new_code_cell(question.format(n=1)),
        nbformat.v4.new_code_cell(question.format(n=2)),
        nbformat.v4.new_code_cell('LongAnswer("q3", "Why?", min_words=40, notebook=NOTEBOOK)'),
        feedback,
    ]
    nbformat.write(nb, path)
    return path


def test_a_lessons_minutes_are_estimated_from_its_words_and_questions(tmp_path):
    from graders.course.minutes import SECONDS, estimate

    found = estimate(_lesson(tmp_path / "lesson.ipynb", 400))
    assert found.words == 400 and dict(found.activities) == {"single": 2, "long": 1, "feedback": 1}
    # By hand: 400 words at 200 a minute (2 min), two single choices (40 s each), a written answer (240 s) and the
    # feedback (30 s): 2 + 350 / 60 minutes.
    assert (SECONDS["single"], SECONDS["long"], SECONDS["feedback"]) == (40, 240, 30)
    assert found.minutes == 2 + 350 / 60
    assert found.breakdown() == "7.8 min: 400 words to read (2.0 min), 2 single, 1 long, feedback"


def test_a_written_answer_in_a_markdown_cell_counts_as_writing_not_as_the_worked_answers_words(tmp_path):
    from graders.course.minutes import SECONDS, estimate

    path = _lesson(tmp_path / "lesson.ipynb", 400)
    nb = nbformat.read(path, as_version=4)
    answer = nbformat.v4.new_markdown_cell(" ".join(["worked"] * 120))  # the trainer's answer, not in the release
    answer.metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": "q4-answer", "points": 2}
    nb.cells.insert(-1, answer)
    nbformat.write(nb, path)
    found = estimate(path)
    assert found.words == 400 and dict(found.activities) == {"single": 2, "long": 2, "feedback": 1}
    assert found.minutes == 2 + (2 * SECONDS["single"] + 2 * SECONDS["long"] + SECONDS["feedback"]) / 60


def test_a_lesson_whose_minutes_are_wrong_is_flagged_with_its_line_and_field(tmp_path):
    def edit(data):
        module_entry(data, "risk-framing")["lessons"][1]["minutes"] = 2  # risk-bad-year

    path = course(tmp_path, edit)
    report = check_course(path, today=dt.date(2026, 11, 23))
    manifest = read_manifest(path)
    field = f"{manifest.where('risk-framing')}.lessons[1].minutes"
    (flag,) = [p for p in report.minutes if p.field == field]
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "id: risk-bad-year" in text)
    line += next(
        i for i, text in enumerate(path.read_text().splitlines()[line - 1 :]) if text.strip().startswith("minutes:")
    )
    assert (flag.path, flag.line) == (str(path), line)
    assert flag.problem.startswith("risk-bad-year: says 2 minutes, estimated ")
    assert not report.ok and f"PROBLEM {flag}" in format_report(report)
    drafting = check_course(path, today=dt.date(2026, 11, 23), minutes=False)  # `smtk check --no-minutes`
    assert f"minutes {flag}" in format_report(drafting) and f"PROBLEM {flag}" not in format_report(drafting)


def test_a_lesson_that_states_its_own_minutes_is_a_problem(tmp_path):
    path = course(tmp_path)
    notebook = tmp_path / "source" / FIRST / f"{FIRST}.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("\n\n", "\n\nTakes about 9 minutes.\n\n", 1)
    nbformat.write(nb, notebook)
    report = check_course(path, today=dt.date(2026, 11, 23))
    (problem,) = [p for p in report.problems if p.field == "cells[0]"]
    assert problem.path == str(notebook) and "'about 9 minutes'" in problem.problem
    assert f"{read_manifest(path).where(FIRST)}.lessons[0].minutes" in problem.problem
