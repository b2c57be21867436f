"""The executive apps served by `smtk dashboards` in a real headless Chromium: they render with no code and no
error, an input change updates the KPIs and the charts, a bad CSV shows the list of problems, the brief downloads,
the browser cannot run code in the kernel, and the cap on visitors shows the polite page."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest
from relay import Relay
from served import kernel_id, kernel_listed, processes_with, readiness, wait_for_no_visitors
from test_dashboard_pools import settle
from test_demo import free_port
from test_ui_apps import one_page_pdf

from graders.paths import DASHBOARDS
from graders.serving.dashboards import dashboards_url, start_dashboards

pytestmark = pytest.mark.browser

BAD_COSTS = b"""type,category,item,quantity,unit_value,attribution,confidence
cost,design,Course design,1,abc,,
benefit,travel,Hours saved,2000,48,1.5,60%
"""
BAD_PEERS = b"company,industry,size_band\nA,retail,huge\n"
CODE_WORDS = ("import ", "roi_app(", "benchmark_app(", "dashboard_org")


def watch(page) -> list[str]:
    """Collect what an executive must never meet: console errors, failed requests, uncaught exceptions."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


def open_app(page, url: str, name: str) -> None:
    page.goto(f"{url}voila/render/{name}.ipynb", wait_until="commit")
    page.locator(".smtk-headline h2").wait_for()


def changed(page, selector: str, before: str, attribute: str | None = None) -> None:
    """Wait until an element's text (or attribute) differs from `before`."""
    read = f"e.getAttribute({attribute!r})" if attribute else "e.innerText"
    page.wait_for_function(
        f"([s, b]) => {{ const e = document.querySelector(s); return e && {read} !== b; }}", arg=[selector, before]
    )


def no_code_and_no_errors(page, problems: list[str]) -> None:
    body = page.inner_text("body")
    assert "Traceback" not in body and "Error" not in body
    assert not any(word in body for word in CODE_WORDS), "Voilà must not show code"
    assert page.locator(".jp-CodeCell .jp-InputArea, .cm-editor, .jp-InputPrompt").count() == 0
    assert problems == []


def choose_file(page, selector: str, name: str, data: bytes) -> None:
    with page.expect_file_chooser() as chooser:
        page.click(selector)
    chooser.value.set_files([{"name": name, "mimeType": "text/csv", "buffer": data}])


def download_brief(page, tmp_path: Path) -> dict[str, bytes]:
    page.click("button.smtk-brief")
    page.locator(".smtk-brief-links a.smtk-download").first.wait_for()
    files = {}
    for link in page.locator(".smtk-brief-links a.smtk-download").all():
        with page.expect_download() as download:
            link.click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        files[target.name] = target.read_bytes()
    return files


def test_roi_app_renders_and_updates_kpis_and_charts(page, voila_url):
    problems = watch(page)
    open_app(page, voila_url, "roi")
    no_code_and_no_errors(page, problems)
    kpis = page.inner_text(".smtk-kpis")
    assert re.search(r"\$\d{1,3}(,\d{3})+", kpis), "money is formatted"
    assert "Return on investment" in kpis and "Payback" in kpis
    band, tornado = page.get_attribute("img.smtk-band", "src"), page.get_attribute("img.smtk-tornado", "src")
    page.focus(".smtk-coverage-employees .noUi-handle")
    page.keyboard.press("ArrowLeft")
    changed(page, ".smtk-kpis", kpis)
    changed(page, "img.smtk-band", band, "src")
    changed(page, "img.smtk-tornado", tornado, "src")
    assert "Assumptions behind these figures" in page.inner_text("body")
    assert "Edelman" in page.inner_text(".smtk-assumptions")
    assert problems == []


def test_the_apps_run_on_the_light_front_end(page, voila_url):
    requests = []
    page.on("request", lambda request: requests.append(request))
    problems = watch(page)
    open_app(page, voila_url, "benchmark")
    page.locator(".smtk-coverage-employees .noUi-handle").wait_for()
    # one script, graders/serving/frontend's bundle: no JupyterLab application, no extension chunks, no MathJax
    scripts = [r.url.rsplit("/", 1)[-1].split("?")[0] for r in requests if r.resource_type == "script"]
    assert scripts == ["smtk.js"]
    # nothing fetched from outside the server (the smtk template leaves out Voilà's CDN stylesheets)
    assert [r.url for r in requests if not r.url.removeprefix("blob:").startswith((voila_url, "data:"))] == []
    no_code_and_no_errors(page, problems)


