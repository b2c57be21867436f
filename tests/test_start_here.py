"""The "Start here" page of each track, written by a real `smtk tailor` from courses/course.yml."""

from __future__ import annotations

import re

import pytest

from graders.course.manifest import load_manifest
from graders.course.start_here import START_FOLDER, start_page
from simulations.profile.org import load_org

MANIFEST = load_manifest()
ENTRY = re.compile(r"^(\d+)\. \[([^\]]+)\]\(([^)]+)\), about (\d+) minutes", re.M)


@pytest.mark.parametrize("slug", ["demo", "saltmarsh"])
def test_each_track_built_gets_a_page_with_its_modules_in_order(tailored, slug):
    course = tailored(slug)
    folder = course.root / "release" / START_FOLDER
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.md" for t in course.org.tracks)
    assert sorted(course.start_pages) == sorted(folder.iterdir())
    for track in (t for t in MANIFEST.tracks if t.id in course.org.tracks):
        page = (folder / f"{track.id}.md").read_text(encoding="utf-8")
        assert page.startswith(f"# Start here: {track.title}\n")
        flat = " ".join(page.split())
        assert f"prepared for **{course.org.name}**" in flat
        assert track.purpose and track.purpose in flat and track.audience in flat and track.format.description in flat
        entries = ENTRY.findall(page)
        assert [(int(n), title, int(minutes)) for n, title, _, minutes in entries] == [
            (i, m.title, m.minutes) for i, m in enumerate(track.modules, start=1)
        ]
        for (_, _, link, _), module in zip(entries, track.modules, strict=True):  # each links to its first lesson
            first = course.releases(module)[0]
            assert (folder / link).resolve() == first.resolve() and first.exists()
        for module in (m for m in track.modules if len(m.lessons) > 1):  # then each lesson, its minutes and link
            for lesson, release in zip(module.lessons, course.releases(module), strict=True):
                line = f"   - [{lesson.title}](../{module.id}/{lesson.id}.ipynb), about {lesson.minutes} minutes"
                assert line in page.splitlines() and release.exists()
        assert f"About {sum(m.minutes for m in track.modules)} minutes in all" in page
        for step in ("Ctrl+S", "**Validate**", "**Nbgrader → Assignment List**", "press **Submit**"):
            assert step in page, f"{track.id}: how to hand in lacks {step}"


def test_a_prerequisite_from_another_track_is_named_first(tailored):
    course = tailored("demo")
    page = (course.root / "release" / START_FOLDER / "coe.md").read_text(encoding="utf-8")
    line = next(line for line in page.splitlines() if "Design your triage process" in line)
    assert line.endswith("Do first: [Triage a customer-complaint shift](../triage-shift/triage-tree.ipynb)")


def test_text_from_the_manifest_and_the_profile_cannot_turn_into_markdown(demo_course):
    """A name or title with Markdown characters shows as written: no link, heading or emphasis made by accident."""
    org = load_org(demo_course.root / "org.yaml")
    odd = org.__class__(**{**org.__dict__, "name": "Fish_&_[Chips](http://x) *Ltd*"})
    track = MANIFEST.tracks[0]
    page = start_page(track, MANIFEST, odd, {m.id for m in track.modules})
    assert r"**Fish\_&\_\[Chips\](http://x) \*Ltd\***" in page
    assert "](http://x)" not in page.replace(r"\](http://x)", "")
