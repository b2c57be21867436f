"""Every module of every example organisation through real nbgrader: solution full marks under stock nbgrader, blank
release zero under the kit's grader (which wraps nbgrader), and what each release holds and shows."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import papermill
import pytest
from nbgrader.utils import is_grade, is_solution
from roundtrip import EXAMPLE_ORGS, autograde, output_text, scores, submit

from graders.course.manifest import load_manifest
from graders.course.tailor import PARAMETERS_GRADE_ID, modules_for
from graders.grading.pipeline import autograde as smtk_autograde
from graders.grading.pipeline import warm_sandboxes
from simulations.profile.org import PROFILE_FILE, OrgProfile, load_org

MANIFEST = load_manifest()
MODULES = [m.id for m in MANIFEST.modules]
ORGS = {slug: load_org(path) for slug, path in EXAMPLE_ORGS.items()}
# (organisation, module) for every module in the tracks each example organisation builds.
CASES = [
    pytest.param(slug, module.id, id=f"{slug}-{module.id}")
    for slug, org in ORGS.items()
    for module in modules_for(org, MANIFEST)
]
PROBE = "import os\nprint('kernel:', os.environ.get('SMTK_KERNEL'))"


def printed_by(cell) -> str:
    """A cell's printed text; a busy kernel may send one print in several stream messages."""
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def with_probe(src: Path, dst: Path) -> Path:
    """A copy of a notebook with a last cell that prints which kernelspec runs it (the smtk spec sets SMTK_KERNEL)."""
    nb = nbformat.read(src, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    nbformat.write(nb, dst)
    return dst


def run_cleanly(ran: nbformat.NotebookNode) -> list[str]:
    """What stops a code-free lesson's Run All, or reads to a learner as an error, in its blank release as nbgrader
    ran it: an error in any cell but a test's own failure on the missing answer, and anything written to stderr."""
    found = []
    for i, cell in enumerate(ran.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stderr":
                found.append(f"cell {i} writes to stderr: {output.text[:200]}")
            test = is_grade(cell) and not is_solution(cell)
            if output.output_type == "error" and not (test and output.ename == "AssertionError"):
                found.append(f"cell {i} raises {output.ename}: {output.evalue[:200]}")
    return found


def test_run_cleanly_flags_an_error_and_stderr_but_not_a_test_failing_on_a_blank_answer():
    def cell(outputs: list, test: bool = False):
        made = nbformat.v4.new_code_cell("...", outputs=outputs)
        if test:
            made.metadata.nbgrader = {"grade": True, "solution": False, "grade_id": "q1-tests", "points": 1}
        return made

    failed = nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[])
    raised = nbformat.v4.new_output("error", ename="KeyError", evalue="'region'", traceback=[])
    warned = nbformat.v4.new_output("stream", name="stderr", text="DeprecationWarning: ...")
    ran = nbformat.v4.new_notebook(cells=[cell([failed], test=True), cell([raised], test=True), cell([warned])])
    assert run_cleanly(ran) == ["cell 1 raises KeyError: 'region'", "cell 2 writes to stderr: DeprecationWarning: ..."]
    assert run_cleanly(nbformat.v4.new_notebook(cells=[cell([failed])])) == ["cell 0 raises AssertionError: "]


def autograded_points(notebook: Path) -> float:
    """Points of the test cells (graded cells that are not answers), as the source notebook declares them."""
    nb = nbformat.read(notebook, as_version=4)
    return sum(float(c.metadata.nbgrader["points"]) for c in nb.cells if is_grade(c) and not is_solution(c))


def shown_to_learner(org: OrgProfile, module_id: str) -> list[str]:
    """What a module must show the learner from the organisation's profile when it runs (beyond the org's name)."""
    partners, contacts = org.partners, org.contacts
    return {
        "policy-disclosure": [org.policy_title, *org.ai_use.tools, *org.ai_use.never_input, org.ai_use.label],
        "new-hire": [org.policy_title, contacts["coe"].email, contacts["pr"].email],
        "find-and-validate": [org.policy_url, *(c.email for c in contacts.values())],
        "media-literacy": [
            *org.platforms,
            contacts["customer_care"].email,
            contacts["crisis"].email,
            f"{org.name}'s chief financial officer",  # the lesson on fakes made with AI sets its examples there
        ],
        "partner-accounts": [partners.contact.email, partners.content_library, partners.account_name],
        "partner-dialogue": [partners.contact.email, partners.tool_name, contacts["crisis"].email, *partners.platforms],
    }.get(module_id, [])


def lessons(module_id: str) -> list[str]:
    """The module's notebooks by name, one per lesson."""
    return [lesson.id for lesson in MANIFEST.module(module_id).lessons]


@pytest.mark.parametrize(("slug", "module_id"), CASES)
def test_release_holds_no_solutions_or_hidden_tests(tailored, slug, module_id):
    course = tailored(slug)
    # the answer banks (right and wrong answers to every item) stay with the masters, out of what learners fetch
    assert not list((course.root / "release" / module_id).glob("*.bank.yml"))
    for lesson in lessons(module_id):
        source = nbformat.read(course.root / "source" / module_id / f"{lesson}.ipynb", as_version=4)
        release = course.release(module_id, lesson).read_text(encoding="utf-8")
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in release
        for cell in source.cells:
            hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1:]
            for block in hidden:
                for line in block.split("### END HIDDEN TESTS")[0].strip().splitlines():
                    if re.search(r"\w", line):  # a blank or lone-bracket line gives nothing away
                        assert line.strip() not in release, f"hidden test line leaked into the release: {line}"


