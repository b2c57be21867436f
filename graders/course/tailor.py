"""Organisation profile -> a tailored nbgrader course root (papermill injects, nbgrader releases)."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import papermill
from tqdm.auto import tqdm

from graders.course.apps import load_apps
from graders.course.banks import GLOB as BANK_GLOB
from graders.course.facilitator import write_guides
from graders.course.manifest import Manifest, Module, load_manifest
from graders.course.root import nbgrader_api, write_config
from graders.course.start_here import write_start_pages
from graders.paths import DASHBOARDS, MANIFEST
from simulations.common.facts import FactReferenceError, Registry, load_facts, render_markdown
from simulations.profile.org import PROFILE_FILE, OrgProfile, load_org

STATE_FILE = ".smtk-build.json"
FACTS_NAME = "facts.yml"  # the fact registry, beside the manifest
PARAMETERS_GRADE_ID = "org-parameters"


def injected_source(org: OrgProfile) -> str:
    """What a learner reads in the injected cell: whom the course is for and the one line that names the profile file
    beside the notebook (papermill injects `ORG = "org.json"`; simulations.profile.org.org_parameters reads the
    file), not the profile itself as one long line of JSON."""
    name = " ".join(org.name.split())
    return (
        f"# This course is prepared for {name}.\n"
        f"# Its profile is the file {PROFILE_FILE} beside this notebook.\n"
        f'ORG = "{PROFILE_FILE}"'
    )


class TailorError(RuntimeError):
    """A module could not be built; the message names the module and what nbgrader or papermill said."""


@dataclass
class TailorResult:
    """What a tailoring run made: the course root, the modules rebuilt and those left as they were."""

    root: Path
    org: OrgProfile
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    start_pages: list[Path] = field(default_factory=list)  # release/0-start-here/<track>.md, one per track
    guides: list[Path] = field(default_factory=list)  # facilitator/<track>/<module>.md, trainer's side only

    def release(self, module_id: str, lesson: str | None = None) -> Path:
        """A released notebook: the module's lesson `lesson`, or the notebook named like the module by default."""
        return self.root / "release" / module_id / f"{lesson or module_id}.ipynb"

    def releases(self, module: Module) -> list[Path]:
        """The module's released notebooks, one per lesson, in order."""
        return [self.release(module.id, lesson.id) for lesson in module.lessons]


def modules_for(org: OrgProfile, manifest: Manifest) -> list[Module]:
    """The modules of the tracks this organisation asked for, in manifest order."""
    return [m for t in manifest.tracks if t.id in org.tracks for m in t.modules]


def tailor(
    org_path: str | Path,
    out: str | Path,
    manifest_path: str | Path = MANIFEST,
    progress: bool = True,
    only: Collection[str] | None = None,
) -> TailorResult:
    """Build (or bring up to date) the course root `out` for the organisation in `org_path`: every module of its
    tracks with the start pages and trainers' guides, or only the modules in `only` (a scratch course for a few
    modules, as `smtk banks MODULE` builds).

    Only modules whose master content or profile changed since the last run are rebuilt.
    """
    org = load_org(org_path)
    manifest = load_manifest(manifest_path)
    facts = load_facts(facts_path(manifest.path))
    root = Path(out).resolve()
    write_config(root, org.slug, org.name)
    shutil.copyfile(manifest.path, root / "course.yml")
    shutil.copyfile(org_path, root / "org.yaml")
    shutil.copyfile(facts.path, root / FACTS_NAME)
    state_path = root / STATE_FILE
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    result = TailorResult(root, org)
    profile = json.dumps(org.to_parameters(), indent=2, ensure_ascii=False) + "\n"
    modules = [m for m in modules_for(org, manifest) if only is None or m.id in only]
    api = None
    for module in tqdm(modules, desc=f"Tailoring for {org.name}", unit="module", disable=not progress):
        master = manifest.source_dir / module.id
        digest = _digest(
            master, {"profile": profile, "injected": injected_source(org), "facts": facts.path.read_text("utf-8")}
        )
        if state.get(module.id) == digest and all(p.exists() for p in result.releases(module)):
            result.unchanged.append(module.id)
            continue
        _inject(master, root / "source" / module.id, profile, injected_source(org), facts, org.jurisdictions)
        api = api or nbgrader_api(root)
        _generate(api, module.id)
        state[module.id] = digest
        state_path.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
        result.built.append(module.id)
    if only is None:  # they list every module of the tracks, so a course of a few modules goes without them
        result.start_pages = write_start_pages(root / "release", manifest, org)
        result.guides = write_guides(root, manifest, org.tracks, org.name, load_apps(DASHBOARDS))
    return result


