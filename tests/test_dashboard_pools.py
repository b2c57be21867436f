"""Preheated kernels that fail are replaced: a real `smtk dashboards` server whose kernel dies at start, as a kernel
does on a loaded machine when another process takes its TCP port first."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
import re
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from served import processes_with
from test_demo import free_port

from graders.serving.dashboards import dashboards_url, preheat_notice, readiness, start_dashboards
from graders.serving.pools import stop_kernel

# Dies at start for its first `fails` launches (before it binds any port), then runs as the usual Python kernel.
FLAKY_KERNEL = """
import pathlib, sys
count, fails = pathlib.Path(sys.argv[1]), int(sys.argv[2])
starts = int(count.read_text()) if count.exists() else 0
count.write_text(str(starts + 1))
if starts < fails:
    sys.exit("zmq.error.ZMQError: Address already in use (a stand-in)")
del sys.argv[1:3]
from ipykernel.kernelapp import launch_new_instance
launch_new_instance()
"""


def flaky_kernelspec(tmp_path: Path, fails: int, python: str = sys.executable) -> tuple[Path, Path, Path]:
    """A kernel spec "flaky" whose kernel dies at start `fails` times (or cannot be launched at all, with a
    `python` that is not there): (the kernel's script, file counting its starts, the folder for JUPYTER_PATH)."""
    script, count = tmp_path / "flaky_kernel.py", tmp_path / "starts"
    script.write_text(FLAKY_KERNEL)
    count.write_text("0")
    share = tmp_path / "share"
    spec = share / "kernels" / "flaky"
    spec.mkdir(parents=True)
    argv = [python, str(script), str(count), str(fails), "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Flaky", "language": "python"}))
    return script, count, share


def flaky_server(tmp_path: Path, fails: int, python: str = sys.executable, pool_size: int = 1):
    """`smtk dashboards` serving one app on the flaky kernel spec, with `pool_size` preheated kernels: (server, url of
    the server, file counting kernel starts, the kernel's script)."""
    script, count, share = flaky_kernelspec(tmp_path, fails, python)
    folder = tmp_path / "dashboards"
    folder.mkdir()
    cell = nbformat.v4.new_code_cell("import ipywidgets as w\nw.IntSlider(value=3, description='Still here')")
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "flaky", "display_name": "Flaky", "language": "python"}
    nbformat.write(notebook, folder / "app.ipynb")
    port = free_port()
    server = start_dashboards(
        port, tmp_path / "voila.log", folder=folder, pool_size=pool_size, env={"JUPYTER_PATH": str(share)}
    )
    return server, dashboards_url(port), count, script


def kernels_running(script: Path) -> int:
    """Processes running the flaky kernel's script (kernels, whoever started them)."""
    return len(processes_with(str(script)))


def settle(check, timeout: float = 20.0):
    """`check()` once it is truthy, or its last value after `timeout` seconds (processes take a moment to exit)."""
    deadline = time.monotonic() + timeout
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return value


def test_a_kernel_stopped_while_it_is_being_restarted_does_not_come_back(tmp_path):
    """Voilà's restarter revives a kernel that died; stopping it midway made jupyter_client raise and left the
    restarted kernel running and listed (seen in CI). The race is made certain here: the stop begins as the restart
    does."""
    script, _, share = flaky_kernelspec(tmp_path, fails=0)

    async def stop_during_restart() -> tuple[bool, list[str]]:
        specs = KernelSpecManager(kernel_dirs=[str(share / "kernels")])
        manager = AsyncMappingKernelManager(
            kernel_spec_manager=specs, root_dir=str(tmp_path), connection_dir=str(tmp_path)
        )
        kernel_id = await manager.start_kernel(kernel_name="flaky")
        restart = asyncio.ensure_future(manager.get_kernel(kernel_id).restart_kernel(now=True, newports=True))
        await asyncio.sleep(0)  # the restart has begun stopping the old process
        await stop_kernel(manager, kernel_id, logging.getLogger("test"))
        await restart
        return kernel_id in manager, manager.list_kernel_ids()

    # in a thread of its own: Playwright's sync API leaves an event loop running in this one once a browser test ran
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        listed, kernels = thread.submit(asyncio.run, stop_during_restart()).result()
    assert not listed and kernels == []
    assert settle(lambda: kernels_running(script) == 0), "the restarted kernel was stopped too"


