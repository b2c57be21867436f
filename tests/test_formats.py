"""Formats per audience: each track's `format:` validated from courses/course.yml, shown on its "Start here" page,
and a facilitator's guide per module of group and private sessions written by a real `smtk tailor` beside the
release, never into it."""

from __future__ import annotations

import re

import nbformat
import pytest
import yaml

from graders.course.facilitator import CLOSING, FACILITATOR_FOLDER, OPENING, lesson_parts, worked_answer
from graders.course.manifest import FORMATS, load_manifest, read_manifest
from graders.course.start_here import HOW_IT_RUNS, START_FOLDER
from graders.paths import MANIFEST
from simulations.common.datafiles import DataError
from simulations.lessons.questions import WIDGETS
from simulations.ui.lessons import questions as question_widgets

COURSE = load_manifest()


def test_every_format_is_described_for_learners_and_facilitators():
    assert set(HOW_IT_RUNS) == set(FORMATS)
    assert set(OPENING) == set(CLOSING) == set(FORMATS) - {"on-demand"}
    modes = {t.id: t.format.mode for t in COURSE.tracks}
    assert modes["executives"] == "private-session" and modes["business-units"] == "group-session"
    assert modes["employees"] == modes["partners"] == "on-demand"
    assert all(t.format.description for t in COURSE.tracks)  # the course's own words are kept


def test_every_widget_name_is_a_question_widget_of_that_kind():
    for name in WIDGETS:
        assert issubclass(getattr(question_widgets, name), question_widgets.QuestionWidget), name


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        ("mode: group-session", "mode: group session", "format.mode", "expected one of on-demand, group-session"),
        ("mode: private-session\n", "mode: 3\n", "format.mode", "expected text"),
        ("apps: [risk-framing.ipynb]", "apps: [risks.ipynb]", "apps[0]", "no app 'risks.ipynb'"),
    ],
)
def test_a_bad_format_or_app_names_file_line_and_field(tmp_path, old, new, field, expected):
    text = MANIFEST.read_text(encoding="utf-8")
    assert old in text
    bad = text.replace(old, new, 1)
    path = tmp_path / "course.yml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_manifest(path)
    error = caught.value
    assert error.path == str(path) and error.field.endswith(field) and expected in error.problem
    assert error.line == _line_of(bad, new.strip()), str(error)
    assert f"{path}:{error.line}:{error.column}: tracks[" in str(error)


def test_the_old_free_text_format_is_refused_with_what_to_write(tmp_path):
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    data["tracks"][1]["format"] = "working sessions"
    path = tmp_path / "course.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError, match=r"tracks\[1\]\.format: expected a mapping with mode") as caught:
        read_manifest(path)
    assert caught.value.line == _line_of(path.read_text(encoding="utf-8"), "format: working sessions")


def test_start_pages_say_the_format_and_how_it_runs(demo_course):
    folder = demo_course.root / "release" / START_FOLDER
    for track in (t for t in COURSE.tracks if t.id in demo_course.org.tracks):
        flat = " ".join((folder / f"{track.id}.md").read_text(encoding="utf-8").split())
        assert f"**Format:** {track.format.description}" in flat
        assert HOW_IT_RUNS[track.format.mode] in flat
        others = set(FORMATS) - {track.format.mode}
        assert not any(HOW_IT_RUNS[m] in flat for m in others)


def test_guides_for_facilitated_tracks_only_and_never_in_the_release(demo_course):
    root = demo_course.root
    expected = {
        root / FACILITATOR_FOLDER / t.id / f"{m.id}.md"
        for t in COURSE.tracks
        if t.id in demo_course.org.tracks and t.format.facilitated
        for m in t.modules
    }
    assert expected and set(demo_course.guides) == expected
    assert set((root / FACILITATOR_FOLDER).rglob("*.md")) == expected
    for released in (root / "release").rglob("*"):
        if released.is_file():
            assert "Worked answer" not in released.read_text(encoding="utf-8", errors="replace"), released


def test_a_private_session_guide_holds_objectives_apps_and_every_worked_answer(demo_course):
    module = COURSE.module("goals-before-tools")
    track = next(t for t in COURSE.tracks if t.id == module.track)
    guide = (demo_course.root / FACILITATOR_FOLDER / track.id / f"{module.id}.md").read_text(encoding="utf-8")
    assert f"about {module.minutes} minutes" in guide and "private-session" in guide
    for objective in module.objectives:
        assert f"- {objective}" in guide
    assert "**The course at a glance** (`course-overview.ipynb`" in guide
    assert "Open the executive apps" in guide and CLOSING["private-session"] in guide
    folder = demo_course.root / "source" / module.id
    sources = [nbformat.read(folder / f"{lesson.id}.ipynb", as_version=4) for lesson in module.lessons]
    graded = [c.metadata.nbgrader for s in sources for c in s.cells if c.metadata.get("nbgrader", {}).get("points")]
    items = [item for source in sources for part in lesson_parts(source) for item in part.items]
    assert [i.grade_id for i in items] == [g["grade_id"] for g in graded]
    assert sum(i.points for i in items) == module.points
    assert [i.widget for i in items] == ["MultipleChoice", "Number", "Number", "Ordering", "written"]
    assert re.search(r"`q1-tests`, 2 point\(s\), widget: MultipleChoice\.", guide)
    assert "> b, d, f" in guide and "> c, b, e, d, a" in guide
    assert "Our customers now tell each other about a problem" in guide  # the written answer's worked example


def test_a_group_session_guide_walks_each_lesson_part_by_part(demo_course):
    module = COURSE.module("risk-register")
    guide = (demo_course.root / FACILITATOR_FOLDER / "business-units" / f"{module.id}.md").read_text("utf-8")
    assert OPENING["group-session"] in guide and "crisis-triage drill" in guide
    for number, lesson in enumerate(module.lessons, start=1):
        assert f"## Lesson {number}: {lesson.title}, about {lesson.minutes} minutes" in guide
        assert f"`{module.id}/{lesson.id}.ipynb`" in guide
        source = nbformat.read(demo_course.root / "source" / module.id / f"{lesson.id}.ipynb", as_version=4)
        titles = [
            m for c in source.cells if c.cell_type == "markdown" for m in re.findall(r"^## (.+)$", c.source, re.M)
        ]
        for title in titles:
            assert f"**{title.strip()}**" in guide


@pytest.mark.parametrize(
    ("region", "shown"),
    [
        ('return ["b", "d"]', "b, d"),
        ("return 7600", "7600"),
        ('return {"a": "x", "b": "y"}', "a: x; b: y"),
        ("return SHARING * 150", "SHARING * 150"),
        ("x = 1\nreturn x", "x = 1\nreturn x"),
    ],
)
def test_worked_answers_read_as_plain_words(region, shown):
    assert worked_answer(region) == shown
