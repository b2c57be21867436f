"""`smtk grade`: same scores as stock nbgrader, hostile submissions contained, resumable, one run per course."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from grading_helpers import (
    answer_ids,
    answered,
    cell_errors,
    graded_test_ids,
    item_scores,
    late_penalties,
    lessons,
    mixed,
    place,
    release_of,
)
from roundtrip import autograde as stock_autograde
from roundtrip import output_text

from graders.course.manifest import load_manifest
from graders.course.root import STATE, GradeBusy
from graders.grading.collect import collect
from graders.grading.pipeline import autograde, course_lock
from graders.grading.sandbox.walls import Limits
from graders.results.exports import export, feedback
from simulations.profile.org import PROFILE_FILE

MANIFEST = load_manifest()
MODULES = [m.id for m in MANIFEST.modules]
# Graded by both graders side by side, one module per track, chosen for what its items are made of: code items (the
# analysts' governance-kpis), simulation records (triage-shift), risk placements over several lessons (risk-framing)
# and question widgets (using-the-hub, partner-dialogue). Every module is graded by stock nbgrader in test_roundtrip
# (solution full marks, blank zero, both organisations) and by `smtk grade` in test_answer_banks (every bank entry,
# with a sample checked against stock nbgrader); all sixteen side by side would add some 10 minutes of worker time.
SIDE_BY_SIDE = ("risk-framing", "governance-kpis", "using-the-hub", "triage-shift", "partner-dialogue")
# Tight enough that the endless loop ends soon, loose enough that an honest cell on a loaded 2-core machine (the full
# suite runs beside it) finishes: at 4 s a slow honest cell timed out before its attack could be refused.
FAST = Limits(cell_seconds=10, submission_seconds=120, cpu_seconds=30, memory_mb=512, processes=16, file_mb=16)
pytestmark = pytest.mark.slow


def test_the_side_by_side_modules_cover_every_track_and_code_and_code_free_items():
    tracks = {t.id for t in MANIFEST.tracks for m in t.modules if m.id in SIDE_BY_SIDE}
    assert tracks == {t.id for t in MANIFEST.tracks}
    kinds = {m.code_free for m in MANIFEST.modules if m.id in SIDE_BY_SIDE}
    assert kinds == {True, False}


@pytest.mark.parametrize("module_id", SIDE_BY_SIDE)
def test_scores_identical_to_stock_nbgrader(course_copy: Path, tmp_path, module_id, sandboxes):
    learners = mixed(course_copy, module_id)
    stock_root = tmp_path / "stock"
    shutil.copytree(course_copy, stock_root)
    stock_autograde(stock_root, module_id)
    report = autograde(module_id, course_copy, workers=2, progress=False, sandboxes=sandboxes)

    ours, stock = item_scores(course_copy, module_id), item_scores(stock_root, module_id)
    assert set(ours) == set(learners) and ours == stock
    penalties = late_penalties(course_copy, module_id)
    assert penalties == late_penalties(stock_root, module_id) and penalties["late"][1] > 0
    tests = graded_test_ids(release_of(course_copy, module_id, "*"))  # every lesson's
    assert all(ours["correct"][t] > 0 for t in tests) and all(ours["blank"][t] == 0 for t in tests), ours
    # the blank release scores 0 because its answers are missing, not because a released cell cannot run
    # (the stub's NotImplementedError, the visible test's message, or the name the learner has yet to define)
    blank_errors = cell_errors(course_copy, module_id, "blank")
    missing = {"NotImplementedError", "AssertionError", "NameError"}
    assert all(blank_errors.get(t) in missing for t in tests), {t: blank_errors.get(t) for t in tests}
    assert 0 < sum(ours["partial"][t] for t in tests) < sum(ours["correct"][t] for t in tests)
    assert {r.learner: r.status for r in report.learners} == dict.fromkeys(learners, "graded")
    assert report.protections["files_confined"] and report.protections["no_network"]


# Two lessons of the analysts' module whose answers each return a value a test compares (the always-equal attack).
HOSTILE_LESSONS = ("staying-current", "act-on-feedback")


def hostile_course(root: Path, module_id: str, listener_port: int) -> dict[str, str]:
    """One learner per attack, each handing in every lesson, otherwise correct; returns learner -> the test it should
    lose (or '')."""
    one, two = (release_of(root, module_id, lesson) for lesson in HOSTILE_LESSONS)
    first, first_test = answer_ids(one)[0], graded_test_ids(one)[0]
    last, last_test = answer_ids(two)[-1], graded_test_ids(two)[-1]
    solution = {
        c.metadata.nbgrader["grade_id"]: c.source
        for c in answered(root, module_id, lesson=HOSTILE_LESSONS[0]).cells
        if "nbgrader" in c.metadata
    }

    def hand_in(learner: str, override: dict[str, str] | None = None, change=None) -> None:
        """Every lesson answered, with `override` sources by grade_id and `change` applied to each notebook."""
        for lesson in lessons(root, module_id):
            nb = answered(root, module_id, override=override, lesson=lesson)
            if change:
                change(nb)
            place(root, module_id, learner, nb, lesson)

    def cells(nb, gid: str) -> list:
        return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid]

    attacks = {
        "loop": (first, "while True:\n    pass", first_test),
        "memory": (first, "hog = bytearray(4 * 1024**3)", first_test),
        "forkbomb": (last, "import os\nwhile True:\n    os.fork()", last_test),
        "source": (
            first,
            f"print(open({str(root / 'source' / module_id / (module_id + '.ipynb'))!r}).read())",
            first_test,
        ),
        "gradebook": (first, f"open({str(root / 'gradebook.db')!r}, 'rb').read()", first_test),
        "network": (
            first,
            f"import socket\nsocket.create_connection(('127.0.0.1', {listener_port}), timeout=3)",
            first_test,
        ),
        "write": (first, "open('/tmp/smtk-grading-escape.txt', 'w').write('x')", first_test),
        "builtins": (
            first,
            "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.all = lambda *a: True\n"
            "builtins.sorted = lambda *a, **k: list('abcde')\n" + solution[first].split("=")[0] + "= None",
            first_test,
        ),
    }
    expected = {}
    for learner, (gid, code, loses) in attacks.items():
        hand_in(learner, override={gid: code})
        expected[learner] = loses
    hand_in("honest")
    expected["honest"] = ""

    def always_equal(nb) -> None:  # an object that equals everything, returned where a test compares with ==
        eq = "class Yes:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
        for cell in cells(nb, last):
            cell.source = eq + cell.source.replace("return ", "return Yes() or ", 1)

    def deleted(nb) -> None:
        nb.cells = [c for c in nb.cells if c not in cells(nb, last_test)]

    def edited(nb) -> None:
        for cell in cells(nb, first_test):
            cell.source = "pass"

    def points(nb) -> None:
        for cell in cells(nb, last_test):
            cell.metadata.nbgrader["points"] = 200

    def converted(nb) -> None:
        for cell in cells(nb, first_test):
            cell.cell_type = "markdown"
            cell.pop("outputs", None)
            cell.pop("execution_count", None)

    def huge(nb) -> None:
        for cell in cells(nb, first):
            cell.source += "\nprint('x' * 200_000_000)"

    tampering = {"alwayseq": (always_equal, last_test), "deleted": (deleted, last_test), "edited": (edited, first_test)}
    tampering |= {"points": (points, last_test), "converted": (converted, first_test), "output": (huge, "")}
    for learner, (change, loses) in tampering.items():
        hand_in(learner, change=change)
        expected[learner] = loses
    place(root, module_id, "corrupt", '{"cells": [ {"cell_type": "code", ')
    expected["corrupt"] = ""
    return expected


def test_hostile_submissions_lose_only_what_they_attacked(course_copy: Path):
    # Named, not MODULES[0]: the attacks edit answer cells of code (the Center of Excellence track keeps its analyst
    # exercises in code), and the always-equal one needs a last answer that returns a value its test compares.
    module_id = "staying-current"
    escape = Path("/tmp/smtk-grading-escape.txt")
    escape.unlink(missing_ok=True)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        listener.setblocking(False)
        expected = hostile_course(course_copy, module_id, listener.getsockname()[1])
        gradebook_before = (course_copy / "gradebook.db").stat().st_size
        report = autograde(module_id, course_copy, workers=2, limits=FAST, progress=False)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody got through
    assert not escape.exists()
    assert (course_copy / "gradebook.db").stat().st_size >= gradebook_before
    scores = item_scores(course_copy, module_id)
    full = scores["honest"]
    assert all(v and v > 0 for k, v in full.items() if k in graded_test_ids(release_of(course_copy, module_id, "*")))
    by_learner = {r.learner: r for r in report.learners}
    for learner, loses in expected.items():
        if learner == "corrupt":
            continue
        got = scores[learner]
        for item, points in full.items():
            if points is None:
                continue
            want = 0 if item == loses else points
            assert got[item] == want, f"{learner}: {item} scored {got[item]}, expected {want}"
    # Every attack has a reason in the report.
    reasons = {learner: " ".join(by_learner[learner].problems) for learner in expected}
    assert "not valid JSON" in reasons["corrupt"] and by_learner["corrupt"].status == "corrupt"
    assert "CellTimeout" in reasons["loop"]
    assert "MemoryError" in reasons["memory"]
    assert "PermissionError" in reasons["source"] and "PermissionError" in reasons["gradebook"]
    assert "PermissionError" in reasons["write"] and "PermissionError" in reasons["network"]
    assert "builtins" in reasons["builtins"] and by_learner["builtins"].status == "tampered"
    assert "smtk: a test compared" in reasons["alwayseq"]
    assert "deleted" in reasons["deleted"] and by_learner["deleted"].status == "tampered"
    assert "edited" in reasons["edited"] and "converted" in reasons["converted"]
    assert "points" in reasons["points"] and "200" in reasons["points"]
    assert "output cut" in reasons["output"]
    assert reasons["forkbomb"]
    graded = course_copy / "autograded" / "output" / module_id / f"{module_id}.ipynb"
    assert graded.stat().st_size < 5_000_000
    # The gradebook and the learners' work are intact.
    assert (course_copy / "submitted" / "corrupt" / module_id / f"{module_id}.ipynb").exists()
    assert set(scores) == set(expected) - {"corrupt"}


def test_the_profile_a_notebook_loads_is_the_courses_not_the_learners(course_copy: Path):
    """The short injected cell names the profile file beside the notebook: grading puts the course's copy there, so a
    learner who handed in the notebook alone, or a rewritten profile, is graded exactly as one who handed in both."""
    module_id = "policy-disclosure"
    released = course_copy / "release" / module_id / PROFILE_FILE
    both = place(course_copy, module_id, "both", answered(course_copy, module_id))
    shutil.copyfile(released, both.parent / PROFILE_FILE)  # what nbgrader's fetch and submit carry
    place(course_copy, module_id, "alone", answered(course_copy, module_id))
    forged = place(course_copy, module_id, "forged", answered(course_copy, module_id))
    profile = json.loads(released.read_text(encoding="utf-8"))
    profile["name"] = "Forged Holdings"
    profile["contacts"] = {role: {**c, "email": "me@forged.example"} for role, c in profile["contacts"].items()}
    (forged.parent / PROFILE_FILE).write_text(json.dumps(profile), encoding="utf-8")

    report = autograde(module_id, course_copy, workers=1, progress=False)
    assert {r.learner: r.status for r in report.learners} == dict.fromkeys(["alone", "both", "forged"], "graded")
    scores = item_scores(course_copy, module_id)
    assert scores["alone"] == scores["both"] == scores["forged"]
    assert sum(v or 0 for v in scores["both"].values()) > 0
    name = json.loads(released.read_text(encoding="utf-8"))["name"]
    for learner in scores:
        shown = output_text(course_copy / "autograded" / learner / module_id / f"{module_id}.ipynb")
        assert f"prepared for {name}" in shown and "Forged" not in shown, learner


def test_kill_nine_then_resume_loses_and_duplicates_nothing(course_copy: Path):
    module_id = MODULES[0]
    learners = [f"learner{i:02d}" for i in range(10)]
    for i, learner in enumerate(learners):
        nb = answered(course_copy, module_id) if i % 2 else release_of(course_copy, module_id)
        place(course_copy, module_id, learner, nb)
    state = course_copy / STATE / "state" / module_id
    cmd = [sys.executable, "-m", "graders.cli", "grade", "autograde", module_id, "--course", str(course_copy)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(state.glob("*.json"))) < 2:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    first = sorted(p.stem for p in state.glob("*.json"))
    graded_file = course_copy / "autograded" / "{}" / module_id / f"{module_id}.ipynb"
    mtimes = {learner: Path(str(graded_file).format(learner)).stat().st_mtime_ns for learner in first}
    assert 2 <= len(first) < len(learners)

    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    report = rerun.stdout
    assert f"{len(learners) - len(first)} graded now, {len(first)} already graded" in report
    scores = item_scores(course_copy, module_id)
    assert sorted(scores) == learners
    for i, learner in enumerate(learners):
        total = sum(v or 0 for v in scores[learner].values())
        assert (total > 0) == bool(i % 2), learner
    for learner, mtime in mtimes.items():  # nothing graded twice
        assert Path(str(graded_file).format(learner)).stat().st_mtime_ns == mtime


def test_a_second_run_on_the_same_course_is_refused(course_copy: Path):
    module_id = MODULES[0]
    place(course_copy, module_id, "ada", release_of(course_copy, module_id))
    with course_lock(course_copy):
        with pytest.raises(GradeBusy, match="--wait"):
            autograde(module_id, course_copy, progress=False)
        proc = subprocess.run(
            [sys.executable, "-m", "graders.cli", "grade", "autograde", module_id, "--course", str(course_copy)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 2 and "smtk: error: another `smtk grade` run" in proc.stderr


def test_collect_feedback_export(course_copy: Path, tmp_path):
    # A folder per learner holds a module of lessons as `<learner>/<module>/<lesson>.ipynb`.
    module_id = next(m.id for m in MANIFEST.modules if m.code_free)
    names = [lesson.id for lesson in MANIFEST.module(module_id).lessons]
    assert len(names) > 1
    inbox = tmp_path / "inbox"
    for learner in ("ada", "carol"):
        (inbox / learner / module_id).mkdir(parents=True)
    for name in names:
        nbformat.write(answered(course_copy, module_id, lesson=name), inbox / "ada" / module_id / f"{name}.ipynb")
        nbformat.write(release_of(course_copy, module_id, name), inbox / "carol" / module_id / f"{name}.ipynb")
    nbformat.write(release_of(course_copy, module_id, names[0]), inbox / "carol.ipynb")
    (inbox / "eve.ipynb").write_text('{"cells": [', encoding="utf-8")
    (inbox / "frank.txt").write_text("hello", encoding="utf-8")
    (inbox / "gina" / "other-module").mkdir(parents=True)
    report = {r.learner: r for r in collect(module_id, inbox, course_copy).learners}
    assert report["ada"].status == "collected"
    assert "duplicate learner" in report["carol"].problems[0]
    assert "eve.ipynb" in report["eve"].problems[0] and "not valid JSON" in report["eve"].problems[0]
    assert "not a notebook" in report["frank"].problems[0]
    assert "wrong assignment" in report["gina"].problems[0]
    assert sorted(p.name for p in (course_copy / "submitted").iterdir()) == ["ada"]
    assert sorted(p.name for p in (course_copy / "submitted" / "ada" / module_id).glob("*.ipynb")) == sorted(
        f"{name}.ipynb" for name in names
    )
    assert collect(module_id, inbox, course_copy).learners[0].status == "unchanged"

    autograde(module_id, course_copy, progress=False)
    fb = feedback(module_id, course_copy)
    assert [r.status for r in fb.learners] == ["feedback"]
    for name in names:
        html = (course_copy / "feedback" / "ada" / module_id / f"{name}.html").read_text(encoding="utf-8")
        source = nbformat.read(course_copy / "source" / module_id / f"{name}.ipynb", as_version=4)
        for cell in source.cells:
            for block in cell.source.split("### BEGIN HIDDEN TESTS")[1:]:
                for line in block.split("### END HIDDEN TESTS")[0].strip().splitlines():
                    assert line.strip() not in html

    export(course_copy, module_id)
    rows = json.loads((course_copy / "exports" / f"grades-{module_id}.json").read_text())
    assert {r["learner"] for r in rows} == {"ada"}
    released = release_of(course_copy, module_id, "*")
    assert {r["item"] for r in rows} == set(graded_test_ids(released)) | {
        c.metadata.nbgrader["grade_id"]
        for c in released.cells
        # the trainer's items: written answers, and tasks (a written answer given in a widget)
        if (c.metadata.get("nbgrader", {}).get("grade") and c.metadata.nbgrader.get("solution"))
        or c.metadata.get("nbgrader", {}).get("task")
    }
    assert (course_copy / "exports" / f"grades-{module_id}.csv").read_text().startswith("learner,assignment")


def test_a_flat_folder_of_learner_notebooks_fills_a_one_notebook_module(tmp_path):
    """`<learner>.ipynb` files, as a trainer's own one-notebook module is often handed in, land as that notebook;
    for a module of lessons each keeps its own name (and is refused unless it is one of the lessons)."""
    from graders.grading.collect import _find

    (tmp_path / "ada.ipynb").write_text("{}", encoding="utf-8")
    (one,) = _find(tmp_path, "solo", ["solo.ipynb"])
    assert (one.learner, list(one.files)) == ("ada", ["solo.ipynb"])
    (kept,) = _find(tmp_path, "two", ["one.ipynb", "two.ipynb"])
    assert list(kept.files) == ["ada.ipynb"]


def test_formgrader_opens_the_gradebook_after_grading(course_copy: Path):
    import secrets
    import urllib.request

    from graders.serving.servers import HOST, lab_command, start

    module_id = MODULES[0]
    place(course_copy, module_id, "ada", answered(course_copy, module_id))
    autograde(module_id, course_copy, progress=False)
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    token = secrets.token_hex(8)
    server = start(
        "JupyterLab",
        lab_command(course_copy, port, token),
        course_copy,
        f"http://{HOST}:{port}/api",
        course_copy / "lab.log",
    )
    try:
        server.wait_ready(timeout=120)
        url = f"http://{HOST}:{port}/formgrader/api/submissions/{module_id}?token={token}"
        with urllib.request.urlopen(url, timeout=60) as response:
            submissions = json.loads(response.read())
        ada = [s for s in submissions if s["student"] == "ada"]
        assert ada and ada[0]["autograded"] and ada[0]["score"] > 0
    finally:
        server.stop()
