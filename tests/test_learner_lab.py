"""The learner's first minutes in JupyterLab: no question about Jupyter news, only the nbgrader tools a learner uses,
and nothing for axe-core to report on a lesson open there."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import jsonschema
import pytest
from accessibility import axe_violations
from lab import KERNEL_IDLE
from playwright.sync_api import expect

from graders.course.lab_settings import SETTINGS
from graders.course.start_here import START_FOLDER
from graders.serving.servers import HOST, start_lab

SHARE = Path(sys.prefix) / "share" / "jupyter"
NEWS = "@jupyterlab/apputils-extension:notification"
# The kit's fixes to JupyterLab's own interface (graders/serving/lab_a11y, built by `make lab-a11y`).
A11Y_EXTENSION = "smtk-lab-a11y"


def schema_of(plugin: str) -> dict:
    """The settings schema the installed JupyterLab has for `plugin` (core, or from an installed extension)."""
    package, name = plugin.split(":")
    for folder in (SHARE / "lab" / "schemas", SHARE / "labextensions" / package / "schemas"):
        path = folder / package / f"{name}.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    raise AssertionError(f"the installed JupyterLab has no plugin {plugin!r}")


def test_the_kits_lab_settings_fit_the_installed_jupyterlab():
    """Every setting the kit overrides names a real plugin and a value its schema accepts: a misspelt plugin id or
    value would be ignored by JupyterLab without a word."""
    for plugin, values in SETTINGS.items():
        schema = schema_of(plugin)
        assert set(values) <= set(schema["properties"]), plugin
        jsonschema.validate({**values}, {**schema, "required": []})
    assert SETTINGS[NEWS]["fetchNews"] == "false"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.fixture(scope="module")
def labs(demo_course, tmp_path_factory):
    """The demo's two JupyterLabs on a copy of the demo course: the learner's (their working copy) and the trainer's
    (the course root), as `smtk demo` starts them. Yields {"learner": (url, token), "trainer": (url, token)}."""
    from graders.serving.demo import learner_workspace

    base = tmp_path_factory.mktemp("labs")
    root = base / "demo"
    shutil.copytree(demo_course.root, root)
    workspace = learner_workspace(root)
    started, urls = [], {}
    try:
        for role, folder in (("learner", workspace), ("trainer", root)):
            port, token = free_port(), secrets.token_hex(8)
            started.append(start_lab(folder, port, token, base / f"{role}.log", learner=role == "learner"))
            urls[role] = (f"http://{HOST}:{port}", token)
        for server in started:
            server.wait_ready(timeout=120)
        yield urls
    finally:
        for server in started:
            server.stop()


def news_setting(base: str, token: str) -> str:
    """The value JupyterLab's news plugin reads (its schema default, which the kit's overrides set) from the server."""
    status, body = get(f"{base}/lab/api/settings/{NEWS}?token={token}")
    assert status == 200
    return json.loads(body)["schema"]["properties"]["fetchNews"]["default"]


def nbgrader_menu(page) -> list[str]:
    page.get_by_role("menuitem", name="Nbgrader").click()
    items = page.locator(".lm-Menu-content > .lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel")
    items.first.wait_for()
    shown = [item.inner_text() for item in items.all()]
    page.keyboard.press("Escape")
    return shown


@pytest.mark.browser
def test_learners_see_only_the_nbgrader_tools_they_use_and_trainers_all(labs, page):
    (learner, learner_token), (trainer, trainer_token) = labs["learner"], labs["trainer"]
    # The server side: formgrader and the course list answer only in the trainer's JupyterLab.
    assert get(f"{learner}/formgrader?token={learner_token}")[0] == 404
    assert get(f"{trainer}/formgrader?token={trainer_token}")[0] == 200
    assert news_setting(learner, learner_token) == news_setting(trainer, trainer_token) == "false"

    page.goto(f"{trainer}/lab?token={trainer_token}")
    page.locator(".jp-DirListing-item").first.wait_for()
    assert {"Assignment List", "Formgrader", "Create assignment"} <= set(nbgrader_menu(page))
    assert page.locator(".lm-TabBar-tab[title='Nbgrader Create Assignment']").count() == 1

    # A module of code (the Center of Excellence keeps its exercises in code), whose blank answers Validate reports
    page.goto(f"{learner}/lab/tree/staying-current/staying-current.ipynb?token={learner_token}")
    page.locator(".jp-Notebook").wait_for()
    assert nbgrader_menu(page) == ["Assignment List"]
    assert page.locator(".lm-TabBar-tab[title='Nbgrader Create Assignment']").count() == 0
    assert page.get_by_text("Create Assignment", exact=True).count() == 0
    # Validate stays: it runs the learner's notebook and says what fails (the blank release: unanswered questions).
    page.get_by_role("button", name="Validate").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_text("NotImplementedError").first.wait_for()
    page.keyboard.press("Escape")
    assert page.get_by_text("Would you like to get notified about official Jupyter news?").count() == 0


@pytest.mark.browser
def test_the_start_page_is_first_in_the_learners_file_browser_and_opens_as_a_page(labs, page):
    learner, token = labs["learner"]
    page.goto(f"{learner}/lab?reset&token={token}")  # as a learner's first visit: no layout left by another test
    names = page.locator(".jp-DirListing-content .jp-DirListing-itemName")
    names.first.wait_for()
    assert names.first.inner_text() == START_FOLDER
    names.first.dblclick()
    page.locator(".jp-DirListing-itemName", has_text="employees.md").dblclick()
    rendered = page.locator(".jp-RenderedMarkdown")
    heading = rendered.get_by_role("heading", level=1, name="Start here: Employees")
    heading.wait_for()
    assert rendered.get_by_role("heading", level=2, name="How to hand in a module").count() == 1
    # Each module is a link that opens its notebook in JupyterLab.
    rendered.get_by_role("link", name="Policy, disclosure and whom to ask").click()
    page.locator(".jp-Notebook").wait_for()
    assert page.locator(".lm-TabBar-tab.lm-mod-current", has_text="policy-disclosure.ipynb").count() == 1


@pytest.mark.browser
@pytest.mark.parametrize(
    ("role", "lesson"),
    [("learner", "staying-current/staying-current.ipynb"), ("trainer", "source/staying-current/staying-current.ipynb")],
)
def test_a_code_lesson_in_the_learners_jupyterlab_has_nothing_for_axe_to_report(labs, page, role, lesson):
    """axe-core's WCAG 2.0 to 2.2 A and AA rules on an analyst's lesson (a notebook of code) in the learner's
    JupyterLab, and on its source in the trainer's: JupyterLab's own interface broke four of them
    (aria-allowed-attr, aria-input-field-name, aria-required-children, button-name), which the kit's extension fixes
    as JupyterLab draws its widgets."""
    url, token = labs[role]
    page.goto(f"{url}/lab/tree/{lesson}?reset&token={token}")
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    loaded = [extension["name"] for extension in config.get("federated_extensions", [])]
    assert A11Y_EXTENSION in loaded, f"{A11Y_EXTENSION} is not built (run `make lab-a11y`); JupyterLab loaded {loaded}"
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE).wait_for()
    # What the extension sets, by name: each code cell's editor, the first heading's collapse button, cells as the
    # articles of the notebook's feed; no toolbar button's element carries aria-pressed, a toggle's button does.
    expect(page.locator(".jp-CodeCell .cm-content").first).to_have_attribute(
        "aria-label", re.compile(r"^Code cell \d+$")
    )
    collapse = page.locator(".jp-collapseHeadingButton").first
    expect(collapse).to_have_attribute("aria-label", re.compile(r"^Collapse section: \S"))
    expect(page.locator(".jp-Notebook .jp-Cell").first).to_have_attribute("role", "article")
    expect(page.locator("jp-button[aria-pressed]")).to_have_count(0)
    toggle = page.locator("jp-button[data-command='filebrowser:toggle-file-filter']").locator("button")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    found = axe_violations(page)
    assert found == [], "\n".join(f"{v['id']}: {v['help']}: {node['html'][:200]}" for v in found for node in v["nodes"])
    collapse.click()
    expect(collapse).to_have_attribute("aria-label", re.compile(r"^Expand section: \S"))
