"""Voilà's pools of preheated kernels, as `smtk dashboards` reads and mends them.

Voilà starts a pool of kernels per notebook and runs the notebook in each, so a visitor gets a warm app at once. It
never replaces a pool slot that failed: a kernel that died at start (on a loaded machine, two kernels can race for
the same TCP port) leaves a slot whose notebook never ran, and the next visitor gets a broken page; a start that
raised leaves a slot that is never warm; a warm kernel that dies is revived by Voilà's restarter, empty, and the next
visitor gets a page that does not answer. `PoolMender` looks at the pools every second, drops failed slots, stops
whatever kernel they left running, and starts a replacement; after `max_failures` failures in a row for one notebook
it stops preheating that notebook (its visitors then get a kernel started for them, as with no pool) and says so.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
from dataclasses import dataclass, field


def pools(kernel_manager) -> dict[str, list[asyncio.Task]]:
    """Voilà's pools: notebook path -> the tasks that start and warm its preheated kernels (empty with no pool)."""
    return getattr(kernel_manager, "_pools", {})


def slot_failure(
    task: asyncio.Task, kernel_manager, restarted: frozenset[str] | set[str] = frozenset()
) -> tuple[str, str | None] | None:
    """Why a pool slot is of no use to a visitor, with the kernel it left running, or None while it is fine.
    `restarted`: kernels known to have died and been restarted by Voilà (running, but without the app)."""
    if not task.done():
        return None
    if task.cancelled():
        return "its start was cancelled", None
    if (error := task.exception()) is not None:
        return f"its kernel did not start ({type(error).__name__}: {error})", None
    item = task.result()
    kernel_id, render = item["kernel_id"], item["task"]
    if kernel_id not in kernel_manager:
        return "its kernel has stopped", None
    if kernel_id in restarted:
        return "its kernel died and was restarted, without the app", kernel_id
    if render.done() and render.cancelled():
        return "running the notebook was cancelled", kernel_id
    if render.done() and (error := render.exception()) is not None:
        return f"its kernel could not run the notebook ({type(error).__name__}: {error})", kernel_id
    return None


def waits_for_visitor(kernel_id: str) -> bool:
    """Whether a preheated kernel's notebook has run up to its wait for a visitor (`wait_for_request`, which opens
    Voilà's request-info socket): all it could do before anyone comes is done."""
    from voila.request_info_handler import RequestInfoSocketHandler

    return kernel_id in RequestInfoSocketHandler._waiters


def pooled_kernels(kernel_manager) -> tuple[set[str], int, bool]:
    """(ids of preheated kernels waiting in a pool, pool slots still starting, every pool warm: rendered, or run up
    to its wait for a visitor)."""
    ids: set[str] = set()
    starting = 0
    warm = True
    for pool in pools(kernel_manager).values():
        for task in pool:
            if not task.done():
                starting += 1
                warm = False
            elif slot_failure(task, kernel_manager) is not None:
                warm = False
            else:
                item = task.result()
                ids.add(item["kernel_id"])
                warm = warm and (item["task"].done() or waits_for_visitor(item["kernel_id"]))
    return ids, starting, warm


async def stop_kernel(kernel_manager, kernel_id: str, log: logging.Logger, restart_timeout: float = 60.0) -> None:
    """Stops a kernel for good, whatever state it is in. One that Voilà's restarter is reviving is stopped once each
    step of the restart is over: jupyter_client raises on a kernel stopped midway and leaves the restarted one
    running."""
    deadline = asyncio.get_running_loop().time() + restart_timeout
    while kernel_id in kernel_manager:
        ready = kernel_manager.get_kernel(kernel_id).ready
        if isinstance(ready, concurrent.futures.Future):
            ready = asyncio.wrap_future(ready)
        with contextlib.suppress(Exception):  # a step that failed or hangs: stop whatever is there
            await asyncio.wait_for(asyncio.shield(ready), max(deadline - asyncio.get_running_loop().time(), 0))
        try:
            await kernel_manager.shutdown_kernel(kernel_id, now=True)
        except (asyncio.InvalidStateError, concurrent.futures.InvalidStateError):
            if asyncio.get_running_loop().time() < deadline:
                continue  # the restart began its next step (starting the kernel again): wait for that one
            log.warning(
                "smtk: kernel %s was still restarting after %.0f s; it may be left running", kernel_id, restart_timeout
            )
            return
        except Exception as error:  # noqa: BLE001 - a kernel already gone is what we wanted
            log.info("smtk: kernel %s was already stopping (%s)", kernel_id, error)
        return


@dataclass
class PoolMender:
    """Replaces failed pool slots (see the module docstring); `mend` is called on the server's event loop."""

    kernel_manager: object
    log: logging.Logger
    max_failures: int = 3
    failures: dict[str, int] = field(default_factory=dict)
    given_up: set[str] = field(default_factory=set)
    stopping: set[asyncio.Future] = field(default_factory=set)
    watched: set[str] = field(default_factory=set)
    restarted: set[str] = field(default_factory=set)

    def watch(self, kernel_id: str) -> None:
        """Hear of it when Voilà's restarter revives this pooled kernel: the kernel then runs on but holds nothing
        of the app, and a visitor given it would get a page that does not answer."""
        if kernel_id in self.watched:
            return
        self.watched.add(kernel_id)
        self.kernel_manager.get_kernel(kernel_id).add_restart_callback(
            functools.partial(self.restarted.add, kernel_id), "restart"
        )

    async def mend(self) -> None:
        """One round: drop failed slots of every pool, refill those pools, stop the kernels the failed slots left.

        Only those pools: Voilà refills a visitor's pool after `fill_delay`, so that the new kernel does not slow
        their page. Refilled before any await, so that no request sees a pool short of its failed slot."""
        left_running, short = [], set()
        running = set(self.kernel_manager.list_kernel_ids())
        self.watched &= running
        self.restarted &= running
        for notebook, pool in pools(self.kernel_manager).items():
            for task in list(pool):
                if (failure := slot_failure(task, self.kernel_manager, self.restarted)) is None:
                    if task.done():
                        self.watch(task.result()["kernel_id"])
                        if task.result()["task"].done():
                            self.failures[notebook] = 0
                    continue
                # every failed slot leaves every pool before any kernel stops: Voilà's shutdown_kernel reads
                # each slot's result and would raise on one that failed
                pool.remove(task)
                short.add(notebook)
                why, kernel_id = failure
                self.failures[notebook] = self.failures.get(notebook, 0) + 1
                self.log.warning("smtk: a preheated kernel for %s failed: %s", notebook, why)
                if kernel_id is not None:
                    left_running.append(kernel_id)
        for notebook in short - self.given_up:
            if self.failures.get(notebook, 0) >= self.max_failures:
                self.given_up.add(notebook)
                self.log.error(
                    "smtk: preheated kernels for %s failed %s times in a row; no longer preheating it: each visitor "
                    "gets a kernel started for them (a few seconds slower). Check that its kernel starts: "
                    "the warnings above say how it failed",
                    notebook,
                    self.max_failures,
                )
                continue
            self.log.info("smtk: starting a preheated kernel for %s in place of the failed one", notebook)
            self.kernel_manager.fill_if_needed(delay=0, notebook_name=notebook)
        for kernel_id in left_running:
            # in tasks of their own: a stop may wait for a restart, and the next round must not wait for it
            stopping = asyncio.ensure_future(stop_kernel(self.kernel_manager, kernel_id, self.log))
            self.stopping.add(stopping)
            stopping.add_done_callback(self.stopping.discard)