def test_roi_bad_csv_lists_the_problems_in_the_app(page, voila_url):
    problems = watch(page)
    open_app(page, voila_url, "roi")
    kpis = page.inner_text(".smtk-kpis")
    choose_file(page, ".smtk-upload", "costs.csv", BAD_COSTS)
    page.locator(".smtk-message-box").wait_for()
    message = page.inner_text(".smtk-message")
    assert "costs.csv: 3 problems to fix, nothing was changed" in message
    assert "row 2, column unit_value: expected a number, got 'abc'" in message
    assert "row 3, column category" in message and "row 3, column attribution" in message
    assert "Traceback" not in page.inner_text("body")
    assert page.inner_text(".smtk-kpis") == kpis
    assert problems == []


def test_roi_brief_downloads_as_a_pdf(page, voila_url, tmp_path):
    open_app(page, voila_url, "roi")
    files = download_brief(page, tmp_path)
    assert set(files) == {"roi-brief-demo.pdf"}
    assert one_page_pdf(files["roi-brief-demo.pdf"])


def test_benchmark_app_renders_and_updates(page, voila_url, tmp_path):
    problems = watch(page)
    open_app(page, voila_url, "benchmark")
    no_code_and_no_errors(page, problems)
    headline = page.inner_text(".smtk-headline")
    assert "stage 1 of 5: foundation" in headline
    assert "synthetic" in page.inner_text(".smtk-data-note")
    radar, bars = page.get_attribute("img.smtk-radar", "src"), page.get_attribute("img.smtk-percentiles", "src")
    page.focus(".smtk-coverage-employees .noUi-handle")
    for _ in range(10):  # ten steps: with a segment of a dozen peers, one step may pass no peer at all
        page.keyboard.press("ArrowRight")
    changed(page, "img.smtk-radar", radar, "src")
    changed(page, "img.smtk-percentiles", bars, "src")
    page.click(".smtk-flag-recurring_program input")
    changed(page, ".smtk-headline", headline)
    assert "stage 2 of 5: safety" in page.inner_text(".smtk-headline")
    files = download_brief(page, tmp_path)
    assert one_page_pdf(files["benchmark-brief-demo.pdf"])
    assert problems == []


def test_benchmark_bad_peer_csv_lists_the_problems(page, voila_url):
    open_app(page, voila_url, "benchmark")
    headline = page.inner_text(".smtk-headline")
    choose_file(page, ".smtk-upload", "peers.csv", BAD_PEERS)
    page.locator(".smtk-message-box").wait_for()
    message = page.inner_text(".smtk-message")
    assert "peers.csv:" in message and "required column 'employees' is missing" in message
    assert "row 2, column size_band: expected one of small, mid, large, got 'huge'" in message
    assert page.inner_text(".smtk-headline") == headline


EXECUTE = """async ([marker]) => {
  const kernel = JSON.parse(document.getElementById("jupyter-config-data").textContent).kernelId;
  const ws = new WebSocket(`ws://${location.host}/api/kernels/${kernel}/channels`);
  await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
  const seen = [];
  ws.onmessage = (event) => { try { seen.push(JSON.parse(event.data).header.msg_type); } catch { seen.push("?"); } };
  const send = (type, content) => ws.send(JSON.stringify({
    header: {msg_id: crypto.randomUUID(), username: "x", session: crypto.randomUUID(), msg_type: type, version: "5.3",
             date: new Date().toISOString()},
    parent_header: {}, metadata: {}, content, channel: "shell", buffers: []}));
  send("execute_request", {code: `open(${JSON.stringify(marker)}, "w").write("ran")`, silent: false,
                           store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true});
  send("kernel_info_request", {});
  await new Promise((done) => setTimeout(done, 3000));
  ws.close();
  return seen;
}"""


def test_the_browser_cannot_execute_code_in_the_kernel(page, voila_url, tmp_path):
    open_app(page, voila_url, "roi")
    marker = tmp_path / "executed"
    seen = page.evaluate(EXECUTE, [str(marker)])
    assert "kernel_info_reply" in seen, f"the websocket works for allowed messages: {seen}"
    assert "execute_reply" not in seen and "execute_input" not in seen
    assert not marker.exists(), "the kernel ran code sent by the browser"


