"""Which kernel serves a page, and when its page last had a connection to it.

Voilà starts a visitor's kernel (when no preheated one is free) and runs the notebook in a task of its own; when the
kernel dies before it answers, that task fails and Voilà never hears of it: the page gets a heartbeat every 10 s and
spins for ever (voila-dashboards/voila#1311). The same happens when the kernel died once and the restarter started it
again (its first start lost a port to another process, say): the task waits for a reply from the dead one.
`VisitKernelManager` notes in the visit the kernel a page's request starts, or takes from a pool of preheated
kernels, and which kernels were restarted; `graders.serving.voila_app` checks it at each heartbeat and ends the page
with a message once the kernel is gone or was restarted, and `graders.serving.admission` holds the visitor's place
on it.

jupyter_server counts the websocket connections of each kernel (`notify_connect`, `notify_disconnect`); the manager
also notes when a kernel last had one, so that a kernel whose page never connected, or whose connection dropped and
did not come back, can be stopped after a short grace (`graders.serving.admission`).
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from dataclasses import dataclass

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager


@dataclass(eq=False)
class Visit:
    """One visitor's page: the request's task, the kernel serving it (None until it has one: started for it, or
    taken from a pool), and when the page was sent (None while it is being rendered)."""

    task: asyncio.Task | None
    kernel_id: str | None = None
    rendered_at: float | None = None


VISIT: contextvars.ContextVar[Visit | None] = contextvars.ContextVar("smtk_visit", default=None)


def begin_visit() -> Visit:
    """Mark the current task as rendering a page; the kernel it starts or takes from now on is noted in the visit."""
    visit = Visit(task=asyncio.current_task())
    VISIT.set(visit)
    return visit


def _note_kernel(kernel_id: str) -> None:
    """Note `kernel_id` in the current task's visit, when the task is the page's request and has no kernel yet."""
    visit = VISIT.get()
    if visit is not None and visit.task is asyncio.current_task() and visit.kernel_id is None:
        visit.kernel_id = kernel_id


class VisitKernelManager(AsyncMappingKernelManager):
    """Jupyter server's kernel manager, noting in the current visit the kernel a page's own request starts or takes
    from a pool, and when each kernel last had a websocket connection.

    Only a start made by the request's task counts: a pool refill the request sets off runs in a task of its own
    (its context, copied from the request's, holds the same visit)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.last_connected: dict[str, float] = {}  # kernel id -> when it last had a connection (monotonic clock)
        # kernels that died and were started again by the restarter: a page being rendered on one waits for ever
        self.restarted: set[str] = set()
        # Voilà hands out a preheated kernel in get_rendered_notebook, a method of the class it builds over this one
        # (voila.voila_kernel_manager), which no method here can override: wrap it on the instance.
        if (take := getattr(self, "get_rendered_notebook", None)) is not None:

            async def get_rendered_notebook(*args, **kwargs):
                render_task, rendered_cache, kernel_id = await take(*args, **kwargs)
                _note_kernel(kernel_id)
                return render_task, rendered_cache, kernel_id

            self.get_rendered_notebook = get_rendered_notebook

    async def start_kernel(self, *args, **kwargs) -> str:
        kernel_id = await super().start_kernel(*args, **kwargs)
        _note_kernel(kernel_id)
        self.add_restart_callback(kernel_id, lambda: self.restarted.add(kernel_id), "restart")
        return kernel_id

    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        self.last_connected[kernel_id] = time.monotonic()

    def notify_disconnect(self, kernel_id: str) -> None:
        super().notify_disconnect(kernel_id)
        self.last_connected[kernel_id] = time.monotonic()

    def connections(self, kernel_id: str) -> int:
        """Open websocket connections to the kernel (pages showing its app)."""
        return self._kernel_connections.get(kernel_id, 0)

    def forget_stopped(self) -> None:
        """Drop what is noted of kernels that are gone."""
        for kernel_id in [k for k in self.last_connected if k not in self]:
            del self.last_connected[kernel_id]
        self.restarted &= set(self.list_kernel_ids())
