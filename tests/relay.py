"""A TCP relay between the browser and a server, whose connections a test can cut: a network drop that leaves the
server and its kernels running."""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class Relay:
    """Forwards 127.0.0.1:`port` to 127.0.0.1:`target`; `cut()` drops every open connection and refuses new ones
    for a while."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.down_until = 0.0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if time.monotonic() < self.down_until:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                self.open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass  # cut, or the other side closed
        finally:
            self._close(source, sink)

    def _close(self, *sockets: socket.socket) -> None:
        for each in sockets:
            with self.lock:
                self.open.discard(each)
            with contextlib.suppress(OSError):  # already down
                each.shutdown(socket.SHUT_RDWR)
            each.close()

    def cut(self, down_for: float = 0.0) -> int:
        """Drop every open connection and refuse new ones for `down_for` seconds, as a network failure does; how many
        were open."""
        self.down_until = time.monotonic() + down_for
        with self.lock:
            dropped = list(self.open)
        self._close(*dropped)
        return len(dropped)

    def close(self) -> None:
        self.listener.close()
        self.cut()
