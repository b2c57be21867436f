"""Shared fixtures: an isolated Jupyter/IPython home, the kit's kernels installed, a tailored demo course, Chromium."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from graders.course_root import ensure_tools_on_path
from graders.kernels import install_kernels
from graders.lab_settings import install_lab_settings
from graders.paths import DEMO_ORG

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
    """IPython's history, Jupyter's runtime files and JupyterLab's workspaces (the tabs a Lab reopens, written by every
    Lab on the machine) are shared machine-wide: give the suite its own."""
    home = tmp_path_factory.mktemp("jupyter-home")
    for var, sub in (
        ("IPYTHONDIR", "ipython"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("MPLCONFIGDIR", "mpl"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
    ):
        (home / sub).mkdir()
        os.environ[var] = str(home / sub)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    ensure_tools_on_path()
    install_kernels()
    install_lab_settings()


@pytest.fixture(scope="session")
def demo_course(tmp_path_factory: pytest.TempPathFactory):
    """The demo organisation's course, tailored once for the session (read-only for tests: copy it to change it)."""
    from graders.tailor import tailor

    return tailor(DEMO_ORG, tmp_path_factory.mktemp("courses") / "demo", progress=False)


@pytest.fixture
def course_copy(demo_course, tmp_path: Path) -> Path:
    """A private copy of the tailored demo course root that a test may grade into."""
    root = tmp_path / "demo"
    shutil.copytree(demo_course.root, root)
    return root


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