def _digest(folder: Path, parameters: dict) -> str:
    sha = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts):
        sha.update(str(path.relative_to(folder)).encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()


def facts_path(manifest_path: Path) -> Path:
    """The fact registry of the course whose manifest is `manifest_path`."""
    return Path(manifest_path).parent / FACTS_NAME


def render_facts(nb: nbformat.NotebookNode, facts: Registry, jurisdictions: tuple[str, ...], name: str) -> None:
    """Write each Markdown cell's fact references out as the registry's text, leaving out what names a fact outside
    the organisation's jurisdictions; an unknown reference raises TailorError naming the notebook and cell."""
    master_cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    for index, cell in enumerate(master_cells):  # numbered as in the master, without papermill's injected cell
        if cell.cell_type != "markdown":
            continue
        try:
            cell.source = render_markdown(cell.source, facts, jurisdictions)
        except FactReferenceError as exc:
            raise TailorError(f"{name}: cells[{index}]: {exc}") from None


def _inject(
    master_dir: Path,
    target_dir: Path,
    profile: str,
    source: str,
    facts: Registry,
    jurisdictions: tuple[str, ...],
) -> None:
    """Copy a module's folder, write the profile beside its notebooks, let papermill inject its file name into each
    notebook with a `parameters` cell, and render the lessons' fact references as text for this organisation.

    The profile file sits in the module's folder, so nbgrader copies it into the release (it travels with fetch and
    submit) and restores it from source/ when grading, whatever a learner did to their copy.
    """
    if target_dir.exists():
        shutil.rmtree(target_dir)
    # An answer bank lists right and wrong answers: it stays with the master, out of the release learners fetch.
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", BANK_GLOB)
    shutil.copytree(master_dir, target_dir, ignore=ignore)
    (target_dir / PROFILE_FILE).write_text(profile, encoding="utf-8")
    logging.getLogger("papermill").setLevel(logging.WARNING)
    for notebook in sorted(target_dir.glob("*.ipynb")):
        nb = papermill.execute_notebook(
            str(notebook),
            None,
            parameters={"ORG": PROFILE_FILE},
            prepare_only=True,
            log_output=False,
            progress_bar=False,
        )
        shown = next((c.metadata for c in nb.cells if "parameters" in c.metadata.get("tags", [])), {})
        for cell in nb.cells:
            if "injected-parameters" in cell.metadata.get("tags", []):
                cell.source = source
                # A code-free module hides its parameters cell from the learner: the injected one below it too.
                cell.metadata.update({k: shown[k] for k in ("jupyter", "editable", "deletable") if k in shown})
                # Locked like the lesson text: autograding restores it, so a learner cannot rewrite the profile.
                cell.metadata["nbgrader"] = {
                    "grade": False,
                    "grade_id": PARAMETERS_GRADE_ID,
                    "locked": True,
                    "schema_version": 3,
                    "solution": False,
                    "task": False,
                }
        render_facts(nb, facts, jurisdictions, str(master_dir / notebook.name))
        nb.metadata.pop("papermill", None)
        for cell in nb.cells:
            cell.metadata.pop("papermill", None)
        nbformat.write(nb, str(notebook))


def _generate(api, module_id: str) -> None:
    outcome = api.generate_assignment(module_id, force=True, create=True)
    if not outcome.get("success"):
        raise TailorError(
            f"nbgrader could not generate the release of module {module_id!r}:\n"
            f"{outcome.get('error') or outcome.get('log')}"
        )
