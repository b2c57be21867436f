"""The reading view of every code-free module (Voilà in the learner's own Jupyter server) in a real Chromium.

For each example organisation, a learner's server as the hub gives it (the learner configuration, nbgrader's exchange
with a course per folder) holds each code-free module fetched from a real exchange. Every module is walked: each
lesson shows no code, fits a phone (375 px) and a laptop (1280 px) without scrolling sideways, and axe-core finds
nothing; the solution's answers entered through the widgets (clicks and typing) are written into the learner's
notebook; for some, the notebook closed and opened again (and so run again) shows every one; the Hand in button puts
it in the exchange; the trainer collects it with `smtk grade` (and, for some, with stock nbgrader too), and
`smtk grade autograde` (and stock `nbgrader autograde`) give the same full marks.

New code-free modules are picked up from course.yml. One Chromium serves the session (conftest's `browser`), one
learner server each organisation; each test opens its own page.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from accessibility import axe_violations, described
from nbclient import NotebookClient
from nbgrader.api import Gradebook
from playwright.sync_api import expect
from roundtrip import EXAMPLE_ORGS, autograde, nbgrader

from graders.course.manifest import load_manifest
from graders.course.minutes import Estimate, estimate, off, words
from graders.course.root import gradebook_url, nbgrader_api
from graders.course.tailor import modules_for
from graders.grading.collect import collect as smtk_collect
from graders.grading.pipeline import autograde as smtk_autograde
from graders.serving.servers import HOST, lab_command, learner_lab_env, start, tail
from simulations.common.records import FEEDBACK_RECORD, saved_record
from simulations.profile.org import load_org

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MANIFEST = load_manifest()
# Every code-free module of each example organisation, each walked end to end in Chromium through the reading view:
# every lesson opened and checked at a phone's and a laptop's width, the solution's answers entered through the
# widgets (the triage desk's shift played by clicking), handed in, collected and graded by `smtk grade` to full marks.
MODULES = {
    slug: [m.id for m in modules_for(load_org(path), MANIFEST) if m.code_free] for slug, path in EXAMPLE_ORGS.items()
}
# Walks that also close and open the module's last lesson again (it runs again in a new kernel and every widget must
# show its answer): one per question-widget mix and track kind, since an opening costs a kernel and a full run.
REOPENED = {
    ("demo", "goals-before-tools"),
    ("demo", "partner-accounts"),
    ("demo", "partner-dialogue"),
    ("demo", "policy-disclosure"),
    ("demo", "media-literacy"),
    ("demo", "triage-shift"),
    ("saltmarsh", "permission-to-practise"),
}
# Walks whose handed-in work stock nbgrader also collects and grades, to the same scores as `smtk grade`: the shift
# played on the triage desk (a graded simulation) and the pilot's widgets, in each organisation. Stock and smtk
# grading agree on every module's solution and bank answers in test_grading and test_answer_banks; a stock collect and
# grade per walk cost about 20 s each.
STOCK_CHECKED = {("demo", "goals-before-tools"), ("demo", "triage-shift"), ("saltmarsh", "triage-shift")}
# Known gaps, each named by (organisation, module); strict, so the mark must go once the module is fixed.
GAPS: dict[tuple[str, str], str] = {}


def walks() -> list:
    """(organisation, module) for every code-free module, the organisation's learner server shared by its walks."""
    return [
        pytest.param(org, module, marks=pytest.mark.xfail(reason=GAPS[org, module], strict=True))
        if (org, module) in GAPS
        else pytest.param(org, module)
        for org, modules in MODULES.items()
        for module in modules
    ]


