"""The executives, CoE and business-units modules show the organisation they were tailored for, whatever it is.

Each module's solution version runs through papermill with a profile unlike the demo's (another name, one
platform, another currency, a small workforce, low risk appetite): every hidden test must still pass, and what the
learner sees must come from that profile, never from the demo organisation.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml

from graders.course.manifest import load_manifest
from graders.paths import DEMO_ORG
from simulations.profile.org import load_org

TAILORED = [m for m in load_manifest().modules if m.track in ("executives", "coe", "business-units")]
LESSONS = [path for m in TAILORED for path in m.notebooks()]


@pytest.fixture(scope="module")
def small_bank(tmp_path_factory: pytest.TempPathFactory) -> dict:
    data = yaml.safe_load(DEMO_ORG.read_text(encoding="utf-8"))
    data.update(
        slug="harbour",
        name="Harbour Savings Bank",
        industry="financial-services",
        currency="EUR",
        products=["Harbour Saver account"],
        platforms=["LinkedIn"],
        regions=["Brittany"],
        risk_appetite="low",
    )
    data["audiences"] = {
        "executives": {"headcount": 4, "hourly_wage": 150},
        "coe": {"headcount": 1, "hourly_wage": 60},
        "business-units": {"headcount": 12, "hourly_wage": 55},
        "employees": {"headcount": 180, "hourly_wage": 38},
        "partners": {"headcount": 0, "hourly_wage": 0},
    }
    for role, contact in data["contacts"].items():
        contact["email"] = f"{role}@harbour.example"
        contact["name"] = f"Harbour {role} desk"
        contact.pop("channel", None)
    data["policy"]["title"] = "Harbour Savings Bank Social Media Rules (2026)"
    data["policy"]["url"] = "https://intranet.harbour.example/rules/social"
    for excerpt in data["policy"]["excerpts"]:
        excerpt["text"] = excerpt["text"].replace("Larkspur", "Harbour")
    data["ai_use"]["tools"] = [tool.replace("Larkspur", "Harbour") for tool in data["ai_use"]["tools"]]
    path = tmp_path_factory.mktemp("orgs") / "harbour.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_org(path).to_parameters()


def test_these_tracks_have_two_modules_each():
    manifest = load_manifest()
    for track in ("executives", "coe", "business-units"):
        assert len([m for m in manifest.modules if m.track == track]) >= 2, track


def shown_text(nb) -> str:
    """Everything the learner sees in outputs: printed text, Markdown and HTML displays, widget state aside."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output["text"])
            for mime in ("text/markdown", "text/html", "text/plain"):
                parts.append(str(output.get("data", {}).get(mime, "")))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("source", LESSONS, ids=[p.stem for p in LESSONS])
def test_solution_passes_and_shows_another_organisation(small_bank, tmp_path: Path, source):
    module_id = source.stem
    for attempt in (1, 2):
        try:
            out = papermill.execute_notebook(
                str(source),
                str(tmp_path / "out.ipynb"),
                parameters={"ORG": small_bank},
                cwd=str(source.parent),
                progress_bar=False,
            )
            break
        except RuntimeError as exc:
            # a kernel that dies before its first reply says nothing about the lesson (seen once in CI under load,
            # every other lesson passing; a port taken between jupyter_client choosing it and the kernel binding it
            # would do it): start it again, once
            if attempt == 2 or "Kernel died before replying to kernel_info" not in str(exc):
                raise
    errors = [o for c in out.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    text = shown_text(out)
    assert "Harbour" in text, f"{module_id} never shows the organisation it was tailored for"
    assert "Larkspur" not in text and "larkspur" not in text, f"{module_id} shows the demo organisation"


def test_every_module_names_its_sources_and_asks_for_feedback():
    for module in TAILORED:
        lessons = [nbformat.read(path, as_version=4) for path in module.notebooks()]
        text = "\n".join(c.source for nb in lessons for c in nb.cells if c.cell_type == "markdown")
        assert re.search(r"\([^()]*\b(?:19|20)\d\d\)", text), f"{module.id} cites no dated source"
        for nb in lessons:
            feedback = [c for c in nb.cells if "feedback" in c.metadata.get("tags", [])]
            assert feedback == [nb.cells[-1]]
            # a code-free module asks in the feedback widget, the others in a FEEDBACK dict the learner fills in
            assert 'FEEDBACK = {\n    "rating": None' in feedback[0].source or "ModuleFeedback(" in feedback[0].source
