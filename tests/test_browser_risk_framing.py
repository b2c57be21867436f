"""The risk-framing module, code-free, in a real JupyterLab in Chromium: a learner works through its three lessons
with the mouse and keyboard (the heat map, a number, an ordering of the organisation's risks, two budget choices and
a written paragraph), saves each lesson, and the three saved notebooks get every autograded point from stock
nbgrader and from `smtk grade`. Choosing by the average loss reads as wrong at once. axe-core finds nothing in the
question widgets."""

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
from simulations.risk import effective, rank_risks, risk_for_org

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MODULE = "risk-framing"
PARAGRAPH = (
    "Social media costs us about a million in an average year, and one year in ten more than two million, on "
    "assumptions we will replace with our own incident records. Complaints that escalate, insider disclosure and "
    "leaks carry most of it. For about 150 thousand a year the policy, triage, account security and training halve "
    "the bad year. We train openly: sanitised training sends people to worse sources."
)


def axe_clean(page) -> None:
    if AXE.exists():
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "tags => axe.run({include: [['.smtk-question']]}, {runOnly: {type: 'tag', values: tags}})", WCAG
        )
        assert result["violations"] == [], [(v["id"], v["help"], v["nodes"][0]["html"]) for v in result["violations"]]


def save(page, path: Path, keys: list[str], expected: dict) -> None:
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("^Save Notebook")).first.click()
    deadline = time.monotonic() + 60
    while (saved := {k: saved_record(path, k) for k in keys}) != expected:
        assert time.monotonic() < deadline, f"JupyterLab did not save the answers in {path.name}: {saved}"
        time.sleep(0.25)


def open_lesson(page, port: int, token: str, name: str, last: str, tmp_path: Path, lab) -> None:
    try:
        run_all_cells(page, f"http://{HOST}:{port}/lab/tree/{name}?reset&token={token}")
        page.locator(".smtk-question", has_text=last).wait_for(timeout=120_000)
    except Exception:
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        pytest.fail(f"{name}: the questions never appeared; screenshot in {tmp_path}; log:\n{tail(lab.log)}")
    shown = page.locator(".jp-CodeCell .jp-Cell-inputWrapper .cm-content:visible").all_inner_texts()
    assert shown == [], f"{name}: code is shown: {shown}"


def test_three_lessons_answered_in_the_widgets_get_full_marks(page, demo_course, course_copy, tmp_path, sandboxes):
    root = tmp_path / "lab"
    root.mkdir()
    lessons = ["risk-framing", "risk-bad-year", "risk-budget"]
    for lesson in lessons:
        shutil.copyfile(demo_course.release(MODULE, lesson), root / f"{lesson}.ipynb")
    shutil.copyfile(demo_course.release(MODULE).parent / PROFILE_FILE, root / PROFILE_FILE)
    register = risk_for_org(demo_course.org.to_parameters()).register
    letters = dict(zip(register.ids, "abcdefghijklmnopqrstuvwxyz", strict=False))
    titles = effective(register)["title"]
    ranking = [f"{letters[i]}. {titles[i]}" for i in rank_risks(register).index]
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    token = secrets.token_hex(8)
    env = {"JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    lab = start(
        "JupyterLab", lab_command(root, port, token), root, f"http://{HOST}:{port}/api", tmp_path / "lab.log", env
    )
    try:
        lab.wait_ready()
        # Lesson 1: every risk placed in the heat map (one cell for all: graded on completion).
        open_lesson(page, port, token, "risk-framing.ipynb", "Your rating", tmp_path, lab)
        for n in range(1, len(register) + 1):
            page.locator(".smtk-cell-2-2").click()
            page.wait_for_function(
                "n => document.querySelector('.smtk-heatmap-status').textContent.includes(`Placed ${n} of`)"
                " || document.querySelector('.smtk-heatmap-status').textContent.includes('risks placed')",
                arg=n,
            )
        axe_clean(page)
        placed = {i: ["possible", "major"] for i in register.ids}  # cell 2-2
        save(
            page,
            root / "risk-framing.ipynb",
            ["risk-framing"],
            {"risk-framing": {"placements": placed, "revealed": False, "gap": None}},
        )

        # Lesson 2: the expected annual loss of one risk, then the organisation's risks in order of it.
        open_lesson(page, port, token, "risk-bad-year.ipynb", "order of expected annual loss", tmp_path, lab)
        q2 = question(page, "expected annual loss of that risk")
        q2.get_by_role("textbox", name=re.compile("^Your answer")).fill("20,000")  # the median taken for the average
        expect_feedback(q2, "Not yet: look again at the question and try once more.")
        q2.get_by_role("textbox", name=re.compile("^Your answer")).fill("207,647")  # typed with 1.2816, as printed
        expect_feedback(q2, "Right.")
        q3 = question(page, "order of expected annual loss")
        for place, item in enumerate(ranking, start=1):
            q3.get_by_role("combobox", name=f"Place {place}", exact=True).select_option(label=item)
        expect_feedback(q3, f"All {len(register)} in place.")
        axe_clean(page)
        save(
            page,
            root / "risk-bad-year.ipynb",
            ["question:q2", "question:q3"],
            {"question:q2": 207647.0, "question:q3": [r[0] for r in ranking]},
        )

        # Lesson 3: the budget choices, then the paragraph for the sponsor.
        open_lesson(page, port, token, "risk-budget.ipynb", "Your paragraph for the sponsor", tmp_path, lab)
        q4b = question(page, "this company fund")
        q4b.get_by_role("radio", name="d. complaint desk + post review").check()  # the lowest average, not the P90
        expect_feedback(q4b, "Not yet: look again at the question and try once more.")
        q4b.get_by_role("radio", name="e. leak prevention", exact=True).check()
        expect_feedback(q4b, "Right.")
        q4a = question(page, "Which combination do you fund")
        q4a.get_by_role("radio").nth(2).check()  # the demo's lowest P90 within the budget is the third, by cost
        expect_feedback(q4a, "Right.")
        q5 = question(page, "Your paragraph for the sponsor")
        q5.get_by_role("textbox", name="Your answer").fill(PARAGRAPH)
        expect(q5.get_by_role("status")).to_have_text(re.compile("^Saved for your trainer"), timeout=20_000)
        axe_clean(page)
        save(
            page,
            root / "risk-budget.ipynb",
            ["question:q4a", "question:q4b", "question:q5"],
            {"question:q4a": "c", "question:q4b": "e", "question:q5": PARAGRAPH},
        )
    finally:
        lab.stop()

    for lesson in lessons:
        submit(course_copy, MODULE, "cleo", root / f"{lesson}.ipynb", lesson)
    ours = tmp_path / "smtk-grade"
    shutil.copytree(course_copy, ours)
    autograde(course_copy, MODULE)  # stock nbgrader
    smtk_autograde(MODULE, ours, progress=False, sandboxes=sandboxes)
    full = {
        "risk-framing": {"q1-tests": 2.0},
        "risk-bad-year": {"q2-tests": 2.0, "q3-tests": 2.0},
        "risk-budget": {"q4a-tests": 1.0, "q4b-tests": 1.0, "q5-framing": 0.0},
    }
    for graded in (course_copy, ours):
        with Gradebook(gradebook_url(graded)) as gb:
            for lesson, scores in full.items():
                found = {g.name: g.score for g in gb.find_submission_notebook(lesson, MODULE, "cleo").grades}
                assert found == scores, (graded.name, lesson)
            assert gb.find_grade("q5-framing", "risk-budget", MODULE, "cleo").needs_manual_grade
