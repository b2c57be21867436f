"""Driving a real JupyterLab in Chromium from tests."""

from __future__ import annotations

import re

# The status bar names the kernel and its state, e.g. "Social Media Training (Python 3) | Idle". The notebook's
# execution indicator already reads "idle" while there is no kernel at all, and a Run All sent then runs nothing.
KERNEL_IDLE = re.compile(r"^(?!No Kernel).+ \| Idle$")
# Some cell queued or run: its prompt shows [*] or a number instead of [ ].
STARTED = "() => [...document.querySelectorAll('.jp-InputArea-prompt')].some(p => /[*0-9]/.test(p.textContent))"


def run_all_cells(page, url: str, timeout_ms: float = 90_000) -> None:
    """Open the notebook at `url` and run every cell once its kernel is connected and idle. A Run All that
    JupyterLab drops while the kernel's websocket settles (no cell queued within 30 s) is sent once more; one that
    started is never sent twice, since a second run would rebuild the widgets under the test."""
    page.goto(url, wait_until="commit")
    page.locator(".jp-Notebook").wait_for()
    page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE).wait_for(timeout=timeout_ms)
    for attempt in range(2):
        page.locator(".jp-CodeCell").first.click()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_function(STARTED, timeout=30_000)
            return
        except Exception:
            if attempt:
                raise
