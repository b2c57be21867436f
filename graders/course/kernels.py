"""Install the kit's kernelspecs into the running environment, so notebooks, papermill and nbgrader all use them."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

from graders.paths import KERNELS

LEARNER_KERNEL = "smtk"


def kernel_names() -> list[str]:
    """The kernelspecs the kit ships (one folder each under kernels/)."""
    return sorted(p.parent.name for p in KERNELS.glob("*/kernel.json"))


def _spec_for_this_python(name: str) -> dict:
    spec = json.loads((KERNELS / name / "kernel.json").read_text(encoding="utf-8"))
    spec["argv"][0] = sys.executable
    return spec


def install_kernels(prefix: str | Path = sys.prefix) -> list[Path]:
    """Install (or refresh) every kit kernelspec under `prefix`, pointing at this Python; return their folders.

    A spec already installed with identical content is left alone, so a second run changes nothing.
    """
    manager = KernelSpecManager()
    installed = []
    for name in kernel_names():
        spec = _spec_for_this_python(name)
        target = Path(prefix) / "share" / "jupyter" / "kernels" / name
        current = target / "kernel.json"
        if current.exists() and json.loads(current.read_text(encoding="utf-8")) == spec and _same_files(name, target):
            installed.append(target)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            staged = Path(tmp) / name
            shutil.copytree(KERNELS / name, staged)
            (staged / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
            installed.append(Path(manager.install_kernel_spec(str(staged), name, prefix=str(prefix))))
    return installed


def _same_files(name: str, target: Path) -> bool:
    """True when every non-spec file (logos) of the shipped kernel is present and identical in `target`."""
    for src in (KERNELS / name).iterdir():
        if src.name == "kernel.json":
            continue
        dst = target / src.name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            return False
    return True
