"""Answer banks: every bank entry of every module graded through `smtk grade` for each example organisation (right
answers full points, wrong ones fewer), stock nbgrader agreeing on a sample, the banks read strictly, and `smtk check`
refusing an item without a bank or a judgement item graded by matching text.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from roundtrip import EXAMPLE_ORGS, autograde

from graders.course.banks import GLOB, WIDGET_KINDS, bank_problems, items, read_bank
from graders.course.check import check_course
from graders.course.manifest import load_manifest
from graders.course.root import open_gradebook
from graders.grading.banks import module_banks, plan, run_banks
from graders.paths import MANIFEST, ROOT, SOURCE
from simulations.common.datafiles import DataError
from simulations.profile.org import load_org

MANIFEST_DATA = load_manifest()
BANKED = [m for m in MANIFEST_DATA.modules if any((SOURCE / m.id).glob(GLOB))]
RUNS = [
    pytest.param(slug, m.id, id=f"{slug}-{m.id}")
    for slug, path in EXAMPLE_ORGS.items()
    for m in BANKED
    if m.track in load_org(path).tracks
]


def grades(root: Path, module_id: str, learners: list[str]) -> dict[str, dict[str, float]]:
    """learner -> grade id -> score, from a course root's gradebook."""
    with open_gradebook(root) as gb:
        return {
            learner: {g.name: g.score for nb in gb.find_submission(module_id, learner).notebooks for g in nb.grades}
            for learner in learners
        }


def stock_agrees(tailored_root: Path, graded: Path, module_id: str, learners: list[str], tmp_path: Path) -> None:
    """Stock `nbgrader autograde` on a fresh copy of the course, given the same submissions, scores them the same."""
    stock = tmp_path / "stock"
    shutil.copytree(tailored_root, stock)
    for learner in learners:
        shutil.copytree(graded / "submitted" / learner, stock / "submitted" / learner)
    autograde(stock, module_id)
    assert grades(stock, module_id, learners) == grades(graded, module_id, learners)


# -- every bank of the course, for every example organisation that builds its module


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "module_id"), RUNS)
def test_every_bank_entry_scores_as_the_bank_says(slug, module_id, tailored, copy_of, sandboxes):
    course = tailored(slug)
    root = copy_of(course)
    run = run_banks(module_id, root, slug, sandboxes=sandboxes)
    assert run.failures == [], run.summary()
    banks = module_banks(module_id)
    assert len(run.scores) == sum(len(bank.entries) for bank, _ in banks.values() if bank)
    every = [item for _, found in banks.values() for item in found]
    keys = {key for item in every for key in item.keys}  # a widget alternative's answers too
    assert {s.entry.key for s in run.scores} == keys, "every auto-graded item has a bank"
    assert {s.entry.verdict for s in run.scores} == {"right", "wrong"}


@pytest.mark.slow
def test_stock_nbgrader_scores_a_sample_of_bank_answers_the_same(tailored, copy_of, tmp_path):
    module_id, slug = "governance-kpis", "demo"
    course = tailored(slug)
    root = copy_of(course)
    run = run_banks(module_id, root, slug, workers=1)
    assert run.failures == []
    sample = sorted({s.learner for s in run.scores})[::3]  # every third synthetic learner: right and wrong answers
    assert {s.entry.verdict for s in run.scores if s.learner in sample} == {"right", "wrong"}
    stock_agrees(course.root, root, module_id, sample, tmp_path)


# -- question widgets: a bank of the pilot module written here (its own bank is written with the module)

PILOT = "goals-before-tools"


