"""A warm, pre-imported parent that forks one fresh sandboxed process per submission, and the client that drives it.

The zygote is its own clean interpreter (`python -m graders.grading.sandbox.zygote FD`): single-threaded, no database,
no event loop, so forking it is safe. It imports pandas, matplotlib, ipywidgets, IPython and the simulations once;
each submission then costs a fork instead of a kernel start and those imports. For every job it forks a trusted
supervisor, which forks the learner process, waits for it and cleans up whatever it started. The grader talks to the
learner process directly over a socket it passes to the zygote, sending one cell at a time.
"""

from __future__ import annotations

import contextlib
import gc
import os
import random
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from graders.grading.sandbox import wire
from graders.grading.sandbox.messages import Cell, CellResult, Control, Exited, Ready, RunCell, Started
from graders.grading.sandbox.walls import Limits

GRACE = 5.0  # seconds past a cell's own limit before the grader kills the process (a C loop ignores interrupts)
START_TIMEOUT = 120.0
SEND_AHEAD_BYTES = 64 * 1024  # cell sources sent ahead of their turn: well under a Unix socket's buffer
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "HOME", "IPYTHONDIR", "MPLCONFIGDIR", "JUPYTER_RUNTIME_DIR")
SINGLE_THREADED = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}


@dataclass
class Job:
    """One notebook of one submission: its code cells in order, the files beside it, the limits and environment."""

    key: str
    cells: list[Cell]
    files: dict[str, bytes] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    protected: list[str] = field(default_factory=list)
    require: tuple[str, ...] = ("files_confined",)  # protections without which no cell of this job runs


@dataclass
class JobResult:
    """What came back: outputs per cell index, why the process stopped early (if it did), and what it cost."""

    key: str
    results: dict[int, CellResult]
    stopped: str | None
    protections: dict[str, bool]
    exit: str
    max_rss_kb: int
    seconds: float
    patched: list[str]


# ---------------------------------------------------------------------------------------------------------------------
# The zygote process


def _preload():
    """Import and warm up everything a module needs, then freeze it so forked children share the pages."""
    import importlib
    import pkgutil

    from graders.grading.sandbox import runner

    shell = runner.make_shell()
    import ipywidgets  # noqa: F401
    import matplotlib.pyplot as plt
    import pandas  # noqa: F401

    import simulations

    for info in pkgutil.walk_packages(simulations.__path__, "simulations."):
        with contextlib.suppress(Exception):  # a module that cannot import is the learner's problem, at run time
            importlib.import_module(info.name)
    warm = runner.Runner(shell, 30)
    warm.run(0, "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2])\nax.set_title('x')", False)
    warm.run(0, "1 / 0", False)
    warm.run(0, "assert [1] == [1]\n2", True)
    plt.close("all")
    shell.reset(new_session=False)
    shell.execution_count = 1
    shell.outputs = []
    gc.collect()
    gc.freeze()
    return shell


def _serve_zygote(ctrl: socket.socket) -> None:
    shell = _preload()
    readable_cache: dict[tuple, list[str]] = {}
    wire.send(ctrl, Ready(ready=os.getpid()))
    while True:
        _reap()
        try:
            ctrl.settimeout(1.0)
            data, fds, _flags, _addr = socket.recv_fds(ctrl, 1 << 20, 1)
        except TimeoutError:
            continue
        except OSError:
            return
        if not data:
            return
        import json

        header = json.loads(data)
        key = tuple(header["protected"])
        if key not in readable_cache:
            from graders.grading.sandbox.walls import read_only_paths

            readable_cache[key] = [str(p) for p in read_only_paths([Path(p) for p in key])]
        header["read_only"] = readable_cache[key]
        pid = os.fork()
        if pid == 0:
            ctrl.close()
            code = 1
            try:
                _supervise(socket.socket(fileno=fds[0]), header, shell)
                code = 0
            finally:
                os._exit(code)
        os.close(fds[0])


