"""The layout holds: no import cycles, old import paths still work (and still grade), the project stands alone."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from pathlib import Path

import grimp
import pytest
from grading_helpers import graded_test_ids, item_scores, mixed, release_of
from roundtrip import nbgrader

from graders.grading.pipeline import autograde
from graders.paths import ROOT
from simulations._moved import MOVED


def cycles(graph, modules) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), i.e. every import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                other = stack.pop()
                group.append(other)
                if other == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_in_graders_or_simulations():
    graph = grimp.build_graph("simulations", "graders")
    assert cycles(graph, graph.modules) == []


def test_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.y", imported="a.z")
    assert cycles(graph, graph.modules) == [["a.x", "a.y"]]


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_old_import_path_is_the_moved_module(old, new):
    assert not (ROOT / (old.replace(".", "/") + ".py")).exists(), f"{old} is both moved and still a file"
    assert importlib.import_module(old) is importlib.import_module(new)


def old_paths(text: str) -> str:
    """`text` with every moved module named by its old path, as a course built before the move has it."""
    by_length = sorted(MOVED.items(), key=lambda item: len(item[1]), reverse=True)
    for old, new in by_length:
        text = re.sub(rf"(?<![\w.]){re.escape(new)}(?![\w])", old, text)
    return text


@pytest.mark.slow
@pytest.mark.parametrize("module_id", ["partner-accounts", "media-literacy"])
def test_course_built_with_old_import_paths_grades_the_same(course_copy: Path, tmp_path, module_id):
    new_root = tmp_path / "new-paths"
    shutil.copytree(course_copy, new_root)
    source = course_copy / "source" / module_id / f"{module_id}.ipynb"
    text = source.read_text(encoding="utf-8")
    source.write_text(old_paths(text), encoding="utf-8")
    nbgrader(course_copy, "generate_assignment", module_id, "--force")
    released = "".join(c.source for c in release_of(course_copy, module_id).cells)
    assert "from simulations.org import" in released and "simulations.profile" not in released

    for root in (course_copy, new_root):
        learners = mixed(root, module_id)
        report = autograde(module_id, root, workers=2, progress=False)
        assert {r.learner: r.status for r in report.learners} == dict.fromkeys(learners, "graded")
    old_scores, new_scores = item_scores(course_copy, module_id), item_scores(new_root, module_id)
    assert old_scores == new_scores
    tests = graded_test_ids(release_of(course_copy, module_id))
    assert all(old_scores["correct"][t] > 0 for t in tests) and all(old_scores["blank"][t] == 0 for t in tests)


def test_no_file_cites_a_document_outside_the_repository():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    outside = re.compile(r"\.\./shared/|(?<![\w/])(DESIGN|DOMAIN|STACK-NOTES)\.md")
    cited = []
    for name in files:
        path = ROOT / name
        if path.suffix in {".png", ".csv"} or name.endswith("package-lock.json") or not path.is_file():
            continue
        if outside.search(path.read_text(encoding="utf-8", errors="replace")):
            cited.append(name)
    assert cited == [], "cite docs/ instead"
