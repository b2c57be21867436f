"""`smtk grade autograde --scheduler`: the same sandboxed jobs on a Dask cluster of separate worker processes."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from grading_helpers import item_scores, late_penalties, mixed
from roundtrip import autograde as stock_autograde

from graders.course.manifest import load_manifest
from graders.grading.pipeline import autograde

pytestmark = pytest.mark.slow


def distributed_or_skip():
    """Dask distributed (the `cluster` extra), or a skip with the reason (a failure under CI=true, where `make test`
    installs the extra)."""
    try:
        import distributed
    except ImportError:
        reason = "Dask distributed is not installed (pip install -e '.[cluster]'; `make test` installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return distributed


def _zygote_pid() -> int | None:
    """Runs on a Dask worker: the pid of its warm zygote, if it started one."""
    from graders.grading import cluster

    return cluster._zygote.process.pid if cluster._zygote is not None else None


def test_a_local_cluster_grades_like_stock_nbgrader(course_copy: Path, tmp_path):
    distributed = distributed_or_skip()
    module_id = load_manifest().modules[0].id
    learners = mixed(course_copy, module_id)
    stock_root = tmp_path / "stock"
    shutil.copytree(course_copy, stock_root)
    stock_autograde(stock_root, module_id)

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        report = autograde(module_id, course_copy, scheduler=cluster.scheduler_address, progress=False)
        zygotes = {pid for pid in client.run(_zygote_pid).values() if pid}
        workers = set(client.run(os.getpid).values())
    assert zygotes and os.getpid() not in workers  # the sandboxes ran under the worker processes
    assert {r.learner: r.status for r in report.learners} == dict.fromkeys(learners, "graded")
    assert report.protections["files_confined"] and report.protections["no_network"]
    assert item_scores(course_copy, module_id) == item_scores(stock_root, module_id)
    assert late_penalties(course_copy, module_id) == late_penalties(stock_root, module_id)
    deadline = time.monotonic() + 30  # each worker's zygote ends with its worker
    while any(Path(f"/proc/{pid}").exists() for pid in zygotes) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in zygotes)