@pytest.mark.slow
def test_the_cap_shows_a_polite_page_and_a_closed_page_frees_its_place(browser, tmp_path):
    folder = tmp_path / "dashboards"
    folder.mkdir()
    shutil.copy(DASHBOARDS / "course-overview.ipynb", folder)
    port = free_port()
    server = start_dashboards(port, tmp_path / "voila.log", folder=folder, pool_size=0, max_kernels=1)
    url = f"{dashboards_url(port)}voila/render/course-overview.ipynb"
    first, second = browser.new_context(), browser.new_context()
    try:
        one = first.new_page()
        one.goto(url, wait_until="commit")
        one.locator("table.smtk-table").wait_for(timeout=60_000)
        two = second.new_page()
        response = two.goto(url)
        assert response.status == 503 and response.headers["retry-after"] == "30"
        assert "The dashboards are busy right now" in two.inner_text("body")
        assert "takes 1 person at once" in two.inner_text("body")
        assert readiness(dashboards_url(port))["visitors"] == 1
        one.close(run_before_unload=True)  # the page's beacon stops its kernel: the place is free again
        assert wait_for_no_visitors(dashboards_url(port)) == 0
        response = two.goto(url, wait_until="commit")
        two.locator("table.smtk-table").wait_for(timeout=60_000)
        assert response.status == 200
    finally:
        first.close()
        second.close()
        server.stop()


def serve_one_notebook(tmp_path: Path, code: str, **options):
    """`smtk dashboards` serving a folder with one notebook of `code` (no pool: each visit runs it), with `options`
    of `start_dashboards`: (server, url)."""
    folder = tmp_path / "dashboards"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "app.ipynb")
    port = free_port()
    server = start_dashboards(port, tmp_path / "voila.log", folder=folder, pool_size=0, **options)
    return server, f"{dashboards_url(port)}voila/render/app.ipynb"


def test_a_widget_the_light_front_end_lacks_leaves_the_rest_of_the_app_usable(browser, tmp_path):
    code = (
        "import ipywidgets as w\n"
        "display(w.Output())\n"  # @jupyter-widgets/output is not in graders/serving/frontend's bundle
        "w.IntSlider(value=7, description='Still here').add_class('smtk-still')"
    )
    server, url = serve_one_notebook(tmp_path, code)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.locator(".smtk-still .noUi-handle").wait_for(timeout=60_000)
        # ipywidgets' own error widget stands in for the Output widget; the slider after it works
        assert page.locator(".jupyter-widgets-error-widget").count() == 1
        page.focus(".smtk-still .noUi-handle")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.smtk-still .widget-readout').innerText === '8'")
        assert "could not connect" not in page.inner_text("body")
    finally:
        context.close()
        server.stop()


SLIDER_APP = "import ipywidgets as w\nw.IntSlider(value=3).add_class('smtk-here')"


@contextlib.contextmanager
def slider_app(browser, tmp_path: Path, through_relay: bool = False):
    """A one-slider app on a server of its own, open in a fresh page once the slider shows, reached directly or
    through a `Relay` whose connections the test can cut: (page, server, relay or None)."""
    server, url = serve_one_notebook(tmp_path, SLIDER_APP)
    relay = Relay(urllib.parse.urlsplit(url).port) if through_relay else None
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url.replace(f":{relay.target}/", f":{relay.port}/") if relay else url, wait_until="commit")
        page.locator(".smtk-here .noUi-handle").wait_for(timeout=60_000)
        yield page, server, relay
    finally:
        context.close()
        if relay:
            relay.close()
        server.stop()


def test_a_page_whose_server_goes_away_says_so_over_the_app(browser, tmp_path):
    """Voilà removes the loading text once the app shows; a lost connection must still reach the visitor, or the
    app sits there without answering."""
    with slider_app(browser, tmp_path) as (page, server, _):
        assert page.locator("#smtk-notice").count() == 0, "no notice while all is well"
        server.stop()
        notice = page.locator("#smtk-notice[role=alert]")
        notice.wait_for(timeout=30_000)
        assert "connection to the server was lost; trying to reconnect" in notice.inner_text()
        assert page.locator(".smtk-here .noUi-handle").is_visible(), "the app stays on screen under the notice"


