"""`smtk package cmi5 ORG.yaml`: the organisation's built course as a cmi5 course package for the company's LMS.

cmi5.xml (the cmi5 Course Structure, namespace https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd) holds one
course, one block per track and one assignable unit (AU) per released module. Each AU's url launches into the hub at
LAUNCH/<track course>/<module>, where the hub runs the cmi5 session (graders.results.cmi5_session). Modules with
points move on when completed and passed, at the manifest's pass mark (masteryScore) when it states one; modules
without points when completed. launchMethod is OwnWindow: JupyterLab does not run inside the LMS's frame.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

from graders.course.certification import stated_pass_mark
from graders.course.exchange import track_course, track_modules
from graders.course.manifest import course_manifest
from graders.course.tailor import tailor
from graders.paths import BUILD
from simulations.common.datafiles import DataError
from simulations.profile.org import load_org

NAMESPACE = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
LAUNCH = "/cmi5/module"  # under the hub's /hub/: /hub/cmi5/module/<track course>/<module>, the AU's launch url
FILE = "cmi5.xml"
LANG = "en-US"


@dataclass(frozen=True)
class Package:
    """A written package: where, how many AUs, its size in bytes."""

    path: Path
    aus: int
    size: int


def _element(parent: ET.Element, tag: str, attributes: dict[str, str] | None = None) -> ET.Element:
    return ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes or {})


def _text(parent: ET.Element, tag: str, text: str) -> None:
    _element(_element(parent, tag), "langstring", {"lang": LANG}).text = text


def course_structure(root: Path, hub_url: str) -> tuple[bytes, int]:
    """cmi5.xml for the course built in `root`, its AUs launching into the hub at `hub_url`; and how many AUs."""
    org = load_org(root / "org.yaml")
    manifest = course_manifest(root)
    mastery = stated_pass_mark(root / "course.yml")
    base = hub_url.rstrip("/")
    ET.register_namespace("", NAMESPACE)
    structure = ET.Element(f"{{{NAMESPACE}}}courseStructure")
    course = _element(structure, "course", {"id": f"{base}/cmi5/{quote(org.slug)}"})
    _text(course, "title", f"{manifest.course}: {org.name}")
    _text(course, "description", f"The {manifest.course} as tailored for {org.name}, one block per track.")
    titles = {t.id: t for t in manifest.tracks}
    count = 0
    for track_id, modules in track_modules(root).items():
        if not modules:
            continue
        track = titles[track_id]
        block = _element(structure, "block", {"id": f"{base}/cmi5/{quote(org.slug)}/{quote(track_id)}"})
        _text(block, "title", track.title)
        _text(block, "description", track.purpose or f"The modules of the {track.title} track.")
        for module_id in modules:
            module = manifest.module(module_id)
            graded = module.points > 0
            attributes = {
                "id": f"{base}/cmi5/{quote(org.slug)}/{quote(track_id)}/{quote(module_id)}",
                "moveOn": "CompletedAndPassed" if graded else "Completed",
                "launchMethod": "OwnWindow",
            }
            if graded and mastery is not None:
                attributes["masteryScore"] = f"{mastery:.4f}".rstrip("0").rstrip(".")  # 4 places, as cmi5 allows
            au = _element(block, "au", attributes)
            _text(au, "title", module.title)
            objectives = "; ".join(module.objectives)
            _text(au, "description", f"About {module.minutes} minutes." + (f" {objectives}" if objectives else ""))
            course_id = track_course(org.slug, track_id)
            _element(au, "url").text = f"{base}/hub{LAUNCH}/{quote(course_id)}/{quote(module_id)}"
            count += 1
    if not count:
        raise DataError(root / "course.yml", "tracks", "no released module to package: build the course first")
    ET.indent(structure)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(structure, encoding="utf-8") + b"\n", count


def _hub_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise DataError("--hub-url", "hub_url", f"expected the hub's public address, e.g. https://hub.example.com, "
                        f"got {url!r}")  # fmt: skip
    return url


def package_cmi5(
    org_path: str | Path, hub_url: str, course: str | Path | None = None, out: str | Path | None = None
) -> Package:
    """Write the cmi5 package of `org_path`'s course (built in `course`, by `smtk tailor` when not built yet) as a
    zip (`out` ending in .zip, the default) or a folder holding cmi5.xml."""
    org = load_org(org_path)
    root = Path(course) if course else BUILD / org.slug
    if not (root / "course.yml").exists():
        tailor(org_path, root, progress=False)
    xml, aus = course_structure(root, _hub_url(hub_url))
    target = Path(out) if out else BUILD / f"{org.slug}-cmi5.zip"
    if target.suffix == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(FILE, xml)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(buffer.getvalue())
        return Package(target, aus, target.stat().st_size)
    target.mkdir(parents=True, exist_ok=True)
    (target / FILE).write_bytes(xml)
    return Package(target / FILE, aus, len(xml))
