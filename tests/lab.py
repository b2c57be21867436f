"""Driving a real JupyterLab in Chromium from tests."""

from __future__ import annotations

import re

# The status bar names the kernel and its state, e.g. "Social Media Training (Python 3) | Idle". The notebook's
# execution indicator already reads "idle" while there is no kernel at all, and a Run All sent then runs nothing.
KERNEL_IDLE = re.compile(r"^(?!No Kernel).+ \| Idle$")
# Some cell queued or run: its prompt shows [*] or a number instead of [ ], or (every code cell's input hidden, so no
# prompt is shown) some cell has an output.
STARTED = (
    "() => [...document.querySelectorAll('.jp-InputArea-prompt')].some(p => /[*0-9]/.test(p.textContent))"
    " || document.querySelector('.jp-CodeCell .jp-OutputArea-child') !== null"
)


def run_all_cells(page, url: str, timeout_ms: float = 90_000) -> None:
    """Open the notebook at `url` and run every cell once its kernel is connected and idle. A Run All that
    JupyterLab drops while the kernel's websocket settles (no cell queued within 30 s) is sent once more; one that
    started is never sent twice, since a second run would rebuild the widgets under the test."""
    page.goto(url, wait_until="commit")
    page.locator(".jp-Notebook").wait_for()
    page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE).wait_for(timeout=timeout_ms)
    for attempt in range(2):
        # the first cell's prompt: clicking a code cell whose input is hidden would show its code
        page.locator(".jp-Cell .jp-InputArea-prompt").first.click()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_function(STARTED, timeout=30_000)
            return
        except Exception:
            if attempt:
                raise
