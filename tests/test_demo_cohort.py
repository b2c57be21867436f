"""The demo cohort: fictional learners' work made from the solutions with seeded mistakes, collected and autograded
for real by `smtk grade`, so the trainer app, certification and the exports have figures; cached on what went in."""

from __future__ import annotations

import dataclasses
import json
import shutil

import nbformat
import pytest
from conftest import COHORT_TODAY as TODAY  # the cohort's month; nothing here uses the real date

from graders.course.manifest import load_manifest
from graders.course.root import STATE, open_gradebook
from graders.course.roster import read_roster
from graders.grading import demo_cohort
from graders.grading.demo_cohort import KINDS, MARKER, ROSTER_FILE, SEED, build_cohort, draw
from graders.results import cohort
from graders.results.certify import certify
from graders.results.exports import export
from graders.results.trainer_data import trainer_data

pytestmark = pytest.mark.xdist_group("demo-cohort")  # the worker that builds the session's cohort runs them all


@pytest.fixture
def built(cohort_course):
    """The demo course with its cohort built once for the session (read-only for tests), and the build's report."""
    return cohort_course


def the_plan(root):
    manifest = load_manifest(root / "course.yml", root / "source")
    released = {m.id for m in manifest.modules if any((root / "release" / m.id).glob("*.ipynb"))}
    people = [p for p in read_roster(ROSTER_FILE) if p.role == "learner"]
    return manifest, draw(manifest, demo_cohort._Templates(root), released, people, SEED, TODAY.replace(day=1))


def submissions(root) -> dict[tuple[str, str], dict]:
    with open_gradebook(root) as gb:
        return {
            (s.student_id, a.name): {
                "score": float(s.score),
                "max": float(s.max_score),
                "late": float(s.total_seconds_late),
                "manual": bool(s.needs_manual_grade),
            }
            for a in gb.assignments
            for s in a.submissions
        }


@pytest.mark.slow
def test_the_cohort_is_in_the_gradebook_across_tracks_with_late_and_failing_work(built):
    root, report = built
    assert report.status == "built" and report.learners >= 60
    graded = submissions(root)
    manifest, plan = the_plan(root)
    assert set(graded) == {(s.learner, s.module) for s in plan}
    learners = {learner for learner, _ in graded}
    assert len(learners) >= 60
    track_of = {m.id: m.track for m in manifest.modules}
    assert {track_of[module] for _, module in graded} == {t.id for t in manifest.tracks}  # the demo builds them all
    by_key = {(s.learner, s.module): s for s in plan}
    # late work is late in nbgrader's gradebook (its timestamps against the due dates), on-time work is not
    assert {k for k, g in graded.items() if g["late"] > 0} == {k for k, s in by_key.items() if s.late} != set()
    ratios = {k: g["score"] / g["max"] for k, g in graded.items() if not g["manual"]}
    assert any(r < 0.7 for r in ratios.values()) and any(r >= 0.7 for r in ratios.values())
    for key, submission in by_key.items():
        if submission.kind == "blank":
            assert graded[key]["score"] == 0
        elif submission.kind == "complete" and submission.grade_answer:
            assert graded[key]["score"] == graded[key]["max"], key  # made from the solution: full marks
        elif submission.kind in ("typo", "partly right") and not graded[key]["manual"]:
            assert graded[key]["score"] < graded[key]["max"], key
    assert set(report.kinds) == set(KINDS) and all(report.kinds.values())
    assert report.answers_left == sum(g["manual"] for g in graded.values()) > 0  # left for formgrader


@pytest.mark.slow
def test_the_trainer_app_certify_and_the_exports_show_figures(built, tmp_path):
    root, report = built
    data = trainer_data(root, today=TODAY)
    assert data.empty_message == ""
    assert len(data.scores) == report.submissions and len(data.learners) == report.learners
    assert data.learners["name"].str.len().gt(0).all()  # names, units and regions from the cohort's roster
    ratings = data.feedback["rating"].dropna()
    assert len(ratings) > 0 and ratings.between(1, 5).all() and (data.feedback["comment"].str.len() > 0).any()
    table = cohort.progress(data.scores, data.modules, data.learners, cohort.Filters(), data.pass_mark)
    assert table["passed"].sum() > 0 and table["pass rate"].notna().any()
    stats = cohort.item_statistics(data.items, data.modules, data.learners, cohort.Filters())
    assert len(stats) > 0 and stats["difficulty"].between(0, 1).all() and stats["learners"].gt(0).all()
    assert stats["discrimination"].dropna().between(-1, 1).all() and stats["discrimination"].notna().any()
    assert {"MultipleChoice", "Number", "Ordering"} <= set(stats["widget"])  # the code-free module's widgets
    result = certify(root, tmp_path / "certificates", today=TODAY)
    assert len(result.certificates) > 0 and result.summary["learners"].sum() >= report.learners
    exported = export(root, out=tmp_path / "exports")
    grades = json.loads((tmp_path / "exports" / "grades.json").read_text(encoding="utf-8"))
    assert exported and {row["learner"] for row in grades} == set(data.learners["learner"])


@pytest.mark.slow
def test_a_second_build_reuses_the_cache_and_regrades_nothing(built):
    root, first = built
    states = {p: p.read_bytes() for p in (root / STATE / "state").rglob("*.json")}
    again = build_cohort(root, today=TODAY, progress=False)
    assert again.status == "reused" and again.key == first.key
    assert "reused, nothing regraded" in again.summary()
    assert json.loads((root / STATE / MARKER).read_text(encoding="utf-8"))["key"] == first.key
    assert {p: p.read_bytes() for p in (root / STATE / "state").rglob("*.json")} == states


