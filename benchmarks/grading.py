"""Grading throughput: stock `nbgrader autograde` against `smtk grade autograde`, same submissions, same run.

Builds N mixed submissions (correct, partial, blank, broken) of a real module in two copies of a tailored course,
grades one with each tool, requires identical scores, and prints, last line, one JSON object.
Usage: python benchmarks/grading.py [--submissions 200] [--module policy-disclosure] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The repository before this folder, whose simulations.py (the simulation benchmarks) would shadow the package.
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from grading_helpers import answer_ids, answered, item_scores, place  # noqa: E402

from graders.course.tailor import tailor  # noqa: E402
from graders.paths import DEMO_ORG  # noqa: E402


def build(root: Path, module_id: str, count: int) -> None:
    import nbformat

    release = nbformat.read(root / "release" / module_id / f"{module_id}.ipynb", as_version=4)
    answers = answer_ids(release)
    kinds = [
        answered(root, module_id),
        answered(root, module_id, set(answers[::2])),
        release,
        answered(root, module_id, override={answers[-1]: "def broken(:\n    pass"}),
    ]
    for i in range(count):
        place(root, module_id, f"learner{i:04d}", kinds[i % len(kinds)])


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - started, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--module", default="policy-disclosure")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for var in ("IPYTHONDIR", "MPLCONFIGDIR", "JUPYTER_RUNTIME_DIR"):
            (tmp / var).mkdir()
            os.environ[var] = str(tmp / var)
        course = tailor(DEMO_ORG, tmp / "course", progress=False).root
        stock, ours = tmp / "stock", tmp / "smtk"
        shutil.copytree(course, stock)
        shutil.copytree(course, ours)
        build(stock, args.module, args.submissions)
        build(ours, args.module, args.submissions)
        stock_s, _ = timed([str(Path(sys.executable).parent / "nbgrader"), "autograde", args.module, "--create"], stock)
        smtk_cmd = [sys.executable, "-m", "graders.cli", "grade", "autograde", args.module, "--course", str(ours)]
        smtk_s, report = timed([*smtk_cmd, "--workers", str(args.workers)], ours)
        identical = item_scores(stock, args.module) == item_scores(ours, args.module)
        found = re.search(r"peak memory (\d+) MB", report)
        rss = float(found.group(1)) if found else 0.0
    n = args.submissions
    result = {
        "submissions": n,
        "stock_per_min": round(n / stock_s * 60, 1),
        "smtk_per_min": round(n / smtk_s * 60, 1),
        "speedup": round(stock_s / smtk_s, 2),
        "peak_rss_mb_per_worker": round(rss, 1),
        "scores_identical": identical,
    }
    print(f"stock nbgrader autograde: {stock_s:.1f} s for {n} submissions ({stock_s / n:.2f} s each)")
    print(f"smtk grade autograde:     {smtk_s:.1f} s ({smtk_s / n:.3f} s each, {args.workers} workers)")
    print(f"speedup {result['speedup']}x, scores identical: {identical}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
