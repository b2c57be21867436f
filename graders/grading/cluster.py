"""`smtk grade autograde --scheduler ADDRESS`: the same sandboxed jobs on a Dask distributed cluster.

Each Dask worker process starts its own warm zygote on first use (a worker holds threads and an event loop, so it
must never fork itself); the job carries its cells and files, and the result comes back to the one gradebook writer.
"""

from __future__ import annotations

import threading

from graders.grading.sandbox.zygote import Job, JobResult, Zygote

_zygote: Zygote | None = None
_lock = threading.Lock()


def run_on_worker(job: Job) -> JobResult:
    """Runs inside a Dask worker: grade one job through this worker's zygote."""
    global _zygote
    with _lock:
        if _zygote is None or _zygote.process.poll() is not None:
            _zygote = Zygote()
    return _zygote.run(job)


class DaskExecutor:
    """Submit jobs to a running Dask scheduler; futures come back in completion order."""

    def __init__(self, address: str):
        from graders.course.root import GradeError

        try:
            from distributed import Client
        except ImportError:
            raise GradeError("--scheduler needs Dask distributed: pip install 'smtk[cluster]'") from None
        try:
            self.client = Client(address, timeout=30)
        except (OSError, TimeoutError, ValueError) as exc:
            raise GradeError(f"cannot reach the Dask scheduler at {address} ({exc}); is it running?") from None

    @property
    def slots(self) -> int:
        """Jobs the cluster runs at once: one per worker thread."""
        return max(sum(self.client.nthreads().values()), 1)

    def submit(self, job: Job):
        return self.client.submit(run_on_worker, job, pure=False)

    def wait(self, futures):
        from distributed import wait

        return wait(futures, return_when="FIRST_COMPLETED").done

    def close(self):
        self.client.close()
