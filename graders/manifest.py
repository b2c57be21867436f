"""The course manifest (courses/course.yml): tracks -> modules, validated on load with errors naming file and field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from graders.paths import MANIFEST, SOURCE
from simulations.org import TRACKS
from simulations.validate import DataError, load_yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Module:
    """One bite-sized module: an nbgrader assignment named by its id."""

    id: str
    title: str
    track: str
    minutes: int
    points: float
    prerequisites: tuple[str, ...]
    review_by: dt.date
    objectives: tuple[str, ...]
    revised: dt.date | None = None  # when the content was last revised; certificates earned before it expire

    def source_notebook(self, source: Path = SOURCE) -> Path:
        return source / self.id / f"{self.id}.ipynb"


@dataclass(frozen=True)
class Track:
    """One audience's curriculum."""

    id: str
    title: str
    audience: str
    format: str
    modules: tuple[Module, ...]


@dataclass(frozen=True)
class Manifest:
    """The whole course: its tracks in order, and each module reachable by id."""

    path: Path
    course: str
    tracks: tuple[Track, ...]

    @property
    def modules(self) -> tuple[Module, ...]:
        return tuple(m for t in self.tracks for m in t.modules)

    def module(self, module_id: str) -> Module:
        for m in self.modules:
            if m.id == module_id:
                return m
        raise KeyError(module_id)


def load_manifest(path: str | Path = MANIFEST, source: Path | None = None) -> Manifest:
    """Read and validate the manifest; every module must have its source notebook under `source`."""
    path = Path(path)
    source = Path(source) if source is not None else path.parent / "source"
    root = load_yaml(path)
    root.only(["course", "tracks", "certification"])  # certification: see graders/tiers.py
    tracks, seen = [], {}
    for tf in root.get("tracks").items(min_len=1):
        tf.only(["id", "title", "audience", "format", "modules"])
        track_id = tf.get("id").choice(TRACKS)
        if any(t.id == track_id for t in tracks):
            tf.get("id").fail(f"track {track_id!r} is listed twice")
        modules = []
        for mf in tf.get("modules", []).items():
            mf.only(["id", "title", "minutes", "points", "prerequisites", "review_by", "objectives", "revised"])
            module_id = mf.get("id").str()
            if not _ID.match(module_id):
                mf.get("id").fail(f"expected lower-case letters, digits and dashes, got {module_id!r}")
            if module_id in seen:
                mf.get("id").fail(f"module {module_id!r} is already defined in track {seen[module_id]!r}")
            seen[module_id] = track_id
            module = Module(
                id=module_id,
                title=mf.get("title").str(),
                track=track_id,
                minutes=mf.get("minutes").int(min=1, max=30),
                points=mf.get("points").float(min=0),
                prerequisites=tuple(mf.get("prerequisites", []).str_list()),
                review_by=mf.get("review_by").date(),
                objectives=tuple(mf.get("objectives").str_list(min_len=1)),
                revised=mf.get("revised").date() if mf.has("revised") else None,
            )
            if not module.source_notebook(source).exists():
                mf.get("id").fail(f"no source notebook {module.source_notebook(source)}")
            modules.append(module)
        tracks.append(
            Track(track_id, tf.get("title").str(), tf.get("audience").str(), tf.get("format").str(), tuple(modules))
        )
    manifest = Manifest(path, root.get("course").str(), tuple(tracks))
    _check_prerequisites(manifest)
    return manifest


def _check_prerequisites(manifest: Manifest) -> None:
    known = {m.id for m in manifest.modules}
    for ti, track in enumerate(manifest.tracks):
        for mi, module in enumerate(track.modules):
            for pi, prereq in enumerate(module.prerequisites):
                if prereq not in known:
                    raise DataError(
                        manifest.path,
                        f"tracks[{ti}].modules[{mi}].prerequisites[{pi}]",
                        f"unknown module {prereq!r}; expected one of {', '.join(sorted(known))}",
                    )
                if prereq == module.id:
                    raise DataError(
                        manifest.path,
                        f"tracks[{ti}].modules[{mi}].prerequisites[{pi}]",
                        "a module cannot be its own prerequisite",
                    )


def modules_frame(manifest: Manifest):
    """One row per module (track, title, minutes, points, review_by, objectives) for tables and dashboards."""
    import pandas as pd

    titles = {t.id: t.title for t in manifest.tracks}
    return pd.DataFrame(
        [
            {
                "track": titles[m.track],
                "module": m.title,
                "minutes": m.minutes,
                "points": m.points,
                "review by": m.review_by.isoformat(),
                "you will learn to": "; ".join(m.objectives),
            }
            for m in manifest.modules
        ],
        columns=["track", "module", "minutes", "points", "review by", "you will learn to"],
    )
