"""`smtk demo`: tailor the demo organisation's course and serve it: a learner's JupyterLab, a trainer's and Voilà.

The learner's JupyterLab serves only the learner's working copy, with nbgrader's learner tools (Validate, the
assignment list) and none of its authoring tools; the trainer's serves the course root with all of them, formgrader
included (graders/serving/learner-lab/README.md).
"""

from __future__ import annotations

import secrets
import shutil
import sys
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graders.course.kernels import install_kernels
from graders.course.lab_settings import install_lab_settings
from graders.course.tailor import tailor
from graders.paths import BUILD, DASHBOARDS, DEMO_ORG
from graders.results.trainer_data import COURSE_ENV
from graders.serving import servers
from graders.serving.dashboards import dashboards_url, front_end_notice, start_dashboards
from graders.serving.servers import HOST, Server, check_port_free, has_display, start_lab

VOILA_OPTION = "--voila-port (make demo VOILA_PORT=...)"


@dataclass
class Demo:
    """The running demo: its three servers and the URLs to give the user."""

    org_name: str
    root: Path
    lab: Server
    trainer_lab: Server
    voila: Server
    lab_url: str
    trainer_url: str
    voila_url: str

    @property
    def servers(self) -> tuple[Server, ...]:
        return (self.lab, self.trainer_lab, self.voila)

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()


def learner_workspace(root: Path) -> Path:
    """A learner's working copy of the release, made once so their edits survive a rebuild of the course.

    The notebooks are the learner's work; the other files (the organisation's profile beside each notebook, the
    "Start here" pages) follow the latest build.
    """
    workspace = root / "learner"
    for path in sorted(p for p in (root / "release").glob("*/*") if p.is_file()):
        target = workspace / path.parent.name / path.name
        if not target.exists() or (path.suffix != ".ipynb" and target.read_bytes() != path.read_bytes()):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return workspace


def start_demo(
    org: Path = DEMO_ORG,
    out: Path | None = None,
    lab_port: int = 8888,
    voila_port: int = 8866,
    dashboards: Path = DASHBOARDS,
    progress: bool = True,
    trainer_port: int = 8889,
    cohort: Callable[[Path], object] | None = None,
) -> Demo:
    """Install the kernels, bring the course up to date, start the three servers and wait until they answer.

    `cohort`, given the course root once it is built and before any server starts (so the trainer app's kernels,
    which run the app ahead of visitors, read its grades), fills the course with work to show. The CLI passes the
    demo cohort's build (graders.grading.demo_cohort), which serving may not import.
    """
    check_port_free(lab_port, "JupyterLab for learners", "--lab-port (make demo LAB_PORT=...)")
    check_port_free(trainer_port, "JupyterLab for trainers", "--trainer-port (make demo TRAINER_PORT=...)")
    check_port_free(voila_port, "Voilà", VOILA_OPTION)
    install_kernels()
    install_lab_settings()
    result = tailor(org, out or BUILD / Path(org).stem, progress=progress)
    root = result.root
    workspace = learner_workspace(root)
    if cohort:
        cohort(root)
    logs = root / "logs"
    learner_token, trainer_token = secrets.token_hex(16), secrets.token_hex(16)
    lab = start_lab(workspace, lab_port, learner_token, logs / "jupyterlab.log", learner=True)
    trainer_lab = start_lab(root, trainer_port, trainer_token, logs / "jupyterlab-trainer.log", learner=False)
    try:
        voila = start_dashboards(
            voila_port,
            logs / "voila.log",
            org=org,
            folder=dashboards,
            option=VOILA_OPTION,
            wait=False,
            env={COURSE_ENV: str(root)},  # the trainer app reads this course's gradebook
        )
    except BaseException:
        trainer_lab.stop()
        lab.stop()
        raise
    demo = Demo(
        result.org.name,
        root,
        lab,
        trainer_lab,
        voila,
        f"http://{HOST}:{lab_port}/lab?token={learner_token}",
        f"http://{HOST}:{trainer_port}/lab?token={trainer_token}",
        dashboards_url(voila_port),
    )
    try:
        lab.wait_ready()
        trainer_lab.wait_ready()
        voila.wait_ready(timeout=180)
    except BaseException:
        demo.stop()
        raise
    return demo


def run_demo(
    org: Path = DEMO_ORG,
    out: Path | None = None,
    lab_port: int = 8888,
    voila_port: int = 8866,
    open_browser: bool = True,
    echo: Callable[[str], None] = print,
    trainer_port: int = 8889,
    cohort: Callable[[Path], object] | None = None,
) -> int:
    """Start the demo, print the URLs, and stop every server cleanly on Ctrl-C or SIGTERM."""
    servers.stop_on_signals()
    demo = start_demo(org, out, lab_port, voila_port, trainer_port=trainer_port, cohort=cohort)
    try:
        echo(f"\nsmtk demo is running for {demo.org_name} (course root {demo.root}).")
        echo(f"  JupyterLab for learners (their copy of the course):     {demo.lab_url}")
        echo(f"  JupyterLab for trainers (the course root, formgrader):  {demo.trainer_url}")
        echo(f"  Voilà, the dashboards (executives):                     {demo.voila_url}")
        echo(f"  Server logs: {demo.lab.log.parent}")
        if notice := front_end_notice():
            echo(notice)
        echo("Press Ctrl-C to stop the servers.")
        sys.stdout.flush()
        if open_browser and has_display():
            webbrowser.open(demo.lab_url)
        while True:
            time.sleep(0.5)
            for server in demo.servers:
                if server.process.poll() is not None:
                    echo(
                        f"smtk: {server.name} stopped unexpectedly (exit {server.process.returncode}); see {server.log}"
                    )
                    return 1
    except KeyboardInterrupt:
        echo("Stopping JupyterLab and Voilà ...")
        return 0
    finally:
        servers.ignore_stop_signals()
        demo.stop()
        echo("Stopped.")