def _reap() -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _supervise(sock: socket.socket, header: dict, shell) -> None:
    """Trusted: fork the learner process, wait for it, clean up everything it started, report how it ended."""
    from graders.grading.sandbox.walls import Warden

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    limits = Limits(**header["limits"])
    warden = Warden()
    pid = os.fork()
    if pid == 0:
        _learner(sock, header, shell, limits)
    # Our own ceiling, should the grader that drives this job disappear.
    signal.signal(signal.SIGALRM, lambda *_: warden.kill_everything(pid))
    signal.alarm(int(limits.submission_seconds + 2 * GRACE))
    try:
        wire.send(sock, Started(pid=pid))
    except OSError:
        warden.kill_everything(pid)
    while True:
        try:
            _pid, status, usage = os.wait4(pid, 0)
            break
        except InterruptedError:
            continue
    signal.alarm(0)
    warden.kill_everything(pid)
    with contextlib.suppress(OSError):
        wire.send(sock, Exited(exit=_describe(status, limits), max_rss_kb=usage.ru_maxrss))


def _describe(status: int, limits: Limits) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return f"stopped at the CPU time limit ({limits.cpu_seconds} s)"
        return f"killed by {signal.Signals(sig).name}"
    return f"exited with code {os.WEXITSTATUS(status)}"


def _learner(sock: socket.socket, header: dict, shell, limits: Limits) -> None:
    """Untrusted from the moment the first cell runs: wall in first, then serve cells."""
    from graders.grading.sandbox import runner
    from graders.grading.sandbox import walls as sandbox

    try:
        os.closerange(3, sock.fileno())
        os.closerange(sock.fileno() + 1, 1 << 16)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        workdir = Path(header["workdir"])
        os.environ.clear()
        os.environ.update(header["env"])
        os.environ.update(HOME=str(workdir), TMPDIR=str(workdir), PWD=str(workdir))
        random.seed()
        sys.modules["numpy"].random.seed()
        protections = sandbox.enter(workdir, limits, [Path(p) for p in header["read_only"]])
        if wire.recv(sock).get("op") != "go":
            return
        wire.send(sock, Ready(ready=protections))
        runner.serve(sock, shell, limits.cell_seconds)
    except BaseException:  # noqa: BLE001 - the supervisor reports how this process ended
        pass
    finally:
        os._exit(0)


def main() -> None:
    ctrl = socket.socket(fileno=int(sys.argv[1]))
    try:
        _serve_zygote(ctrl)
    finally:
        os._exit(0)


# ---------------------------------------------------------------------------------------------------------------------
# The client: start a zygote, run jobs through it


class ZygoteError(RuntimeError):
    """The warm parent could not start; the message ends with its log."""


def clean_env() -> dict[str, str]:
    """The zygote's environment: nothing of the trainer's secrets, one thread per library."""
    env = {k: v for k, v in os.environ.items() if k in KEEP_ENV or k.startswith("LC_")}
    env.update(SINGLE_THREADED)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


