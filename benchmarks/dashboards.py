"""Benchmark of the executive apps: time to interactive in headless Chromium, `smtk dashboards` against stock
`voila` twice, with its defaults and with the same preheated kernels smtk asks for (`--preheat_kernel=True`, the same
pool size and fill delay, taken from smtk's own command line), all started and measured in this run; and the time
from an input change to updated figures. `ratio` is stock with its defaults over smtk, `ratio_preheated` stock
preheated over smtk: the part of the gain that preheating alone does not give.

Time to interactive: from navigation start to the moment the app's headline, its inputs and its first chart are on
screen (which needs the kernel connected and the widgets' state received), in a fresh browser context each time
(an executive's first visit: nothing cached). The servers take turns, each going first in turn, so all see the same
machine load. Before every load both preheating servers' pools must be warm again (their /smtk/ready answers 200;
stock Voilà has no such page, so the benchmark starts it with one read-only handler added that reports its pools):
the situation of an executive arriving, not of a burst of visitors (after a burst the next visitors get cold kernels,
as stock Voilà with its defaults gives everyone), and no server's load is timed while another refills its pool.
Every load's headline is kept: a server whose page shows a different headline for an app than smtk's (not the same
app, or not the same figures) makes the benchmark exit 1.

Floor: the same measurement of a notebook holding only a headline, one slider and one small chart, served the smtk
way: what the page's front end costs on this machine whatever the app does. (With Voilà's own front end, about
5 MB of JavaScript in some 90 files, this floor was 1.96 s here; smtk's light front end, graders/serving/frontend, is
about 1 MB in one file.)

Update: on one smtk page, an arrow key on a coverage slider changes one input; the time runs from the keydown to
the last of the app's chart images having loaded its new picture (the KPI cards are sent before the charts, so they
have changed too). Timing starts once the pool has replaced the kernel this page took: that refill runs the
notebook in a new kernel, which on a real deployment happens on the server, not on the executive's laptop, but here
shares the two cores with the browser.

Goal (issue 5): interactive in <= 1 s, >= 3x faster than stock, updates p95 <= 100 ms. Prints one line per app and,
last, one JSON object. Usage: python benchmarks/dashboards.py [--loads 5] [--updates 40]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from statistics import median

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from graders.paths import DASHBOARDS  # noqa: E402
from graders.serving.dashboards import dashboards_command, dashboards_url, start_dashboards  # noqa: E402
from graders.serving.servers import HOST, Server, start  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SERVE_STOCK_PROBED = "--serve-stock-voila-with-probe"  # how this script runs itself as the preheating stock server
# smtk's options that make Voilà preheat kernels: stock Voilà's own options, given the same values as smtk's.
PREHEAT_OPTIONS = ("--preheat_kernel=", "--pool_size=", "--VoilaKernelManager.fill_delay=")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
APPS = {
    "roi": {"charts": ["img.smtk-band", "img.smtk-tornado"], "slider": ".smtk-coverage-employees .noUi-handle"},
    "benchmark": {
        "charts": ["img.smtk-radar", "img.smtk-percentiles"],
        "slider": ".smtk-coverage-employees .noUi-handle",
    },
}
FLOOR = {"charts": ["img.smtk-band"], "slider": ".smtk-coverage-employees .noUi-handle"}
FLOOR_CODE = """import ipywidgets as w

chart = b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="200"><rect width="320" height="120"/></svg>'
w.VBox([
    w.HTML("<h2>Floor</h2>").add_class("smtk-headline"),
    w.IntSlider(value=50).add_class("smtk-coverage-employees"),
    w.Image(value=chart, format="svg+xml").add_class("smtk-band"),
])"""
SPECS = {**APPS, "floor": FLOOR}  # what each page shows once usable; only APPS are compared with stock Voilà
INTERACTIVE = """([charts, slider]) => {
  const headline = document.querySelector(".smtk-headline h2");
  const ready = (s) => { const img = document.querySelector(s); return img && img.complete && img.naturalWidth > 0; };
  return headline && document.querySelector(slider) && ready(charts[0])
    ? {at: performance.now(), headline: headline.textContent.trim()} : false;
}"""
ARM_UPDATE = """([charts]) => {
  const imgs = charts.map((s) => document.querySelector(s));
  const before = imgs.map((img) => img.src);
  window.__smtkUpdate = new Promise((resolve) => {
    let start = null;
    document.addEventListener("keydown", () => { start = performance.now(); }, {capture: true, once: true});
    const check = () => {
      if (start !== null && imgs.every((img, i) => img.src !== before[i] && img.complete && img.naturalWidth > 0)) {
        resolve(performance.now() - start);
      } else {
        requestAnimationFrame(check);
      }
    };
    requestAnimationFrame(check);
  });
}"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def stock_voila(port: int, log: Path) -> Server:
    """Voilà with its defaults, only told where to listen and not to open a browser."""
    command = [sys.executable, "-m", "voila", str(DASHBOARDS), "--no-browser", f"--Voila.ip={HOST}", f"--port={port}"]
    server = start("stock Voilà", command, DASHBOARDS, dashboards_url(port), log)
    server.wait_ready(timeout=120)
    return server