@pytest.mark.slow
def test_a_preheated_kernel_that_dies_at_start_is_replaced_and_leaves_no_process(tmp_path):
    server, url, starts, script = flaky_server(tmp_path, fails=1)
    try:
        state = readiness(url)
        assert state["ready"] and state["pooled"] == 1 and state["not_preheated"] == []
        log = server.log.read_text()
        assert log.count("a preheated kernel for app.ipynb failed: its kernel could not run the notebook") == 1
        # Voilà's restarter may also have restarted the dead kernel (on new ports) before it was stopped
        assert int(starts.read_text()) >= 2, "one kernel died, one replaced it"
        assert settle(lambda: kernels_running(script) == 1), (
            f"Voilà's restart of the dead kernel is stopped too, yet {kernels_running(script)} kernels run"
        )
        assert preheat_notice(url) is None
        with urllib.request.urlopen(f"{url}voila/render/app.ipynb", timeout=60) as response:
            page = response.read().decode()
        assert "Still here" in page or "application/vnd.jupyter.widget-view+json" in page
        assert "Kernel died" not in page
        assert readiness(url)["visitors"] == 1, "the visitor got the warm kernel"
    finally:
        server.stop()
    assert settle(lambda: kernels_running(script) == 0), "no kernel outlives the server"


FAILED_SLOT = "a preheated kernel for app.ipynb failed"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("python", "how"),
    [
        # A kernel that dies at start is seen dead while the notebook runs, or (on a busy machine) only once the
        # restarter has started it again, or once it has stopped: each is that one failure.
        (
            sys.executable,
            (
                "its kernel could not run the notebook (RuntimeError: Kernel died",
                "its kernel died and was restarted, without the app",
                "its kernel has stopped",
            ),
        ),
        ("/nonexistent/python3", ("its kernel did not start (FileNotFoundError",)),
    ],
    ids=["dies-at-start", "cannot-launch"],
)
def test_an_app_whose_kernels_keep_failing_stops_being_preheated_and_says_so(tmp_path, python, how):
    """Three failed preheated kernels in a row, each logged with why, then no more tries."""
    server, url, starts, script = flaky_server(tmp_path, fails=1000, python=python)
    try:
        state = readiness(url)
        assert state["ready"] and state["pooled"] == 0 and state["not_preheated"] == ["app.ipynb"]
        log = server.log.read_text()
        assert log.count(FAILED_SLOT) == 3, "three tries, then no more"
        failures = [line.split(" failed: ", 1)[1] for line in log.splitlines() if FAILED_SLOT in line]
        assert [why for why in failures if why.startswith(how)] == failures, failures
        assert "app.ipynb failed 3 times in a row; no longer preheating it" in log
        assert "not preheated: app.ipynb" in preheat_notice(url)
        assert settle(lambda: kernels_running(script) == 0), "no failed kernel is left running"
        tried = starts.read_text()
        time.sleep(3)
        assert starts.read_text() == tried, "it stays given up"
    finally:
        server.stop()


def read_page(url: str, within: float = 120.0) -> tuple[int, str]:
    """(status, body) of a page, failing if the server has not ended it `within` seconds (Voilà's heartbeats keep
    a socket timeout from ever firing)."""
    deadline = time.monotonic() + within
    try:
        response = urllib.request.urlopen(url, timeout=within)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    with response:
        chunks = []
        while chunk := response.read1():
            chunks.append(chunk)
            assert time.monotonic() < deadline, f"the page was still open after {within:.0f} s"
        return response.status, b"".join(chunks).decode()


