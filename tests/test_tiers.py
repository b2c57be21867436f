"""Certification rules on hand-made grade tables: pass marks, prerequisites, tiers, boundaries and expiry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from graders.course.certification import Rules, Tier, load_rules
from graders.course.manifest import Format, Manifest, Module, Track
from graders.paths import MANIFEST
from graders.results.tiers import add_months, award, expiring, expiry, passed_modules
from simulations.common.datafiles import DataError

DAY = dt.date(2026, 3, 1)


def module(mid: str, track: str = "employees", prerequisites=(), revised=None) -> Module:
    return Module(mid, mid.title(), track, 10, 10.0, tuple(prerequisites), dt.date(2027, 1, 1), ("x",), revised)


def manifest(*modules: Module) -> Manifest:
    tracks = {}
    for m in modules:
        tracks.setdefault(m.track, []).append(m)
    return Manifest(
        Path("course.yml"),
        "Test",
        tuple(Track(t, t.title(), "a", Format("on-demand", "f"), tuple(ms)) for t, ms in tracks.items()),
    )


def scores(*rows) -> pd.DataFrame:
    """rows: (learner, module, score[, needs_manual, day])."""
    out = []
    for row in rows:
        learner, mid, score = row[:3]
        manual = row[3] if len(row) > 3 else False
        day = row[4] if len(row) > 4 else DAY
        out.append((learner, mid, float(score), 10.0, pd.Timestamp(day), manual))
    return pd.DataFrame(out, columns=["learner", "module", "score", "max_score", "graded_at", "needs_manual_grade"])


FOUR = manifest(module("a"), module("b"), module("c", prerequisites=["a"]), module("d"))
RULES = Rules()  # foundation: 1 at 70%; practitioner: max(2, half) at 80%; expert: all at 90%


def tier_of(table: pd.DataFrame, m: Manifest = FOUR, rules: Rules = RULES) -> str | None:
    certs = award(table, m, rules)
    return None if certs.empty else certs.iloc[0]["tier"]


def test_pass_mark_boundary():
    passed = passed_modules(scores(("x", "a", 7.0), ("x", "b", 6.99)), FOUR, 0.7)
    assert list(passed["module"]) == ["a"]


def test_pending_manual_grade_is_not_passed():
    assert passed_modules(scores(("x", "a", 10, True)), FOUR, 0.7).empty


def test_prerequisite_not_passed_voids_module():
    passed = passed_modules(scores(("x", "c", 10), ("x", "b", 10)), FOUR, 0.7)
    assert sorted(passed["module"]) == ["b"]
    passed = passed_modules(scores(("x", "c", 10), ("x", "a", 7)), FOUR, 0.7)
    assert sorted(passed["module"]) == ["a", "c"]


@pytest.mark.parametrize(
    ("rows", "tier"),
    [
        ([("x", "a", 6)], None),
        ([("x", "a", 7)], "foundation"),
        ([("x", "a", 8), ("x", "b", 8)], "practitioner"),  # 2 = max(2, ceil(0.5 * 4)) at exactly 80%
        ([("x", "a", 8), ("x", "b", 7.9)], "foundation"),  # average 79.5% < 80%
        ([("x", "a", 9), ("x", "b", 9), ("x", "c", 9), ("x", "d", 9)], "expert"),  # all four at exactly 90%
        ([("x", "a", 9), ("x", "b", 9), ("x", "c", 9), ("x", "d", 8.9)], "practitioner"),
        ([("x", "a", 10), ("x", "b", 10), ("x", "c", 10)], "practitioner"),  # 3 of 4: not expert
    ],
)
def test_tiers_and_their_boundaries(rows, tier):
    assert tier_of(scores(*rows)) == tier


def test_tiers_are_per_track_and_per_learner():
    m = manifest(module("a"), module("p", track="partners"))
    certs = award(scores(("x", "a", 10), ("x", "p", 7), ("y", "p", 10)), m, RULES)
    got = {(r.learner, r.track): r.tier for r in certs.itertuples()}
    assert got == {("x", "employees"): "expert", ("x", "partners"): "foundation", ("y", "partners"): "expert"}


def test_issued_is_the_last_passed_module_and_ids_are_stable():
    table = scores(("x", "a", 10, False, dt.date(2026, 1, 5)), ("x", "b", 10, False, dt.date(2026, 2, 9)))
    first, again = award(table, FOUR, RULES), award(table, FOUR, RULES)
    assert first.iloc[0]["issued"] == dt.date(2026, 2, 9)
    assert first.iloc[0]["expires"] == dt.date(2027, 2, 9)
    assert first.iloc[0]["verification_id"] == again.iloc[0]["verification_id"]
    other = award(scores(("y", "a", 10), ("y", "b", 10)), FOUR, RULES)
    assert other.iloc[0]["verification_id"] != first.iloc[0]["verification_id"]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 30), 2, dt.date(2027, 1, 30)),
        (dt.date(2026, 12, 15), 12, dt.date(2027, 12, 15)),
        (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_revised_module_cuts_expiry_short():
    m = manifest(module("a", revised=dt.date(2026, 6, 1)), module("b", revised=dt.date(2025, 1, 1)))
    assert expiry(DAY, ["a"], m, 12) == dt.date(2026, 6, 1)  # revised after the award: the certificate lapses then
    assert expiry(DAY, ["b"], m, 12) == dt.date(2027, 3, 1)  # revised before the award: it already covered it
    assert expiry(DAY, ["a", "b"], m, 3) == dt.date(2026, 6, 1)
    assert expiry(DAY, ["a"], m, 2) == dt.date(2026, 5, 1)


def test_recertification_list():
    table = scores(("x", "a", 10, False, dt.date(2025, 12, 1)), ("y", "a", 10, False, dt.date(2026, 6, 1)))
    certs = award(table, FOUR, RULES)
    due = expiring(certs, today=dt.date(2026, 11, 1), within_days=30)
    assert list(due["learner"]) == ["x"] and list(due["days_left"]) == [30]
    assert expiring(certs, today=dt.date(2026, 11, 1), within_days=29).empty
    late = expiring(certs, today=dt.date(2027, 1, 1), within_days=0)
    assert list(late["learner"]) == ["x"] and late.iloc[0]["days_left"] < 0


def test_rules_from_manifest(tmp_path):
    path = tmp_path / "course.yml"
    path.write_text(yaml.safe_dump({"course": "c", "tracks": [], "certification": {
        "pass_mark": 0.6, "valid_months": 24,
        "tiers": [{"id": "belt", "title": "Belt", "min_passed": 2, "min_average": 0.5}]}}))  # fmt: skip
    rules = load_rules(path)
    assert rules == Rules(0.6, 24, (Tier("belt", "Belt", 2, 0.0, 0.5),))
    path.write_text(yaml.safe_dump({"course": "c", "tracks": []}))
    assert load_rules(path) == Rules()


def test_the_shipped_manifest_states_its_certification_program():
    """courses/course.yml spells the program out, so a trainer edits it there; it is the documented default."""
    assert "certification" in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert load_rules(MANIFEST) == Rules()


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ({"pass_mark": 1.5, "tiers": [{"id": "a", "title": "A"}]}, "certification.pass_mark"),
        ({"tiers": []}, "certification.tiers"),
        ({"tiers": [{"id": "a", "title": "A", "share_passed": 2}]}, "certification.tiers[0].share_passed"),
        ({"tiers": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]}, "certification.tiers[1].id"),
        ({"tiers": [{"id": "a", "title": "A", "min_pass": 1}]}, "certification.tiers[0].min_pass"),
    ],
)
def test_malformed_rules_name_the_field(tmp_path, section, field):
    path = tmp_path / "course.yml"
    path.write_text(yaml.safe_dump({"course": "c", "tracks": [], "certification": section}))
    with pytest.raises(DataError) as err:
        load_rules(path)
    assert err.value.field == field and err.value.path == str(path)


def test_a_tier_may_ask_for_accepted_library_contributions_on_the_track():
    """The carrot: with `min_contributions`, the tier needs that many of the learner's notes on the track's modules
    accepted into the library; below it, the next tier down is awarded."""
    sharing = Rules(tiers=(*RULES.tiers[:2], Tier("expert", "Expert", 1, 1.0, 0.9, min_contributions=2)))
    all_four = scores(*[("x", mid, 10) for mid in "abcd"])
    assert tier_of(all_four, rules=sharing) == "practitioner"
    assert award(all_four, FOUR, sharing, {("x", "employees"): 1}).iloc[0]["tier"] == "practitioner"
    assert award(all_four, FOUR, sharing, {("x", "partners"): 5}).iloc[0]["tier"] == "practitioner"  # other track
    assert award(all_four, FOUR, sharing, {("x", "employees"): 2}).iloc[0]["tier"] == "expert"


def test_min_contributions_is_read_from_the_manifest_and_must_be_a_whole_number(tmp_path):
    path = tmp_path / "course.yml"
    tiers = [{"id": "a", "title": "A", "min_contributions": 2}]
    path.write_text(yaml.safe_dump({"certification": {"tiers": tiers}}), encoding="utf-8")
    assert load_rules(path).tiers[0].min_contributions == 2
    tiers[0]["min_contributions"] = -1
    path.write_text(yaml.safe_dump({"certification": {"tiers": tiers}}), encoding="utf-8")
    with pytest.raises(DataError, match=r"certification\.tiers\[0\]\.min_contributions"):
        load_rules(path)
