"""The course manifest (courses/course.yml): tracks -> modules, validated on load with errors naming file and field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from graders.paths import DASHBOARDS, MANIFEST, SOURCE
from simulations.common.validate import DataError, Field, load_yaml
from simulations.library.model import ModuleInfo
from simulations.profile.org import TRACKS, load_org

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# How a track runs: each learner alone, a facilitator with a room (managers, business units), or a facilitator with
# one leader (executives). See docs/domain.md#formats-by-level.
FORMATS = ("on-demand", "group-session", "private-session")
# The course promises lessons that fit a 5-10 minute slot; `smtk check` reports a lesson that runs longer.
LESSON_MINUTES = 10


@dataclass(frozen=True)
class Lesson:
    """One sitting of a module: one notebook, `<module>/<id>.ipynb`."""

    id: str
    title: str
    minutes: int


@dataclass(frozen=True)
class Module:
    """One module: an nbgrader assignment named by its id, of one or more lessons (notebooks) handed in together.

    Points, prerequisites and certification belong to the module; a lesson is one sitting. A module listed without
    lessons is one lesson of the same id, title and minutes.
    """

    id: str
    title: str
    track: str
    minutes: int  # the sum of its lessons' minutes
    points: float
    prerequisites: tuple[str, ...]
    review_by: dt.date
    objectives: tuple[str, ...]
    revised: dt.date | None = None  # when the content was last revised; certificates earned before it expire
    lessons: tuple[Lesson, ...] = ()
    code_free: bool = False  # the learner reads no Python and edits no cell: code is hidden, questions are widgets
    apps: tuple[str, ...] = ()  # the executive apps (notebooks of courses/dashboards/) a session of this module opens

    def __post_init__(self) -> None:
        if not self.lessons:
            object.__setattr__(self, "lessons", (Lesson(self.id, self.title, self.minutes),))

    def notebooks(self, source: Path = SOURCE) -> tuple[Path, ...]:
        """The module's source notebooks, one per lesson, in the order a learner takes them."""
        return tuple(source / self.id / f"{lesson.id}.ipynb" for lesson in self.lessons)


@dataclass(frozen=True)
class Format:
    """How a track runs: `mode`, one of FORMATS, and `description`, the same in the course's own words."""

    mode: str
    description: str

    def __str__(self) -> str:
        return self.description

    @property
    def facilitated(self) -> bool:
        """Whether a facilitator runs the sessions (and so gets a guide per module)."""
        return self.mode != "on-demand"


@dataclass(frozen=True)
class Track:
    """One audience's curriculum."""

    id: str
    title: str
    audience: str
    format: Format
    modules: tuple[Module, ...]
    purpose: str = ""  # what the track is for, in a sentence or two a learner reads first (its "Start here" page)


@dataclass(frozen=True)
class Manifest:
    """The whole course: its tracks in order, and each module reachable by id."""

    path: Path
    course: str
    tracks: tuple[Track, ...]
    source: Path | None = None  # where the modules' folders live; courses/source next to the manifest by default

    @property
    def source_dir(self) -> Path:
        return self.source if self.source is not None else self.path.parent / "source"

    @property
    def modules(self) -> tuple[Module, ...]:
        return tuple(m for t in self.tracks for m in t.modules)

    def module(self, module_id: str) -> Module:
        for m in self.modules:
            if m.id == module_id:
                return m
        raise KeyError(module_id)

    def where(self, module_id: str) -> str:
        """The field path of a module in the manifest file, e.g. tracks[3].modules[0], for error messages."""
        for ti, track in enumerate(self.tracks):
            for mi, module in enumerate(track.modules):
                if module.id == module_id:
                    return f"tracks[{ti}].modules[{mi}]"
        raise KeyError(module_id)