@pytest.mark.slow
def test_a_visitor_whose_kernel_dies_at_start_gets_a_message_not_an_endless_page(tmp_path):
    """Voilà spins for ever when a visitor's kernel dies before it answers (voila-dashboards/voila#1311)."""
    server, url, _, script = flaky_server(tmp_path, fails=1000, pool_size=0)
    try:
        status, page = read_page(f"{url}voila/render/app.ipynb")
        assert status == 200, "the page had begun"
        assert "This dashboard could not start" in page and "try again in a few" in page
        assert "Traceback" not in page and "RuntimeError" not in page
        assert "the kernel started for a visitor of app.ipynb died before the app had run" in server.log.read_text()
        assert settle(lambda: kernels_running(script) == 0), "no kernel is left running"
    finally:
        server.stop()


@pytest.mark.slow
def test_a_visitor_whose_kernel_died_once_and_was_restarted_gets_a_message_and_its_place_back(tmp_path):
    """Measured before: the restarter started the kernel again and the page spun for ever (a whole test run hung on a
    kernel that lost its port at start)."""
    server, url, count, script = flaky_server(tmp_path, fails=1, pool_size=0)
    try:
        status, page = read_page(f"{url}voila/render/app.ipynb")
        assert status == 200 and "This dashboard could not start" in page
        assert count.read_text() == "2", "the kernel died once and the restarter started it again"
        assert settle(lambda: kernels_running(script) == 0), "the restarted kernel is stopped"
        assert settle(lambda: readiness(url)["visitors"] == 0), "and the visitor's place is free"
        status, page = read_page(f"{url}voila/render/app.ipynb")
        assert status == 200 and "Still here" in page, "the next visit gets the app"
    finally:
        server.stop()


@pytest.mark.slow
def test_a_visitor_whose_kernel_cannot_be_launched_gets_a_plain_page(tmp_path):
    server, url, _, _ = flaky_server(tmp_path, fails=1000, python="/nonexistent/python3", pool_size=0)
    try:
        status, page = read_page(f"{url}voila/render/app.ipynb")
        assert status == 500
        assert "This dashboard could not start" in page and "the server's log says what went wrong" in page
        assert "Traceback" not in page and "FileNotFoundError" not in page
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.browser
def test_the_message_shows_in_place_of_the_spinner_and_the_page_stays_quiet(browser, tmp_path):
    server, url, _, _ = flaky_server(tmp_path, fails=1000, pool_size=0)
    context = browser.new_context()
    try:
        page = context.new_page()
        sockets = []
        page.on("websocket", lambda socket: sockets.append(socket.url))
        page.goto(f"{url}voila/render/app.ipynb", wait_until="commit")
        message = page.locator(".smtk-broken[role=alert]")
        message.wait_for(timeout=120_000)
        page.wait_for_load_state("load")
        assert "This dashboard could not start" in message.inner_text()
        assert page.locator("#loading, #rendered_cells").count() == 0, "no spinner left turning"
        page.wait_for_timeout(1000)
        assert sockets == [], "the page does not try to reach the dead kernel"
    finally:
        context.close()
        server.stop()


@pytest.mark.slow
def test_a_warm_preheated_kernel_that_dies_is_replaced_not_handed_out_empty(tmp_path):
    """Voilà's restarter revives a pooled kernel that died (say, killed for memory) with none of the app in it, and
    would hand it to the next visitor: a page whose widgets answer nothing."""
    server, url, _, script = flaky_server(tmp_path, fails=0)
    try:
        assert readiness(url)["pooled"] == 1
        first = re.findall(r"Kernel started: ([0-9a-f-]{36})", server.log.read_text())
        (pid,) = processes_with(str(script))
        os.kill(pid, signal.SIGKILL)
        assert settle(lambda: "its kernel died and was restarted, without the app" in server.log.read_text())
        assert settle(lambda: readiness(url)["ready"] and kernels_running(script) == 1), "one warm kernel again"
        status, page = read_page(f"{url}voila/render/app.ipynb")
        assert status == 200 and "Still here" in page
        (served,) = re.findall(r'"kernelId": "([0-9a-f-]{36})"', page)
        assert served not in first, "the visitor got the replacement, not the restarted kernel"
    finally:
        server.stop()
    assert settle(lambda: kernels_running(script) == 0)
