"""Length-prefixed JSON messages over a Unix stream socket, with a size cap so a hostile peer cannot exhaust memory."""

from __future__ import annotations

import json
import socket
import struct
import time

_HEADER = struct.Struct("!I")
MAX_MESSAGE = 64 * 1024 * 1024


class WireError(ConnectionError):
    """The peer closed the connection, sent garbage, or did not answer in time."""


def send(sock: socket.socket, message: dict) -> None:
    data = json.dumps(message, separators=(",", ":")).encode()
    sock.sendall(_HEADER.pack(len(data)) + data)


def recv(sock: socket.socket, timeout: float | None = None) -> dict:
    """The next message; WireError on EOF, a malformed message or when `timeout` seconds pass."""
    deadline = None if timeout is None else time.monotonic() + timeout
    (size,) = _HEADER.unpack(_read(sock, _HEADER.size, deadline))
    if size > MAX_MESSAGE:
        raise WireError(f"message of {size} bytes is over the {MAX_MESSAGE} byte limit")
    try:
        message = json.loads(_read(sock, size, deadline))
    except ValueError as exc:
        raise WireError(f"malformed message: {exc}") from None
    if not isinstance(message, dict):
        raise WireError("malformed message: not an object")
    return message


def _read(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer in time")
            sock.settimeout(left)
        else:
            sock.settimeout(None)
        try:
            chunk = sock.recv(min(size - got, 1 << 20))
        except TimeoutError:
            raise
        except OSError as exc:
            raise WireError(str(exc)) from None
        if not chunk:
            raise WireError("connection closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
