"""Shared fixtures: an isolated Jupyter/IPython home, the kit's kernels, each example org's course, Chromium."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from roundtrip import EXAMPLE_ORGS

from graders.course_root import ensure_tools_on_path
from graders.kernels import install_kernels
from graders.paths import DEMO_ORG
from simulations.org import load_org

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session", autouse=True)
def isolated_jupyter(tmp_path_factory: pytest.TempPathFactory) -> None:
    """IPython's history and Jupyter's runtime files are shared machine-wide: give the suite its own."""
    home = tmp_path_factory.mktemp("jupyter-home")
    for var, sub in (("IPYTHONDIR", "ipython"), ("JUPYTER_RUNTIME_DIR", "runtime"), ("MPLCONFIGDIR", "mpl")):
        (home / sub).mkdir()
        os.environ[var] = str(home / sub)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    ensure_tools_on_path()
    install_kernels()


@pytest.fixture(scope="session")
def tailored(tmp_path_factory: pytest.TempPathFactory):
    """`tailored(slug)`: that example organisation's course, tailored at most once per session (read-only for tests)."""
    from graders.tailor import tailor

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


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def smtk_command() -> list[str]:
    return [sys.executable, "-m", "graders.cli"]


@pytest.fixture(scope="session")
def voila_url(tmp_path_factory: pytest.TempPathFactory):
    """A real Voilà server on 127.0.0.1 serving courses/dashboards/ with the options `smtk demo` uses."""
    import socket

    from graders.paths import DASHBOARDS
    from graders.servers import HOST, start, voila_command

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    url = f"http://{HOST}:{port}/"
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    server = start("Voilà", voila_command(DASHBOARDS, port), DASHBOARDS, url, log)
    try:
        server.wait_ready()
        yield url
    finally:
        server.stop()
