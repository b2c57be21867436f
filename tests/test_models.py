"""The files trainers edit as typed models: the same objects as the hand-written parsers gave, and every problem
named by file, line, column and field, all of a file's at once, in file order."""

import subprocess
from pathlib import Path

import pytest
from conftest import smtk_command

from graders.course.manifest import load_manifest, read_manifest
from graders.paths import MANIFEST, ORGS, ROOT
from simulations.common.datafiles import DataError
from simulations.profile.org import load_org

# What the hand-written parsers returned for the shipped files (and for a profile with an LMS block, triage
# overrides and the default partner rules), as repr() with the checkout's folder written <ROOT>: captured before the
# models replaced them.
BEFORE = Path(__file__).parent / "data" / "before-models"


def as_before(value: object) -> str:
    return repr(value).replace(str(ROOT), "<ROOT>")


@pytest.mark.parametrize("name", ["demo", "saltmarsh"])
def test_shipped_profiles_load_to_the_same_objects_as_before(name):
    assert as_before(load_org(ORGS / f"{name}.yaml")) == (BEFORE / f"{name}.repr").read_text(encoding="utf-8").strip()


def test_a_profile_with_an_lms_and_triage_overrides_loads_as_before():
    org = load_org(BEFORE / "lti-demo.yaml")
    assert org.lti.client_ids == ("smtk", "smtk-2") and org.slug == "lti-demo"  # the file's name when no slug
    assert as_before(org) == (BEFORE / "lti-demo.repr").read_text(encoding="utf-8").strip()


def test_the_shipped_manifest_loads_to_the_same_objects_as_before():
    assert as_before(load_manifest()) == (BEFORE / "course.repr").read_text(encoding="utf-8").strip()


# ---- planted errors ----------------------------------------------------------------------------------------------


def plant(tmp_path: Path, source: Path, *edits: tuple[str, str]) -> tuple[Path, str]:
    text = source.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path, text


def at(text: str, line_needle: str, column_needle: str | None = None, nth: int = 1) -> tuple[int, int]:
    """The `nth` line holding `line_needle` and the column (1-based) where `column_needle` (default: it) starts."""
    found = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line_needle in line]
    number, line = found[nth - 1]
    return number, line.index(column_needle or line_needle) + 1


def problems(load, path: Path) -> list[tuple[int, int, str, str]]:
    with pytest.raises(DataError) as caught:
        load(path)
    found = [(e.line, e.column, e.field, e.problem) for e in caught.value.errors]
    assert str(caught.value) == "\n".join(f"{path}:{ln}:{col}: {field}: {text}" for ln, col, field, text in found)
    return found


ORG_TYPE = ("employees: {headcount: 4200,", 'employees: {headcount: "1,200",')
ORG_UNKNOWN = ("name: Larkspur Appliances\n", "name: Larkspur Appliances\nmotto: Quiet kettles\n")
ORG_RANGE = ("coverage: {executives: 0.35, coe: 1.0,", "coverage: {executives: 0.35, coe: 1.5,")
ORG_FIELDS = "slug, name, industry, currency, products, platforms, regions, jurisdictions, risk_appetite, tracks, "


