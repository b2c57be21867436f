"""Grading throughput: stock `nbgrader autograde` against `smtk grade autograde`, same submissions, same run.

Builds N mixed submissions (correct, partial, blank, broken) of a real module once, and grades a fresh copy of the
course with each tool in every round. The tools take turns: stock first in odd rounds, smtk first in even ones, so
neither always runs on a warmer (or more tired) machine; both orders' times and ratios are printed. Every run must
give the scores of the first stock run: any learner whose scores differ is printed with both scores and the script
exits 1. Prints, last line, one JSON object.
Usage: python benchmarks/grading.py [--submissions 100] [--rounds 2] [--module policy-disclosure] [--workers 2]
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

TOOLS = ("stock", "smtk")
ORDERS = {"stock_first": TOOLS, "smtk_first": TOOLS[::-1]}


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


def grade(tool: str, course: Path, module_id: str, workers: int) -> tuple[float, str]:
    """Seconds one tool takes to autograde every submission of `module_id` in `course`, and what it printed."""
    if tool == "stock":
        return timed([str(Path(sys.executable).parent / "nbgrader"), "autograde", module_id, "--create"], course)
    command = [sys.executable, "-m", "graders.cli", "grade", "autograde", module_id, "--course", str(course)]
    return timed([*command, "--workers", str(workers)], course)


def total(items: dict[str, float | None]) -> float:
    return sum(score or 0.0 for score in items.values())


def differences(reference: dict, other: dict, other_name: str) -> list[str]:
    """One line per learner whose item scores differ from the reference (stock) run's, with both scores."""
    lines = []
    for learner in sorted(reference.keys() | other.keys()):
        ours, theirs = reference.get(learner), other.get(learner)
        if ours == theirs:
            continue
        if ours is None or theirs is None:
            lines.append(f"  {learner}: graded by {'stock only' if theirs is None else other_name + ' only'}")
            continue
        items = ", ".join(
            f"{item} {ours.get(item)} vs {theirs.get(item)}"
            for item in sorted(ours.keys() | theirs.keys())
            if ours.get(item) != theirs.get(item)
        )
        lines.append(f"  {learner}: stock {total(ours):g}, {other_name} {total(theirs):g} ({items})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of both tools, alternating who goes first")
    parser.add_argument("--module", default="policy-disclosure")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.rounds < 2:
        parser.error("--rounds must be at least 2, so each tool goes first once")
    times: dict[str, dict[str, list[float]]] = {order: {tool: [] for tool in TOOLS} for order in ORDERS}
    mismatches: list[str] = []
    rss = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for var in ("IPYTHONDIR", "MPLCONFIGDIR", "JUPYTER_RUNTIME_DIR"):
            (tmp / var).mkdir()
            os.environ[var] = str(tmp / var)
        course = tailor(DEMO_ORG, tmp / "course", progress=False).root
        build(course, args.module, args.submissions)
        reference = None
        for round_no in range(1, args.rounds + 1):
            order = "stock_first" if round_no % 2 else "smtk_first"
            for tool in ORDERS[order]:
                copy = tmp / f"{tool}-{round_no}"
                shutil.copytree(course, copy)
                seconds, report = grade(tool, copy, args.module, args.workers)
                times[order][tool].append(seconds)
                print(f"round {round_no} ({order.replace('_', ' ')}): {tool} {seconds:.1f} s", flush=True)
                if peak := re.search(r"peak memory (\d+) MB", report):
                    rss = max(rss, float(peak.group(1)))
                scores = item_scores(copy, args.module)
                if reference is None:
                    reference = scores
                elif lines := differences(reference, scores, f"{tool} (round {round_no})"):
                    mismatches.append(f"{tool} in round {round_no} differs from stock in round 1:")
                    mismatches.extend(lines)
                shutil.rmtree(copy)
    n = args.submissions
    stock_s = sum(sum(t["stock"]) for t in times.values())
    smtk_s = sum(sum(t["smtk"]) for t in times.values())
    graded = n * args.rounds
    result = {
        "submissions": n,
        "stock_per_min": round(graded / stock_s * 60, 1),
        "smtk_per_min": round(graded / smtk_s * 60, 1),
        "speedup": round(stock_s / smtk_s, 2),
        "peak_rss_mb_per_worker": round(rss, 1),
        "scores_identical": not mismatches,
        "rounds": args.rounds,
        "orders": {
            order: {
                "stock_s": round(sum(t["stock"]), 1),
                "smtk_s": round(sum(t["smtk"]), 1),
                "speedup": round(sum(t["stock"]) / sum(t["smtk"]), 2),
            }
            for order, t in times.items()
        },
    }
    for order, figures in result["orders"].items():
        runs = len(times[order]["stock"])
        print(
            f"{order.replace('_', ' ')} ({runs} round(s)): stock {figures['stock_s']} s, smtk {figures['smtk_s']} s, "
            f"speedup {figures['speedup']}x"
        )
    print(f"stock nbgrader autograde: {stock_s:.1f} s for {graded} submissions ({stock_s / graded:.2f} s each)")
    print(f"smtk grade autograde:     {smtk_s:.1f} s ({smtk_s / graded:.3f} s each, {args.workers} workers)")
    print(f"speedup {result['speedup']}x, scores identical: {not mismatches}")
    print(json.dumps(result))
    if mismatches:
        sys.exit("scores differ between stock nbgrader and smtk:\n" + "\n".join(mismatches))


if __name__ == "__main__":
    main()
