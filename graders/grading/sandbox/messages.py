"""The messages the grader, the zygote and the learner's process exchange (over graders.grading.sandbox.wire).

Every message is one JSON object; these types say which keys each carries, so both ends read the same shape.
"""

from __future__ import annotations

from typing import Literal, TypedDict


class Cell(TypedDict):
    """One code cell of a job: its position in the notebook, its source, and whether it is a hidden-test cell."""

    index: int
    source: str
    test: bool


class RunCell(Cell):
    """Grader -> learner process: run this cell."""

    op: Literal["cell"]


class Control(TypedDict):
    """Grader -> learner process: `go` once its walls are up, `done` after the last cell."""

    op: Literal["go", "done"]


class CellResult(TypedDict):
    """Learner process -> grader: what a cell printed and displayed, as nbformat outputs."""

    index: int
    outputs: list[dict]
    execution_count: int
    patched: list[str]


class Ready(TypedDict):
    """Zygote -> grader at start (its pid), or learner process -> grader (the protections it has)."""

    ready: int | dict[str, bool]


class Started(TypedDict):
    """Supervisor -> grader: the learner process's pid (its process group)."""

    pid: int


class Exited(TypedDict):
    """Supervisor -> grader: how the learner process ended and its peak memory."""

    exit: str
    max_rss_kb: int
