"""The business-case module, code-free, in a real JupyterLab in Chromium: a learner answers every question of its two
lessons through its widget (a matching, ticks, numbers typed as people type them, a written paragraph), saves, and the
saved notebooks get every autograded point from stock nbgrader and from `smtk grade`; a wrong first try reads as
wrong at once. axe-core finds nothing in the question widgets."""

from __future__ import annotations

import re
import secrets
import shutil
import socket
import time
from pathlib import Path

import pytest
from lab import run_all_cells
from nbgrader.api import Gradebook
from playwright.sync_api import expect
from roundtrip import autograde, submit
from test_browser_questions import AXE, WCAG, expect_feedback, question

from graders.course.root import gradebook_url
from graders.grading.pipeline import autograde as smtk_autograde
from graders.serving.servers import HOST, lab_command, start, tail
from simulations.common.records import saved_record
from simulations.profile.org import PROFILE_FILE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MODULE = "business-case"
PARAGRAPH = (
    "Most of the cost is our people's time, so each audience gets the shortest format that works. We count hours "
    "saved, cut to the share owed to training and to the managers' confidence, and the expected loss avoided at 70% "
    "confidence. We leave the trust our customers place in employees unconverted and report it in words. The peer "
    "table is synthetic: it shows a direction of travel, not our rank."
)


def answer_where_you_stand(page, wage: float) -> None:
    q1a = question(page, "Which stage has the program reached?")
    q1a.get_by_role("combobox", name=re.compile("^a. today")).select_option(label="safety")
    q1a.get_by_role("combobox", name=re.compile("^b. next year")).select_option(label="formation")
    expect_feedback(q1a, "1 of 2 right: look again at a.")  # a policy alone is not the whole foundation
    q1a.get_by_role("combobox", name=re.compile("^a. today")).select_option(label="foundation")
    expect_feedback(q1a, "All 2 right.")

    q1b = question(page, "Tick every requirement the program is missing")
    for requirement in ("b. a formal triage process", "c. training that recurs"):
        q1b.get_by_role("checkbox", name=re.compile(f"^{requirement}")).check()
    expect_feedback(q1b, "All 6 right.")

    q2 = question(page, "What benefit would Phillips count")
    q2.get_by_role("textbox", name=re.compile("^Your answer")).fill(f"{1_200 * wage:,.0f}")  # the raw estimate
    expect_feedback(q2, "Not yet: look again at the question and try once more.")
    q2.get_by_role("textbox", name=re.compile("^Your answer")).fill(f"{1_200 * wage * 0.4 * 0.7:,.0f}")
    expect_feedback(q2, "Right.")


def answer_sponsor_case(page, wage: float) -> None:  # noqa: ARG001 (both answerers take the wage)
    q3 = question(page, "Choose the value of each figure")
    for item, value in (("a. benefit-cost ratio", "1.5"), ("b. ROI", "50%"), ("c. payback", "8 months")):
        q3.get_by_role("combobox", name=re.compile(f"^{re.escape(item)}")).select_option(label=value)
    expect_feedback(q3, "All 3 right.")

    q4 = question(page, "makes the benefit-cost ratio exactly 1")
    q4.get_by_role("textbox", name=re.compile("^Your answer")).click()
    page.keyboard.type("345 000")  # near the break-even, as read off the calculator
    expect_feedback(q4, "Right.")

    q5 = question(page, "Your paragraph for the sponsor")
    q5.get_by_role("textbox", name="Your answer").fill(PARAGRAPH)
    expect(q5.get_by_role("status")).to_have_text(re.compile("^Saved for your trainer"), timeout=20_000)


# Each lesson: its questions, the one it shows last (all above have run once it is there) and how to answer them.
LESSONS = {
    "business-case": (("q1a", "q1b", "q2"), "What benefit would Phillips count", answer_where_you_stand),
    "sponsor-case": (("q3", "q4", "q5"), "Your paragraph for the sponsor", answer_sponsor_case),
}


