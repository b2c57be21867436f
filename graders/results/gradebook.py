"""What the gradebook holds, as plain tables: module scores per learner and who the learners are.

Certification, exports and the trainer app read these tables, never the gradebook directly. A course root may hold
`roster.csv` (graders.course.roster) with what nbgrader does not keep about learners.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from graders.course.root import open_gradebook
from graders.course.roster import ROSTER, read_roster
from simulations.common.records import FEEDBACK_RECORD, rating_and_comment, record_in
from simulations.lessons.questions import CODE, WRITTEN, widget_kind

LEARNER_COLUMNS = ("learner", "name", "email", "business_unit", "region")


def module_scores(root: str | Path) -> pd.DataFrame:
    """One row per graded submission: learner, module, score, max_score, graded_at, needs_manual_grade."""
    root = Path(root)
    rows = []
    with open_gradebook(root) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                rows.append(
                    {
                        "learner": sub.student_id,
                        "module": assignment.name,
                        "score": float(sub.score),
                        "max_score": float(sub.max_score),
                        "graded_at": sub.timestamp or _graded_time(root, sub.student_id, assignment.name),
                        "needs_manual_grade": bool(sub.needs_manual_grade),
                    }
                )
    frame = pd.DataFrame(rows, columns=["learner", "module", "score", "max_score", "graded_at", "needs_manual_grade"])
    frame["graded_at"] = pd.to_datetime(frame["graded_at"])
    return frame.sort_values(["learner", "module"]).reset_index(drop=True)


def _graded_time(root: Path, learner: str, module: str) -> dt.datetime:
    """Without a submission timestamp, the time the autograded copy was written."""
    folder = root / "autograded" / learner / module
    stamp = folder.stat().st_mtime if folder.exists() else dt.datetime.now().timestamp()
    return dt.datetime.fromtimestamp(stamp)


def learners(root: str | Path) -> pd.DataFrame:
    """Every learner in the gradebook, with name, email, business unit and region (roster.csv fills the gaps)."""
    root = Path(root)
    with open_gradebook(root) as gb:
        rows = {
            s.id: {
                "learner": s.id,
                "name": " ".join(p for p in (s.first_name, s.last_name) if p) or s.id,
                "email": s.email or "",
                "business_unit": "",
                "region": "",
            }
            for s in gb.students
        }
    roster = root / ROSTER
    if roster.exists():
        for person in read_roster(roster):
            entry = {column: getattr(person, column) for column in LEARNER_COLUMNS}
            known = rows.setdefault(person.learner, {**entry})
            known.update({k: v for k, v in entry.items() if v})
    return pd.DataFrame(list(rows.values()), columns=list(LEARNER_COLUMNS)).sort_values("learner", ignore_index=True)


ITEM_COLUMNS = (
    "learner",
    "module",
    "notebook",
    "item",
    "kind",
    "widget",
    "auto_score",
    "manual_score",
    "score",
    "max_score",
)


def modules_table(manifest) -> pd.DataFrame:
    """The manifest's modules as a table (id, title, track, review_by), the shape cohort analytics take."""
    return pd.DataFrame(
        [{"id": m.id, "title": m.title, "track": m.track, "review_by": m.review_by} for m in manifest.modules],
        columns=["id", "title", "track", "review_by"],
    )


def item_rows(root: str | Path, module: str | None = None) -> list[dict]:
    """One row per learner, per graded item (a test cell, or a written answer the trainer grades), from the gradebook.

    The one walk over item grades: `smtk grade export`, `smtk certify` and the trainer app's item statistics share
    it. `widget` is the question widget a test cell shows (e.g. "MultipleChoice", from its source in the gradebook),
    "code" for a test of code the learner wrote, "written" for an answer the trainer grades."""
    rows = []
    widgets: dict[int, dict[str, str]] = {}  # per source notebook: item -> widget
    with open_gradebook(Path(root)) as gb:
        assignments = [gb.find_assignment(module)] if module else gb.assignments
        for assignment in assignments:
            for sub in sorted(assignment.submissions, key=lambda s: s.student_id):
                for nb in sub.notebooks:
                    # Graded answers and tasks (a written answer given in a widget) are the trainer's to grade.
                    answers = {cell.name for cell in (*nb.notebook.solution_cells, *nb.notebook.task_cells)}
                    if nb.notebook.id not in widgets:
                        widgets[nb.notebook.id] = {
                            c.name: WRITTEN if c.name in answers else (widget_kind(c.source or "") or CODE)
                            for c in nb.notebook.source_cells
                        }
                    for grade in sorted(nb.grades, key=lambda g: g.name):
                        rows.append(
                            {
                                "learner": sub.student_id,
                                "module": assignment.name,
                                "notebook": nb.name,
                                "item": grade.name,
                                "kind": "answer" if grade.name in answers else "test",
                                "widget": widgets[nb.notebook.id].get(
                                    grade.name, WRITTEN if grade.name in answers else CODE
                                ),
                                "auto_score": grade.auto_score,
                                "manual_score": grade.manual_score,
                                "score": float(grade.score),
                                "max_score": float(grade.max_score),
                                "needs_manual_grade": bool(grade.needs_manual_grade),
                            }
                        )
    return rows


def item_scores(root: str | Path) -> pd.DataFrame:
    """Item grades as a table: its notebook and widget, score, max_score, whether autograded (test cells; answers are
    the trainer's) and whether it still waits for the trainer."""
    frame = pd.DataFrame(item_rows(root), columns=[*ITEM_COLUMNS, "needs_manual_grade"])
    frame["autograded"] = frame["kind"] == "test"
    columns = ["learner", "module", "notebook", "item", "widget", "score", "max_score", "autograded"]
    return frame[[*columns, "needs_manual_grade"]]


def feedback(root: str | Path) -> pd.DataFrame:
    """The closing feedback cell (`FEEDBACK = {"rating": 1-5, "comment": ...}`) of every graded notebook (a lesson)."""
    rows = []
    for path in sorted(Path(root).glob("autograded/*/*/*.ipynb")):
        learner, module = path.parent.parent.name, path.parent.name
        rating, comment = read_feedback(path)
        if rating is not None or comment:
            rows.append(
                {"learner": learner, "module": module, "lesson": path.stem, "rating": rating, "comment": comment}
            )
    return pd.DataFrame(rows, columns=["learner", "module", "lesson", "rating", "comment"])


def read_feedback(notebook: Path) -> tuple[int | None, str]:
    """(rating, comment) from the cell tagged `feedback`, read as data (never executed), or from the feedback widget's
    record in the notebook's widget state (code-free modules); blanks when unusable."""
    import json

    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, ""
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    for cell in cells:
        if "feedback" not in cell.get("metadata", {}).get("tags", []):
            continue
        found = _feedback_assignment("".join(cell.get("source", [])))
        if found is not None:
            return rating_and_comment(found)
    return rating_and_comment(record_in(nb, FEEDBACK_RECORD) if isinstance(nb, dict) else None)


def _feedback_assignment(source: str) -> object:
    """The value of `FEEDBACK = {...}` in a cell, read as a literal; None when the cell has no such line."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "FEEDBACK" for t in node.targets):
            try:
                return ast.literal_eval(node.value)
            except ValueError:
                return {}
    return None
