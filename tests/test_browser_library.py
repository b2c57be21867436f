"""The Library app in real headless Chromium on a real Voilà: a confidential note is blocked with its reason, and a
rude one by the organisation's language rule; a note posted without a name shows its writer to the CoE only; the
CoE's acceptance makes a note findable, an answered question shows its answer, markup is refused, and axe-core finds
nothing on the page."""

from __future__ import annotations

import re

import pytest
from accessibility import axe_violations, described
from conftest import live_server

from graders.course.manifest import library_modules, load_manifest
from simulations.common.eventlog import EventLog
from simulations.library import LOG, LibraryStore

pytestmark = pytest.mark.browser
MODULES = library_modules(load_manifest())
NOTE = "At the retail conference, speakers said to put the employee connection first in every post."


@pytest.fixture(scope="module")
def library_server(tmp_path_factory):
    """`smtk dashboards` with the live features' database in a folder of this test module's own, and a preheated
    kernel per app, as the hub's team apps run: the library page reads the log before its visitor comes."""
    folder = tmp_path_factory.mktemp("live")
    db = folder / "events.db"
    with live_server(folder, str(db), pool_size=1) as url:
        yield url, db


def text_shows(page, text: str) -> None:
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=60_000)


def pick(select, starting: str) -> None:
    """Choose the option of a drop-down whose label starts with `starting`."""
    labels = [t.replace("\xa0", " ") for t in select.locator("option").all_inner_texts()]  # widgets show spaces as nbsp
    index = next((i for i, t in enumerate(labels) if t.startswith(starting)), None)
    assert index is not None, f"no option starts with {starting!r} in {labels}"
    select.select_option(index=index)


def test_post_moderate_search_and_answer(browser, library_server):
    url, db = library_server
    module = MODULES[0]
    context = browser.new_context()
    page = context.new_page()
    pages = [page]
    try:
        page.set_default_timeout(120_000)
        # a link to one module's library (as a lesson gives): the preheated page learns its address from the visit
        page.goto(f"{url}voila/render/library.ipynb?topic={module.id}", wait_until="commit")
        page.locator(".smtk-app").wait_for()
        chosen = page.get_by_label("Within").locator("option:checked").inner_text()
        assert chosen.replace("\xa0", " ") == f"{module.title} ({module.track})"
        assert re.search(r"Using pre-heated kernel: \S+ for library.ipynb", (db.parent / "voila.log").read_text())
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
        # the organisation's language rule (the demo profile's library rules) names the word and the rule
        page.get_by_label("Your text").fill("Only idiots post a roadmap.")
        page.get_by_role("button", name="Send for review").click()
        text_shows(page, "\u201cidiots\u201d, which the organisation's language rule does not accept")
        assert "Keep it civil" in page.get_by_role("status").last.inner_text()
        page.get_by_label("Your text").fill("Example post: #LarkspurEmployee I helped design this kettle.")
        page.get_by_label("Without my name").check()  # the demo profile allows posts without a name
        page.get_by_role("button", name="Send for review").click()
        page.wait_for_function("() => document.body.innerText.includes('(c2) waits for the Center of Excellence')")
        page.get_by_label("Without my name").uncheck()
        page.get_by_label("Your text").fill("Does a retweet of our own ad need a tag?")
        page.get_by_role("button", name="Ask as a question").click()
        text_shows(page, "answers show under it")

        with LibraryStore(db, MODULES) as other:  # a colleague answers; five learners' feedback rates the module
            (question,) = list(other.state().questions)
            answer = other.answer("dana", question, "Yes: add the employee tag to the retweet.")
            for i in range(5):
                other.rate(f"learner{i}", module.id, 1 + i % 2, "the examples are dated")
            note = next(c.id for c in other.state().pending() if c.text == NOTE)

        coe = context.new_page()
        pages.append(coe)
        coe.set_default_timeout(120_000)
        coe.goto(f"{url}voila/render/library-coe.ipynb", wait_until="commit")
        coe.locator(".smtk-app").wait_for()
        text_shows(coe, "the examples are dated")  # the revision queue shows the ratings' evidence
        assert "Ana (without name)" in coe.get_by_role("table").first.inner_text()  # the CoE sees who wrote it
        assert "low ratings: mean 1.40 from 5 rating(s)" in coe.locator(".smtk-revision").inner_text()
        coe.get_by_label("Moderator").fill("coe-lead")
        coe.get_by_role("button", name="Decline with reason").click()
        text_shows(coe, "reason is empty")  # a decline needs its reason
        pick(coe.get_by_label("Contribution"), f"{note}: ")
        coe.get_by_role("button", name="Accept", exact=True).click()
        text_shows(coe, f"{note} accepted: learners find it now.")
        pick(coe.get_by_label("Answer"), f"{answer} to {question}: ")
        coe.get_by_role("button", name="Accept answer").click()
        text_shows(coe, f"Answer {answer} accepted.")
        found = axe_violations(coe)
        assert found == [], "\n".join(described(found))

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
        for opened in pages:
            opened.close(run_before_unload=True)
        context.close()
