"""Item statistics on a small real nbgrader gradebook whose figures are worked out by hand below, through the
results layer, the trainer app's cohort function and `smtk grade items`."""

from __future__ import annotations

import math
import subprocess

import pandas as pd
import pytest
from conftest import smtk_command

from graders.course.root import open_gradebook, write_config
from graders.results import cohort
from graders.results.gradebook import item_scores
from graders.results.item_stats import FLAG_EASY, FLAG_HARD, FLAG_LOW, item_statistics, point_biserial

MODULE = "m1"
# item -> (points, cell source as nbgrader keeps it, whether the trainer grades it)
ITEMS = {
    "q1-tests": (2, 'q1 = MultipleChoice("q1", "Tick...", OPTIONS, key="sealed:x")\ndisplay(q1)', False),
    "q2-tests": (1, "assert fill(post, values) == expected", False),
    "q3-answer": (2, "def q3_solution():\n    return 'written'", True),
    "q4-tests": (1, 'q4 = Number("q4", "How many?", key=7600)', False),
    "q5-tests": (1, 'q5 = Ordering("q5", "Order them", ITEMS, key=["a"])', False),
}
# Each learner's points per item. e's written answer still waits for the trainer: e is left out of every figure.
SCORES = {
    "a": {"q1-tests": 2, "q2-tests": 1, "q3-answer": 2, "q4-tests": 1, "q5-tests": 0},
    "b": {"q1-tests": 2, "q2-tests": 0, "q3-answer": 1, "q4-tests": 1, "q5-tests": 0},
    "c": {"q1-tests": 0, "q2-tests": 1, "q3-answer": 0, "q4-tests": 1, "q5-tests": 0},
    "d": {"q1-tests": 2, "q2-tests": 1, "q3-answer": 2, "q4-tests": 1, "q5-tests": 0},
    "e": {"q1-tests": 0, "q2-tests": 0, "q3-answer": None, "q4-tests": 1, "q5-tests": 1},
}
# By hand. Totals a..d: 6, 4, 2, 6; rest = total - item.
# q1: scores 2,2,0,2 (shares mean 0.75); rest 4,2,2,4. Deviations (.5,.5,-1.5,.5) and (1,-1,-1,1):
#     sum of products 2, sums of squares 3 and 4, r = 2 / sqrt(12).
# q2: 1,0,1,1 (0.75); rest 5,4,1,5, mean 3.75. Deviations (.25,-.75,.25,.25) and (1.25,.25,-2.75,1.25):
#     products -0.25, squares 0.75 and 10.75, r = -0.25 / sqrt(0.75 * 10.75): below 0.2, flagged.
# q3: 2,1,0,2 (shares 1, .5, 0, 1: 0.625); rest 4,3,2,4: the same deviations, r = 1.
# q4: everyone 1 of 1 (1.0, nearly everyone right); q5: no one (0.0, nearly no one right); neither varies: no r.
EXPECTED = {
    "q1-tests": ("MultipleChoice", 0.75, 2 / math.sqrt(12), []),
    "q2-tests": ("code", 0.75, -0.25 / math.sqrt(0.75 * 10.75), [FLAG_LOW]),
    "q3-answer": ("written", 0.625, 1.0, []),
    "q4-tests": ("Number", 1.0, math.nan, [FLAG_EASY]),
    "q5-tests": ("Ordering", 0.0, math.nan, [FLAG_HARD]),
}


@pytest.fixture(scope="module")
def small_course(tmp_path_factory):
    """A course root with a real nbgrader gradebook: one module, five items, five learners as SCORES says."""
    root = tmp_path_factory.mktemp("items") / "course"
    write_config(root, "items", "Items Ltd")
    with open_gradebook(root) as gb:
        gb.add_assignment(MODULE)
        gb.add_notebook(MODULE, MODULE)
        for name, (points, source, manual) in ITEMS.items():
            gb.add_grade_cell(name, MODULE, MODULE, max_score=points, cell_type="code")
            gb.add_source_cell(name, MODULE, MODULE, cell_type="code", source=source, locked=not manual)
            if manual:
                gb.add_solution_cell(name, MODULE, MODULE)
        for learner, scores in SCORES.items():
            gb.add_student(learner)
            gb.add_submission(MODULE, learner)
            for name, score in scores.items():
                grade = gb.find_grade(name, MODULE, MODULE, learner)
                grade.auto_score = None if ITEMS[name][2] else score
                grade.manual_score = score if ITEMS[name][2] else None
                grade.needs_manual_grade = score is None
        gb.db.commit()
    return root


