"""Places for visitors on a real `smtk dashboards` server under load: a burst of requests cannot get past the cap,
kernels whose pages never connect (link previews, scripts, bots) or whose connection dropped give their places back
after the grace, and a page that is open keeps its kernel."""

from __future__ import annotations

import concurrent.futures
import threading
from pathlib import Path

import nbformat
import pytest
from served import KernelSocket, kernel_id, kernel_listed, processes_with, readiness
from test_dashboard_pools import read_page, settle
from test_demo import free_port

from graders.serving.dashboards import dashboards_url, start_dashboards

BUSY = "The dashboards are busy right now"


def one_slider_server(tmp_path: Path, **options):
    """`smtk dashboards` serving a one-slider app on the kit's kernel: (server, its url, the folder every kernel it
    starts names on its command line: its connection files are there)."""
    folder = tmp_path / "dashboards"
    folder.mkdir()
    cell = nbformat.v4.new_code_cell("import ipywidgets as w\nw.IntSlider(value=3, description='Still here')")
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "smtk", "display_name": "Social Media Training (Python 3)"}
    nbformat.write(notebook, folder / "app.ipynb")
    temp = tmp_path / "tmp"  # Voilà keeps its kernels' connection files in a folder of the temporary directory
    temp.mkdir()
    port = free_port()
    server = start_dashboards(port, tmp_path / "voila.log", folder=folder, env={"TMPDIR": str(temp)}, **options)
    return server, dashboards_url(port), temp


def visit(url: str) -> tuple[int, str]:
    """(status, body) of the app's page, read to its end, as a link preview or a script reads it."""
    return read_page(f"{url}voila/render/app.ipynb", within=240)


def visits_at_once(url: str, count: int) -> list[tuple[int, str]]:
    """`count` visits sent in the same instant (each from its own thread, released together)."""
    start = threading.Barrier(count)

    def one(_) -> tuple[int, str]:
        start.wait(timeout=60)
        return visit(url)

    with concurrent.futures.ThreadPoolExecutor(count) as threads:
        return list(threads.map(one, range(count)))


@pytest.mark.slow
def test_a_burst_of_50_requests_admits_exactly_the_cap_and_shows_the_rest_the_busy_page(tmp_path):
    """Measured before: 50 requests at once against a cap of 10 were all admitted (the count was read before their
    kernels existed)."""
    server, url, temp = one_slider_server(tmp_path, max_kernels=10, disconnect_grace=600)
    try:
        pages = visits_at_once(url, 50)
        admitted = [body for status, body in pages if status == 200]
        busy = [body for status, body in pages if status == 503]
        assert (len(admitted), len(busy)) == (10, 40), sorted(status for status, _ in pages)
        assert all("Still here" in body or "widget-view" in body for body in admitted)
        assert all(BUSY in body for body in busy)
        assert len({kernel_id(body) for body in admitted}) == 10, "each visitor has a kernel of their own"
        assert readiness(url)["visitors"] == 10
        assert visit(url)[0] == 503, "the places stay taken"
    finally:
        server.stop()
    assert settle(lambda: not processes_with(str(temp))), "no kernel outlives the server"


@pytest.mark.slow
def test_pages_that_never_connect_free_their_places_after_the_grace_and_an_open_page_keeps_its_kernel(tmp_path):
    server, url, temp = one_slider_server(tmp_path, max_kernels=10, disconnect_grace=5, pool_size=1)
    sockets: list[KernelSocket] = []
    try:
        silent = visits_at_once(url, 10)
        assert [status for status, _ in silent] == [200] * 10
        kernels = [kernel_id(body) for _, body in silent]
        # every place is free again once the grace has passed: no kernel of theirs is left
        assert settle(lambda: readiness(url)["visitors"] == 0, timeout=120), readiness(url)
        assert not any(kernel_listed(url, kernel) for kernel in kernels)
        assert settle(lambda: not any(processes_with(kernel) for kernel in kernels)), "their processes ended"
        log = server.log.read_text()
        assert log.count("its page never connected within 5 s") == 10, "the grace stopped them, not the idle culler"

        # an open page, then a page whose connection drops, then one that never connects: both of these go, and
        # by then the open page (sent before them) has been past the grace as long as they have
        status, body = visit(url)
        assert status == 200, "a place is free again"
        opened = kernel_id(body)
        sockets.append(KernelSocket(url, opened))
        assert sockets[0].kernel_info()["status"] == "ok"
        dropped = kernel_id(visit(url)[1])
        KernelSocket(url, dropped).close()
        never = kernel_id(visit(url)[1])
        assert settle(lambda: not kernel_listed(url, dropped) and not kernel_listed(url, never), timeout=120)
        assert kernel_listed(url, opened), "the open page keeps its kernel past the grace"
        assert sockets[0].kernel_info()["status"] == "ok", "and its kernel still answers it"
        state = readiness(url)
        assert (state["visitors"], state["connected"], state["disconnect_grace"]) == (1, 1, 5)
        log = server.log.read_text()
        assert f"stopping kernel {dropped}: its page lost its connection and did not come back" in log
        assert f"stopping kernel {never}: its page never connected" in log
        assert f"stopping kernel {opened}" not in log
    finally:
        for socket in sockets:
            socket.close()
        server.stop()
    assert settle(lambda: not processes_with(str(temp))), "no kernel outlives the server"
