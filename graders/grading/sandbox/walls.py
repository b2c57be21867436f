"""The walls around one learner's process: limits, no network, only its own folder writable, the course out of reach.

`enter` runs in the freshly forked learner process before any learner code; `Warden` runs in the trusted supervisor
that forked it and cleans up every process the learner started, however it tried to escape.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from graders import landlock

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
SYSTEM_READ_ONLY = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/proc")


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Wall clocks are enforced by the grader, the rest by the kernel."""

    cell_seconds: float = 60.0  # wall clock per cell: interrupted like nbgrader's timeout, then killed
    submission_seconds: float = 600.0  # wall clock for the whole submission
    cpu_seconds: int = 120  # CPU time for the whole submission
    memory_mb: int = 1024  # address space on top of the warm parent's
    processes: int = 32  # processes and threads the learner may have at once
    file_mb: int = 64  # largest file (and captured output of a cell) the learner may write
    open_files: int = 256

    def to_dict(self) -> dict:
        return asdict(self)


def read_only_paths(protected: list[Path]) -> list[Path]:
    """What learner code may read: the system, Python and the import path, minus any tree holding a protected path.

    An import-path entry that contains a protected path (the kit's own checkout holds the master solutions and
    often the course) is replaced by the importable packages inside it that hold no protected path.
    """
    protected = [Path(p).resolve() for p in protected]
    candidates = [Path(p) for p in SYSTEM_READ_ONLY] + [Path(sys.prefix), Path(sys.base_prefix)]
    candidates += [Path(p) for p in sys.path if p]
    matplotlib_cache = os.environ.get("MPLCONFIGDIR")
    if matplotlib_cache:
        candidates.append(Path(matplotlib_cache))
    allowed: list[Path] = []
    for candidate in candidates:
        try:
            candidate = candidate.resolve()
        except OSError:
            continue
        if not candidate.exists():
            continue
        if any(_is_within(p, candidate) for p in protected):
            allowed += [
                child
                for child in candidate.iterdir()
                if (child / "__init__.py").exists() and not any(_is_within(p, child) for p in protected)
            ]
        elif not any(_is_within(candidate, p) for p in protected):
            allowed.append(candidate)
    return sorted(set(allowed))


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def enter(workdir: Path, limits: Limits, read_only: list[Path]) -> dict[str, bool]:
    """Wall this process in (irreversibly) and return which protections are active.

    A user namespace of its own (mapping the grader's uid to itself, so file permissions are unchanged) gives it a
    network namespace with no interfaces, takes away every capability on the host (root included) and makes the
    process limit count only its own processes. Landlock then allows only the read-only trees and its folder.
    """
    os.setsid()  # its own process group and session: the grader can kill everything it starts at once
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    active = {"own_process_group": True}
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        active.update(no_network=True, no_host_privileges=True, process_limit=True)
    else:
        active["no_network"] = os.geteuid() == 0 and _libc.unshare(CLONE_NEWNET) == 0
        active["process_limit"] = os.geteuid() != 0
    page = resource.getpagesize()
    with open("/proc/self/statm") as statm:
        address_space = int(statm.read().split()[0]) * page
    mb = 1024 * 1024
    rlimits = {
        resource.RLIMIT_CPU: (limits.cpu_seconds, limits.cpu_seconds + 5),
        resource.RLIMIT_AS: (address_space + limits.memory_mb * mb,) * 2,
        resource.RLIMIT_FSIZE: (limits.file_mb * mb,) * 2,
        resource.RLIMIT_NOFILE: (limits.open_files,) * 2,
        resource.RLIMIT_CORE: (0, 0),
        resource.RLIMIT_NPROC: (_process_allowance(active.get("no_host_privileges", False), limits.processes),) * 2,
    }
    for which, value in rlimits.items():
        resource.setrlimit(which, value)
    active["limits"] = True
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails with an error instead of killing
    try:
        applied = landlock.restrict(read_only, [workdir, Path("/dev/null"), Path("/dev/urandom"), Path("/dev/zero")])
        active.update(files_confined=applied["files"], tcp_denied=applied["tcp"], signals_scoped=applied["signals"])
    except landlock.LandlockError:
        active["files_confined"] = False
    os.chdir(workdir)
    return active


def _process_allowance(own_namespace: bool, processes: int) -> int:
    """RLIMIT_NPROC counts the processes of a user (in a namespace of its own, only the learner's)."""
    if own_namespace:
        return processes
    mine = sum(1 for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == os.getuid())
    return mine + processes


def _owner(path: Path) -> int:
    try:
        return path.stat().st_uid
    except OSError:
        return -1


class Warden:
    """Held by the trusted supervisor of one submission: kills every process the learner started, however it hid."""

    def __init__(self):
        _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans of the learner come back to us

    def kill_everything(self, pgid: int) -> None:
        """Kill the learner's process group and every orphan reparented to us, until none is left (or 5 s passed)."""
        deadline = time.monotonic() + 5.0
        while True:
            _kill(lambda: os.killpg(pgid, signal.SIGKILL))
            for pid in _children_of(os.getpid()):
                _kill(lambda pid=pid: os.kill(pid, signal.SIGKILL))
            if _reap_all() or time.monotonic() > deadline:
                return
            time.sleep(0.002)  # killed processes take a moment to become zombies


def _kill(action) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        action()


def _reap_all() -> bool:
    """Reap every child that has ended; True when no child is left at all (the kernel says so: ECHILD)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            return False


def _children_of(parent: int) -> list[int]:
    """The processes whose parent is `parent`: the kernel's list for a single-threaded parent (one small read),
    else a scan of /proc."""
    try:
        return [int(p) for p in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
    except OSError:
        pass
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                children.append(int(entry.name))
    return children
