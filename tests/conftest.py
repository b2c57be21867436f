"""Shared fixtures: an isolated Jupyter/IPython home, the kit's kernels, each example org's course, Chromium."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from roundtrip import EXAMPLE_ORGS
from served import wait_for_no_visitors

from graders.course.kernels import install_kernels
from graders.course.lab_settings import install_lab_settings
from graders.course.root import ensure_tools_on_path
from graders.paths import DEMO_ORG
from graders.serving.servers import tail
from simulations.profile.org import load_org

CHROMIUM = Path("/usr/bin/chromium")
VOILA_LOGS: dict[str, Path] = {}  # the session's Voilà server: its URL -> its log
NOISE = "Kernel is running over TCP without encryption"  # every kernel's first line of log, told nothing
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# Tests that share an expensive fixture run on one worker (xdist's loadgroup), so it is built once, not once per
# worker: a hub with its services, a learner's server with every module released, a graded course, the demo's two
# JupyterLabs.
SHARED_FIXTURES = {"hub": "hub", "reading": "reading-view", "graded_course": "graded-course", "labs": "demo-labs"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        fixture = next((f for f in SHARED_FIXTURES if f in getattr(item, "fixturenames", ())), None)
        if fixture is None:
            continue
        # a parametrized fixture (one learner server per organisation) is one group per parameter
        param = getattr(getattr(item, "callspec", None), "params", {}).get(fixture)
        group = SHARED_FIXTURES[fixture] if param is None else f"{SHARED_FIXTURES[fixture]}-{param}"
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session", autouse=True)
def isolated_jupyter(tmp_path_factory: pytest.TempPathFactory) -> None:
    """IPython's history, Jupyter's runtime files and JupyterLab's workspaces (the tabs a JupyterLab leaves open are
    restored in the next one) are shared machine-wide: give the suite its own."""
    home = tmp_path_factory.mktemp("jupyter-home")
    for var, sub in (
        ("IPYTHONDIR", "ipython"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("MPLCONFIGDIR", "mpl"),
        ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"),
    ):
        (home / sub).mkdir()
        os.environ[var] = str(home / sub)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    ensure_tools_on_path()
    install_kernels()
    install_lab_settings()


@pytest.fixture(scope="session")
def tailored(tmp_path_factory: pytest.TempPathFactory):
    """`tailored(slug)`: that example organisation's course, tailored at most once per session (read-only for tests)."""
    from graders.course.tailor import tailor

    built = {}

    def course(slug: str):
        if slug not in built:
            built[slug] = tailor(EXAMPLE_ORGS[slug], tmp_path_factory.mktemp("courses") / slug, progress=False)
        return built[slug]

    return course


@pytest.fixture(scope="session")
def demo_course(tailored):
    """The demo organisation's course, tailored once for the session (read-only for tests: copy it to change it)."""
    return tailored(load_org(DEMO_ORG).slug)


# The demo cohort's timeline ends in this month; nothing that uses it depends on the real date.
COHORT_TODAY = dt.date(2026, 6, 15)


@pytest.fixture(scope="session")
def cohort_course(demo_course, tmp_path_factory: pytest.TempPathFactory):
    """(a copy of the demo course with its demo cohort built as of COHORT_TODAY, the build's report), once for the
    session (read-only for tests: copy it to change it). Its tests share an xdist group, so one worker builds it."""
    from graders.grading.demo_cohort import build_cohort

    root = tmp_path_factory.mktemp("cohort") / "demo"
    shutil.copytree(demo_course.root, root)
    return root, build_cohort(root, today=COHORT_TODAY, progress=False)


@pytest.fixture(scope="session")
def sandboxes():
    """One warm grading parent for the worker's session: the tests' `smtk grade` runs of whole modules grade through
    it rather than each starting its own (an import of pandas, matplotlib and the simulations, about 4 s each)."""
    from graders.grading.pipeline import warm_sandboxes

    with warm_sandboxes(None, workers=2) as executor:
        yield executor


@pytest.fixture
def copy_of(tmp_path: Path):
    """`copy_of(course)`: a private copy of a tailored course root (a TailorResult's) that a test may grade into."""

    def copy(course) -> Path:
        root = tmp_path / course.org.slug
        shutil.copytree(course.root, root)
        return root

    return copy


@pytest.fixture
def course_copy(demo_course, copy_of) -> Path:
    """A private copy of the tailored demo course root that a test may grade into."""
    return copy_of(demo_course)


