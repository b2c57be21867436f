"""`smtk dashboards`: the Voilà command it runs, user errors as one message, and the server for real (127.0.0.1,
preheated kernels ready, only courses/dashboards/ served, Ctrl-C stops it)."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
import yaml
from served import readiness
from test_demo import ctrl_c, free_port, nothing_listens

from graders.paths import DASHBOARDS, DEMO_ORG, ROOT
from graders.serving import dashboards
from graders.serving.dashboards import dashboards_command, dashboards_env, dashboards_url, start_dashboards
from graders.serving.landing import APPS_FILE, load_apps
from simulations.common.datafiles import DataError
from simulations.exercise.live import DB_VARIABLE
from simulations.profile.org import ORG_VARIABLE, dashboard_org

SMTK = str(Path(sys.executable).parent / "smtk")


def status(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")


def test_the_command_serves_only_the_dashboards_on_localhost_with_preheated_capped_kernels():
    command = dashboards_command(port=9999, pool_size=3, max_kernels=4, cull_idle_timeout=120, disconnect_grace=45)
    assert command[1:4] == ["-m", "graders.serving.voila_app", str(DASHBOARDS)]
    for option in (
        "--Voila.ip=127.0.0.1",
        "--port=9999",
        "--Voila.port_retries=0",
        "--template=smtk-light",  # `make test` builds the light front end first
        "--show_tracebacks=False",
        "--preheat_kernel=True",
        "--pool_size=3",
        "--SmtkVoila.max_kernels=4",
        "--MappingKernelManager.cull_idle_timeout=120",
        "--MappingKernelManager.cull_interval=30",
        "--MappingKernelManager.cull_connected=False",  # an open page is never culled
        "--SmtkVoila.disconnect_grace=45",
    ):
        assert option in command
    assert any(o.startswith("--VoilaConfiguration.extension_denylist=") and "nbgrader" in o for o in command)
    assert "--preheat_kernel=False" in dashboards_command(pool_size=0)


def test_without_the_light_front_end_built_voilas_own_front_end_serves(monkeypatch, tmp_path):
    monkeypatch.setattr(dashboards, "LIGHT_FRONT_END", tmp_path / "smtk.js")
    assert "--template=smtk" in dashboards_command()
    assert "make frontend" in dashboards.front_end_notice()
    (tmp_path / "smtk.js").write_text("// built", encoding="utf-8")
    assert "--template=smtk-light" in dashboards_command()
    assert dashboards.front_end_notice() is None


def test_the_apps_show_the_organisation_the_server_was_given(monkeypatch, tmp_path):
    data = yaml.safe_load(DEMO_ORG.read_text(encoding="utf-8"))
    data["name"] = "Other Org"
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    env = dashboards_env(path)
    assert env[ORG_VARIABLE] == str(path.resolve()) and env[DB_VARIABLE].endswith("events.db")
    monkeypatch.setenv(ORG_VARIABLE, env[ORG_VARIABLE])
    assert dashboard_org()["name"] == "Other Org"
    monkeypatch.delenv(ORG_VARIABLE)
    assert dashboard_org()["name"] == "Larkspur Appliances"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SMTK, "dashboards", "--no-browser", *args], capture_output=True, text=True, timeout=120)


def test_user_errors_are_one_message(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        busy = run("--port", str(sock.getsockname()[1]))
    bad = tmp_path / "org.yaml"
    bad.write_text(DEMO_ORG.read_text(encoding="utf-8").replace("headcount: 4200", "headcount: lots"))
    wrong_org = run("--org", str(bad), "--port", str(free_port()))
    negative = run("--max-kernels", "-1", "--port", str(free_port()))
    negative_grace = run("--disconnect-grace", "-5", "--port", str(free_port()))
    for proc, text in (
        (busy, "is already in use, so Voilà cannot start there; choose another port with --port"),
        (
            wrong_org,
            re.compile(rf"{re.escape(str(bad))}:\d+:\d+: audiences\.employees\.headcount: expected a whole number"),
        ),
        (negative, "expected --pool-size >= 0, --max-kernels >= 0"),
        (negative_grace, "--disconnect-grace >= 0, got 2, 10, 600 and -5"),
    ):
        found = text.search(proc.stderr) if isinstance(text, re.Pattern) else text in proc.stderr
        assert proc.returncode == 2 and found and "Traceback" not in proc.stderr, proc.stderr


@pytest.mark.slow
def test_smtk_dashboards_serves_the_apps_and_nothing_else_and_stops_on_ctrl_c():
    port = free_port()
    proc = subprocess.Popen(
        [SMTK, "dashboards", "--no-browser", "--port", str(port), "--pool-size", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and "Press Ctrl-C" not in "".join(lines):
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "smtk dashboards exited early:\n" + "".join(lines)
            lines.append(line)
        text = "".join(lines)
        base = f"http://127.0.0.1:{port}/"
        assert f"{base}voila/render/roi.ipynb" in text and f"{base}voila/render/benchmark.ipynb" in text
        code, body = status(f"{base}smtk/ready")
        assert code == 200 and '"ready": true' in body, "preheated kernels are warm before the URLs are printed"
        code, body = status(f"{base}voila/render/roi.ipynb")
        assert code == 200 and "Is the social-media training program worth funding?" in body
        assert "Traceback" not in body and "roi_app(" not in body, "no code in the page"
        # this request's kernel serves a visitor (no browser runs its page), also while its pool waits to refill
        assert readiness(base)["visitors"] == 1
        outside = ("voila/files/../../pyproject.toml", "voila/render/%2e%2e/orgs/demo.yaml", "voila/tree/..")
        for path in (*outside, "voila/files/roi.ipynb", "voila/api/contents/..", "api/contents"):
            assert status(base + path)[0] in (403, 404), f"{path} must not be served"
    finally:
        rest = ctrl_c(proc)
    assert proc.returncode == 0, rest
    assert "Stopped." in rest
    assert nothing_listens(port)
    assert re.search(r"at most 10 visitors at once", text)


def rendered_app(tmp_path: Path, source: str) -> tuple[int, str]:
    """(status, page) of a one-cell app served alone by `smtk dashboards`' Voilà, with no preheated kernel."""
    folder = tmp_path / "dashboards"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    notebook.metadata["kernelspec"] = {"name": "smtk", "display_name": "Social Media Training (Python 3)"}
    nbformat.write(notebook, folder / "app.ipynb")
    port = free_port()
    server = start_dashboards(port, tmp_path / "voila.log", folder=folder, pool_size=0)
    try:
        return status(f"{dashboards_url(port)}voila/render/app.ipynb")
    finally:
        server.stop()


