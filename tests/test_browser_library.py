"""The Library app in real headless Chromium on a real Voilà: a confidential note is blocked with its reason, the
CoE's acceptance makes a note findable, an answered question shows its answer, markup is refused, and axe-core finds
nothing on the page."""

from __future__ import annotations

import socket

import pytest
from accessibility import axe_violations, described

from graders.course.manifest import library_modules, load_manifest
from graders.serving.dashboards import dashboards_url, start_dashboards
from graders.serving.servers import HOST
from simulations.common.eventlog import EventLog
from simulations.exercise.live import DB_VARIABLE
from simulations.library import LOG, LibraryStore

pytestmark = pytest.mark.browser
MODULES = library_modules(load_manifest())
NOTE = "At the retail conference, speakers said to put the employee connection first in every post."


@pytest.fixture(scope="module")
def library_server(tmp_path_factory):
    """`smtk dashboards` with the live features' database in a folder of this test's own."""
    folder = tmp_path_factory.mktemp("library")
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    db = folder / "events.db"
    server = start_dashboards(port, folder / "voila.log", pool_size=0, env={DB_VARIABLE: str(db)})
    try:
        yield dashboards_url(port), db
    finally:
        server.stop()


def text_shows(page, text: str) -> None:
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=60_000)


def test_post_moderate_search_and_answer(browser, library_server):
    url, db = library_server
    module = MODULES[0]
    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_default_timeout(120_000)
        page.goto(f"{url}voila/render/library.ipynb", wait_until="commit")
        page.locator(".smtk-app").wait_for()
        page.get_by_label("Your name").fill("Ana")
        page.get_by_label("Module").select_option(label=f"{module.title} ({module.track})")
        page.get_by_label("Kind").select_option(label="notes from a conference or event")
        page.get_by_label("Your text").fill("Saw the roadmap: the new kettle launches next month.")
        page.get_by_role("button", name="Send for review").click()
        text_shows(page, "Not sent: the checks found details to change.")
        assert "internal label" in page.get_by_role("status").last.inner_text()
        page.get_by_label("Your text").fill("Nice talk <script>alert(1)</script>")
        page.get_by_role("button", name="Send for review").click()
        text_shows(page, "holds HTML or script")
        with EventLog(db) as log:
            assert log.read(LOG) == []  # nothing refused was stored

        page.get_by_label("Your text").fill(NOTE)
        page.get_by_role("button", name="Send for review").click()
        text_shows(page, "waits for the Center of Excellence")
        # the employee tag of the organisation the server shows (the demo one) is an accepted disclosure; #spon is not
        page.get_by_label("Your text").fill("Example post: #spon I helped design this kettle.")
        page.get_by_role("button", name="Send for review").click()
        text_shows(page, "#spon is ambiguous")
        page.get_by_label("Your text").fill("Example post: #LarkspurEmployee I helped design this kettle.")
        page.get_by_role("button", name="Send for review").click()
        page.wait_for_function("() => document.body.innerText.includes('(c2) waits for the Center of Excellence')")
        page.get_by_label("Your text").fill("Does a retweet of our own ad need a tag?")
        page.get_by_role("button", name="Ask as a question").click()
        text_shows(page, "answers show under it")

        with LibraryStore(db, MODULES) as coe:  # the CoE's side, on the same database
            library = coe.state()
            (note,) = [c.id for c in library.pending() if c.text == NOTE]
            coe.accept("coe-lead", note)
            (question,) = list(library.questions)
            coe.accept("coe-lead", coe.answer("dana", question, "Yes: add the employee tag to the retweet."))

        page.get_by_label("Search").fill("speakers employee connection")
        page.get_by_role("button", name="Search library").click()
        text_shows(page, NOTE)
        page.get_by_label("Search").fill("retweet")
        page.get_by_role("button", name="Search library").click()
        text_shows(page, "Accepted answer from dana: Yes: add the employee tag to the retweet.")
        page.get_by_label("Topic").select_option(label=f"{module.title} ({module.track})")
        page.get_by_role("button", name="Who can help").click()
        text_shows(page, f"Ana: trip-notes {note} on {module.title} was accepted")
        assert f"dana: answered {question}" in page.locator(".smtk-experts").inner_text()
        found = axe_violations(page)
        assert found == [], "\n".join(described(found))
    finally:
        page.close(run_before_unload=True)
        context.close()
