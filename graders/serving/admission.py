"""Places for visitors on `smtk dashboards`: how many pages may hold a kernel at once, and when a place is free again.

- A place is taken when a page's request is admitted, in the same step as the count is read (no await between), so
  a burst of requests in one instant cannot all get in: the cap is exact. The place is held by the request until it
  has a kernel (started for it or taken from a pool), then by that kernel; it is free again when the request failed
  without a kernel, or when its kernel is gone (the page was closed, the kernel was stopped or died).
- A kernel holds its place only while a page can use it: once its page has been sent, a kernel whose page never
  opened its websocket (a link preview, curl, a bot) or whose connection dropped and did not come back (a browser
  that quit without closing the tab) is stopped after `grace` seconds (0: never; jupyter_server's idle culler still
  stops it after its longer timeout). A kernel with a page connected is never stopped here; the idle culler, with
  `cull_connected` False, spares it too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from graders.serving.pools import stop_kernel
from graders.serving.visits import Visit


@dataclass
class Admission:
    """The places of one server (see the module docstring). `sweep` is called every second on the event loop."""

    kernel_manager: object  # a graders.serving.visits.VisitKernelManager
    log: logging.Logger
    cap: int = 0  # most places; 0: no cap
    grace: float = 0  # seconds a visitor's kernel may wait for its page to connect, or to reconnect; 0: for ever
    visits: list[Visit] = field(default_factory=list)
    ending: set[str] = field(default_factory=set)  # kernels being stopped for having no page
    stopping: set[asyncio.Future] = field(default_factory=set)

    def admit(self, visit: Visit) -> bool:
        """Give the visit a place if one is free (synchronously: see the module docstring)."""
        if self.cap and self.taken() >= self.cap:
            return False
        self.visits.append(visit)
        return True

    def rendered(self, visit: Visit) -> None:
        """The visit's page is sent (or failed): without a kernel its place is free again; with one, the grace for
        its page to connect begins."""
        visit.rendered_at = time.monotonic()
        if visit.kernel_id is None:
            self.visits.remove(visit)

    def taken(self) -> int:
        """Places taken: requests being served, and kernels serving a visitor."""
        self.visits = [v for v in self.visits if v.kernel_id is None or v.kernel_id in self.kernel_manager]
        return len(self.visits)

    def state(self) -> dict[str, int | float]:
        """What /smtk/ready reports of the places."""
        manager = self.kernel_manager
        taken = self.taken()
        rendering = sum(v.rendered_at is None for v in self.visits)
        connected = sum(v.rendered_at is not None and manager.connections(v.kernel_id) > 0 for v in self.visits)
        return {
            "visitors": taken,
            "rendering": rendering,
            "connected": connected,
            "unconnected": taken - rendering - connected,  # each stopped once `grace` seconds pass with no page
            "disconnect_grace": self.grace,
        }

    def sweep(self) -> None:
        """Stop the kernels whose page never connected, or lost its connection, `grace` seconds ago or more."""
        if self.grace <= 0:
            return
        manager = self.kernel_manager
        now = time.monotonic()
        self.taken()
        manager.forget_stopped()
        self.ending &= set(manager.list_kernel_ids())
        for visit in self.visits:
            kernel_id = visit.kernel_id
            if visit.rendered_at is None or kernel_id in self.ending or manager.connections(kernel_id) > 0:
                continue
            last = manager.last_connected.get(kernel_id)
            quiet = now - max(visit.rendered_at, last if last is not None else visit.rendered_at)
            if quiet < self.grace:
                continue
            why = "its page never connected" if last is None else "its page lost its connection and did not come back"
            self.log.warning("smtk: stopping kernel %s: %s within %.0f s", kernel_id, why, self.grace)
            self.ending.add(kernel_id)
            # in a task of its own: the place is free once the kernel is gone (a stop that failed is tried again)
            stopping = asyncio.ensure_future(stop_kernel(manager, kernel_id, self.log))
            self.stopping.add(stopping)
            stopping.add_done_callback(self.stopping.discard)
            stopping.add_done_callback(lambda _, kernel_id=kernel_id: self.ending.discard(kernel_id))
