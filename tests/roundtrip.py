"""Test helpers that drive real nbgrader commands in a course root and read scores back from its gradebook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from graders.course.root import gradebook_url
from graders.paths import ORGS
from simulations.profile.org import load_org

# Every example organisation shipped in courses/orgs/, by slug: each one's course is built and graded by the tests.
EXAMPLE_ORGS: dict[str, Path] = {load_org(path).slug: path for path in sorted(ORGS.glob("*.yaml"))}


@dataclass(frozen=True)
class Scores:
    """One learner's autograded and manual points on one assignment, as the gradebook holds them."""

    auto: float
    max_auto: float
    needs_manual_grade: bool


def submit(root: Path, module_id: str, learner: str, notebook: Path, lesson: str | None = None) -> Path:
    """Place `notebook` where nbgrader expects a learner's submission of `module_id` (its lesson `lesson`)."""
    target = root / "submitted" / learner / module_id / f"{lesson or module_id}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, target)
    return target


def nbgrader(root: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real `nbgrader` command of this environment inside the course root; fail loudly on a bad exit."""
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        [str(bindir / "nbgrader"), *args], cwd=root, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


# jupyter_client picks a kernel's TCP ports free and the kernel binds them later; when several kernels start at once
# another can take one between the two (jupyter/jupyter_client#487). Stock nbgrader has no retry for that.
PORT_RACE = "Address already in use"


def autograde(root: Path, module_id: str) -> subprocess.CompletedProcess:
    """Stock `nbgrader autograde` of a module ("*": of every module), run once more only when a kernel lost the port
    race above."""
    args = ("autograde", module_id, "--create", "--force")
    try:
        return nbgrader(root, *args)
    except AssertionError as failure:
        if PORT_RACE not in str(failure):
            raise
        return nbgrader(root, *args)


def output_text(notebook: Path) -> str:
    """Everything an executed notebook shows the learner: printed text and displayed HTML, Markdown or plain text."""
    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            data = output.get("data", {})
            parts.append(data.get("text/html", "") or data.get("text/markdown", "") or data.get("text/plain", ""))
    return "\n".join(parts)


def scores(root: Path, module_id: str, learner: str) -> Scores:
    """Autograded points (test cells) and whether a written answer waits for the trainer, from the gradebook."""
    with Gradebook(gradebook_url(root)) as gb:
        submission = gb.find_submission(module_id, learner)
        grades = [g for nb in submission.notebooks for g in nb.grades]
        # Test cells are the autograded items; graded answer cells (also solution cells) and tasks are the trainer's.
        answers = {
            c.name for nb in submission.notebooks for c in (*nb.notebook.solution_cells, *nb.notebook.task_cells)
        }
        auto = [g for g in grades if g.name not in answers]
        return Scores(
            auto=sum(g.auto_score for g in auto),
            max_auto=sum(g.max_score for g in auto),
            needs_manual_grade=any(g.needs_manual_grade for g in grades),
        )
