"""The learner's server on one machine: JupyterHub's simple local spawner, a folder per learner, and limits.

Limits, per process of a learner's server (its JupyterLab and each kernel it starts), because one machine without
root-managed cgroups has no per-user total: the data segment (heap) is capped at `memory_mb`, so a runaway cell
fails with MemoryError instead of taking the machine, and learner processes run at a lower priority (nice 5), so
the hub, the proxy and grading stay responsive when learners compute. Every server ends with the hub, however the
hub ends. For hard per-learner totals, run the same settings on Kubernetes (deploy/), where the pod has the limits.

Isolation: all learner servers run as one system user, so each is confined with Linux Landlock (graders/landlock.py)
to its own folder (read and write), the system's and the kit's code (read), the exchange's released modules (read),
its drop box for submissions (write only) and feedback (a file read by its name, no listing). Another learner's
folder, the course's sources and gradebook, the hub's database and cookie secret are out of its reach, and so are
other learners' processes (their environment holds their hub token).
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Integer, List, Unicode

from graders import landlock
from graders.serving.lifetime import preexec

NICENESS = 5
# What any Python program reads on Linux, and where it writes scratch files and talks to devices.
# Of /proc, only the machine-wide facts and the server's own process: another learner's /proc/PID/environ (which
# Landlock's ptrace rules leave readable) holds that learner's hub token. /proc/self is resolved when the walls go
# up, so it is the server's own folder; its kernels see their own pids' folders as missing.
SYSTEM_READ_ONLY = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/opt", "/sys", "/proc/self",
                    "/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/proc/loadavg", "/proc/uptime", "/proc/version",
                    "/proc/sys", "/proc/filesystems", "/proc/mounts")  # fmt: skip
# No shared /tmp: one learner's scratch files are not another's to read (each gets TMPDIR in their own folder).
SYSTEM_READ_WRITE = ("/dev/shm", "/dev/pts", "/dev/ptmx", "/dev/tty", "/dev/null", "/dev/zero", "/dev/full",
                     "/dev/random", "/dev/urandom")  # fmt: skip
SCRATCH = ".tmp"  # the learner's TMPDIR, inside their folder


class LearnerSpawner(SimpleLocalProcessSpawner):
    """A learner's JupyterLab in their own folder, confined to it, with a memory cap per process; it ends with the
    hub."""

    memory_mb = Integer(2048, config=True, help="Data segment (heap) cap per process of a learner's server, in MiB.")
    read_only_paths = List(Unicode(), config=True, help="Trees a learner's server may read besides the system's.")
    drop_box_paths = List(Unicode(), config=True, help="Trees it may create and write files in, never read.")
    open_by_name_paths = List(Unicode(), config=True, help="Trees whose files it may read by name, never list.")

    async def start(self):
        if landlock.abi_version() < 1:
            raise RuntimeError(
                "this machine cannot confine a learner's server to its own folder (Linux Landlock, 5.13 or newer, "
                "is missing or disabled), so no learner server starts: each could read every other learner's files"
            )
        return await super().start()

    def user_env(self, env):
        env = super().user_env(env)
        env["TMPDIR"] = str(Path(self.home_dir) / SCRATCH)
        return env

    def make_preexec_fn(self, name):
        prepare, end_with_hub = super().make_preexec_fn(name), preexec()
        cap = self.memory_mb * 1024 * 1024
        read_only = [Path(p) for p in (*SYSTEM_READ_ONLY, sys.prefix, sys.base_prefix, *self.read_only_paths)]
        read_write = [Path(self.home_dir), *(Path(p) for p in SYSTEM_READ_WRITE)]
        other = [(Path(p), landlock.DROP_BOX) for p in self.drop_box_paths]
        other += [(Path(p), landlock.OPEN_BY_NAME) for p in self.open_by_name_paths]

        def prepare_learner() -> None:
            prepare()  # the learner's folder, made and entered before the walls go up
            os.makedirs(SCRATCH, exist_ok=True)
            if end_with_hub is not None:
                end_with_hub()
            resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
            os.nice(NICENESS)
            landlock.restrict(read_only, read_write, other=other, deny_tcp=False)  # it listens and talks to kernels

        return prepare_learner
