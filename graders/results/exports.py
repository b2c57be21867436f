"""`smtk grade feedback` and `smtk grade export`: HTML feedback without hidden tests, grades as CSV and JSON."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution
from traitlets.config import Config

from graders.course.exchange import release_feedback
from graders.course.nbgrader_pages import FEEDBACK, with_kit_template
from graders.course.report import GradeReport, LearnerResult
from graders.course.root import Course, GradeError
from graders.results.gradebook import item_rows

EXPORT_FIELDS = [
    "learner",
    "assignment",
    "notebook",
    "item",
    "kind",
    "auto_score",
    "manual_score",
    "score",
    "max_score",
    "needs_manual_grade",
    "status",
    "problems",
]


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback shows that a test failed, not the hidden test: its lines and the tracebacks that quote them go."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_grade(cell) and not is_solution(cell):
            ClearHiddenTests(enforce_metadata=False)._remove_hidden_test_region(cell)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


def feedback(assignment: str, course: str | Path = ".") -> GradeReport:
    """nbgrader's generate_feedback for every autograded learner, with hidden tests removed from the HTML, on the kit's
    accessible feedback template (graders.course.nbgrader_pages); on a hub, released to the learners through the
    exchange."""
    from nbgrader.apps import NbGraderAPI

    course = Course(Path(course))
    config = with_kit_template(Config(course.config), FEEDBACK)
    config.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
    api = NbGraderAPI(course.coursedir, config=config)
    report = GradeReport(assignment)
    graded = sorted(p.parent.name for p in (course.root / "autograded").glob(f"*/{assignment}"))
    if not graded:
        raise GradeError(f"nothing autograded for {assignment!r} yet; run `smtk grade autograde {assignment}` first")
    for learner in graded:
        outcome = api.generate_feedback(assignment, learner, force=True)
        folder = course.root / "feedback" / learner / assignment
        if outcome.get("success"):
            pages = ", ".join(sorted(p.name for p in folder.glob("*.html")))
            report.learners.append(LearnerResult(learner, "feedback", notes=[f"{folder}: {pages}"]))
        else:
            problem = (outcome.get("error") or outcome.get("log") or "unknown error").strip().splitlines()[-1]
            report.learners.append(LearnerResult(learner, "failed", problems=[problem]))
        report.graded_now += 1
    for course_id in release_feedback(course.root, assignment):
        report.learners.append(LearnerResult("->", "written", notes=[f"released to the exchange of {course_id}"]))
    return report


def grade_rows(course: Course, assignment: str | None = None) -> list[dict]:
    """One row per learner, per graded item, from the gradebook, with the grading status and problems smtk found."""
    rows = []
    for row in item_rows(course.root, assignment):
        state = course.read_state(row["module"], row["learner"])
        row = {
            **row,
            "assignment": row["module"],
            "status": state.status if state else "",
            "problems": "; ".join(state.problems) if state else "",
        }
        rows.append({field: row[field] for field in EXPORT_FIELDS})
    return rows


def write_grades(rows: list[dict], folder: Path, stem: str = "grades") -> list[Path]:
    """Write grade rows as `stem`.csv and `stem`.json in `folder`: the grades file learning systems import."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{stem}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    (folder / f"{stem}.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return [folder / f"{stem}.csv", folder / f"{stem}.json"]


def export(course: str | Path = ".", assignment: str | None = None, out: str | Path | None = None) -> GradeReport:
    """Write grades.csv and grades.json (per learner, per item) into `out` (default: <course>/exports)."""
    course = Course(Path(course))
    rows = grade_rows(course, assignment)
    folder = Path(out) if out else course.root / "exports"
    stem = f"grades-{assignment}" if assignment else "grades"
    write_grades(rows, folder, stem)
    report = GradeReport(assignment or "all assignments")
    per_learner: dict[tuple[str, str], LearnerResult] = {}
    for row in rows:
        key = (row["learner"], row["assignment"])
        result = per_learner.setdefault(key, LearnerResult(f"{row['learner']} ({row['assignment']})", "exported", 0, 0))
        result.score += row["score"] or 0
        result.max_score += row["max_score"] or 0
        result.needs_manual = result.needs_manual or bool(row["needs_manual_grade"])
    report.learners = list(per_learner.values())
    report.learners.append(
        LearnerResult("->", "written", notes=[str(folder / f"{stem}.csv"), str(folder / f"{stem}.json")])
    )
    return report
