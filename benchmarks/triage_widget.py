"""Decision latency of the triage inbox: one click on a route button until the reach chart shows the new state.

Measured on the real widget: in the kernel (the button's handler: desk clock, spread simulation, chart, status and
queue), once with the chart updated in place and once with the stock way, a fresh matplotlib figure per update;
and end to end in Chromium under Voilà (click -> new chart image in the page). Used by sim_triage.measure().
"""

from __future__ import annotations

import io
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from simulations.profile.org import org_parameters  # noqa: E402
from simulations.ui.lessons.inbox import Inbox  # noqa: E402
from simulations.ui.render.reach_chart import NOBODY, YOURS, ReachChart, people  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
# Click a button, resolve when the chart image's src changes (or after 10 s with -1): milliseconds in the page.
CLICK_JS = """async ([label, selector]) => {
  const img = document.querySelector(selector);
  const before = img.getAttribute('src');
  const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === label);
  const start = performance.now();
  const changed = new Promise(resolve => {
    const watch = new MutationObserver(() => {
      if (img.getAttribute('src') !== before) { watch.disconnect(); resolve(performance.now() - start); }
    });
    watch.observe(img, {attributes: true});
    setTimeout(() => { watch.disconnect(); resolve(-1); }, 10000);
  });
  button.click();
  return await changed;
}"""


class FreshFigureChart(ReachChart):
    """The stock way to show new data: build and render a new figure with the same content on every update."""

    def update(self, hours: np.ndarray, reach: np.ndarray, nobody: np.ndarray, clock_h: float) -> None:
        figure = Figure(figsize=(7.0, 2.6), dpi=90, layout="constrained")
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
        split = int(np.searchsorted(hours, clock_h, side="right"))
        ax.axvspan(0, self.shift_h, color="#e4e9f0", zorder=0, label="your shift")
        ax.plot(hours, nobody, color=NOBODY, lw=1.2, label="if nobody answers")
        ax.plot(hours[:split], reach[:split], color=YOURS, lw=2.2, label="your decisions so far")
        ax.plot(hours[split - 1 :], reach[split - 1 :], color=YOURS, lw=1.2, ls="--", label="if nothing more is done")
        ax.axvline(clock_h, color="#1f2937", lw=0.9)
        ax.set_xlim(0, self.horizon_h)
        ax.set_ylim(0, max(float(nobody.max()), 1.0) * 1.08)
        ax.set_xlabel("hours from the start of the shift")
        ax.set_ylabel("people reached")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: people(v)))
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="lower right", fontsize="small", frameon=False)
        buffer = io.BytesIO()
        figure.canvas.print_png(buffer)
        self.image.value = buffer.getvalue()


def kernel_decision_ms(
    scenario: str = "defect-viral", seed: int = 5, clicks: int = 60, fresh: bool = False
) -> np.ndarray:
    """Milliseconds per click of the recommended route's button on a real Inbox, for `clicks` decisions."""
    inbox = Inbox.for_org(org_parameters(None), scenario, seed=seed)
    if fresh:
        inbox.chart = FreshFigureChart(inbox.stream.horizon_s / 3600.0, inbox.stream.shift_s / 3600.0)
    routes = inbox.stream.posts["route"].astype(str).to_numpy()
    times = []
    for _ in range(clicks):
        if inbox.played:
            break
        button = inbox.buttons[routes[int(inbox.queue.value)]]
        start = time.perf_counter()
        button.click()
        times.append((time.perf_counter() - start) * 1000.0)
    return np.array(times)


def browser_decision_ms(clicks: int = 20, timeout_s: float = 240.0) -> np.ndarray:
    """Milliseconds from a click in Chromium to the new chart image, on the drill dashboard under a real Voilà."""
    from playwright.sync_api import sync_playwright

    from graders.serving.dashboards import dashboards_url, start_dashboards
    from graders.serving.servers import HOST

    home = Path(tempfile.mkdtemp(prefix="smtk-bench-"))
    env = dict(os.environ)
    for var in ("IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "MPLCONFIGDIR"):
        (home / var).mkdir()
        env[var] = str(home / var)
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    url = dashboards_url(port)
    server = start_dashboards(port, home / "voila.log", env=env)  # served as `smtk dashboards` serves it
    deadline = time.monotonic() + timeout_s
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
            try:
                page = browser.new_page()
                page.set_default_timeout(90_000)
                page.goto(f"{url}voila/render/triage-drill.ipynb", wait_until="commit")
                page.locator("img.smtk-reach-chart").wait_for()
                times = []
                for i in range(clicks + 2):  # the first two warm up the kernel's and the page's code paths
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"browser benchmark ran past {timeout_s:.0f} s")
                    ms = page.evaluate(CLICK_JS, ["Fix the facts", "img.smtk-reach-chart"])
                    if ms < 0:
                        raise TimeoutError("a click did not update the chart within 10 s")
                    if i >= 2:
                        times.append(ms)
                return np.array(times)
            finally:
                browser.close()
    finally:
        server.stop()


def percentiles(times: np.ndarray) -> tuple[float, float]:
    return round(float(np.percentile(times, 50)), 1), round(float(np.percentile(times, 95)), 1)


if __name__ == "__main__":
    print("kernel, in place:", percentiles(kernel_decision_ms()))
    print("kernel, fresh figure:", percentiles(kernel_decision_ms(fresh=True)))
    print("browser:", percentiles(browser_decision_ms()))