class Zygote:
    """A running zygote process; `run` grades one job through it (thread-safe: one thread per concurrent job)."""

    def __init__(self, log: Path | None = None, scratch: Path | None = None):
        import subprocess

        self.scratch = Path(scratch or Path(tempfile.gettempdir()) / f"smtk-jobs-{os.getuid()}")
        self.scratch.mkdir(mode=0o711, exist_ok=True)
        os.chmod(self.scratch, 0o711)
        self._lock = threading.Lock()
        self.ctrl, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.log = log or self.scratch / f"zygote-{os.getpid()}.log"
        with open(self.log, "ab") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "graders.grading.sandbox.zygote", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                env=clean_env(),
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
                start_new_session=True,
                cwd=self.scratch,
            )
        theirs.close()
        try:
            wire.recv(self.ctrl, timeout=START_TIMEOUT)
        except (wire.WireError, TimeoutError) as exc:
            self.close()
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise ZygoteError(f"the grading process did not start ({exc}); end of {self.log}:\n{tail}") from None

    def _spawn(self, sock: socket.socket, header: dict) -> None:
        import json

        with self._lock:
            socket.send_fds(self.ctrl, [json.dumps(header).encode()], [sock.fileno()])

    def run(self, job: Job) -> JobResult:
        """Grade one job in a fresh sandboxed process; never raises for anything the learner's code does."""
        started = time.monotonic()
        workdir = Path(tempfile.mkdtemp(prefix="job-", dir=self.scratch))
        for name, data in job.files.items():
            target = workdir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        results: dict[int, dict] = {}
        stopped, protections, exit_text, rss, patched = None, {}, "not started", 0, []
        try:
            header = {"workdir": str(workdir), "limits": job.limits.to_dict(), "env": job.env}
            header["protected"] = sorted({*job.protected, str(self.scratch)})
            self._spawn(theirs, header)
            theirs.close()
            pid = int(wire.recv(ours, timeout=60)["pid"])
            wire.send(ours, Control(op="go"))
            ready = wire.recv(ours, timeout=60)
            protections = {str(k): bool(v) for k, v in dict(ready.get("ready", {})).items()}
            missing = [name for name in job.require if not protections.get(name)]
            if missing:  # e.g. a cluster worker on a machine without Landlock: run nothing there
                _killpg(pid)
                stopped = f"not run: this machine's sandbox lacks {', '.join(missing)}"
            else:
                stopped = self._cells(ours, pid, job, results, job.limits.submission_seconds + started)
            patched = sorted({p for r in results.values() for p in r.get("patched", [])})
            exit_text, rss = self._exit(ours, 10)
            if exit_text == "unknown":  # its own children hold it up (a fork bomb): kill them, then ask again
                _killpg(pid)
                exit_text, rss = self._exit(ours, 10)
        except (wire.WireError, TimeoutError, OSError, KeyError, ValueError) as exc:
            stopped = stopped or f"the grading process failed: {exc}"
        finally:
            ours.close()
            theirs.close()
            shutil.rmtree(workdir, ignore_errors=True)
        if stopped and exit_text not in ("not started", "exited with code 0"):
            stopped = f"{stopped} ({exit_text})"
        return JobResult(job.key, results, stopped, protections, exit_text, rss, time.monotonic() - started, patched)

    @staticmethod
    def _cells(sock: socket.socket, pid: int, job: Job, results: dict, deadline: float) -> str | None:
        """Run the cells in order, one reply per cell. The learner's cells go ahead of their turn while the ones
        sent and not answered fit in the socket's buffer (so a send never waits on the learner), saving a round
        trip each; a test cell is sent only when every cell before it has answered, so its source is never in the
        learner's process while learner code runs."""
        cells, answered, sent, ahead = job.cells, 0, 0, 0
        sizes = [len(c["source"].encode()) + 100 for c in cells]
        while answered < len(cells):
            while sent < len(cells) and (
                sent == answered or (not cells[sent]["test"] and ahead + sizes[sent] <= SEND_AHEAD_BYTES)
            ):
                cell = cells[sent]
                try:
                    wire.send(sock, RunCell(op="cell", index=cell["index"], source=cell["source"], test=cell["test"]))
                except OSError:
                    break  # the process is gone: the reply below says so
                ahead += sizes[sent]
                sent += 1
            cell = cells[answered]
            left = deadline - time.monotonic()
            if left <= 0:
                _killpg(pid)
                return f"the submission ran past its {job.limits.submission_seconds:g} s limit"
            try:
                reply = wire.recv(sock, timeout=min(job.limits.cell_seconds + GRACE, left))
            except TimeoutError:
                _killpg(pid)
                return f"cell {cell['index']} did not stop within {job.limits.cell_seconds + GRACE:g} s and was killed"
            except wire.WireError:
                return f"the learner's process ended during cell {cell['index']}"
            if reply.get("index") != cell["index"] or not isinstance(reply.get("outputs"), list):
                _killpg(pid)
                return f"the learner's process answered out of turn at cell {cell['index']}"
            results[cell["index"]] = reply
            ahead -= sizes[answered]
            answered += 1
        wire.send(sock, Control(op="done"))
        return None

    @staticmethod
    def _exit(sock: socket.socket, seconds: float) -> tuple[str, int]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                message = wire.recv(sock, timeout=deadline - time.monotonic())
            except (wire.WireError, TimeoutError):
                break
            if "exit" in message:
                return str(message["exit"]), int(message.get("max_rss_kb", 0))
        return "unknown", 0

    def close(self) -> None:
        try:
            self.ctrl.close()
        finally:
            try:
                self.process.wait(timeout=10)
            except Exception:  # noqa: BLE001
                self.process.kill()
                self.process.wait()


def _killpg(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
