"""nbgrader's pages in Chromium with the kit's templates: formgrader as trainers open it in their JupyterLab (every
page a trainer reaches while grading written answers, and its edit dialog) and the feedback pages learners get pass
axe-core's WCAG 2.2 A and AA rules; the controls nbgrader draws as bare icons have names and work from the keyboard."""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path

import jinja2
import pytest
from accessibility import axe_violations, described
from playwright.sync_api import expect

from graders.course.root import gradebook_url
from graders.serving.formgrader_a11y import TEMPLATES
from graders.serving.hub.launch import free_port
from graders.serving.servers import HOST, start_lab

MODULE, WRITTEN = "policy-disclosure", "confidential-and-contacts"  # the graded course's module and written answer
PAGES = {
    "assignments": "/manage_assignments",
    "submissions of a module": f"/manage_submissions/{MODULE}",
    "gradebook": "/gradebook",
    "gradebook of a module": f"/gradebook/{MODULE}",
    "gradebook of a lesson": f"/gradebook/{MODULE}/{WRITTEN}",
    "students": "/manage_students",
    "a student": "/manage_students/ada",
    "a student's module": f"/manage_students/ada/{MODULE}",
}


def block_names(source: str) -> set[str]:
    return {block.name for block in jinja2.Environment().parse(source).find_all(jinja2.nodes.Block)}


def test_the_kits_formgrader_layout_has_every_block_of_nbgraders():
    """nbgrader's pages fill base.tpl's blocks: the kit's layout must offer each one, or a page would lose its part."""
    from nbgrader.server_extensions.formgrader.handlers import template_path

    nbgraders = Path(template_path, "base.tpl").read_text(encoding="utf-8")
    kits = (TEMPLATES / "base.tpl").read_text(encoding="utf-8")
    assert block_names(nbgraders) >= {"head", "title", "sidebar", "body", "table_body", "script"}
    assert block_names(kits) == block_names(nbgraders)


@pytest.fixture(scope="module")
def formgrader(graded_course, tmp_path_factory):
    """A trainer's JupyterLab on a copy of the graded course; yields (formgrader's URL, token, the submission id of
    ada's lesson with the written answer, the course root)."""
    from nbgrader.api import Gradebook

    base = tmp_path_factory.mktemp("formgrader")
    root = shutil.copytree(graded_course, base / "demo")
    with Gradebook(gradebook_url(root)) as gb:
        submission = gb.find_submission_notebook(WRITTEN, MODULE, "ada").id
    port, token = free_port(), secrets.token_hex(8)
    server = start_lab(root, port, token, base / "trainer.log", learner=False)
    try:
        server.wait_ready(timeout=120)
        yield f"http://{HOST}:{port}/formgrader", token, submission, root
    finally:
        server.stop()


def drawn(page, url: str, ready: str) -> None:
    """Open `url` and wait until nbgrader's scripts have drawn it (`ready` shows) and fetched what they need."""
    page.goto(url)
    page.locator(ready).first.wait_for()
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
def test_every_formgrader_page_and_its_edit_dialog_pass_axe(formgrader, page):
    url, token, _, _ = formgrader
    drawn(page, f"{url}?token={token}", "#main-table tr")
    found = {}
    for name, path in PAGES.items():
        drawn(page, f"{url}{path}", "#main-table tr")
        found[name] = described(axe_violations(page))
    # nbgrader draws its row actions as bare icons: each is named by its column and row.
    drawn(page, f"{url}/manage_assignments", "#main-table tr")
    for action in ("Edit", "Generate", "Preview"):
        expect(page.get_by_role("link", name=f"{action} {MODULE}", exact=True)).to_have_count(1)
    page.get_by_role("link", name=f"Edit {MODULE}", exact=True).click()
    dialog = page.get_by_role("dialog", name=f"Editing {MODULE}")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("textbox", name="Timezone as UTC offset (optional)")).to_be_visible()
    found["editing a module"] = described(axe_violations(page))
    assert {name: lines for name, lines in found.items() if lines} == {}


@pytest.mark.browser
def test_the_grading_page_passes_axe_and_its_name_toggle_and_score_work_by_keyboard(formgrader, page):
    url, token, submission, _ = formgrader
    # Signed in at formgrader's top, as from JupyterLab: a cookie set deeper down would not reach formgrader's API.
    drawn(page, f"{url}?token={token}", "#main-table tr")
    drawn(page, f"{url}/submissions/{submission}/", ".cell")
    assert described(axe_violations(page)) == []
    expect(page.locator("html")).to_have_attribute("lang", "en")
    score = page.get_by_role("spinbutton", name="Score for q6-message")
    expect(score).to_have_value(re.compile(r"^\d"))  # the graded course gave ada's written answer its points
    expect(page.get_by_role("textbox", name="Comment on q6-message")).to_have_count(1)
    # The learner's name is hidden while grading; a keyboard user shows it as a mouse user does.
    show = page.get_by_role("button", name="Show the learner's name")
    show.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Lovelace, Ada")).to_be_visible()
    assert described(axe_violations(page)) == []


@pytest.mark.browser
def test_the_feedback_learners_get_passes_axe(formgrader, page):
    """Feedback on the graded module, each learner's page per lesson (full marks, and a blank hand-in with every
    answer missing), in the kit's template: from formgrader's own button, then from `smtk grade feedback`."""
    from graders.results.exports import feedback

    url, token, _, root = formgrader
    drawn(page, f"{url}?token={token}", "#main-table tr")
    page.get_by_role("link", name=f"Generate Feedback {MODULE}", exact=True).click()
    done = page.get_by_role("dialog", name="Success")
    expect(done).to_be_visible(timeout=120_000)
    assert described(axe_violations(page)) == []
    written = sorted((root / "feedback").rglob("*.html"))
    assert len(written) == 4 and all('<html lang="en">' in p.read_text(encoding="utf-8") for p in written)

    report = feedback(MODULE, root)
    assert [r.status for r in report.learners if r.learner != "->"] == ["feedback", "feedback"], report.summary()
    pages = sorted((root / "feedback").rglob("*.html"))
    assert len(pages) == 4  # ada and bob, two lessons each
    found = {}
    for html in pages:
        page.goto(html.as_uri())
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.get_by_role("heading", level=1).first.wait_for()
        found[html.relative_to(root).as_posix()] = described(axe_violations(page))
    assert {name: lines for name, lines in found.items() if lines} == {}