COURSE = "reading"  # the nbgrader course id the learner's server fetches from
LEARNER = "cleo"
WIDTHS = {"phone": (375, 812), "laptop": (1280, 800)}
SHOTS = os.environ.get("SMTK_WALK_SHOTS")  # a folder for screenshots of each lesson at each width, when set
# Resolves once the page has drawn two frames: a resize's layout and what resize handlers change in it are done.
SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
FEEDBACK = {"rating": 4, "comment": "Clear, and no code."}
# Anything that shows code in a rendered notebook: a code cell's input, an editor, a code block.
CODE = ".jp-CodeCell .jp-Cell-inputWrapper, .jp-CodeCell .jp-InputArea, .cm-editor, .CodeMirror, pre code"
# Voilà's page scrolls in a panel of its own (#rendered_cells), and widget boxes scroll their overflow: the document's
# own scroll width alone would miss a page too wide for a phone. Every element that would scroll sideways, by name.
SIDEWAYS = """() => [document.scrollingElement, ...document.querySelectorAll('*')].filter(e => {
    const x = getComputedStyle(e).overflowX;
    return (e === document.scrollingElement || x === 'auto' || x === 'scroll') && e.scrollWidth > e.clientWidth;
}).map(e => {
    const widest = [...e.querySelectorAll('*')].reduce((a, b) => (b.offsetWidth > (a?.offsetWidth ?? 0) ? b : a), null);
    const inside = widest ? ` (widest inside: ${widest.tagName}.${String(widest.className).slice(0, 60)} `
        + `${widest.offsetWidth} px)` : '';
    return `${e.tagName}.${String(e.className).slice(0, 50)} ${e.scrollWidth} > ${e.clientWidth}: `
        + e.innerText.slice(0, 60) + inside;
})"""
# Every question widget in the dump of the solution's kernel: what it asks and the worked answer it recorded; a triage
# desk's recommended routes, which a learner follows by clicking; a risk heat map's worked placements, as cells.
DUMP = """
import gc, json
from simulations.ui.lessons.questions import QuestionWidget
_found = {}
for _w in gc.get_objects():
    if isinstance(_w, QuestionWidget):
        _q = _w.question
        _found[_q.qid] = {"kind": _q.kind, "options": _q.options, "choices": _q.choices, "answer": _w.answer}
from simulations.ui.lessons.inbox import Inbox
_shift = None
for _w in gc.get_objects():
    if isinstance(_w, Inbox):  # the triage desk: each post's recommended route, and the buttons' labels
        _shift = {"routes": [str(r) for r in _w.stream.posts["route"]],
                  "labels": {n: r.label for n, r in _w.policy.routes.items()}}
from simulations.ui.lessons.risk_heatmap import RiskHeatMap
_maps = {}
for _w in gc.get_objects():
    if isinstance(_w, RiskHeatMap):  # a heat map: its worked placements, as the cells a learner clicks
        _maps[_w.recorder.key] = {"record": _w.recorder.data, "titles": _w.picker.options,
                                  "cells": {i: f"{li}-{ii}" for i, (li, ii) in _w._placed.items()}}
print(json.dumps({"questions": _found, "shift": _shift, "maps": _maps}))
"""


@dataclass
class Reading:
    """The learner's server with the code-free modules fetched, and the trainer's course root they came from."""

    org: str
    url: str
    token: str
    lab: Path
    course: Path
    exchange: Path
    log: Path

    def lessons(self, module: str) -> list[Path]:
        return sorted((self.lab / COURSE / module).glob("*.ipynb"))

    def view(self, notebook: Path) -> str:
        return f"{self.url}/voila/render/{notebook.relative_to(self.lab).as_posix()}?token={self.token}"