def saved_answers(path: Path, questions: tuple[str, ...]) -> dict:
    return {q: saved_record(path, f"question:{q}") for q in questions}


def test_answers_entered_in_the_widgets_get_full_marks(page, demo_course, course_copy, tmp_path, sandboxes):
    root = tmp_path / "lab"
    root.mkdir()
    release = demo_course.release(MODULE)
    for lesson in LESSONS:
        shutil.copyfile(release.parent / f"{lesson}.ipynb", root / f"{lesson}.ipynb")
    shutil.copyfile(release.parent / PROFILE_FILE, root / PROFILE_FILE)
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    token = secrets.token_hex(8)
    env = {"JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    lab = start(
        "JupyterLab", lab_command(root, port, token), root, f"http://{HOST}:{port}/api", tmp_path / "lab.log", env
    )
    wage = demo_course.org.to_parameters()["audiences"]["business-units"]["hourly_wage"]
    expected = {
        "q1a": {"a": "foundation", "b": "formation"},
        "q1b": ["b", "c"],
        "q2": round(1_200 * wage * 0.4 * 0.7),
        "q3": {"a": "q", "b": "s", "c": "u"},
        "q4": 345_000.0,
        "q5": PARAGRAPH,
    }
    try:
        lab.wait_ready()
        for lesson, (questions, last, answer) in LESSONS.items():
            try:
                run_all_cells(page, f"http://{HOST}:{port}/lab/tree/{lesson}.ipynb?reset&token={token}")
                question(page, last).wait_for(timeout=120_000)
            except Exception:
                page.screenshot(path=str(tmp_path / f"{lesson}.png"), full_page=True)
                pytest.fail(f"{lesson}: the questions never appeared; screenshot in {tmp_path}; log:\n{tail(lab.log)}")
            shown = page.locator(".jp-CodeCell .jp-Cell-inputWrapper .cm-content:visible").all_inner_texts()
            assert shown == [], f"{lesson}: code is shown: {shown}"
            answer(page, wage)
            if AXE.exists():
                page.add_script_tag(path=str(AXE))
                result = page.evaluate(
                    "tags => axe.run({include: [['.smtk-question']]}, {runOnly: {type: 'tag', values: tags}})", WCAG
                )
                assert result["violations"] == [], [
                    (v["id"], v["help"], v["nodes"][0]["html"]) for v in result["violations"]
                ]
            page.get_by_role("menuitem", name="File", exact=True).click()
            page.get_by_role("menuitem", name=re.compile("^Save Notebook")).first.click()
            want = {q: expected[q] for q in questions}
            deadline = time.monotonic() + 60
            while (saved := saved_answers(root / f"{lesson}.ipynb", questions)) != want:
                assert time.monotonic() < deadline, f"JupyterLab did not save the answers of {lesson}: {saved}"
                time.sleep(0.25)
    finally:
        lab.stop()

    for lesson in LESSONS:
        submit(course_copy, MODULE, "cleo", root / f"{lesson}.ipynb", lesson)
    ours = tmp_path / "smtk-grade"
    shutil.copytree(course_copy, ours)
    autograde(course_copy, MODULE)  # stock nbgrader
    smtk_autograde(MODULE, ours, progress=False, sandboxes=sandboxes)
    full = {
        "business-case": {"q1a-tests": 1.0, "q1b-tests": 1.0, "q2-tests": 2.0},
        "sponsor-case": {"q3-tests": 2.0, "q4-tests": 2.0, "q5-case": 0.0},
    }
    for graded in (course_copy, ours):
        with Gradebook(gradebook_url(graded)) as gb:
            for lesson, scores in full.items():
                found = {g.name: g.score for g in gb.find_submission_notebook(lesson, MODULE, "cleo").grades}
                assert found == scores, (graded.name, lesson)  # every autograded point; the written one waits
            assert gb.find_grade("q5-case", "sponsor-case", MODULE, "cleo").needs_manual_grade