@pytest.mark.slow
def test_an_error_in_an_app_shows_no_traceback_and_no_code(tmp_path):
    code, body = rendered_app(tmp_path, "secret_formula = 1 / 0")
    assert code == 200
    for leak in ("Traceback", "ZeroDivisionError", "secret_formula"):
        assert leak not in body, leak


@pytest.mark.slow
def test_an_apps_output_is_kept_when_the_kernel_is_slow_to_send_it(tmp_path):
    """On a busy server a cell's output can reach Voilà seconds after the cell's reply; the page must still show it.

    The cell replies at once but holds the kernel's output thread for 6 s, past nbclient's default wait of 4 s (after
    which Voilà drew the app without its widgets: seen on a loaded two-core machine)."""
    code, body = rendered_app(
        tmp_path,
        "import sys, time\n"
        "sys.stdout.flush_timeout = sys.stderr.flush_timeout = 0.1  # reply without waiting for the output\n"
        "get_ipython().kernel.iopub_thread.schedule(lambda: time.sleep(6))\n"
        "display('the app was drawn')",
    )
    assert code == 200
    assert "the app was drawn" in body, (tmp_path / "voila.log").read_text()


def test_every_app_is_described_once_and_a_mistake_stops_the_server_with_its_field(tmp_path):
    apps = load_apps(DASHBOARDS)
    assert sorted(a.notebook for a in apps) == sorted(p.name for p in DASHBOARDS.glob("*.ipynb"))
    assert {a.notebook for a in apps if a.audience == "trainer"} == {
        "trainer.ipynb",
        "triage-drill.ipynb",
        "hand-ins.ipynb",
        "exercise-controller.ipynb",
        "exercise-wall.ipynb",
        "library-coe.ipynb",
    }
    assert {a.notebook for a in apps if a.audience == "learner"} == {
        "exercise-player.ipynb",
        "exercise-review.ipynb",
        "library.ipynb",
    }
    assert all(a.title and a.question.endswith("?") and a.who for a in apps)

    folder = tmp_path / "dashboards"
    shutil.copytree(DASHBOARDS, folder)
    shutil.copyfile(folder / "roi.ipynb", folder / "new.ipynb")
    with pytest.raises(
        DataError, match=r"apps.yml:\d+:\d+: apps: not listed: new.ipynb; give each its notebook, title"
    ):
        load_apps(folder)
    (folder / "new.ipynb").unlink()
    data = yaml.safe_load((folder / APPS_FILE).read_text(encoding="utf-8"))
    data["apps"][1]["audience"] = "board"
    (folder / APPS_FILE).write_text(yaml.safe_dump(data), encoding="utf-8")
    port = free_port()
    with pytest.raises(DataError, match=r"apps.yml:\d+:\d+: apps\[1\].audience: expected one of executive, trainer"):
        start_dashboards(port, tmp_path / "voila.log", folder=folder)
    assert nothing_listens(port) and not (tmp_path / "voila.log").exists(), "nothing started"