@pytest.mark.parametrize(
    ("edit", "where", "field", "problem"),
    [
        (
            ORG_TYPE,
            ("employees: {", "headcount"),
            "audiences.employees.headcount",
            'expected a whole number (got "1,200")',
        ),
        (ORG_UNKNOWN, ("motto:",), "motto", f"unknown field; expected one of {ORG_FIELDS}"),
        (ORG_RANGE, ("coverage: {", "coe: 1.5"), "current_program.coverage.coe", "expected a value <= 1 (got 1.5)"),
        (
            ("escalate: [complaint]", "escalate: [complaint, giveaway]"),
            ("escalate: [complaint",),
            "partners.escalate",
            "giveaway cannot both need approval and go to the brand",
        ),
        (
            ("platforms: [LinkedIn, Instagram, YouTube, X, TikTok]", "platforms: [LinkedIn, MySpace]"),
            ("platforms: [LinkedIn, MySpace]", "MySpace"),
            "platforms[1]",
            "expected one of LinkedIn, Instagram, Facebook, X, TikTok, YouTube, Reddit, Threads, Bluesky, WhatsApp "
            '(got "MySpace")',
        ),
        (
            ("currency: USD\n", "currency: USD\ncurrency: EUR\n"),
            ("currency: EUR",),
            "currency",
            "written twice (first on line {first})",
        ),
        (
            (
                "  never_input:\n    - customer names, addresses and order details\n"
                "    - anything marked internal, such as sales figures or supplier terms\n",
                "  never_input:\n",
            ),
            ("  never_input:", "never_input"),
            "ai_use.never_input",
            "expected at least 2 item(s) (got a list of 1)",
        ),
        (
            ("  anonymous_posts: true\n", "  anonymous_posts: sometimes\n"),
            ("  anonymous_posts: sometimes", "anonymous_posts"),
            "library.anonymous_posts",
            "expected true or false",
        ),
    ],
    ids=[
        "wrong type",
        "unknown key",
        "out of range",
        "cross-field rule",
        "unknown platform",
        "key twice",
        "ai rule",
        "library rule",
    ],
)
def test_a_planted_profile_error_names_file_line_column_and_field(tmp_path, edit, where, field, problem):
    path, text = plant(tmp_path, ORGS / "demo.yaml", edit)
    (found,) = problems(load_org, path)
    if "{first}" in problem:  # the line where the field was first written
        problem = problem.replace("{first}", str(at(text, edit[0].strip())[0]))
    assert found[:3] == (*at(text, *where), field) and found[3].startswith(problem)


def test_invalid_yaml_in_a_profile_names_the_line_and_column(tmp_path):
    path, text = plant(tmp_path, ORGS / "demo.yaml", ("name: Larkspur Appliances", "name: Larkspur: Appliances"))
    (found,) = problems(load_org, path)
    assert found == (*at(text, "name: Larkspur:", ": Appliances"), "(top level)", found[3])
    assert found[3].startswith("not valid YAML: ")


def test_three_errors_in_a_profile_are_all_reported_in_file_order(tmp_path):
    path, text = plant(tmp_path, ORGS / "demo.yaml", ORG_RANGE, ORG_TYPE, ORG_UNKNOWN)
    found = problems(load_org, path)
    assert [(line, field) for line, _, field, _ in found] == [
        (at(text, "motto:")[0], "motto"),
        (at(text, "employees: {")[0], "audiences.employees.headcount"),
        (at(text, "coverage: {")[0], "current_program.coverage.coe"),
    ]


MANIFEST_TYPE = ("        points: 10\n", "        points: ten\n")
MANIFEST_UNKNOWN = ("        code_free: true\n", "        code_fre: true\n")
MANIFEST_RANGE = ("sponsor-case, title: {t}, minutes: 10}}", "sponsor-case, title: {t}, minutes: 0}}")
MANIFEST_RANGE = tuple(text.format(t='"The sponsor\'s numbers and your break-even"') for text in MANIFEST_RANGE)