@pytest.fixture(scope="module")
def reading(request, tmp_path_factory, tailored):
    """The learner's server of one example organisation (the test's `reading` parameter), every module fetched."""
    org = request.param
    base = tmp_path_factory.mktemp(f"reading-{org}")
    course, exchange, lab = base / "course", base / "exchange", base / "lab"
    shutil.copytree(tailored(org).root, course)
    exchange.mkdir()
    lab.mkdir()
    # nbgrader on the learner's server as `smtk hub` configures it: on Jupyter's config path, one folder per course
    config = base / "etc"
    config.mkdir()
    (config / "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nc.CourseDirectory.student_id = {LEARNER!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\nc.Exchange.path_includes_course = True\n",
        encoding="utf-8",
    )
    # The trainer releases with nbgrader's API in this process (one CLI start per module would cost minutes); the
    # learner fetches every module with one `nbgrader fetch_assignment`, as the Assignments panel does.
    trainer = nbgrader_api(
        course,
        {
            "CourseDirectory": {"course_id": COURSE},
            "Exchange": {"root": str(exchange), "path_includes_course": True},
            "ExchangeReleaseAssignment": {"force": True},
        },
    )
    for module in MODULES[org]:
        assert trainer.release_assignment(module)["success"], module
    exchange_args = [f"--Exchange.root={exchange}", "--Exchange.path_includes_course=True", f"--course={COURSE}"]
    nbgrader(lab, "fetch_assignment", *MODULES[org], *exchange_args, f"--CourseDirectory.student_id={LEARNER}")
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    token = secrets.token_hex(8)
    env = learner_lab_env()
    env["JUPYTER_CONFIG_PATH"] += f":{config}"
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(base / "workspaces")
    log = base / "lab.log"
    server = start("Learner's server", lab_command(lab, port, token), lab, f"http://{HOST}:{port}/api", log, env)
    try:
        server.wait_ready()
        yield Reading(org, f"http://{HOST}:{port}", token, lab, course, exchange, log)
    finally:
        server.stop()


@dataclass
class Solution:
    """What a lesson's solution answers: its questions, its triage desk's shift and its heat maps, if any."""

    questions: dict
    shift: dict | None
    maps: dict


def solution_answers(course: Path, module: str, lesson: str) -> Solution:
    """Each question of the lesson with the answer its solution records, its triage desk's routes and its heat maps'
    placements, from the source notebook run for real."""
    source = course / "source" / module / f"{lesson}.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(DUMP))
    NotebookClient(nb, timeout=300, startup_timeout=180, resources={"metadata": {"path": str(source.parent)}}).execute()
    dumped = json.loads(nb.cells[-1].outputs[-1]["text"])
    found = dumped["questions"]  # none in a lesson that is a shift played on the triage desk or a heat map
    assert found or dumped["shift"] or dumped["maps"], f"{lesson}: nothing to answer"
    assert all(q["answer"] is not None for q in found.values()), f"{lesson}: a question has no solution"
    return Solution(found, dumped["shift"], dumped["maps"])


def place_risks(page, heatmap: dict) -> None:
    """Place every risk of a heat map where the solution does: pick it, then click its cell."""
    box = page.locator(".smtk-heatmap")
    for title, risk in heatmap["titles"]:
        box.get_by_role("combobox", name="Risk to place").select_option(label=title)
        box.locator(f".smtk-cell-{heatmap['cells'][risk]}").click()
    expect(page.locator(".smtk-heatmap-status")).to_contain_text(re.compile("risks placed|Placed all"))


def play_shift(page, shift: dict) -> None:
    """Route every post as the policy recommends, oldest first (the desk picks it), then wait for the shift's end."""
    routes = shift["routes"]
    status = page.locator(".smtk-status")
    for done, route in enumerate(routes, start=1):
        page.get_by_role("button", name=shift["labels"][route], exact=True).click()
        expect(status).to_contain_text(re.compile(rf"\b{done} of {len(routes)} handled|Shift over"))
    expect(status).to_contain_text("Shift over")


# What the learner's server logs when a lesson's kernel did not start under load (the machine's two cores busy with
# the rest of the suite): a learner would reload the page, and so does the test, once.
KERNEL_NOT_STARTED = ("Kernel didn't respond", "never reached an 'alive' state")


def open_view(page, reading: Reading, notebook: Path) -> None:
    for attempt in (1, 2):
        seen = len(reading.log.read_text(encoding="utf-8", errors="replace"))
        page.goto(reading.view(notebook), wait_until="commit")
        try:
            page.locator(".smtk-hand-in").wait_for(timeout=180_000)  # the lesson's last cell: all above has run
            return
        except Exception:
            logged = reading.log.read_text(encoding="utf-8", errors="replace")[seen:]
            if attempt == 2 or not any(text in logged for text in KERNEL_NOT_STARTED):
                pytest.fail(f"the reading view of {notebook.name} never finished; log:\n{tail(reading.log)}")


