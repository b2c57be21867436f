"""Child processes that end with the process that started them, however it ends (SIGKILL included).

Linux sends a child its parent-death signal when the parent's *thread* that forked it exits, and only the main
thread lives as long as the process, so children are started from the main thread. The request survives `exec`:
`python -m graders.serving.lifetime CMD ...` runs CMD with it, for commands that a server we do not own (JupyterHub)
starts for us.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def preexec(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A `preexec_fn` that makes the child get `sig` when this process ends, or None where that cannot be had
    (not Linux; not the main thread). prctl is looked up here: between fork and exec the child only calls it."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def ask_for_signal() -> None:
        prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # the parent ended before the request took effect
            os.kill(os.getpid(), sig)

    return ask_for_signal


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: python -m graders.serving.lifetime COMMAND [ARG...]")
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
        sys.exit(f"prctl(PR_SET_PDEATHSIG) failed: {os.strerror(ctypes.get_errno())}")
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
