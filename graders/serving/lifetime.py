"""Child processes that end with the process that started them, however it ends (SIGKILL included).

Linux sends a child its parent-death signal when the parent's thread that forked it exits; the setting survives
`exec`, so `python -m graders.serving.lifetime CMD ...` runs CMD with it (for commands that a server we do not own,
such as JupyterHub, starts for us).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM, parent: int | None = None) -> None:
    """Ask the kernel to send `sig` to this process when its parent ends (a preexec_fn, or at a child's start).

    `parent`: the pid that started us, when known; if it is already gone, the signal comes at once.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), sig)


def preexec(sig: int = signal.SIGTERM):
    """A `preexec_fn` for subprocess.Popen: the child gets `sig` when the calling process ends."""
    parent = os.getpid()
    return lambda: die_with_parent(sig, parent)


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: python -m graders.serving.lifetime COMMAND [ARG...]")
    die_with_parent()
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