def check_view(page, name: str) -> None:
    """At each width: no code shown, no sideways scroll, nothing for axe-core to report; with SMTK_WALK_SHOTS set to a
    folder, a screenshot there of the whole lesson at each width (for an author checking a layout by eye)."""
    for width, height in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate(SETTLED)
        shown = page.evaluate(
            f"() => [...document.querySelectorAll({CODE!r})].filter(e => e.offsetParent !== null && e.innerText.trim())"
            ".map(e => e.innerText.slice(0, 80))"
        )
        assert shown == [], f"{name} at {width} px shows code: {shown}"
        root = page.evaluate("() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
        assert root[0] <= root[1], f"{name} at {width} px: the page scrolls sideways {root}"
        wide = page.evaluate(SIDEWAYS)
        assert wide == [], f"{name} at {width} px scrolls sideways: {wide}"
        found = axe_violations(page)
        assert found == [], [f"{width} px: {line}" for line in described(found)]
        if SHOTS:
            # the window made as tall as the lesson, since the page scrolls in a panel of its own
            tall = page.evaluate("() => document.getElementById('rendered_cells')?.scrollHeight || 0")
            page.set_viewport_size({"width": width, "height": max(height, min(tall, 20_000))})
            page.evaluate(SETTLED)
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}px.png"))


def check_lesson_view(page, notebook: Path, questions: int) -> None:
    """A freshly opened lesson: at least its `questions` (the closing feedback counted) are there, and `check_view`
    holds at both widths; the window is then a laptop's again."""
    assert page.locator(".smtk-question").count() >= questions
    check_view(page, notebook.stem)
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS["laptop"], strict=True)))


# The text a learner reads in a lesson as Chromium shows it: its rendered Markdown cells (a question's words are in its
# widget's time, as in the estimate).
READ = """() => [...document.querySelectorAll('.jp-MarkdownCell, .jp-RenderedMarkdown')]
    .filter(e => !e.parentElement.closest('.jp-MarkdownCell, .jp-RenderedMarkdown, .smtk-question'))
    .map(e => e.innerText).join('\\n')"""
WALK_REPORT = os.environ.get("SMTK_WALK_REPORT")  # a JSON-lines file for each walked lesson's minutes, when set


def walked_minutes(page, reading: Reading, module: str, notebook: Path) -> Estimate:
    """A lesson's minutes as walked: the words Chromium shows in its Markdown (those a code cell writes too) at the
    course's reading speed, and the course's time per question and activity of its master notebook (as `smtk check`
    counts them); within the tolerance `smtk check` allows of the minutes course.yml promises."""
    found = MANIFEST.module(module)
    ((lesson, source),) = [
        (x, nb) for x, nb in zip(found.lessons, found.notebooks(), strict=True) if x.id == notebook.stem
    ]
    walked = Estimate(words(page.evaluate(READ)), estimate(source).activities)
    if WALK_REPORT:
        line = {"org": reading.org, "module": module, "lesson": lesson.id, "minutes": lesson.minutes}
        with open(WALK_REPORT, "a", encoding="utf-8") as report:
            report.write(json.dumps({**line, "walked": walked.minutes, "breakdown": walked.breakdown()}) + "\n")
    # the promise course.yml makes, as `smtk check` holds it; a lesson the walk finds over the ten minutes a lesson
    # may take (the Markdown a code cell writes is not in the estimate) is reported, and left to its author
    why = off(lesson.minutes, walked.minutes, most=math.inf)
    assert why is None, f"{reading.org}/{module}/{lesson.id} walked in Chromium: {why} ({walked.breakdown()})"
    return walked


