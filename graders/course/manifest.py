"""The course manifest (courses/course.yml): tracks -> modules, validated on load with errors naming file and field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, model_validator
from pydantic import Field as PydanticField

from graders.course.certification import CertificationModel
from graders.paths import DASHBOARDS, MANIFEST, SOURCE
from simulations.common.datafiles import DataError
from simulations.common.models import (
    Amount,
    Day,
    FileModel,
    Flag,
    Minutes,
    OptionalText,
    Slug,
    Text,
    choice,
    invalid,
    items,
    json_schema,
    load_model,
)
from simulations.library.model import ModuleInfo
from simulations.profile.org import TRACKS, load_org

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


def _format_mapping(value: Any) -> Any:
    """The old free-text `format:` is refused with what to write instead."""
    if isinstance(value, str):
        raise invalid(
            f"expected a mapping with mode (one of {', '.join(FORMATS)}) and description, got the text "
            f"{value!r}: write it as description and choose the mode"
        )
    return value


def _app(name: str) -> str:
    if Path(name).suffix != ".ipynb" or not (DASHBOARDS / name).is_file():
        known = ", ".join(sorted(p.name for p in DASHBOARDS.glob("*.ipynb")))
        raise invalid(f"no app {name!r} in {DASHBOARDS}; expected one of {known}")
    return name


class FormatModel(FileModel):
    """How a track runs."""

    mode: choice(
        FORMATS,
        "on-demand: each learner alone; group-session: a facilitator with a room; "
        "private-session: a facilitator with one leader",
    )
    description: Text = PydanticField(description="the same in the course's own words")


class LessonModel(FileModel):
    """One sitting of a module: one notebook, <module>/<id>.ipynb."""

    id: Slug
    title: Text
    minutes: Minutes


class ModuleModel(FileModel):
    """One module: an nbgrader assignment of one or more lessons handed in together."""

    id: Slug = PydanticField(description="names the folder courses/source/<id>/")
    title: Text
    minutes: Minutes | None = PydanticField(None, description="a module of one lesson: its length (at most 10)")
    lessons: items(LessonModel, min_len=1) | None = PydanticField(
        None, description="a module of several lessons, one notebook each; its minutes are theirs added up"
    )
    points: Amount = PydanticField(description="the graded points of the module's notebooks")
    prerequisites: items(Text) = PydanticField([], description="ids of the modules to pass first")
    review_by: Day = PydanticField(description="when the module must be checked again")
    objectives: items(Text, min_len=1) = PydanticField(description="what the learner will be able to do")
    revised: Day | None = PydanticField(None, description="when the content was last revised")
    code_free: Flag = PydanticField(False, description="the learner reads no code and edits no cell")
    apps: items(Annotated[Text, AfterValidator(_app)]) = PydanticField(
        [], description="executive apps (notebooks of courses/dashboards/) a session of this module opens"
    )

    @model_validator(mode="after")
    def _length(self) -> ModuleModel:
        if self.lessons and self.minutes is not None:
            raise invalid(
                "a module with lessons takes the sum of its lessons' minutes: remove this field", at="minutes"
            )
        if not self.lessons and self.minutes is None:
            raise invalid("required field is missing (or list the module's lessons)", at="minutes")
        seen = set()
        for index, lesson in enumerate(self.lessons or ()):
            if lesson.id in seen:
                raise invalid(f"lesson {lesson.id!r} is listed twice in this module", at=f"lessons[{index}].id")
            seen.add(lesson.id)
        return self

    def module(self, track: str) -> Module:
        lessons = tuple(Lesson(x.id, x.title, x.minutes) for x in self.lessons or ())
        return Module(
            id=self.id,
            title=self.title,
            track=track,
            minutes=sum(x.minutes for x in lessons) if lessons else self.minutes,
            points=self.points,
            prerequisites=tuple(self.prerequisites),
            review_by=self.review_by,
            objectives=tuple(self.objectives),
            revised=self.revised,
            lessons=lessons,
            code_free=self.code_free,
            apps=tuple(self.apps),
        )


class TrackModel(FileModel):
    """One audience's curriculum."""

    id: choice(TRACKS, "the audience the track is for")
    title: Text
    audience: Text = PydanticField(description="who the learners are, in words")
    format: Annotated[FormatModel, BeforeValidator(_format_mapping)]
    purpose: OptionalText = PydanticField("", description="what the track is for: the first thing a learner reads")
    modules: items(ModuleModel) = []


class ManifestFile(FileModel):
    """The course manifest: tracks -> modules."""

    course: Text = PydanticField(description="the course's name")
    tracks: items(TrackModel, min_len=1)
    certification: CertificationModel | None = PydanticField(
        None, description="pass mark, validity and tiers of the certification program; the defaults without it"
    )

    @model_validator(mode="after")
    def _unique(self) -> ManifestFile:
        tracks: set[str] = set()
        modules: dict[str, str] = {}
        for ti, track in enumerate(self.tracks):
            if track.id in tracks:
                raise invalid(f"track {track.id!r} is listed twice", at=f"tracks[{ti}].id")
            tracks.add(track.id)
            for mi, module in enumerate(track.modules):
                if module.id in modules:
                    raise invalid(
                        f"module {module.id!r} is already defined in track {modules[module.id]!r}",
                        at=f"tracks[{ti}].modules[{mi}].id",
                    )
                modules[module.id] = track.id
        return self

    def manifest(self, path: Path, source: Path | None) -> Manifest:
        """The manifest as the course tools receive it."""
        tracks = tuple(
            Track(
                t.id,
                t.title,
                t.audience,
                Format(t.format.mode, t.format.description),
                tuple(m.module(t.id) for m in t.modules),
                purpose=t.purpose,
            )
            for t in self.tracks
        )
        return Manifest(path, self.course, tracks, Path(source) if source is not None else None)


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
    return load_model(path, ManifestFile).manifest(path, source)


def manifest_schema() -> dict:
    """The JSON Schema of the course manifest, for editors."""
    return json_schema(ManifestFile, "Course manifest", "The course's tracks and modules (courses/course.yml).")


def lesson_fields(manifest: Manifest, module: Module) -> list[str]:
    """Where each of the module's lessons is written in the manifest: its `lessons[i]`, or the module itself."""
    where = manifest.where(module.id)
    return [f"{where}.lessons[{i}]" for i in range(len(module.lessons))] if len(module.lessons) > 1 else [where]


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
    """The manifest's modules as the library knows them (id, title, track, minutes, review_by, revised, and the
    objectives as its summary)."""
    return [
        ModuleInfo(m.id, m.title, m.track, m.minutes, m.review_by, m.revised, "; ".join(m.objectives))
        for m in manifest.modules
    ]