def chromium_or_skip() -> Path:
    """Debian's Chromium, or a skip with the reason (a failure under CI=true, where the browser must be there)."""
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"{CHROMIUM} is missing (install Debian's package 'chromium'; `make test` does so as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright; never a downloaded browser."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report says what its page showed and logged, and ends with the session's Voilà log
    when it used that server: a timeout alone does not tell a stalled app from a busy server or a failed request."""
    report = yield
    page = item.funcargs.get("page") if report.when == "call" and report.failed else None
    if page is not None:
        try:
            shown = page.inner_text("body", timeout=5_000)[:1500]
        except Exception as error:  # noqa: BLE001 - the page may be gone; say so instead
            shown = f"(could not read the page: {error})"
        console = getattr(item, "page_console", [])[-30:]
        report.sections.append(("what the page showed", f"{page.url}\n{shown}\nconsole: {console}"))
        if (url := item.funcargs.get("voila_url")) in VOILA_LOGS:
            log = [line for line in tail(VOILA_LOGS[url], 400).splitlines() if line.strip() and NOISE not in line]
            report.sections.append(("the session's Voilà log", "\n".join(log[-60:])))
    return report


@pytest.fixture
def page(browser, request):
    """A page in a fresh browser context, closed the way a person closes a tab: a dashboard's unload handler then
    stops its kernel. Playwright's plain close skips that handler, and the session's Voilà would fill up to its cap
    with the kernels of pages long gone. With the session's Voilà, the next test starts only once the server has
    stopped this page's kernel (closing the context at once may drop the page's shutdown beacon in flight)."""
    context = browser.new_context()
    page = context.new_page()
    # CI machines were seen 5x slower than a quiet one (a Voilà warming its 12 kernels took 70 s, not 13 s): a
    # page that takes a minute there has not failed. What does fail, fails as surely within two minutes.
    page.set_default_timeout(120_000)
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text[:300]}"))
    page.on("pageerror", lambda e: console.append(f"page error: {e}"))
    request.node.page_console = console
    yield page
    try:
        page.close(run_before_unload=True)
        page.wait_for_event("close", timeout=10_000)
    except Exception:  # noqa: BLE001 - a page that asks to stay (unsaved changes) is closed with its context below
        pass
    try:
        if (url := request.node.funcargs.get("voila_url")) is not None:
            wait_for_no_visitors(url)
    finally:
        context.close()


def smtk_command() -> list[str]:
    return [sys.executable, "-m", "graders.cli"]


@pytest.fixture(scope="session")
def voila_url(tmp_path_factory: pytest.TempPathFactory):
    """A real Voilà server on 127.0.0.1 serving courses/dashboards/ as `smtk dashboards` and `smtk demo` do, with one
    preheated kernel per app rather than two (each worker starts one server, and a test opens an app at a time)."""
    import socket

    from graders.serving.dashboards import dashboards_url, start_dashboards
    from graders.serving.servers import HOST

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    server = start_dashboards(port, log, pool_size=1)
    url = dashboards_url(port)
    VOILA_LOGS[url] = log
    try:
        yield url
    finally:
        server.stop()


ODD_COMMENT = 'He said "great" & <b>bold</b> <img src=x onerror="window.__xss=1"> 👍 ' + "long " * 200
# When ada and bob handed their work in (nbgrader's timestamp.txt, as `smtk collect` writes it): a certificate is
# issued on the day of its last graded submission, so a fixed one makes every date the tests check independent of
# the day they run. A 29 February, so the certificate's one-year expiry must land on 28 February.
SUBMITTED_AT = dt.datetime(2024, 2, 29, 12, 0, tzinfo=dt.UTC)
ROSTER = "learner,name,email,business_unit,region\nada,,,Sales,Americas\nbob,Bob Ng,bob@example.com,Support,EMEA\n"


def _with_feedback(src: Path, dst: Path, rating: int, comment: str) -> Path:
    import nbformat

    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        if "feedback" in cell.metadata.get("tags", []):
            cell.source = f"FEEDBACK = {{'rating': {rating}, 'comment': {comment!r}}}"
    nbformat.write(nb, dst)
    return dst


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory, demo_course) -> Path:
    """A course graded for real: ada (the solution) and bob (blank), their written answers graded as formgrader does,
    each with feedback and handed in at SUBMITTED_AT; a roster gives business units and regions. Read-only for tests."""
    from nbgrader.api import Gradebook
    from roundtrip import autograde, submit

    from graders.course.root import gradebook_url

    module, written = "policy-disclosure", "confidential-and-contacts"  # the written answer is in its second lesson
    base = tmp_path_factory.mktemp("graded")
    root = base / "demo"
    shutil.copytree(demo_course.root, root)
    for lesson in (module, written):
        source = root / "source" / module / f"{lesson}.ipynb"
        release = root / "release" / module / f"{lesson}.ipynb"
        ada = submit(
            root, module, "ada", _with_feedback(source, base / f"ada-{lesson}.ipynb", 5, "Clear and short."), lesson
        )
        bob = submit(root, module, "bob", _with_feedback(release, base / f"bob-{lesson}.ipynb", 2, ODD_COMMENT), lesson)
    for submitted in (ada, bob):
        stamp = SUBMITTED_AT.strftime("%Y-%m-%d %H:%M:%S.%f %Z")
        (submitted.parent / "timestamp.txt").write_text(f"{stamp}\n", encoding="utf-8")
    autograde(root, module)
    with Gradebook(gradebook_url(root)) as gb:
        gb.update_or_create_student("ada", first_name="Ada", last_name="Lovelace", email="Ada@Example.com")
        grade = gb.find_grade("q6-message", written, module, "ada")
        grade.manual_score = grade.max_score  # what formgrader does when the trainer grades the answer
        grade.needs_manual_grade = False
        # bob wrote nothing in the written answer's box, which waits for the trainer like any other: scored 0
        blank = gb.find_grade("q6-message", written, module, "bob")
        blank.manual_score = 0.0
        blank.needs_manual_grade = False
        gb.db.commit()
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return root


@contextmanager
def live_server(folder: Path, target: str, pool_size: int = 0) -> Iterator[str]:
    """`smtk dashboards` with the live features' database (exercises, library) at `target`, a SQLite file or a
    PostgreSQL URL, and `pool_size` preheated kernels per app; yields its URL and stops it afterwards."""
    import socket

    from graders.serving.dashboards import dashboards_url, start_dashboards
    from graders.serving.servers import HOST
    from simulations.exercise.live import DB_VARIABLE

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    server = start_dashboards(port, folder / "voila.log", pool_size=pool_size, env={DB_VARIABLE: target})
    try:
        yield dashboards_url(port)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def live_dashboards(tmp_path_factory):
    """`live_server` on a SQLite file in a folder of the test module's own: yields its URL and the database file."""
    folder = tmp_path_factory.mktemp("live")
    db = folder / "events.db"
    with live_server(folder, str(db)) as url:
        yield url, db
