"""What an `smtk dashboards` server under test says of itself (its readiness, its count of visitors, its kernels),
and what a dashboard's page holds open: a websocket to its kernel."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import websocket  # websocket-client, a dependency of jupyter_server

from graders.serving.dashboards import readiness

__all__ = ["KernelSocket", "kernel_id", "kernel_listed", "processes_with", "readiness", "wait_for_no_visitors"]


def processes_with(text: str) -> list[int]:
    """Ids of the processes whose command line holds `text` (a kernel's script or connection file)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                pids.append(int(cmdline.parent.name))
        except OSError:
            continue  # the process ended while we looked
    return pids


def wait_for_no_visitors(url: str, timeout: float = 30.0) -> int:
    """Wait until the server serves no visitor (closed pages have stopped their kernels); the count left."""
    deadline = time.monotonic() + timeout
    while (left := readiness(url)["visitors"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def kernel_id(page: str) -> str:
    """The id of the kernel a dashboard's page was given."""
    (found,) = set(re.findall(r'"kernelId": "([0-9a-f-]{36})"', page))
    return found


def kernel_listed(url: str, kernel: str) -> bool:
    """Whether the server at `url` still runs the kernel (Voilà answers its kernel API; 404 once it is gone)."""
    try:
        with urllib.request.urlopen(f"{url}api/kernels/{kernel}", timeout=30):
            return True
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return False
        raise


class KernelSocket:
    """A page's connection to its kernel, as the dashboard's front end opens it: the kernel's websocket."""

    def __init__(self, url: str, kernel: str, timeout: float = 60.0) -> None:
        self.session = uuid.uuid4().hex
        address = re.sub(r"^http", "ws", url) + f"api/kernels/{kernel}/channels?session_id={self.session}"
        self.socket = websocket.create_connection(address, timeout=timeout)

    def kernel_info(self) -> dict:
        """Ask the kernel who it is over the websocket (a message Voilà lets pages send); its reply's content."""
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": "kernel_info_request", "session": self.session, "version": "5.3"}
        header["username"] = "test"
        message = {"header": header, "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell"}
        self.socket.send(json.dumps({**message, "buffers": []}))
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("parent_header", {}).get("msg_id") == msg_id and reply["msg_type"] == "kernel_info_reply":
                return reply["content"]

    def close(self) -> None:
        self.socket.close()