@pytest.mark.parametrize(
    ("edit", "where", "field", "problem"),
    [
        (MANIFEST_TYPE, ("points: ten", "points"), "tracks[0].modules[0].points", 'expected a number (got "ten")'),
        (
            MANIFEST_UNKNOWN,
            ("code_fre:", "code_fre"),
            "tracks[0].modules[0].code_fre",
            "unknown field (did you mean code_free?); expected one of id, title, minutes, lessons, points,",
        ),
        (
            MANIFEST_RANGE,
            ("minutes: 0", "minutes"),
            "tracks[0].modules[1].lessons[1].minutes",
            "expected a value >= 1 (got 0)",
        ),
        (
            (
                "        title: Framing risk accurately\n",
                "        title: Framing risk accurately\n        minutes: 25\n",
            ),
            ("minutes: 25", "minutes"),
            "tracks[0].modules[2].minutes",
            "a module with lessons takes the sum of its lessons' minutes: remove this field",
        ),
        (
            ("      - id: business-case\n", "      - id: goals-before-tools\n"),
            ("- id: goals-before-tools", "id:", 2),
            "tracks[0].modules[1].id",
            "module 'goals-before-tools' is already defined in track 'executives'",
        ),
        (
            ("        review_by: 2027-11-30\n", "        review_by: next year\n"),
            ("review_by: next year", "review_by"),
            "tracks[0].modules[0].review_by",
            'expected a date as YYYY-MM-DD (got "next year")',
        ),
        (
            ("  pass_mark: 0.7\n", "  pass_mark: 70\n"),
            ("pass_mark: 70", "pass_mark"),
            "certification.pass_mark",
            "expected a value <= 1 (got 70)",
        ),
        (
            ("    - {id: practitioner,", "    - {id: foundation,"),
            ("- {id: foundation", "id:", 2),
            "certification.tiers[1].id",
            "tier 'foundation' is listed twice",
        ),
    ],
    ids=[
        "wrong type",
        "unknown key",
        "out of range",
        "cross-field rule",
        "module twice",
        "bad date",
        "pass mark out of range",
        "tier twice",
    ],
)
def test_a_planted_manifest_error_names_file_line_column_and_field(tmp_path, edit, where, field, problem):
    path, text = plant(tmp_path, MANIFEST, edit)
    (found,) = problems(read_manifest, path)
    assert found[:3] == (*at(text, *where), field) and found[3].startswith(problem)


def test_invalid_yaml_in_the_manifest_names_the_line_and_column(tmp_path):
    path, text = plant(
        tmp_path, MANIFEST, ("    title: Executives and sponsors", "    title: Executives: and sponsors")
    )
    (found,) = problems(read_manifest, path)
    assert found[:3] == (*at(text, "title: Executives:", ": and"), "(top level)")
    assert found[3].startswith("not valid YAML: mapping values are not allowed here")


def test_three_errors_in_the_manifest_are_all_reported_in_file_order(tmp_path):
    path, text = plant(tmp_path, MANIFEST, MANIFEST_RANGE, MANIFEST_UNKNOWN, MANIFEST_TYPE)
    found = problems(read_manifest, path)
    assert [(line, field) for line, _, field, _ in found] == [
        (at(text, "points: ten")[0], "tracks[0].modules[0].points"),
        (at(text, "code_fre:")[0], "tracks[0].modules[0].code_fre"),
        (at(text, "minutes: 0")[0], "tracks[0].modules[1].lessons[1].minutes"),
    ]


def test_smtk_names_every_problem_of_a_malformed_profile_each_on_its_line(tmp_path):
    path, text = plant(tmp_path, ORGS / "demo.yaml", ORG_RANGE, ORG_TYPE, ORG_UNKNOWN)
    done = subprocess.run(
        [*smtk_command(), "tailor", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert [line.split(": ")[2] for line in done.stderr.splitlines()] == [
        f"{path}:{at(text, 'motto:')[0]}:1",
        f"{path}:{at(text, 'employees: {')[0]}:15",
        f"{path}:{at(text, 'coverage: {')[0]}:32",
    ]
    assert not (tmp_path / "out" / "release").exists(), "nothing is built from a bad profile"


def test_smtk_check_lists_every_problem_of_a_malformed_manifest(tmp_path):
    path, text = plant(tmp_path, MANIFEST, MANIFEST_RANGE, MANIFEST_UNKNOWN, MANIFEST_TYPE)
    done = subprocess.run(
        [*smtk_command(), "check", "--manifest", str(path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1
    listed = [line for line in done.stdout.splitlines() if line.startswith("PROBLEM ")]
    assert [line.split(": ")[0] for line in listed] == [
        f"PROBLEM {path}:{at(text, 'points: ten')[0]}:9",
        f"PROBLEM {path}:{at(text, 'code_fre:')[0]}:9",
        f"PROBLEM {path}:{':'.join(map(str, at(text, 'minutes: 0', 'minutes')))}",
    ]