def load_manifest(
    path: str | Path = MANIFEST, source: Path | None = None, tracks: Iterable[str] | None = None
) -> Manifest:
    """Read and validate the manifest; every module (of `tracks`, when given) must have its notebooks under `source`."""
    manifest = read_manifest(path, source)
    problems = manifest_problems(manifest, tracks)
    if problems:
        raise problems[0]
    return manifest


def course_manifest(root: str | Path) -> Manifest:
    """The manifest of a course built by `smtk tailor` in `root`: only the tracks its organisation builds have
    notebooks there, so only theirs are required."""
    root = Path(root)
    return load_manifest(root / "course.yml", root / "source", load_org(root / "org.yaml").tracks)


def read_manifest(path: str | Path = MANIFEST, source: Path | None = None) -> Manifest:
    """Read the manifest and check each field's type and form; `manifest_problems` checks how the parts fit."""
    path = Path(path)
    root = load_yaml(path, lines=True)
    root.only(["course", "tracks", "certification"])  # certification: see graders/course/certification.py
    tracks, seen = [], {}
    for tf in root.get("tracks").items(min_len=1):
        tf.only(["id", "title", "audience", "format", "purpose", "modules"])
        track_id = tf.get("id").choice(TRACKS)
        if any(t.id == track_id for t in tracks):
            tf.get("id").fail(f"track {track_id!r} is listed twice")
        modules = []
        for mf in tf.get("modules", []).items():
            mf.only(
                [
                    "id",
                    "title",
                    "minutes",
                    "lessons",
                    "points",
                    "prerequisites",
                    "review_by",
                    "objectives",
                    "revised",
                    "code_free",
                    "apps",
                ]
            )
            module_id = mf.get("id").str()
            if not _ID.match(module_id):
                mf.get("id").fail(f"expected lower-case letters, digits and dashes, got {module_id!r}")
            if module_id in seen:
                mf.get("id").fail(f"module {module_id!r} is already defined in track {seen[module_id]!r}")
            seen[module_id] = track_id
            lessons = _lessons(mf)
            modules.append(
                Module(
                    id=module_id,
                    title=mf.get("title").str(),
                    track=track_id,
                    minutes=sum(lesson.minutes for lesson in lessons) if lessons else mf.get("minutes").int(min=1),
                    points=mf.get("points").float(min=0),
                    prerequisites=tuple(mf.get("prerequisites", []).str_list()),
                    review_by=mf.get("review_by").date(),
                    objectives=tuple(mf.get("objectives").str_list(min_len=1)),
                    revised=mf.get("revised").date() if mf.has("revised") else None,
                    lessons=lessons,
                    code_free=mf.get("code_free").bool() if mf.has("code_free") else False,
                    apps=_apps(mf),
                )
            )
        tracks.append(
            Track(
                track_id,
                tf.get("title").str(),
                tf.get("audience").str(),
                _format(tf.get("format")),
                tuple(modules),
                purpose=tf.get("purpose", "").str(nonempty=False),
            )
        )
    return Manifest(path, root.get("course").str(), tuple(tracks), Path(source) if source is not None else None)


def lesson_fields(manifest: Manifest, module: Module) -> list[str]:
    """Where each of the module's lessons is written in the manifest: its `lessons[i]`, or the module itself."""
    where = manifest.where(module.id)
    return [f"{where}.lessons[{i}]" for i in range(len(module.lessons))] if len(module.lessons) > 1 else [where]


def _format(ff: Field) -> Format:
    """A track's `format:` mapping: its mode, one of FORMATS, and its description in words."""
    if isinstance(ff.value, str):
        ff.fail(
            f"expected a mapping with mode (one of {', '.join(FORMATS)}) and description, got the text "
            f"{ff.value!r}: write it as description and choose the mode"
        )
    ff.only(["mode", "description"])
    return Format(ff.get("mode").choice(FORMATS), ff.get("description").str())