def pilot_bank(org_params: dict[str, dict]) -> dict:
    """A small bank of the pilot, with a right answer filed among the wrong ones and a wrong one the widget cannot
    record, on purpose."""
    credible = {
        slug: int(0.05 * p["audiences"]["employees"]["headcount"]) * 150 * 0.5 for slug, p in org_params.items()
    }
    return {
        "q1": {
            "right": [{"answer": ["b", "d", "f"], "form": "the key"}, {"answer": ["f", "b", "d"], "form": "reordered"}],
            "wrong": [
                {"answer": ["a", "b", "d", "f"], "misconception": "a follower count taken for a goal"},
                {"answer": ["z"], "misconception": "not an option: an answer the widget cannot record"},
            ],
        },
        "q2a": {
            "right": [{"by_org": {s: v + 1 for s, v in credible.items()}, "form": "within the stated tolerance"}],
            "wrong": [{"by_org": {s: v / 0.5 * 0.38 for s, v in credible.items()}, "misconception": "38% for staff"}],
        },
        "q3": {
            "right": [{"answer": ["c", "b", "e", "d", "a"], "form": "the key"}],
            "wrong": [
                {"answer": ["a", "c", "b", "e", "d"], "misconception": "platforms first"},
                {"answer": ["c", "b", "e", "d", "a"], "misconception": "filed wrong on purpose: this is the key"},
            ],
        },
    }


@pytest.mark.slow
def test_widget_answers_are_saved_records_graded_by_smtk_grade_and_stock_nbgrader(demo_course, copy_of, tmp_path):
    master = tmp_path / "master"
    shutil.copytree(SOURCE, master / "source")
    shutil.copyfile(MANIFEST, master / "course.yml")
    params = {slug: load_org(path).to_parameters() for slug, path in EXAMPLE_ORGS.items()}
    written = pilot_bank(params)
    banks = {  # the module's two lessons, each with the bank of its own questions
        PILOT: {key: written[key] for key in ("q1", "q2a")},
        "sponsor-conversation": {"q3": written["q3"]},
    }
    for lesson, entries in banks.items():
        bank = master / "source" / PILOT / f"{lesson}.bank.yml"
        bank.write_text(yaml.safe_dump(entries, sort_keys=False), encoding="utf-8")
    root = copy_of(demo_course)
    slug = demo_course.org.slug
    run = run_banks(PILOT, root, slug, manifest_path=master / "course.yml", workers=1)
    # the misfiled entry and the one the widget cannot record are the failures, named by file, line and item; q2b,
    # without a bank, gets its worked answer and its full points
    assert len(run.failures) == 2, run.summary()
    (misfiled_failure,) = [f for f in run.failures if "filed wrong on purpose" in f]
    (unrecorded,) = [f for f in run.failures if "not an option" in f]
    assert "reads as not answered" in unrecorded
    bank = master / "source" / PILOT / "sponsor-conversation.bank.yml"
    lines = bank.read_text(encoding="utf-8").splitlines()
    misfiled = next(i for i, text in enumerate(lines) if "filed wrong" in text)
    line = max(i for i in range(misfiled) if "- answer:" in lines[i]) + 1  # where the entry starts
    assert misfiled_failure.startswith(f"sponsor-conversation.bank.yml:{line}: q3: the wrong answer")
    assert {(s.entry.key, s.entry.verdict, s.ok) for s in run.scores} == {
        ("q1", "right", True),
        ("q1", "wrong", True),  # both: the one the widget cannot record scores 0 too, but is reported above
        ("q2a", "right", True),
        ("q2a", "wrong", True),
        ("q3", "right", True),
        ("q3", "wrong", True),
        ("q3", "wrong", False),
    }
    learners = sorted({s.learner for s in run.scores})
    stock_agrees(demo_course.root, root, PILOT, learners, tmp_path)


