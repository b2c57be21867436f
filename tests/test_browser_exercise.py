"""The live crisis exercise in real headless Chromium pages on a real Voilà: a controller, three players in three
roles and the wall display open at once on one exercise; what one page does shows on the others, and axe-core finds
nothing on each. The exercises' log is in PostgreSQL, as when the screens run on several machines."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from accessibility import axe_violations, described
from conftest import live_server
from postgres import fresh_database, run_postgres

from simulations.common.eventlog import EventLog
from simulations.exercise import World, after_action, load_exercise

pytestmark = pytest.mark.browser
CODE = "ROOM42"
EXERCISE = load_exercise("defect-viral")
ROLES = EXERCISE.roles
QUESTION = "Is the kettle recall true? Deadline in an hour."


@pytest.fixture(scope="module")
def exercise_server(tmp_path_factory):
    """`smtk dashboards` with the exercises' log in a database on a PostgreSQL server started for it (as screens on
    several machines share one): its URL and the database. The log's behaviour is the same on SQLite
    (test_eventlog runs each of its tests on both), and the library's browser test runs the same server on SQLite."""
    folder = tmp_path_factory.mktemp("live")
    with contextmanager(run_postgres)() as server:
        target = fresh_database(server, "exercises")
        with live_server(folder, target) as url:
            yield url, target


def open_page(browser, url: str, headers: dict | None = None):
    context = browser.new_context(extra_http_headers=headers)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(url, wait_until="commit")
    page.locator(".smtk-app").wait_for()
    return page


def join(browser, url: str, name: str, role: str, headers: dict | None = None):
    page = open_page(browser, f"{url}voila/render/exercise-player.ipynb", headers)
    page.get_by_label("Code").fill(CODE.lower())
    page.get_by_role("button", name="Find exercise").click()
    page.get_by_role("button", name="Join").and_(page.locator(":enabled")).wait_for()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Role").select_option(label=ROLES[role].label)
    page.get_by_role("button", name="Join").click()
    page.locator(".smtk-table").first.wait_for()
    return page


def text_shows(page, text: str) -> None:
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=30_000)


def test_four_pages_share_one_exercise(browser, exercise_server):
    url, db = exercise_server
    pages = []
    try:
        controller = open_page(browser, f"{url}voila/render/exercise-controller.ipynb")
        pages.append(controller)
        controller.get_by_label("Exercise").select_option("defect-viral")
        controller.get_by_label("Code").fill(CODE)
        controller.get_by_role("button", name="Create exercise").click()
        text_shows(controller, "players join with this code")

        # A browser cannot claim to be a signed-in user: the server drops the header it would set from its sign-in.
        desk = join(browser, url, "Ana", "social_desk", headers={"X-Smtk-User": "mallory"})
        pr = join(browser, url, "Pat", "pr")
        legal = join(browser, url, "Lee", "legal")  # a third role: whatever moves on the desk's screen, not here
        wall = open_page(browser, f"{url}voila/render/exercise-wall.ipynb?code={CODE}")
        pages += [desk, pr, legal, wall]
        text_shows(wall, "Open items per role")

        controller.get_by_role("button", name="Start").click()
        text_shows(wall, "running")  # the controller's clock reaches the wall with no click there
        reporter = EXERCISE.personas["reporter"]
        persona = f"{reporter.name} ({reporter.author}, {reporter.disposition}, {reporter.faction})"
        controller.get_by_label("Persona").select_option(label=persona)
        controller.get_by_label("Kind").select_option("journalist_question")
        controller.get_by_label("Severity").select_option("high")
        controller.get_by_label("Post text").fill(QUESTION)
        controller.get_by_role("button", name="Post as persona").click()

        text_shows(desk, QUESTION)  # the inject arrives on the desk's page by itself
        assert "post" in desk.get_by_role("status").last.inner_text().lower()
        posts = desk.get_by_label("Post")
        posts.select_option(label=posts.locator("option", has_text="kettle recall").inner_text())
        desk.get_by_label("Action").select_option(label="Escalate")
        desk.get_by_label("Choice").select_option(label=ROLES["pr"].label)
        desk.get_by_role("button", name="Do it").click()

        text_shows(pr, "On its way to you")  # the escalation moves the post to PR's page, with no click there
        assert QUESTION in pr.locator(".smtk-table").last.inner_text()
        pages.remove(pr)  # PR closes the page and opens it again: the same name gets the role and the queue back
        pr.close(run_before_unload=True)
        pr.context.close()
        pr = join(browser, url, "pat", "legal")
        pages.append(pr)
        assert ROLES["pr"].label in pr.locator(".smtk-cards").first.inner_text()
        assert QUESTION in pr.locator(".smtk-table").last.inner_text()
        desk.wait_for_function("t => !document.querySelector('.smtk-table').innerText.includes(t)", arg=QUESTION)

        controller.get_by_role("button", name="Pause").click()
        text_shows(wall, "paused")
        for page in pages:
            found = axe_violations(page)
            assert found == [], f"{page.url}\n" + "\n".join(described(found))

        controller.get_by_role("button", name="End exercise").click()
        assert QUESTION not in legal.locator("body").inner_text()
        for page in (controller, desk, pr, legal, wall):
            text_shows(page, "After-action review")
        assert "Ana" in wall.locator(".smtk-review").inner_text()
        with EventLog(db) as log:  # every page wrote to the one log: two joins, the clock, the inject, the action
            log_entries = log.read(CODE)
        kinds = [e.kind for e in log_entries]
        names = [e.payload["name"] for e in log_entries if e.kind == "join"]
        assert names == ["Ana", "Pat", "Lee"]
        assert not any("mallory" in e.payload.get("participant", "") for e in log_entries)
        assert kinds.count("join") == 3 and kinds.count("inject") == 1 and kinds.count("handoff") == 1
        # the review every page shows holds the figures an offline replay of the stored log gives
        replayed = after_action(World.from_log(log_entries))
        shown = wall.locator(".smtk-review").inner_text()
        for figure in (f"{replayed.negative_reach:,.0f}", f"without answers {replayed.baseline_reach:,.0f}"):
            assert figure in shown
        review = open_page(browser, f"{url}voila/render/exercise-review.ipynb?code={CODE}")
        pages.append(review)
        text_shows(review, "Time to first response per role")
        assert review.locator(".smtk-review").inner_text() == wall.locator(".smtk-review").inner_text()
        with review.expect_download() as download:
            review.get_by_role("link", name="Brief (PDF)").click()
        assert download.value.suggested_filename == f"after-action-{CODE}.pdf"
        review.get_by_role("button", name="Play this exercise alone").click()  # the team's crisis, for one
        review.locator(".smtk-inbox").wait_for()
        assert QUESTION in review.locator(".smtk-inbox select").inner_text().replace("\xa0", " ")  # the typed post
        for page in (wall, review):
            found = axe_violations(page)
            assert found == [], f"{page.url}\n" + "\n".join(described(found))
    finally:
        for page in pages:
            page.close(run_before_unload=True)
            page.context.close()