def preheat_options() -> list[str]:
    """The preheating options on smtk's own Voilà command line (so they cannot drift from what smtk passes)."""
    options = [arg for arg in dashboards_command() if arg.startswith(PREHEAT_OPTIONS)]
    if len(options) != len(PREHEAT_OPTIONS) or "--preheat_kernel=True" not in options:
        raise RuntimeError(f"smtk's command line no longer preheats as expected: {options}")
    return options


def stock_voila_preheated(port: int, log: Path) -> Server:
    """Stock Voilà with smtk's preheating options, and /smtk/ready to wait on, once every pool is warm."""
    command = [sys.executable, __file__, SERVE_STOCK_PROBED, str(DASHBOARDS), "--no-browser", f"--Voila.ip={HOST}",
               f"--port={port}", *preheat_options()]  # fmt: skip
    server = start("stock Voilà, preheated", command, DASHBOARDS, f"{dashboards_url(port)}smtk/ready", log)
    server.wait_ready(timeout=180)
    return server


def serve_stock_with_probe(argv: list[str]) -> None:
    """Run stock Voilà (its app, handlers, template and front end) with one handler added, /smtk/ready, which only
    reads its preheated pools (200 once every kernel has run its notebook), so its warm state can be waited for."""
    import tornado.web
    from jupyter_server.utils import url_path_join
    from voila.app import Voila

    from graders.serving.pools import pooled_kernels

    class Ready(tornado.web.RequestHandler):
        def get(self) -> None:
            _, starting, warm = pooled_kernels(self.settings["kernel_manager"])
            self.set_status(200 if warm else 503)
            self.finish({"ready": warm, "starting": starting})

    class ProbedVoila(Voila):
        def init_handlers(self) -> list:
            return [(url_path_join(self.server_url, "/smtk/ready"), Ready), *super().init_handlers()]

    ProbedVoila.launch_instance(argv)


def wait_warm(url: str, timeout: float = 120) -> None:
    """Until every preheated kernel of the smtk server is ready again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}smtk/ready", timeout=10):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not refill its kernel pool within {timeout:.0f} s")


def floor_folder(home: Path) -> Path:
    """A folder holding the floor notebook: a headline, a slider and a chart, nothing else."""
    import nbformat

    folder = home / "floor"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_CODE)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "floor.ipynb")
    return folder


def time_to_interactive(browser, url: str, app: str) -> tuple[float, str]:
    """Seconds from navigation start to the app being usable, in a fresh browser context, and its headline."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{url}voila/render/{app}.ipynb", wait_until="commit", timeout=120_000)
        spec = SPECS[app]
        handle = page.wait_for_function(
            INTERACTIVE, arg=[spec["charts"], spec["slider"]], polling="raf", timeout=120_000
        )
        shown = handle.json_value()
        return shown["at"] / 1000, shown["headline"]
    finally:
        page.close(run_before_unload=True)  # Voilà's page stops its kernel (smtk's does; stock's beacon is refused)
        context.close()


def update_times(browser, url: str, app: str, changes: int) -> list[float]:
    """Milliseconds from a keypress on a slider to every chart showing its new picture."""
    spec = APPS[app]
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{url}voila/render/{app}.ipynb", wait_until="commit", timeout=120_000)
        page.wait_for_function(INTERACTIVE, arg=[spec["charts"], spec["slider"]], polling="raf", timeout=120_000)
        wait_warm(url)  # the pool has replaced this page's kernel (see the module docstring)
        page.wait_for_timeout(500)  # let the first render's messages settle
        times = []
        for i in range(changes):
            page.evaluate(ARM_UPDATE, [spec["charts"]])
            page.focus(spec["slider"])
            page.keyboard.press("ArrowLeft" if i % 2 == 0 else "ArrowRight")
            times.append(page.evaluate("window.__smtkUpdate"))
            page.wait_for_timeout(200)
        return times
    finally:
        page.close(run_before_unload=True)
        context.close()


