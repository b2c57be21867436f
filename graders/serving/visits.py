"""Which kernel serves a page while Voilà renders it, so that `smtk dashboards` can end a page whose kernel died.

Voilà starts a visitor's kernel (when no preheated one is free) and runs the notebook in a task of its own; when the
kernel dies before it answers, that task fails and Voilà never hears of it: the page gets a heartbeat every 10 s and
spins for ever (voila-dashboards/voila#1311). `VisitKernelManager` notes the kernel a page's request starts;
`graders.serving.voila_app` checks it at each heartbeat and ends the page with a message once the kernel is gone.
"""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import dataclass

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager


@dataclass
class Visit:
    """One page being rendered: the request's task, and the kernel it started for itself (None with a warm one)."""

    task: asyncio.Task | None
    kernel_id: str | None = None


VISIT: contextvars.ContextVar[Visit | None] = contextvars.ContextVar("smtk_visit", default=None)


def begin_visit() -> Visit:
    """Mark the current task as rendering a page; kernels it starts from now on are noted in the visit."""
    visit = Visit(task=asyncio.current_task())
    VISIT.set(visit)
    return visit


class VisitKernelManager(AsyncMappingKernelManager):
    """Jupyter server's kernel manager, noting in the current visit the kernel a page's own request starts.

    Only a start made by the request's task counts: a pool refill the request sets off runs in a task of its own
    (its context, copied from the request's, holds the same visit)."""

    async def start_kernel(self, *args, **kwargs) -> str:
        kernel_id = await super().start_kernel(*args, **kwargs)
        visit = VISIT.get()
        if visit is not None and visit.task is asyncio.current_task() and visit.kernel_id is None:
            visit.kernel_id = kernel_id
        return kernel_id
