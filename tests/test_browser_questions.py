"""The code-free pilot module in a real JupyterLab in Chromium: a learner answers every question of its two lessons
through its widget with mouse and keyboard, reads the feedback at once, saves, reruns (the answers stay), and the
saved notebooks get full marks from stock nbgrader and from `smtk grade`. axe-core finds nothing in the widgets."""

from __future__ import annotations

import re
import secrets
import shutil
import socket
import time
from pathlib import Path

import pytest
from lab import KERNEL_IDLE, run_all_cells
from nbgrader.api import Gradebook
from playwright.sync_api import expect
from roundtrip import autograde, submit

from graders.course.root import gradebook_url
from graders.grading.pipeline import autograde as smtk_autograde
from graders.serving.servers import HOST, lab_command, start, tail
from simulations.common.records import FEEDBACK_RECORD, saved_record
from simulations.profile.org import PROFILE_FILE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PILOT = "goals-before-tools"
LESSONS = {"goals-before-tools": ("q1", "q2a", "q2b"), "sponsor-conversation": ("q3", "q4")}  # each lesson's questions
AXE = Path(__file__).parents[1] / "graders" / "serving" / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
OPENING = (
    "Our customers now tell each other about a problem before we say anything: 28% of crises reach international "
    "media within an hour, while companies take about 21 hours to answer (Freshfields, 2013). I propose one goal: "
    "fewer reputation crises, and smaller ones. Every quarter we report the incidents that reached the press. "
    "The Center of Excellence needs a triage process first, and this team names a sponsor."
)


def question(page, text: str):
    """The box of the question whose prompt contains `text`."""
    return page.locator(".smtk-question", has_text=text)


def expect_feedback(box, expected: str) -> None:
    """Press the question's Check button (by keyboard) and see the feedback it announces read `expected`."""
    box.get_by_role("button", name="Check my answer").focus()
    box.page.keyboard.press("Enter")
    expect(box.get_by_role("status")).to_have_text(expected, timeout=20_000)


def answer_lesson_1(page, employees_credible: int) -> None:
    q1 = question(page, "Tick every statement")
    q1.get_by_role("checkbox", name=re.compile("^a. Grow our TikTok")).check()
    expect_feedback(q1, "2 of 6 right: look again at a, b, d and f.")
    q1.get_by_role("checkbox", name=re.compile("^a. Grow our TikTok")).uncheck()
    for goal in ("b. Cut the time", "d. Hear about our products", "f. Have fewer reputation"):
        q1.get_by_role("checkbox", name=re.compile(f"^{goal}")).check()
    expect_feedback(q1, "All 6 right.")

    q2a = question(page, "5% of your employees share it")
    q2a.get_by_role("textbox", name="Your answer (people)").fill("75")
    expect_feedback(q2a, "Not yet: look again at the question and try once more.")
    q2a.get_by_role("textbox", name="Your answer (people)").fill(f"{employees_credible:,}")
    expect_feedback(q2a, "Right.")
    q2b = question(page, "chief executive posts it once")
    q2b.get_by_role("textbox", name="Your answer (people)").click()
    page.keyboard.type("7 600")
    expect_feedback(q2b, "Right.")
    give_feedback(page)


def answer_lesson_2(page) -> None:
    q3 = question(page, "Put the five agenda items")
    order = ["c. the business goal", "b. what changes for our customers", "e. how we will measure progress"]
    order += ["d. who must learn what", "a. which platforms we will use"]
    for place, item in enumerate(order[:2], start=1):
        q3.get_by_role("combobox", name=f"Place {place}").select_option(label=item)
    expect_feedback(q3, "Not answered yet: put every item in a place, each once.")
    for place, item in enumerate(order, start=1):
        q3.get_by_role("combobox", name=f"Place {place}").select_option(label=item)
    expect_feedback(q3, "All 5 in place.")

    q4 = question(page, "Your opening, in four to six sentences")
    q4.get_by_role("textbox", name="Your answer").click()
    page.keyboard.type(OPENING[:60])
    q4.get_by_role("textbox", name="Your answer").fill(OPENING)
    expect(q4.get_by_role("status")).to_have_text(re.compile("^Saved for your trainer"), timeout=20_000)
    give_feedback(page)


def give_feedback(page) -> None:
    feedback = page.locator(".smtk-question", has=page.get_by_role("textbox", name="Your comment"))
    feedback.get_by_role("radio", name="4").check()
    feedback.get_by_role("textbox", name="Your comment").fill("Clear, and no code.")


def saved_answers(path: Path) -> dict:
    keys = [f"question:{q}" for q in LESSONS[path.stem]] + [FEEDBACK_RECORD]
    return {key: saved_record(path, key) for key in keys}


def save_and_wait(page, path: Path, expected: dict) -> None:
    """File > Save Notebook (a text box keeps Ctrl+S to itself while it has the focus), then wait for the file."""
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("^Save Notebook")).first.click()
    deadline = time.monotonic() + 60
    while saved_answers(path) != expected:
        assert time.monotonic() < deadline, f"JupyterLab did not save the answers: {saved_answers(path)}"
        time.sleep(0.25)