def measure(loads: int = 5, changes: int = 40) -> dict:
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="smtk-bench-"))
    for var in ("IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "MPLCONFIGDIR"):
        (home / var).mkdir()
        os.environ[var] = str(home / var)
    ports = {name: free_port() for name in ("smtk", "stock", "stock_preheated", "floor")}
    urls = {name: dashboards_url(port) for name, port in ports.items()}
    servers: list[Server] = [start_dashboards(ports["smtk"], home / "smtk.log")]
    try:
        servers.append(stock_voila(ports["stock"], home / "stock.log"))
        servers.append(stock_voila_preheated(ports["stock_preheated"], home / "stock-preheated.log"))
        servers.append(start_dashboards(ports["floor"], home / "floor.log", folder=floor_folder(home)))
        compared = ("smtk", "stock", "stock_preheated")
        preheating = ("smtk", "stock_preheated")
        result, mismatches = {}, []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            try:
                for app in APPS:
                    tti: dict[str, list[float]] = {name: [] for name in compared}
                    headlines: dict[str, set[str]] = {name: set() for name in compared}
                    for i in range(loads):
                        for name in compared[i % 3 :] + compared[: i % 3]:  # each server goes first in turn
                            for warm in preheating:
                                wait_warm(urls[warm])
                            seconds, headline = time_to_interactive(browser, urls[name], app)
                            tti[name].append(seconds)
                            headlines[name].add(headline)
                    for name in compared[1:]:
                        if headlines[name] != headlines["smtk"]:
                            mismatches.append(f"{app}: {name} showed {sorted(headlines[name])}, "
                                              f"smtk {sorted(headlines['smtk'])}")  # fmt: skip
                    wait_warm(urls["smtk"])
                    updates = update_times(browser, urls["smtk"], app, changes)
                    smtk_s, stock_s, preheated_s = (median(tti[name]) for name in compared)
                    result[app] = {
                        "tti_s_smtk": round(smtk_s, 3),
                        "tti_s_stock": round(stock_s, 3),
                        "ratio": round(stock_s / smtk_s, 2),
                        "tti_s_stock_preheated": round(preheated_s, 3),
                        "ratio_preheated": round(preheated_s / smtk_s, 2),
                        "update_ms_p50": round(float(np.percentile(updates, 50)), 1),
                        "update_ms_p95": round(float(np.percentile(updates, 95)), 1),
                    }
                    print(
                        f"{app}: time to interactive, median of {loads} fresh-browser loads: smtk {smtk_s:.2f} s "
                        f"(all {', '.join(f'{t:.2f}' for t in tti['smtk'])}), stock {stock_s:.2f} s "
                        f"(all {', '.join(f'{t:.2f}' for t in tti['stock'])}), stock preheated {preheated_s:.2f} s "
                        f"(all {', '.join(f'{t:.2f}' for t in tti['stock_preheated'])}); stock/smtk "
                        f"{stock_s / smtk_s:.2f}x, stock preheated/smtk {preheated_s / smtk_s:.2f}x; "
                        f"input -> updated charts over {changes} changes: p50 {result[app]['update_ms_p50']} ms, "
                        f"p95 {result[app]['update_ms_p95']} ms",
                        flush=True,
                    )
                floor_tti = []
                for _ in range(loads):
                    wait_warm(urls["floor"])
                    floor_tti.append(time_to_interactive(browser, urls["floor"], "floor")[0])
                print(
                    f"floor (headline, slider and chart only, served the smtk way): median {median(floor_tti):.2f} s "
                    f"(all {', '.join(f'{t:.2f}' for t in floor_tti)})",
                    flush=True,
                )
            finally:
                browser.close()
        return {
            "apps": result,
            "floor_tti_s": round(median(floor_tti), 3),
            "loads": loads,
            "updates": changes,
            "load_average": os.getloadavg()[0],
            "mismatches": mismatches,
        }
    finally:
        for server in servers:
            server.stop()


def main() -> None:
    if sys.argv[1:2] == [SERVE_STOCK_PROBED]:
        serve_stock_with_probe(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="fresh-browser loads per app and server (default 5)")
    parser.add_argument("--updates", type=int, default=40, help="input changes timed per app (default 40)")
    args = parser.parse_args()
    result = measure(args.loads, args.updates)
    print(json.dumps(result))
    if result["mismatches"]:
        sys.exit("the servers showed different apps:\n" + "\n".join(result["mismatches"]))


if __name__ == "__main__":
    main()