@pytest.mark.slow
def test_a_written_answer_whose_cell_the_typo_broke_earns_nothing(built):
    """In a code-free module the written answer is recorded by its answer cell: broken, there is no answer to grade."""
    root, _ = built
    _, plan = the_plan(root)
    templates = demo_cohort._Templates(root)
    submission = next(s for s in plan if s.kind == "complete" and s.grade_answer and templates.task_answers(s.module))
    task, answer = next(iter(templates.task_answers(submission.module).items()))

    def graded_as(given) -> tuple[float | None, float]:
        with open_gradebook(root) as gb:
            grade = gb.find_grade(task, task_notebook(root, submission.module, task), submission.module, given.learner)
            grade.manual_score, grade.needs_manual_grade = None, True
            gb.db.commit()
        demo_cohort._grade_answers(root, [given], templates)
        with open_gradebook(root) as gb:
            grade = gb.find_grade(task, task_notebook(root, submission.module, task), submission.module, given.learner)
            return grade.manual_score, grade.max_score

    broken, max_score = graded_as(dataclasses.replace(submission, typo=answer))
    assert broken == 0 < max_score
    assert graded_as(submission) == (max_score, max_score)  # as built: the answer taken from the solution


def task_notebook(root, module_id: str, task: str) -> str:
    """The notebook (lesson) of a module that holds a task cell."""
    for name, release, _ in demo_cohort._Templates(root).notebooks(module_id):
        if any(c.metadata.get("nbgrader", {}).get("grade_id") == task for c in release.cells):
            return name.removesuffix(".ipynb")
    raise AssertionError(task)


def test_the_cohort_is_drawn_from_the_seed_and_the_course(tailored):
    root = tailored("demo").root
    manifest, plan = the_plan(root)
    assert the_plan(root)[1] == plan
    people = {p.learner: p for p in read_roster(ROSTER_FILE)}
    released = {m.id for m in manifest.modules}
    other = draw(manifest, demo_cohort._Templates(root), released, list(people.values()), SEED + 1, TODAY)
    assert other != plan
    for submission in plan:
        module = manifest.module(submission.module)
        own = module.track in people[submission.learner].tracks
        needed = any(submission.module in m.prerequisites for m in manifest.modules)
        assert own or needed, submission  # their tracks' modules, or a prerequisite of one


def test_a_course_with_real_learners_gets_no_fictional_ones(tailored, tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(tailored("demo").root, root)
    with open_gradebook(root) as gb:
        gb.update_or_create_student("real-learner", first_name="Real")
    report = build_cohort(root, today=TODAY, progress=False)
    assert report.status == "skipped" and "real-learner" in report.reason
    assert report.summary().startswith("Demo cohort: not built:")
    assert not (root / "submitted").exists() and not (root / STATE / MARKER).exists()


SMALL_ROSTER = """learner,name,email,tracks,business_unit,region,role
ava,Ava Fictional,ava@cohort.example,executives,,,learner
ben,Ben Fictional,ben@cohort.example,employees,support,,learner
cy,Cy Fictional,cy@cohort.example,partners,,,learner
"""


@pytest.mark.slow
def test_only_the_tracks_a_course_builds_and_a_changed_roster_replaces_the_cohort(tailored, tmp_path):
    course = tailored("saltmarsh")  # builds no executives track
    root = tmp_path / "saltmarsh"
    shutil.copytree(course.root, root)
    roster = tmp_path / "roster.csv"
    roster.write_text(SMALL_ROSTER, encoding="utf-8")
    first = build_cohort(root, roster=roster, today=TODAY, progress=False)
    assert first.status == "built" and first.tracks == ["employees", "partners"]
    assert {learner for learner, _ in submissions(root)} == {"ben", "cy"}
    roster.write_text(SMALL_ROSTER.replace("cy,Cy", "dee,Dee").replace("cy@", "dee@"), encoding="utf-8")
    second = build_cohort(root, roster=roster, today=TODAY, progress=False)
    assert second.status == "built" and second.key != first.key
    assert {learner for learner, _ in submissions(root)} == {"ben", "dee"}  # cy's work is gone, nothing mixed
    assert not (root / "submitted" / "cy").exists()
    assert "cy," not in (root / "roster.csv").read_text(encoding="utf-8")


def test_the_cache_key_follows_what_goes_into_the_cohort(tailored, tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(tailored("demo").root, root)
    key = demo_cohort._key(root, SEED, ROSTER_FILE, TODAY)
    notebook = next((root / "release").glob("*/*.ipynb"))
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[1].id = "a-new-id"  # what a fresh build changes (papermill's injected cell gets a random id)
    nbformat.write(nb, notebook)
    assert demo_cohort._key(root, SEED, ROSTER_FILE, TODAY) == key
    assert demo_cohort._key(root, SEED + 1, ROSTER_FILE, TODAY) != key
    assert demo_cohort._key(root, SEED, ROSTER_FILE, TODAY.replace(month=TODAY.month + 1)) != key
    other = tmp_path / "roster.csv"
    other.write_text(ROSTER_FILE.read_text(encoding="utf-8").replace("Novak", "Nowak"), encoding="utf-8")
    assert demo_cohort._key(root, SEED, other, TODAY) != key
    nb.cells[-1].source += "\n# changed"
    nbformat.write(nb, notebook)
    assert demo_cohort._key(root, SEED, ROSTER_FILE, TODAY) != key