@pytest.mark.parametrize(("slug", "module_id"), CASES)
def test_release_shows_the_organisation(tailored, slug, module_id):
    course = tailored(slug)
    for lesson in lessons(module_id):
        release = nbformat.read(course.release(module_id, lesson), as_version=4)
        text = "\n".join(c.source for c in release.cells)
        assert course.org.name in text, lesson
        injected = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade_id") == PARAMETERS_GRADE_ID]
        assert len(injected) == 1 and injected[0].metadata.nbgrader["locked"]
    profile = course.release(module_id).parent / PROFILE_FILE  # the file the injected cell names travels with it
    assert json.loads(profile.read_text(encoding="utf-8"))["name"] == course.org.name


@pytest.mark.parametrize("slug", list(ORGS))
def test_release_lists_every_contact_and_platform(tailored, slug):
    course = tailored(slug)
    assert sorted({p.parent.name for p in (course.root / "release").glob("*/*.ipynb")}) == sorted(
        m.id for m in modules_for(course.org, MANIFEST)
    ), "the release holds exactly the modules of the organisation's tracks"
    released = [*(course.root / "release").glob("*/*.ipynb"), *(course.root / "release").glob(f"*/{PROFILE_FILE}")]
    text = "\n".join(p.read_text(encoding="utf-8") for p in released)
    for contact in course.org.contacts.values():
        assert contact.email in text
    for platform in course.org.platforms:
        assert platform in text


def test_papermill_executes_source_in_learner_kernel(demo_course, tmp_path):
    source = demo_course.root / "source" / MODULES[0] / f"{MODULES[0]}.ipynb"
    probe = with_probe(source, tmp_path / "probe.ipynb")
    out = papermill.execute_notebook(
        str(probe), str(tmp_path / "out.ipynb"), cwd=str(source.parent), progress_bar=False
    )
    assert out.metadata.kernelspec.name == "smtk"
    assert "kernel: smtk" in printed_by(out.cells[-1])


@pytest.fixture(scope="session")
def graded(tailored, tmp_path_factory):
    """`graded(slug)`: (the organisation's course; a copy of it in which one run of stock `nbgrader autograde` graded
    every module's solution, handed in by "ada" with a probe cell in each lesson; another in which `smtk grade` graded
    every module's blank release, handed in by "bob"). The blank goes through the kit's grader only: that it scores
    blanks as stock nbgrader does is test_grading's side-by-side test, and stock grading every blank again would
    double this fixture's four to five minutes of work."""
    done = {}

    def grade(slug: str):
        if slug not in done:
            course = tailored(slug)
            root = tmp_path_factory.mktemp("graded") / slug
            blank = tmp_path_factory.mktemp("blank") / slug
            shutil.copytree(course.root, root)
            shutil.copytree(course.root, blank)
            probes = tmp_path_factory.mktemp("probes")
            modules = modules_for(course.org, MANIFEST)
            for module in modules:
                for lesson in lessons(module.id):  # every lesson's notebook, handed in together
                    source = root / "source" / module.id / f"{lesson}.ipynb"
                    submit(root, module.id, "ada", with_probe(source, probes / f"{module.id}-{lesson}.ipynb"), lesson)
                    submit(blank, module.id, "bob", blank / "release" / module.id / f"{lesson}.ipynb", lesson)
            autograde(root, "*")  # every module of the course, as a trainer grades a whole cohort
            with warm_sandboxes(blank) as sandboxes:
                for module in modules:
                    smtk_autograde(module.id, blank, sandboxes=sandboxes, progress=False)
            done[slug] = (course, root, blank)
        return done[slug]

    return grade


@pytest.mark.slow
@pytest.mark.parametrize(
    ("slug", "module_id"),
    # one worker grades each organisation's course (see `graded`)
    [
        pytest.param(*case.values, id=case.id, marks=pytest.mark.xdist_group(f"graded-{case.values[0]}"))
        for case in CASES
    ],
)
def test_solution_full_marks_blank_zero(graded, slug, module_id):
    course, root, blank_root = graded(slug)
    expected = sum(autograded_points(root / "source" / module_id / f"{lesson}.ipynb") for lesson in lessons(module_id))
    solution, blank = scores(root, module_id, "ada"), scores(blank_root, module_id, "bob")
    assert expected >= 3
    assert solution.max_auto == expected and solution.auto == expected
    assert blank.max_auto == expected and blank.auto == 0
    assert solution.needs_manual_grade  # written answers wait for the trainer in formgrader

    for lesson in lessons(module_id):
        graded_nb = nbformat.read(root / "autograded" / "ada" / module_id / f"{lesson}.ipynb", as_version=4)
        assert "kernel: smtk" in printed_by(graded_nb.cells[-1]), "nbgrader did not execute with the smtk kernel"
    if MANIFEST.module(module_id).code_free:
        for lesson in lessons(module_id):
            ran = nbformat.read(blank_root / "autograded" / "bob" / module_id / f"{lesson}.ipynb", as_version=4)
            assert run_cleanly(ran) == [], f"{lesson}: the blank release does not run cleanly"
    # What the learner sees when running the blank release: the organisation, not the demo's defaults.
    seen = "\n".join(
        output_text(blank_root / "autograded" / "bob" / module_id / f"{n}.ipynb") for n in lessons(module_id)
    )
    for expected_text in [course.org.name, *shown_to_learner(course.org, module_id)]:
        assert expected_text in seen, f"{module_id} does not show {expected_text!r} to {course.org.name}'s learners"
