"""`smtk demo` for real: its servers answer 200 on 127.0.0.1, Ctrl-C stops them all, a busy port is refused clearly,
and no server, kernel or port outlives a command that was killed."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import COHORT_TODAY

from graders.course.root import STATE
from graders.grading.demo_cohort import MARKER
from graders.paths import ROOT
from graders.results.trainer_data import trainer_data
from graders.serving.servers import HOST


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def nothing_listens(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.mark.slow
@pytest.mark.xdist_group("demo-cohort")  # with the tests of the session's demo cohort, built by one worker
def test_demo_serves_lab_and_voila_and_stops_on_ctrl_c(cohort_course, tmp_path):
    lab_port, trainer_port, voila_port = free_port(), free_port(), free_port()
    # the session's demo course and cohort: tailoring finds nothing to rebuild, the cohort of that month is reused
    out = tmp_path / "demo"
    shutil.copytree(cohort_course[0], out)
    command = [str(Path(sys.executable).parent / "smtk"), "demo", "--no-browser", "--out", str(out)]
    command += ["--today", COHORT_TODAY.isoformat()]
    command += ["--lab-port", str(lab_port), "--trainer-port", str(trainer_port), "--voila-port", str(voila_port)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        deadline = time.monotonic() + 360  # tailoring (nothing to do), the demo cohort, then the servers
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "smtk demo exited early:\n" + "".join(lines)
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        text = "".join(lines)
        urls = re.findall(r"http://127\.0\.0\.1:\d+/\S*", text)
        lab_url = next(u for u in urls if f":{lab_port}/lab" in u)
        trainer_url = next(u for u in urls if f":{trainer_port}/lab" in u)
        voila_url = next(u for u in urls if u == f"http://{HOST}:{voila_port}/")

        status, body = get(lab_url)
        assert status == 200 and "JupyterLab" in body
        token = lab_url.split("token=")[1]
        # The learner's JupyterLab serves their copy of the course, each module with its profile, and no formgrader.
        learner_api = f"http://{HOST}:{lab_port}/api/contents"
        assert get(f"{learner_api}/policy-disclosure/policy-disclosure.ipynb?token={token}")[0] == 200
        assert get(f"{learner_api}/policy-disclosure/org.json?token={token}")[0] == 200
        assert get(f"{learner_api}/gradebook.db?token={token}")[0] == 404, "the course root is the trainer's"
        assert get(f"http://{HOST}:{lab_port}/formgrader?token={token}")[0] == 404
        trainer_token = trainer_url.split("token=")[1]
        assert trainer_token != token
        assert get(f"http://{HOST}:{trainer_port}/formgrader?token={trainer_token}")[0] == 200
        assert get(f"http://{HOST}:{trainer_port}/api/contents?token={token}")[0] == 403, "a learner's token is refused"
        assert get(voila_url)[0] == 200
        assert get(f"{voila_url}smtk/ready")[0] == 200, "the demo serves the dashboards as `smtk dashboards` does"
        status, body = get(f"{voila_url}voila/render/course-overview.ipynb")
        assert status == 200 and "The course at a glance" in body and "Traceback" not in body
        # the demo cohort was graded before the servers started: the trainer app's figures are there at first start
        assert re.search(r"^Demo cohort \(fictional\): (\d+) learners.*; reused, nothing regraded", text, re.M), text
        data = trainer_data(out)
        assert data.empty_message == "" and data.learners["learner"].nunique() >= 60
    finally:
        rest = ctrl_c(proc)
    assert proc.returncode == 0, rest
    assert "Stopped." in rest
    assert nothing_listens(lab_port) and nothing_listens(trainer_port) and nothing_listens(voila_port)


def ctrl_c(proc: subprocess.Popen, timeout: float = 90) -> str:
    """Press Ctrl-C and return the rest of the output; if that does not stop it, SIGTERM (the same clean path), so a
    failing test never leaves servers running for the rest of the suite."""
    proc.send_signal(signal.SIGINT)
    try:
        return proc.communicate(timeout=timeout)[0]
    except subprocess.TimeoutExpired:
        proc.terminate()
        rest = proc.communicate(timeout=timeout)[0]
        raise AssertionError(f"Ctrl-C did not stop it within {timeout:.0f} s:\n{rest}") from None


def test_busy_port_is_refused_with_a_clear_message(tmp_path):
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        sock.listen()
        busy = sock.getsockname()[1]
        smtk = str(Path(sys.executable).parent / "smtk")
        cmd = [smtk, "demo", "--no-browser", "--out", str(tmp_path / "d"), "--lab-port", str(busy)]
        proc = subprocess.run(cmd + ["--voila-port", str(free_port())], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert f"port {busy} on 127.0.0.1 is already in use" in proc.stderr and "--lab-port" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "d").exists(), "nothing is built when the demo cannot start"


def process_table() -> dict[int, tuple[int, str, str]]:
    """Every process: pid -> (parent pid, state, start time). The start time tells a process from a later one that
    was given the same pid."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # the name, in parentheses, may hold anything
        except (OSError, IndexError):
            continue  # the process ended while we looked
        table[int(stat.parent.name)] = (int(fields[1]), fields[0], fields[19])
    return table