# -- reading banks


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lesson.bank.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bank_reads_into_entries_with_their_lines(tmp_path):
    path = write(
        tmp_path,
        "q1:\n  right:\n    - answer: [b, d]\n      form: the key\n"
        "  wrong:\n    - by_org: {demo: 3, saltmarsh: 4}\n      misconception: the mean for the bad year\n",
    )
    bank = read_bank(path, ["demo", "saltmarsh"])
    right, wrong = bank.entries
    assert (right.key, right.verdict, right.answer, right.why, right.line) == ("q1", "right", ["b", "d"], "the key", 3)
    assert (wrong.answer_for("demo"), wrong.answer_for("saltmarsh"), wrong.line) == (3, 4, 6)
    assert bank.lesson == "lesson" and bank.keys() == ["q1"]


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("q1:\n  right:\n    - answer: a\n      forms: x\n", ":3:7: q1.right[0].form", "required field is missing"),
        ("q1:\n  wrong:\n    - answer: a\n", ":3:7: q1.wrong[0].misconception", "required field is missing"),
        ("q1:\n  wrong:\n    - answer: a\n      by_org: {}\n      misconception: m\n", ":3:7: q1.wrong[0]", "not both"),
        ("q1:\n  right:\n    - by_org: {demo: 1}\n      form: f\n", ":3:7: q1.right[0].by_org", "saltmarsh"),
        ("q1:\n  rigth: []\n", ":2:3: q1.rigth", "unknown field (did you mean right?)"),
        ("q1:\n  right: [a: [\n", ":3:1: (top level)", "not valid YAML"),
        ("q1:\n  right: {answer: a}\n", ":2:3: q1.right", "expected a list"),
    ],
)
def test_a_malformed_bank_names_file_line_and_field(tmp_path, text, where, problem):
    path = write(tmp_path, text)
    with pytest.raises(DataError) as caught:
        read_bank(path, ["demo", "saltmarsh"])
    assert str(caught.value).startswith(f"{path}{where}") and problem in str(caught.value)
    assert path.read_text(encoding="utf-8") == text, "reading a bank never rewrites it"


def test_items_are_keyed_by_widget_qid_or_by_the_answer_cell_of_a_code_item():
    pilot = items(SOURCE / PILOT / f"{PILOT}.ipynb") + items(SOURCE / PILOT / "sponsor-conversation.ipynb")
    assert [(i.key, i.kind, i.tests, i.points) for i in pilot] == [
        ("q1", "multiple", ("q1-tests",), 2.0),
        ("q2a", "number", ("q2a-tests",), 2.0),
        ("q2b", "number", ("q2b-tests",), 1.0),
        ("q3", "order", ("q3-tests",), 2.0),
    ]
    assert pilot[0].worked == ["b", "d", "f"] and pilot[0].answer_cell == "q1-answer"
    lessons = ("governance-kpis", "account-check-process", "kirkpatrick-levels", "kpi-framework")
    code = [item for lesson in lessons for item in items(SOURCE / "governance-kpis" / f"{lesson}.ipynb")]
    assert [(i.key, i.kind, i.tests, i.points) for i in code] == [
        (f"q{n}-answer", "code", (f"q{n}-tests",), 2.0) for n in (1, 2, 3, 4)
    ]
    # each code exercise of the analyst modules has a widget alternative, banked under the widget's qid as well
    assert [(i.alternative, i.keys) for i in code] == [(f"q{n}", (f"q{n}-answer", f"q{n}")) for n in (1, 2, 3, 4)]
    assert pilot[0].alternative is None and pilot[0].keys == ("q1",)
    assert "overbroad" in code[0].prompt and code[0].worked == {
        "a": True,
        "b": False,
        "c": True,
        "d": False,
        "e": False,
        "f": True,
    }


def test_widget_kinds_are_the_widgets_own():
    from simulations.ui.lessons import questions as ui

    made = {
        "SingleChoice": ui.SingleChoice("q", "p", {"a": "A", "b": "B"}, key="a"),
        "MultipleChoice": ui.MultipleChoice("q", "p", {"a": "A", "b": "B"}, key=["a"]),
        "Ordering": ui.Ordering("q", "p", {"a": "A", "b": "B"}, key=["b", "a"]),
        "Matching": ui.Matching("q", "p", {"a": "A", "b": "B"}, {"x": "X"}, key={"a": "x", "b": "x"}),
        "Number": ui.Number("q", "p", key=1),
        "ShortText": ui.ShortText("q", "p", key=["x"]),
    }
    assert {name: widget.question.kind for name, widget in made.items()} == WIDGET_KINDS


