"""The `smtk` command and the data files a trainer edits: clear one-line errors naming file and field, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jupyter_client.kernelspec import KernelSpecManager

from graders import __version__
from graders.course.kernels import LEARNER_KERNEL, install_kernels
from graders.course.manifest import load_manifest
from graders.paths import DEMO_ORG, MANIFEST, ROOT
from simulations.common.datafiles import DataError
from simulations.profile.org import load_org


def smtk(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The installed console script, as a user runs it."""
    exe = Path(sys.executable).parent / "smtk"
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_help_and_version():
    help_ = smtk("--help")
    assert help_.returncode == 0
    for command in ("demo", "kernels", "tailor"):
        assert command in help_.stdout
    assert smtk("--version").stdout.strip() == f"smtk {__version__}"


def test_kernel_installed_once_and_points_at_this_python(tmp_path):
    first = install_kernels(tmp_path)
    stamp = (first[0] / "kernel.json").stat().st_mtime_ns
    second = install_kernels(tmp_path)
    assert first == second
    assert (second[0] / "kernel.json").stat().st_mtime_ns == stamp, "a second install rewrote an identical spec"
    spec = json.loads((first[0] / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    assert spec["display_name"] == "Social Media Training (Python 3)"
    assert (first[0] / "logo-64x64.png").exists()


def test_learner_kernel_visible_to_jupyter():
    spec = KernelSpecManager().get_kernel_spec(LEARNER_KERNEL)
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
    assert spec.env["SMTK_KERNEL"] == LEARNER_KERNEL


def test_environment_yml_matches_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert {"test", "cluster"} <= set(extras)
    wanted = sorted(project["dependencies"] + [spec for specs in extras.values() for spec in specs])
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    listed = sorted(d for d in conda if isinstance(d, str) and not d.startswith(("python", "pip")))
    normalise = lambda specs: sorted({s.replace(" ", "").lower().replace("_", "-") for s in specs})  # noqa: E731
    assert normalise(listed) == normalise(wanted), "environment.yml and pyproject.toml list different dependencies"


def test_shipped_data_loads():
    manifest = load_manifest()
    assert [t.id for t in manifest.tracks] == ["executives", "coe", "business-units", "employees", "partners"]
    assert manifest.module("policy-disclosure").points == 12
    assert load_org(DEMO_ORG).name == "Larkspur Appliances"


def broken(tmp_path: Path, source: Path, edit) -> Path:
    data = yaml.safe_load(source.read_text())
    edit(data)
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


MANIFEST_BREAKS = {
    "missing minutes": (
        lambda d: d["tracks"][3]["modules"][0]["lessons"][0].pop("minutes"),
        "tracks[3].modules[0].lessons[0].minutes",
    ),
    "bad date": (lambda d: d["tracks"][3]["modules"][0].update(review_by="soon"), "review_by"),
    "unknown prerequisite": (
        lambda d: d["tracks"][3]["modules"][0].update(prerequisites=["nowhere"]),
        "prerequisites",
    ),
    "negative points": (lambda d: d["tracks"][3]["modules"][0].update(points=-1), "points"),
}


@pytest.mark.parametrize("case", MANIFEST_BREAKS, ids=list(MANIFEST_BREAKS))
def test_malformed_manifest_names_file_and_field(tmp_path, case):
    edit, field = MANIFEST_BREAKS[case]
    path = broken(tmp_path, MANIFEST, edit)
    (tmp_path / "source").symlink_to(MANIFEST.parent / "source")
    with pytest.raises(DataError) as err:
        load_manifest(path)
    assert err.value.path == str(path) and field in err.value.field
    cli = smtk("tailor", str(DEMO_ORG), "--manifest", str(path), "--out", str(tmp_path / "out"))
    assert cli.returncode == 2
    assert str(path) in cli.stderr and field in cli.stderr and "Traceback" not in cli.stderr


ORG_BREAKS = {
    "no name": (lambda d: d.pop("name"), "name"),
    "unknown track": (lambda d: d.update(tracks=["employees", "astronauts"]), "tracks"),
    "contact without email": (lambda d: d["contacts"]["legal"].pop("email"), "contacts.legal.email"),
    "headcount not a number": (
        lambda d: d["audiences"]["employees"].update(headcount="many"),
        "audiences.employees.headcount",
    ),
}


@pytest.mark.parametrize("case", ORG_BREAKS, ids=list(ORG_BREAKS))
def test_malformed_org_names_file_and_field(tmp_path, case):
    edit, field = ORG_BREAKS[case]
    path = broken(tmp_path, DEMO_ORG, edit)
    with pytest.raises(DataError) as err:
        load_org(path)
    assert err.value.path == str(path) and field in err.value.field
    cli = smtk("tailor", str(path), "--out", str(tmp_path / "out"))
    assert cli.returncode == 2 and "Traceback" not in cli.stderr
    assert cli.stderr.startswith(f"smtk: error: {path}:{err.value.line}:{err.value.column}: ") and field in cli.stderr
    assert not (tmp_path / "out" / "release").exists(), "nothing is built from a bad profile"


def test_unreadable_yaml_says_where(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text("name: [unclosed\n")
    cli = smtk("tailor", str(path), "--out", str(tmp_path / "out"))
    assert cli.returncode == 2 and "Traceback" not in cli.stderr
    assert cli.stderr.startswith(f"smtk: error: {path}:2:1: (top level): not valid YAML: ")


def test_tailor_rerun_rebuilds_nothing(demo_course):
    again = smtk("tailor", str(DEMO_ORG), "--out", str(demo_course.root))
    assert again.returncode == 0, again.stderr
    assert "0 module(s) built" in again.stdout


def test_tailor_builds_only_the_modules_asked_for(tmp_path):
    """What `smtk banks MODULE` builds in its scratch course: that module alone, released and in the gradebook."""
    from nbgrader.api import Gradebook

    from graders.course.root import gradebook_url
    from graders.course.tailor import tailor

    result = tailor(DEMO_ORG, tmp_path / "demo", progress=False, only={"new-hire"})
    assert result.built == ["new-hire"]
    assert sorted(p.name for p in (tmp_path / "demo" / "source").iterdir()) == ["new-hire"]
    assert (tmp_path / "demo" / "release" / "new-hire" / "new-hire.ipynb").exists()
    with Gradebook(gradebook_url(tmp_path / "demo")) as gb:
        assert [a.name for a in gb.assignments] == ["new-hire"]


def test_kernels_install_command():
    out = smtk("kernels", "install")
    assert out.returncode == 0 and "installed kernel smtk" in out.stdout
    assert os.path.exists(Path(sys.prefix) / "share" / "jupyter" / "kernels" / "smtk" / "kernel.json")