def _apps(mf: Field) -> tuple[str, ...]:
    """A module's `apps:`, each a notebook of the dashboards folder (courses/dashboards/)."""
    apps = []
    for af in mf.get("apps", []).items():
        name = af.str()
        if Path(name).suffix != ".ipynb" or not (DASHBOARDS / name).is_file():
            known = ", ".join(sorted(p.name for p in DASHBOARDS.glob("*.ipynb")))
            af.fail(f"no app {name!r} in {DASHBOARDS}; expected one of {known}")
        apps.append(name)
    return tuple(apps)


def _lessons(mf: Field) -> tuple[Lesson, ...]:
    """A module's `lessons:` list (id, title, minutes each), or () when the module is one lesson with `minutes`."""
    if not mf.has("lessons"):
        return ()
    if mf.has("minutes"):
        mf.get("minutes").fail("a module with lessons takes the sum of its lessons' minutes: remove this field")
    lessons = []
    for lf in mf.get("lessons").items(min_len=1):
        lf.only(["id", "title", "minutes"])
        lesson_id = lf.get("id").str()
        if not _ID.match(lesson_id):
            lf.get("id").fail(f"expected lower-case letters, digits and dashes, got {lesson_id!r}")
        if any(lesson.id == lesson_id for lesson in lessons):
            lf.get("id").fail(f"lesson {lesson_id!r} is listed twice in this module")
        lessons.append(Lesson(lesson_id, lf.get("title").str(), lf.get("minutes").int(min=1)))
    return tuple(lessons)


def manifest_problems(manifest: Manifest, tracks: Iterable[str] | None = None) -> list[DataError]:
    """Every way the modules do not fit together: a missing source notebook (of `tracks`' modules, when given), an
    unknown or circular prerequisite."""
    problems = []
    known = {m.id for m in manifest.modules}
    built = set(tracks) if tracks is not None else {t.id for t in manifest.tracks}
    for module in manifest.modules:
        where = manifest.where(module.id)
        for field, notebook in zip(lesson_fields(manifest, module), module.notebooks(manifest.source_dir), strict=True):
            if module.track in built and not notebook.exists():
                problems.append(DataError(manifest.path, f"{field}.id", f"no source notebook {notebook}"))
        for pi, prereq in enumerate(module.prerequisites):
            field = f"{where}.prerequisites[{pi}]"
            if prereq == module.id:
                problems.append(DataError(manifest.path, field, "a module cannot be its own prerequisite"))
            elif prereq not in known:
                expected = ", ".join(sorted(known))
                problems.append(
                    DataError(manifest.path, field, f"unknown module {prereq!r}; expected one of {expected}")
                )
    cycle = _prerequisite_cycle(manifest)
    if cycle:
        problems.append(
            DataError(
                manifest.path,
                f"{manifest.where(cycle[0])}.prerequisites",
                f"prerequisites go round in a circle: {' -> '.join(cycle)}",
            )
        )
    return problems


def _prerequisite_cycle(manifest: Manifest) -> list[str]:
    """One circle of prerequisites (a -> b -> a) longer than a self-reference, or [] when there is none."""
    requires = {m.id: [p for p in m.prerequisites if p != m.id] for m in manifest.modules}
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(module_id: str, path: list[str]) -> list[str]:
        state[module_id] = 1
        for prereq in requires.get(module_id, ()):
            if state.get(prereq) == 1:  # on the current path, which is `path` + [module_id]
                return [*path[path.index(prereq) :], module_id, prereq]
            if prereq in requires and prereq not in state:
                found = visit(prereq, [*path, module_id])
                if found:
                    return found
        state[module_id] = 2
        return []

    for module_id in requires:
        if module_id not in state:
            found = visit(module_id, [])
            if found:
                return found
    return []


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


def library_modules(manifest: Manifest) -> list[ModuleInfo]:
    """The manifest's modules as the library knows them (id, title, track, minutes, review_by, revised)."""
    return [ModuleInfo(m.id, m.title, m.track, m.minutes, m.review_by, m.revised) for m in manifest.modules]
