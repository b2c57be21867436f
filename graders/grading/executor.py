"""What the autograder needs of whatever runs its sandboxed jobs: the local pool and the Dask cluster both fit it."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future
from typing import Protocol

from graders.grading.sandbox.zygote import Job, JobResult


class Executor(Protocol):
    """Runs jobs somewhere, `slots` at a time; futures resolve to JobResults."""

    @property
    def slots(self) -> int: ...

    def submit(self, job: Job) -> Future[JobResult]: ...

    def wait(self, futures: Iterable[Future[JobResult]]) -> set[Future[JobResult]]:
        """The futures among `futures` that are done, once at least one is."""
        ...

    def close(self) -> None: ...
