"""The learner's server on one machine: JupyterHub's simple local spawner, a folder per learner, and limits.

Limits, per process of a learner's server (its JupyterLab and each kernel it starts), because one machine without
root-managed cgroups has no per-user total: the data segment (heap) is capped at `memory_mb`, so a runaway cell
fails with MemoryError instead of taking the machine, and learner processes run at a lower priority (nice 5), so
the hub, the proxy and grading stay responsive when learners compute. Every server ends with the hub, however the
hub ends. For hard per-learner totals, run the same settings on Kubernetes (deploy/), where the pod has the limits.
"""

from __future__ import annotations

import os
import resource

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Integer

from graders.serving.lifetime import preexec

NICENESS = 5


class LearnerSpawner(SimpleLocalProcessSpawner):
    """A learner's JupyterLab in their own folder, with a memory cap per process; it ends with the hub."""

    memory_mb = Integer(2048, config=True, help="Data segment (heap) cap per process of a learner's server, in MiB.")

    def make_preexec_fn(self, name):
        prepare, end_with_hub = super().make_preexec_fn(name), preexec()
        cap = self.memory_mb * 1024 * 1024

        def prepare_learner() -> None:
            prepare()
            if end_with_hub is not None:
                end_with_hub()
            resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
            os.nice(NICENESS)

        return prepare_learner