def descendants(pid: int) -> dict[int, str]:
    """The processes below `pid` (children, their children, ...): pid -> start time."""
    table = process_table()
    found, parents = {}, {pid}
    while parents:
        children = {child for child, (parent, _, _) in table.items() if parent in parents and child not in found}
        found |= {child: table[child][2] for child in children}
        parents = children
    return found


def still_running(processes: dict[int, str]) -> dict[int, str]:
    """Those of `processes` still running (a zombie has ended: it only waits to be reaped)."""
    table = process_table()
    running = {}
    for pid, start in processes.items():
        _, state, started = table.get(pid, (0, "", ""))
        if started == start and state != "Z":
            running[pid] = start
    return running


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def wait_for_line(proc: subprocess.Popen, text: str, within: float = 300) -> str:
    """The output of `proc` up to the line holding `text`."""
    lines: list[str] = []
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        assert line or proc.poll() is None, "it exited early:\n" + "".join(lines)
        lines.append(line)
        if text in line:
            return "".join(lines)
    raise AssertionError(f"no {text!r} within {within:.0f} s:\n" + "".join(lines))


@pytest.mark.slow
@pytest.mark.parametrize("command", ["demo", "dashboards"])
def test_a_killed_command_leaves_no_server_no_kernel_and_no_port(request, command):
    """Seen: SIGKILL of `smtk demo` left JupyterLab, Voilà and their preheated kernels running and holding the ports,
    so the next `make demo` failed on a busy port."""
    lab_port, trainer_port, voila_port = free_port(), free_port(), free_port()
    smtk = str(Path(sys.executable).parent / "smtk")
    if command == "demo":
        course = request.getfixturevalue("course_copy")  # built once for the session: the demo only checks it
        args = ["demo", "--out", str(course), "--lab-port", str(lab_port), "--voila-port", str(voila_port)]
        args += ["--trainer-port", str(trainer_port), "--no-cohort"]
    else:
        args = ["dashboards", "--port", str(voila_port), "--pool-size", "1"]
    proc = subprocess.Popen(
        [smtk, *args, "--no-browser"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    started: dict[int, str] = {}
    try:
        text = wait_for_line(proc, "Press Ctrl-C")
        voila = f"http://{HOST}:{voila_port}/"
        assert get(f"{voila}voila/render/course-overview.ipynb")[0] == 200, "a visitor's kernel runs too"
        if command == "demo":
            (token,) = set(re.findall(rf":{lab_port}/\S*token=([0-9a-f]+)", text))  # the learners' JupyterLab
            request = urllib.request.Request(
                f"http://{HOST}:{lab_port}/api/kernels", data=b"{}", headers={"Authorization": f"token {token}"}
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                assert response.status == 201, "a learner's kernel runs in JupyterLab"
        if command == "demo":
            assert "Demo cohort" not in text, "--no-cohort builds none"
            assert not (course / "submitted").exists() and not (course / STATE / MARKER).exists()
        started = descendants(proc.pid)
        kernels = [pid for pid in started if "ipykernel" in command_line(pid)]
        servers = [pid for pid in started if "jupyterlab" in command_line(pid) or "voila_app" in command_line(pid)]
        # the demo: the learners' and the trainers' JupyterLab and Voilà
        assert len(servers) == (3 if command == "demo" else 1), [command_line(pid) for pid in started]
        assert len(kernels) >= (2 if command == "demo" else 1)
        proc.kill()
        proc.wait(timeout=30)
        deadline = time.monotonic() + 90
        while still_running(started) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = still_running(started)
        assert not left, [command_line(pid) for pid in left]
        # only the ports this command listened on: a port it never used may be taken by a parallel test's kernel
        used = [voila_port, lab_port, trainer_port] if command == "demo" else [voila_port]
        assert all(nothing_listens(port) for port in used), used
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()
        for pid in still_running(started):  # whatever the test saw started ends here, whatever happened above
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
