"""Start and stop the kit's local servers (JupyterLab, Voilà) on 127.0.0.1, each in its own process group.

A server ends with the command that started it, however that ends: Ctrl-C and SIGTERM stop it cleanly (`Server.stop`),
and on Linux a server also gets SIGTERM from the kernel when the command dies of anything else (SIGKILL, a crash),
so it stops its kernels and frees its port instead of holding it for the next `make demo`. The kernels the servers
start end with them too: jupyter_client tells each kernel its server's process id, and ipykernel exits once that
process is gone.

Voilà's command line lives in graders/serving/dashboards.py."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from graders.paths import JUPYTER_DATA
from graders.serving.lifetime import preexec

HOST = "127.0.0.1"
# The learner's JupyterLab configuration: nbgrader's authoring tools, formgrader and course list turned off (its
# README says how). Only the learner's server gets it; a trainer's JupyterLab keeps every tool.
LEARNER_LAB_CONFIG = Path(__file__).parent / "learner-lab"
# The trainer's: the kit's accessible templates for nbgrader's formgrader (its README says how).
TRAINER_LAB_CONFIG = Path(__file__).parent / "trainer-lab"


class ServerError(RuntimeError):
    """A server could not start; the message says which, why, and what to do."""


def check_port_free(port: int, what: str, option: str) -> None:
    """Fail early, naming the option to change, when `port` on 127.0.0.1 is taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the servers themselves: a port whose last connections linger in TIME_WAIT is free to use.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            raise ServerError(
                f"port {port} on {HOST} is already in use, so {what} cannot start there; "
                f"choose another port with {option}"
            ) from None


def lab_command(root: Path, port: int, token: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]


def learner_lab_env() -> dict[str, str]:
    """The environment of a learner's JupyterLab: the learner configuration first on Jupyter's config path, and the
    kit's Voilà templates on its data path (the reading view of code-free modules uses the smtk template), with the
    kit's JupyterLab extension beside them (labextensions/smtk-lab-a11y, built by `make lab-a11y`)."""
    return {**config_path_env(LEARNER_LAB_CONFIG), **lab_data_env()}


def trainer_lab_env() -> dict[str, str]:
    """The environment of a trainer's JupyterLab or the hub's formgrader: the trainer configuration first on Jupyter's
    config path (formgrader's pages from the kit's templates), and the kit's data folder as for learners."""
    return {**config_path_env(TRAINER_LAB_CONFIG), **lab_data_env()}


def config_path_env(folder: Path) -> dict[str, str]:
    """`folder` first on Jupyter's config path, ahead of what the environment already has there."""
    path = [str(folder), *filter(None, os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep))]
    return {"JUPYTER_CONFIG_PATH": os.pathsep.join(path)}


def lab_data_env() -> dict[str, str]:
    """The kit's Jupyter data folder first on Jupyter's data path: its Voilà templates and its JupyterLab extension."""
    data = [str(JUPYTER_DATA), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    return {"JUPYTER_PATH": os.pathsep.join(data)}


def start_lab(root: Path, port: int, token: str, log: Path, *, learner: bool) -> Server:
    """A JupyterLab serving `root`: a learner's (only the nbgrader tools a learner uses) or a trainer's (all); both
    with the kit's fixes to JupyterLab's interface."""
    name = "JupyterLab for learners" if learner else "JupyterLab for trainers"
    env = learner_lab_env() if learner else trainer_lab_env()
    return start(name, lab_command(root, port, token), root, f"http://{HOST}:{port}/api", log, env=env)


@dataclass
class Server:
    """A running server: its process, the URL to probe for readiness and its log file."""

    name: str
    process: subprocess.Popen
    probe_url: str
    log: Path

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Poll until the server answers HTTP 200, or fail with the end of its log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"{self.name} stopped while starting (exit {self.process.returncode}); "
                    f"end of {self.log}:\n{tail(self.log)}"
                )
            try:
                with urllib.request.urlopen(self.probe_url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)
        raise ServerError(
            f"{self.name} did not answer {self.probe_url} within {timeout:.0f} s; end of {self.log}:\n{tail(self.log)}"
        )

    def stop(self, timeout: float = 15.0) -> None:
        """One SIGTERM to the whole process group (a second signal makes Voilà print a traceback), then SIGKILL."""
        if self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait(5)
        else:
            _signal_group(self.process, signal.SIGKILL)


def start(name: str, command: list[str], cwd: Path, probe_url: str, log: Path, env: dict | None = None) -> Server:
    """Start `command` in a new session (Ctrl-C in the terminal reaches smtk, which stops it cleanly), asking for
    SIGTERM when this process ends (see the module docstring); call it from the main thread."""
    log.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {})}
    full_env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + full_env.get("PATH", "")
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=full_env,
            start_new_session=True,
            preexec_fn=preexec(),
        )
    return Server(name, process, probe_url, log)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """Turn Ctrl-C and SIGTERM into KeyboardInterrupt. SIGINT is set explicitly: a shell that starts us in the
    background hands it to us ignored, and Python keeps it ignored, so Ctrl-C (or a test's SIGINT) did nothing."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt)


def ignore_stop_signals() -> None:
    """While servers shut down, a second Ctrl-C must not cut the shutdown short and leave kernels behind."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


def has_display() -> bool:
    """Only open a browser where a person can see it."""
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