def test_a_page_whose_kernel_died_says_so(browser, tmp_path):
    """The server revives a kernel that died, empty: the app on screen no longer answers, and must say so."""
    with slider_app(browser, tmp_path) as (page, _, _):
        kernel_id = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
        (pid,) = processes_with(f"kernel-{kernel_id}.json")
        os.kill(pid, signal.SIGKILL)
        notice = page.locator("#smtk-notice[role=alert]")
        notice.wait_for(timeout=60_000)
        assert "stopped, and what it held was lost. Reload the page" in notice.inner_text()


def test_the_notice_goes_away_when_the_connection_is_back(browser, tmp_path):
    """A network drop under an open app: the notice says it is reconnecting, then goes, and the app answers again."""
    with slider_app(browser, tmp_path, through_relay=True) as (page, _, relay):
        assert relay.cut(down_for=2.5) >= 2, "the page's websocket was among the connections cut"
        notice = page.locator("#smtk-notice")
        notice.wait_for(timeout=30_000)
        assert "trying to reconnect" in notice.inner_text()
        notice.wait_for(state="detached", timeout=90_000)  # jupyterlab's reconnect backs off: 1, 3, 7, 15 s at most
        page.focus(".smtk-here .noUi-handle")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.smtk-here .widget-readout').innerText === '4'")


def test_an_open_page_keeps_its_kernel_past_the_grace_and_a_browser_that_quit_frees_its_place(browser, tmp_path):
    """The light front end's websocket is what keeps a kernel: a link preview's kernel (the page read, never
    connected) is stopped after --disconnect-grace, the open page sent before it keeps its kernel and still answers,
    and a browser that quits without closing the tab (no unload handler, so no shutdown beacon) frees its place."""
    server, url = serve_one_notebook(tmp_path, SLIDER_APP, disconnect_grace=3)
    base = url.split("voila/render/")[0]
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.locator(".smtk-here .noUi-handle").wait_for(timeout=60_000)
        opened = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
        with urllib.request.urlopen(url, timeout=120) as response:
            preview = kernel_id(response.read().decode())
        assert settle(lambda: not kernel_listed(base, preview), timeout=60), "the preview's kernel is stopped"
        assert kernel_listed(base, opened), "the open page's kernel is not"
        page.focus(".smtk-here .noUi-handle")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.smtk-here .widget-readout').innerText === '4'")
        state = readiness(base)
        assert (state["visitors"], state["connected"]) == (1, 1)
        context.close()  # Playwright closes its pages without their unload handlers: a browser that quit
        assert wait_for_no_visitors(base, timeout=60) == 0
        assert f"stopping kernel {opened}: its page lost its connection and did not come back" in server.log.read_text()
    finally:
        context.close()
        server.stop()


# A kernel that takes 5 s to send the widgets' state once the page asks for it, as on a machine under load:
# ipywidgets gives it 4 s, then falls back to asking widget by widget (each answer as slow); the page must still work.
SLOW_STATE = """
import time
import ipywidgets as w
from traitlets import Unicode

asked = []

def slowly(value, widget):
    asked.append(value)
    if len(asked) > 1:  # the first call is the widget's creation; later ones answer the page
        time.sleep(5)
    return value

class SlowToSend(w.HTML):
    value = Unicode().tag(sync=True, to_json=slowly)

display(SlowToSend(value="<p class='smtk-slow'>here</p>"))
w.IntSlider(value=3, description='After').add_class('smtk-after')
"""


def test_a_kernel_slow_to_send_the_widgets_still_gets_a_working_page(browser, tmp_path):
    server, url = serve_one_notebook(tmp_path, SLOW_STATE)
    context = browser.new_context()
    try:
        page = context.new_page()
        problems = watch(page)
        page.goto(url, wait_until="commit")
        page.locator(".smtk-after .noUi-handle").wait_for(timeout=60_000)
        assert page.locator(".smtk-slow").inner_text() == "here"
        page.focus(".smtk-after .noUi-handle")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.smtk-after .widget-readout').innerText === '4'")
        assert problems == []
    finally:
        context.close()
        server.stop()