def item_scores(root: Path, learner: str) -> dict[str, float]:
    with Gradebook(gradebook_url(root)) as gb:
        return {
            g.name: g.score for lesson in LESSONS for g in gb.find_submission_notebook(lesson, PILOT, learner).grades
        }


def open_lesson(page, port: int, token: str, name: str, last: str, tmp_path: Path, lab) -> None:
    try:
        run_all_cells(page, f"http://{HOST}:{port}/lab/tree/{name}?reset&token={token}")
        question(page, last).wait_for(timeout=120_000)
    except Exception:
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        pytest.fail(f"{name}: the questions never appeared; screenshot in {tmp_path}; log:\n{tail(lab.log)}")
    shown = page.locator(".jp-CodeCell .jp-Cell-inputWrapper .cm-content:visible").all_inner_texts()
    assert shown == [], f"{name}: code is shown: {shown}"


def axe_clean(page) -> None:
    if AXE.exists():
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "tags => axe.run({include: [['.smtk-question']]}, {runOnly: {type: 'tag', values: tags}})", WCAG
        )
        assert result["violations"] == [], [(v["id"], v["help"], v["nodes"][0]["html"]) for v in result["violations"]]
        assert len(result["passes"]) >= 5, "axe checked the widgets"


def restart_and_rerun(page) -> None:
    page.get_by_role("menuitem", name="Kernel", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("^Restart Kernel and Run All Cells")).click()
    page.get_by_role("button", name="Confirm Kernel Restart").click()
    page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE).wait_for(timeout=120_000)


def test_answers_entered_in_the_widgets_get_full_marks_and_survive_a_rerun(
    page, demo_course, course_copy, tmp_path, sandboxes
):
    root = tmp_path / "lab"
    root.mkdir()
    paths = {lesson: root / f"{lesson}.ipynb" for lesson in LESSONS}
    for lesson, path in paths.items():
        shutil.copyfile(demo_course.release(PILOT, lesson), path)
    shutil.copyfile(demo_course.release(PILOT).parent / PROFILE_FILE, root / PROFILE_FILE)
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    token = secrets.token_hex(8)
    env = {"JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    lab = start(
        "JupyterLab", lab_command(root, port, token), root, f"http://{HOST}:{port}/api", tmp_path / "lab.log", env
    )
    employees = int(0.05 * demo_course.org.to_parameters()["audiences"]["employees"]["headcount"]) * 75
    feedback = {FEEDBACK_RECORD: {"rating": 4, "comment": "Clear, and no code."}}
    first, second = paths.values()
    expected = {
        first: {
            "question:q1": ["b", "d", "f"],
            "question:q2a": float(employees),
            "question:q2b": 7600.0,
            **feedback,
        },
        second: {"question:q3": ["c", "b", "e", "d", "a"], "question:q4": OPENING, **feedback},
    }
    try:
        lab.wait_ready()
        open_lesson(page, port, token, first.name, "chief executive posts it once", tmp_path, lab)
        answer_lesson_1(page, employees)
        axe_clean(page)
        save_and_wait(page, first, expected[first])
        # The learner restarts and reruns: every answer is still in its widget, and saving again keeps them.
        restart_and_rerun(page)
        q1 = question(page, "Tick every statement")
        q1.get_by_role("checkbox", name=re.compile("^b. Cut the time")).wait_for()
        page.wait_for_timeout(1000)
        assert q1.get_by_role("checkbox", name=re.compile("^b. Cut the time")).is_checked()
        assert not q1.get_by_role("checkbox", name=re.compile("^a. Grow our TikTok")).is_checked()
        assert question(page, "chief executive").get_by_role("textbox").input_value() == "7600"
        save_and_wait(page, first, expected[first])

        open_lesson(page, port, token, second.name, "Your opening", tmp_path, lab)
        answer_lesson_2(page)
        page.screenshot(path=str(tmp_path / "answered.png"), full_page=True)
        axe_clean(page)
        save_and_wait(page, second, expected[second])
        restart_and_rerun(page)
        place5 = question(page, "Put the five").get_by_role("combobox", name="Place 5")
        place5.wait_for()
        page.wait_for_timeout(1000)
        assert place5.input_value() == "a. which platforms we will use"
        assert question(page, "Your opening").get_by_role("textbox").input_value() == OPENING
        save_and_wait(page, second, expected[second])
    finally:
        lab.stop()

    for lesson, path in paths.items():
        submit(course_copy, PILOT, "cleo", path, lesson)
    ours = tmp_path / "smtk-grade"
    shutil.copytree(course_copy, ours)
    autograde(course_copy, PILOT)  # stock nbgrader
    smtk_autograde(PILOT, ours, progress=False, sandboxes=sandboxes)
    full = {"q1-tests": 2.0, "q2a-tests": 2.0, "q2b-tests": 1.0, "q3-tests": 2.0, "q4-opening": 0.0}
    for graded in (course_copy, ours):
        assert item_scores(graded, "cleo") == full  # every autograded point; the written answer waits for the trainer
        with Gradebook(gradebook_url(graded)) as gb:
            assert gb.find_grade("q4-opening", "sponsor-conversation", PILOT, "cleo").needs_manual_grade