def typed(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def enter(page, qid: str, q: dict) -> None:
    """Answer one question through its widget, as a learner does: clicks, choices and typing."""
    box = page.locator(f".smtk-question-{qid}")
    kind, answer, options = q["kind"], q["answer"], q["options"]
    if kind == "single":
        box.get_by_role("radio", name=re.compile(rf"^{re.escape(answer)}\. ")).check()
    elif kind == "multiple":
        for label in options:
            box.get_by_role("checkbox", name=re.compile(rf"^{re.escape(label)}\. ")).set_checked(label in answer)
    elif kind == "order":
        for place, label in enumerate(answer, start=1):
            box.get_by_role("combobox", name=f"Place {place}", exact=True).select_option(
                label=f"{label}. {options[label]}"
            )
    elif kind == "match":
        for label, choice in answer.items():
            box.get_by_role("combobox", name=f"{label}. {options[label]}").select_option(label=q["choices"][choice])
    elif kind in ("number", "text"):
        box.get_by_role("textbox").fill("")  # what an earlier visit left (the keyboard test's, on the same server)
        box.get_by_role("textbox").click()
        page.keyboard.type(typed(answer) if kind == "number" else answer)
    elif kind == "long":
        box.get_by_role("textbox").fill(answer)
    else:
        raise AssertionError(f"no way to enter a {kind} question")


def as_entered(q: dict):
    """The record a learner's entry of the worked answer leaves: ticked boxes in the order the options are listed."""
    if q["kind"] == "multiple":
        return [label for label in q["options"] if label in q["answer"]]
    return q["answer"]


def shows(page, qid: str, q: dict) -> bool:
    """Whether the widget of one question shows the answer (after the lesson was opened again)."""
    box = page.locator(f".smtk-question-{qid}")
    kind, answer, options = q["kind"], q["answer"], q["options"]
    if kind == "single":
        return box.get_by_role("radio", name=re.compile(rf"^{re.escape(answer)}\. ")).is_checked()
    if kind == "multiple":
        return all(
            box.get_by_role("checkbox", name=re.compile(rf"^{re.escape(label)}\. ")).is_checked() == (label in answer)
            for label in options
        )
    if kind == "order":
        return all(
            box.get_by_role("combobox", name=f"Place {place}", exact=True).input_value() == f"{label}. {options[label]}"
            for place, label in enumerate(answer, start=1)
        )
    if kind == "match":
        return all(
            box.get_by_role("combobox", name=f"{label}. {options[label]}").input_value() == q["choices"][choice]
            for label, choice in answer.items()
        )
    value = box.get_by_role("textbox").input_value()
    # a number is shown to 15 significant digits, as a learner types it: a worked answer computed as 12.500000000000004
    # (media-literacy's q1) reads 12.5
    return float(value) == float(f"{float(answer):.15g}") if kind == "number" else value == answer


def recorded(notebook: Path, expected: dict) -> dict:
    """The records of `notebook` under the keys of `expected`, as saved in the file."""
    return {key: saved_record(notebook, key) for key in expected}


def wait_for_file(notebook: Path, expected: dict) -> None:
    deadline = time.monotonic() + 60
    while (now := recorded(notebook, expected)) != expected:
        differ = {key: (now[key], value) for key, value in expected.items() if now[key] != value}
        assert time.monotonic() < deadline, f"{notebook.name}: saved, expected: {differ}"
        time.sleep(0.25)


def item_scores(root: Path, module: str) -> dict[str, tuple[float, float]]:
    with Gradebook(gradebook_url(root)) as gb:
        submission = gb.find_submission(module, LEARNER)
        return {f"{nb.name}/{g.name}": (g.score, g.max_score) for nb in submission.notebooks for g in nb.grades}


# scope="module": one learner server per organisation, shared by its walks (the default scope would start one a walk)
@pytest.mark.parametrize(("reading", "module"), walks(), indirect=["reading"], scope="module")
def test_answers_given_in_the_reading_view_are_kept_handed_in_and_get_full_marks(
    page, reading, module, tmp_path, sandboxes
):
    lessons = reading.lessons(module)
    solutions = {nb.stem: solution_answers(reading.course, module, nb.stem) for nb in lessons}
    for notebook in lessons:
        solution = solutions[notebook.stem]
        expected = {f"question:{qid}": as_entered(q) for qid, q in solution.questions.items()}
        expected |= {key: heatmap["record"] for key, heatmap in solution.maps.items()}
        expected[FEEDBACK_RECORD] = FEEDBACK
        open_view(page, reading, notebook)
        check_lesson_view(page, notebook, len(solution.questions) + 1)
        walked_minutes(page, reading, module, notebook)
        for qid, q in solution.questions.items():
            enter(page, qid, q)
        for heatmap in solution.maps.values():
            place_risks(page, heatmap)
        if solution.shift is not None:
            play_shift(page, solution.shift)
        feedback = page.locator(".smtk-question", has=page.get_by_role("textbox", name="Your comment"))
        feedback.get_by_role("radio", name=str(FEEDBACK["rating"])).check()
        feedback.get_by_role("textbox", name="Your comment").fill(FEEDBACK["comment"])
        wait_for_file(notebook, expected)  # written into the learner's notebook as they were given, no Save

        if notebook != lessons[-1] or (reading.org, module) not in REOPENED:
            continue
        # The module's last lesson closed and opened again: it runs again in a new kernel and every widget shows its
        # answer (once a module: an opening costs a kernel and a full run; test_browser_questions reruns the pilot's
        # lessons in JupyterLab too).
        page.goto("about:blank")
        open_view(page, reading, notebook)
        page.wait_for_timeout(1000)
        for qid, q in solution.questions.items():
            assert shows(page, qid, q), f"{notebook.stem}: question {qid} lost its answer on reopening"
        assert feedback.get_by_role("textbox", name="Your comment").input_value() == FEEDBACK["comment"]
        assert recorded(notebook, expected) == expected

    inbound = reading.exchange / COURSE / "inbound"
    before = set(inbound.glob(f"{LEARNER}+{module}+*"))  # the keyboard test may have handed this module in already
    page.get_by_role("button", name="Hand in this module").click()
    expect(page.locator(".smtk-hand-in").get_by_role("status")).to_have_text(
        re.compile("^Handed in at "), timeout=60_000
    )
    handed = set(inbound.glob(f"{LEARNER}+{module}+*")) - before
    assert len(handed) == 1, sorted(p.name for p in inbound.iterdir())

    # The trainer collects and grades with `smtk grade`; for STOCK_CHECKED, stock nbgrader does too, on a copy.
    ours = tmp_path / "smtk"
    shutil.copytree(reading.course, ours)
    report = smtk_collect(module, reading.exchange / COURSE, ours)  # the exchange's course, as `smtk grade collect`
    assert [r.learner for r in report.learners] == [LEARNER], report.summary()
    smtk_autograde(module, ours, progress=False, sandboxes=sandboxes)
    graded_ours = item_scores(ours, module)
    if (reading.org, module) in STOCK_CHECKED:
        stock = tmp_path / "stock"
        shutil.copytree(reading.course, stock)
        exchange_args = [f"--Exchange.root={reading.exchange}", "--Exchange.path_includes_course=True"]
        nbgrader(stock, "collect", module, *exchange_args, f"--course={COURSE}")
        autograde(stock, module)
        assert graded_ours == item_scores(stock, module)
    with Gradebook(gradebook_url(ours)) as gb:
        tasks = {c.name for nb in gb.find_assignment(module).notebooks for c in nb.task_cells}
    autograded = {k: v for k, v in graded_ours.items() if k.split("/", 1)[1] not in tasks}
    assert autograded and all(score == top for score, top in autograded.values()), autograded


# Its first lesson: matching (selects), multiple choice (tick boxes), a number; the closing comment is typed too.
KEYBOARD_MODULE, KEYBOARD_LESSON = "business-case", "business-case"
FOCUSED = """() => { const e = document.activeElement;
  if (!e || e === document.body) return null;
  const box = e.closest('.smtk-question');
  const qid = box ? ([...box.classList].find(c => /^smtk-question-q/.test(c)) || '').slice(14) : '';
  const name = (e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText)
    || e.closest('label')?.innerText || e.innerText || e.title || '').trim();
  return {tag: e.tagName.toLowerCase(), type: e.type || '', qid, name, checked: !!e.checked, value: e.value ?? ''};
}"""


def by_keyboard(page, focus: dict, q: dict) -> bool:
    """Answer the focused control of question `q` as a keyboard user does; True once this control is as it should
    be (the caller then moves on with Tab)."""
    kind, answer, options = q["kind"], q["answer"], q["options"]
    if focus["type"] == "checkbox":
        label = focus["name"].split(".", 1)[0]
        if (label in answer) != focus["checked"]:
            page.keyboard.press("Space")
        return True
    if focus["type"] == "radio":
        if focus["name"].startswith(f"{answer}. "):
            page.keyboard.press("Space")
            return True
        page.keyboard.press("ArrowDown")  # the next choice of the group
        return False
    if focus["tag"] == "select":
        if kind == "order":
            place = int(focus["name"].rsplit(" ", 1)[1])
            label = answer[place - 1]
            wanted = f"{label}. {options[label]}"
        else:
            label = focus["name"].split(".", 1)[0]
            wanted = q["choices"][answer[label]]
        page.keyboard.type(wanted)  # a closed select picks the option whose text is typed
        return True
    if focus["tag"] in ("input", "textarea") and focus["type"] not in ("button", "submit"):
        if not focus["value"]:
            page.keyboard.type(typed(answer) if kind == "number" else answer)
        return True
    return True  # a "Check my answer" button, a table toggle: nothing to do


@pytest.mark.parametrize("reading", ["demo"], indirect=True, scope="module")
def test_a_keyboard_alone_completes_a_lesson_and_hands_it_in(page, reading, tmp_path, sandboxes):
    """WCAG 2.1.1 Keyboard: with Tab, Space, the arrow keys, typing and Enter only (no mouse, no focusing by the
    test), a learner answers every question of a lesson, rates it, hands the module in, and gets the lesson's full
    marks."""
    (notebook,) = [nb for nb in reading.lessons(KEYBOARD_MODULE) if nb.stem == KEYBOARD_LESSON]
    questions = solution_answers(reading.course, KEYBOARD_MODULE, notebook.stem).questions
    open_view(page, reading, notebook)
    page.locator("body").press("Tab")  # into the page from the address bar's side
    touched, handed = set(), False
    for _ in range(600):
        focus = page.evaluate(FOCUSED)
        if focus is None:
            page.keyboard.press("Tab")
            continue
        if focus["qid"] in questions:
            touched.add(focus["qid"])
            if not by_keyboard(page, focus, questions[focus["qid"]]):
                continue
        elif focus["type"] == "radio" and focus["name"] in {"1", "2", "3", "4", "5"}:  # the closing rating
            if focus["name"] != str(FEEDBACK["rating"]):
                page.keyboard.press("ArrowDown" if int(focus["name"]) < FEEDBACK["rating"] else "ArrowUp")
                continue
            page.keyboard.press("Space")
        elif focus["name"] == "Your comment" and not focus["value"]:
            page.keyboard.type(FEEDBACK["comment"])
        elif focus["name"] == "Hand in this module":
            assert touched == set(questions), f"Tab reached Hand in before questions {set(questions) - touched}"
            page.keyboard.press("Enter")
            handed = True
            break
        page.keyboard.press("Tab")
    assert handed, "Tab never reached the Hand in button"
    expect(page.locator(".smtk-hand-in").get_by_role("status")).to_have_text(
        re.compile("^Handed in at "), timeout=60_000
    )
    expected = {f"question:{qid}": as_entered(q) for qid, q in questions.items()}
    expected[FEEDBACK_RECORD] = FEEDBACK
    wait_for_file(notebook, expected)

    ours = tmp_path / "smtk"
    shutil.copytree(reading.course, ours)
    report = smtk_collect(KEYBOARD_MODULE, reading.exchange / COURSE, ours)
    assert [r.learner for r in report.learners] == [LEARNER], report.summary()
    smtk_autograde(KEYBOARD_MODULE, ours, progress=False, sandboxes=sandboxes)
    with Gradebook(gradebook_url(ours)) as gb:
        tasks = {c.name for nb in gb.find_assignment(KEYBOARD_MODULE).notebooks for c in nb.task_cells}
    scores = {
        k: v
        for k, v in item_scores(ours, KEYBOARD_MODULE).items()
        if k.startswith(f"{KEYBOARD_LESSON}/") and k.split("/", 1)[1] not in tasks
    }
    assert scores and all(score == top for score, top in scores.values()), scores