def test_the_release_never_holds_a_bank(demo_course):
    assert list(SOURCE.glob(f"*/{GLOB}")), "the master course has banks"
    assert not list((demo_course.root / "release").rglob(GLOB))
    assert not list((demo_course.root / "source").rglob(GLOB))


# -- smtk check


def course(tmp_path: Path) -> Path:
    """A private copy of the manifest and master notebooks (with their banks) that a test may change."""
    shutil.copytree(SOURCE, tmp_path / "source")
    for name in ("course.yml", "facts.yml"):
        shutil.copyfile(MANIFEST.parent / name, tmp_path / name)
    return tmp_path / "course.yml"


def bank_findings(path: Path) -> list[DataError]:
    report = check_course(path, today=dt.date(2026, 11, 23))
    return [p for p in report.problems if ".bank.yml" in p.path or "judgement" in p.problem]


def add_code_item(notebook: Path, key: str = "q9") -> None:
    """A new auto-graded code item at the end of a lesson: an answer cell and its test cell."""
    nb = nbformat.read(notebook, as_version=4)
    answer = nbformat.v4.new_code_cell("x = None\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    answer.metadata.nbgrader = {"solution": True, "grade": False, "locked": False, "grade_id": f"{key}-answer"}
    test = nbformat.v4.new_code_cell("assert x == 1")
    test.metadata.nbgrader = {"solution": False, "grade": True, "locked": True, "points": 1, "grade_id": f"{key}-tests"}
    for cell in (answer, test):
        cell.metadata.nbgrader["schema_version"] = 3
    nb.cells += [answer, test]
    nbformat.write(nb, notebook)


def test_a_new_item_without_a_bank_fails_check(tmp_path):
    path = course(tmp_path)
    notebook = tmp_path / "source" / "staying-current" / "staying-current.ipynb"
    before = {str(p) for p in bank_findings(path)}
    add_code_item(notebook)
    found = [p for p in bank_findings(path) if str(p) not in before]
    assert [(Path(p.path).name, p.field) for p in found] == [("staying-current.bank.yml", "q9-answer")]
    assert "no answers in the bank" in found[0].problem


def test_a_bank_naming_no_item_or_missing_a_wrong_answer_fails_check(tmp_path):
    path = course(tmp_path)
    bank = tmp_path / "source" / "staying-current" / "check-the-source.bank.yml"
    data = yaml.safe_load(bank.read_text(encoding="utf-8"))
    data["q7-answer"] = data.pop("q2-answer")
    bank.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    other = tmp_path / "source" / "staying-current" / "act-on-feedback.bank.yml"
    data = yaml.safe_load(other.read_text(encoding="utf-8"))
    del data["q3-answer"]["wrong"]
    other.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    found = {(p.field, p.problem.split(":")[0].split(" (")[0]) for p in bank_findings(path)}
    assert ("q7-answer", "no auto-graded item of this lesson has this key") in found
    assert ("q3-answer.wrong", "the item q3-answer") in found
    assert any(f == "q2-answer" for f, _ in found)


def test_a_widget_alternative_without_its_answers_fails_check(tmp_path):
    path = course(tmp_path)
    bank = tmp_path / "source" / "staying-current" / "check-the-source.bank.yml"
    data = yaml.safe_load(bank.read_text(encoding="utf-8"))
    del data["q2"]
    bank.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    other = tmp_path / "source" / "staying-current" / "act-on-feedback.bank.yml"
    data = yaml.safe_load(other.read_text(encoding="utf-8"))
    del data["q3"]["right"]
    other.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    found = {(Path(p.path).name, p.field): p.problem for p in bank_findings(path)}
    assert set(found) == {("check-the-source.bank.yml", "q2"), ("act-on-feedback.bank.yml", "q3.right")}
    assert "q2-answer (its widget alternative q2)" in found[("check-the-source.bank.yml", "q2")]


def test_a_learner_answers_an_exercise_in_code_or_in_its_widget_never_both():
    banks = module_banks("staying-current")
    learners = plan(banks)
    with_alt = [item for _, found in banks.values() for item in found if item.alternative]
    assert len(with_alt) == 3
    for item in with_alt:
        bank = banks[item.lesson][0]
        given = [answers[item.key] for answers in learners if item.key in answers]
        # every code answer, then every widget answer, each by its own learner
        assert given == [*bank.of(item.key), *bank.of(item.alternative)]


def test_which_modules_must_have_banks(tmp_path):
    """A module with a bank or code-free must be complete; one without, while others lack banks too, is left; the
    last module without a bank, once every other has one, must have one."""
    path = course(tmp_path)
    (tmp_path / "source" / PILOT / f"{PILOT}.bank.yml").unlink()
    # a module neither code-free nor with a bank (while there are some) is not yet held to it
    unproven = [m.id for m in MANIFEST_DATA.modules if not m.code_free and m not in BANKED]
    for module_id in unproven[:1]:
        add_code_item(tmp_path / "source" / module_id / f"{module_id}.ipynb")
    found = {Path(p.path).name for p in bank_findings(path)}
    assert f"{PILOT}.bank.yml" in found and not {f"{m}.bank.yml" for m in unproven} & found
    # only the Center of Excellence's track: every module has a bank but governance-kpis, which must then have one
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["tracks"] = [t for t in data["tracks"] if t["id"] == "coe"]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (tmp_path / "source" / "governance-kpis" / "governance-kpis.bank.yml").unlink()
    found = [p for p in bank_findings(path)]
    assert [(Path(p.path).name, p.problem.split(" q1")[0]) for p in found] == [
        ("governance-kpis.bank.yml", "no answer bank for the auto-graded items")
    ]


def judgement_item(notebook: Path) -> None:
    """A short-text question that asks for a customer-care reply and grades it by matching words."""
    nb = nbformat.read(notebook, as_version=4)
    answer = nbformat.v4.new_code_cell(
        'def q9_solution():\n    ### BEGIN SOLUTION\n    return "sorry"\n    ### END SOLUTION'
    )
    answer.metadata.nbgrader = {"solution": True, "grade": False, "locked": False, "grade_id": "q9-answer"}
    test = nbformat.v4.new_code_cell(
        'q9 = ShortText("q9", "Write the public reply you would post to the angry customer.", key=["sorry", '
        '"we are sorry"], solution=q9_solution, notebook=NOTEBOOK)\ndisplay(q9)\n'
        "### BEGIN HIDDEN TESTS\nq9.assert_right()\n### END HIDDEN TESTS"
    )
    test.metadata.nbgrader = {"solution": False, "grade": True, "locked": True, "points": 1, "grade_id": "q9-tests"}
    for cell in (answer, test):
        cell.metadata.nbgrader["schema_version"] = 3
    nb.cells += [answer, test]
    nbformat.write(nb, notebook)


def test_a_keyword_only_judgement_item_is_refused(tmp_path):
    notebook = tmp_path / "lesson.ipynb"
    shutil.copyfile(SOURCE / PILOT / f"{PILOT}.ipynb", notebook)
    judgement_item(notebook)
    (tmp_path / "lesson.bank.yml").write_text(
        json.dumps(
            {
                "q9": {
                    "right": [{"answer": "sorry", "form": "the key"}],
                    "wrong": [{"answer": "read our FAQ", "misconception": "a reply that sends the customer away"}],
                }
            }
        ),
        encoding="utf-8",
    )
    q9 = next(i for i in items(notebook) if i.key == "q9")
    assert q9.kind == "text" and q9.judgement
    found = [p for p in bank_problems({"lesson": notebook}, ["demo", "saltmarsh"]) if "judgement" in p.problem]
    assert [(p.field, p.problem.split(":")[0]) for p in found] == [
        ("q9 (q9-tests)", "a judgement item (a reply, a post...) graded by matching its text")
    ]
    # a short text that names a term (a team, a level) is not a judgement item
    assert not any(i.judgement for i in items(SOURCE / PILOT / f"{PILOT}.ipynb"))


def test_a_code_item_whose_worked_answer_is_prose_is_a_judgement_item(tmp_path):
    notebook = tmp_path / "lesson.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("### Question 1\n\nSet `my_reply` to the reply you would post."))
    answer = nbformat.v4.new_code_cell(
        "### BEGIN SOLUTION\nmy_reply = (\n"
        '    "We are so sorry, that is not the visit we want for you. Could you send us a "\n'
        '    f"direct message?"\n)\n### END SOLUTION'
    )
    answer.metadata.nbgrader = {"solution": True, "grade": False, "locked": False, "grade_id": "q1-answer"}
    test = nbformat.v4.new_code_cell('assert "sorry" in my_reply')
    test.metadata.nbgrader = {"solution": False, "grade": True, "locked": True, "points": 2, "grade_id": "q1-tests"}
    nb.cells += [answer, test]
    nbformat.write(nb, notebook)
    (item,) = items(notebook)
    assert item.kind == "code" and item.free_text and item.judgement


def test_a_recorded_widget_with_a_worked_answer_is_keyed_by_its_solution(tmp_path):
    """A widget other than a question (a heat map) that takes `solution=q1_solution` and keeps its answer under
    `key=`: the item is q1, answered by writing that record."""
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell(
        "def q1_solution():\n    ### BEGIN SOLUTION\n    return {'placements': {'a': [1, 2]}}\n    ### END SOLUTION"
    )
    answer.metadata.nbgrader = {"solution": True, "grade": False, "locked": False, "grade_id": "q1-answer"}
    shown = nbformat.v4.new_code_cell('heatmap = RiskHeatMap(REGISTER, key="risk-framing", solution=q1_solution)')
    test = nbformat.v4.new_code_cell("assert heatmap.placed_all")
    test.metadata.nbgrader = {"solution": False, "grade": True, "locked": True, "points": 2, "grade_id": "q1-tests"}
    nb.cells += [answer, shown, test]
    (item,) = items(nb, "lesson")
    assert (item.key, item.kind, item.record, item.answer_cell, item.tests, item.points) == (
        "q1",
        "record",
        "risk-framing",
        "q1-answer",
        ("q1-tests",),
        2.0,
    )
    assert item.worked == {"placements": {"a": [1, 2]}} and not item.judgement


def smtk(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "smtk"
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True, timeout=1200)


@pytest.mark.slow
def test_smtk_banks_builds_the_course_and_grades_a_module(tmp_path):
    done = smtk("banks", str(EXAMPLE_ORGS["saltmarsh"]), "staying-current")
    assert done.returncode == 0, done.stdout + done.stderr
    count = sum(len(read_bank(bank).entries) for bank in (SOURCE / "staying-current").glob("*.bank.yml"))
    assert f"staying-current for saltmarsh: {count} bank answers" in done.stdout
    assert done.stdout.strip().endswith(f"{count} bank answer(s) of 1 module(s) graded: OK")


def test_smtk_banks_names_a_module_the_organisation_does_not_build():
    done = smtk("banks", str(EXAMPLE_ORGS["saltmarsh"]), "business-case")
    assert done.returncode == 2 and "does not build business-case" in done.stderr


def test_a_recorded_widget_its_test_names_gives_the_record():
    """An inbox kept under `record=` that the test cell plays with the worked answer: the item's record is the
    inbox's."""
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell('inbox = Inbox.for_org(ORG, "care-desk", seed=7, record="triage-shift")')
    answer = nbformat.v4.new_code_cell(
        "def q3_solution():\n    ### BEGIN SOLUTION\n    return len\n    ### END SOLUTION"
    )
    answer.metadata.nbgrader = {"solution": True, "grade": False, "locked": False, "grade_id": "q3-answer"}
    test = nbformat.v4.new_code_cell("if not inbox.played:\n    inbox.autoplay(q3_solution())\nassert inbox.played")
    test.metadata.nbgrader = {"solution": False, "grade": True, "locked": True, "points": 2, "grade_id": "q3-tests"}
    nb.cells += [shown, answer, test]
    (item,) = items(nb, "lesson")
    assert (item.key, item.kind, item.record) == ("q3", "record", "triage-shift")