def test_the_item_table_names_each_items_widget_from_the_gradebook(small_course):
    items = item_scores(small_course)
    widgets = items.drop_duplicates("item").set_index("item")["widget"].to_dict()
    assert widgets == {name: expected[0] for name, expected in EXPECTED.items()}
    assert items[items["learner"] == "e"]["needs_manual_grade"].any()


def test_statistics_match_the_hand_computed_figures(small_course):
    table = item_statistics(item_scores(small_course)).set_index("item")
    assert sorted(table.index) == sorted(EXPECTED)
    for name, (widget, difficulty, discrimination, flags) in EXPECTED.items():
        row = table.loc[name]
        assert row["widget"] == widget and row["learners"] == 4, name  # e waits for the trainer
        assert row["points"] == ITEMS[name][0]
        assert row["difficulty"] == pytest.approx(difficulty, abs=5e-4), name
        if math.isnan(discrimination):
            assert math.isnan(row["discrimination"]), name
        else:
            assert row["discrimination"] == pytest.approx(discrimination, abs=5e-4), name
        assert row["flags"] == "; ".join(flags), name


def test_point_biserial_is_pearson_and_undefined_without_variation():
    item, rest = pd.Series([1, 0, 1, 0, 1]), pd.Series([9, 2, 7, 4, 3])
    assert point_biserial(item, rest) == pytest.approx(item.corr(rest))
    assert math.isnan(point_biserial(pd.Series([1, 1, 1]), pd.Series([1, 2, 3])))
    assert math.isnan(point_biserial(pd.Series([1, 0]), pd.Series([1, 2])))  # two learners: no figure


def test_the_cohort_view_puts_flagged_items_first_and_follows_the_filters(small_course):
    items = item_scores(small_course)
    modules = pd.DataFrame([{"id": MODULE, "title": "One", "track": "employees", "review_by": None}])
    learners = pd.DataFrame(
        [
            {"learner": x, "name": x, "email": "", "business_unit": "", "region": r}
            for x, r in zip("abcde", "EEEWW", strict=True)
        ]
    )
    table = cohort.item_statistics(items, modules, learners, cohort.Filters())
    flagged = table["flags"].str.len() > 0
    assert flagged.tolist() == sorted(flagged.tolist(), reverse=True) and flagged.sum() == 3
    east = cohort.item_statistics(items, modules, learners, cohort.Filters(region="E")).set_index("item")
    assert east.loc["q1-tests", "learners"] == 3  # a, b, c
    assert east.loc["q1-tests", "difficulty"] == pytest.approx(2 / 3, abs=5e-4)


def test_smtk_grade_items_prints_and_writes_the_table(small_course, tmp_path):
    out = tmp_path / "items.csv"
    done = subprocess.run(
        [*smtk_command(), "grade", "items", MODULE, "--course", str(small_course), "--csv", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "3 of 5 item(s) flagged for review." in done.stdout and "MultipleChoice" in done.stdout
    written = pd.read_csv(out).set_index("item")
    assert written.loc["q3-answer", "difficulty"] == 0.625 and written.loc["q4-tests", "flags"] == FLAG_EASY


def test_the_course_questions_name_each_items_form():
    """Widgets by name, code where a module asks for code, a simulation where a code-free module grades one."""
    from graders.course.manifest import load_manifest
    from graders.results.questions import question_table

    manifest = load_manifest()
    table = question_table(manifest, manifest.source_dir)
    forms = {(row.module, row.item): row.widget for row in table.itertuples()}
    titles = {m.id: m.title for m in manifest.modules}
    assert forms[(titles["goals-before-tools"], "q1-tests")] == "MultipleChoice"
    assert forms[(titles["goals-before-tools"], "q4-opening")] == "written"
    assert forms[(titles["business-case"], "q1a-tests")] == "Matching"  # code-free since
    assert "code" in {w for (module, _), w in forms.items() if module == titles["governance-kpis"]}  # the analysts
    assert forms[(titles["triage-shift"], "q3-tests")] == "simulation"  # the inbox shift the learner played
    assert table.groupby("module")["points"].sum().to_dict() == {m.title: m.points for m in manifest.modules}
