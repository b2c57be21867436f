"""Answer banks: the answers learners plausibly give to each auto-graded item, right and wrong, next to each lesson.

A bank is `<lesson>.bank.yml` beside `<lesson>.ipynb` in the master course (never released: it holds the answers).
It maps an item's key (a question widget's qid, or the grade id of a code item's answer cell) to `right:` entries,
each of which must get the item's full points, and `wrong:` entries, each of which must get fewer:

    q1:
      right:
        - answer: [b, d, f]        # the value the widget records, or the code typed in the answer's region
          form: the key            # what kind of right answer this is
      wrong:
        - answer: [a, b, d, f]
          misconception: a follower count taken for a business goal

`by_org: {<org slug>: value}` replaces `answer:` when the right value depends on the organisation. This module reads
banks and finds a notebook's auto-graded items (pure: no kernel runs); graders.grading.banks grades every entry
through `smtk grade`, and `smtk check` reports items without a bank.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from nbgrader.utils import is_grade, is_solution
from pydantic import BeforeValidator, Field, RootModel, ValidationInfo, model_validator

from simulations.common.datafiles import DataError
from simulations.common.models import FileModel, Text, check_model, invalid, json_schema, read_yaml
from simulations.common.models import items as list_of

SUFFIX = ".bank.yml"
GLOB = f"*{SUFFIX}"  # what `smtk tailor` leaves out of a course root, so that no bank is ever released
# The question widgets of simulations.ui.lessons.questions that grade themselves, by class name: the kind each asks.
WIDGET_KINDS = {
    "SingleChoice": "single",
    "MultipleChoice": "multiple",
    "Ordering": "order",
    "Matching": "match",
    "Number": "number",
    "ShortText": "text",
}
# A free-text item asks for judgement when its prompt asks the learner to write something a reader receives; a text
# match (a ShortText key, a keyword or pattern test) cannot grade that. Such items go to the trainer (LongAnswer)
# or become a choice among drafted replies.
JUDGEMENT = re.compile(
    r"\b(write|draft|compose|word)\b.*\b(reply|replies|response|post|message|announcement|comment|statement|"
    r"tweet|e-?mail|note|apology)\b|\b(reply|response|post|message|announcement|statement)\b you would (post|send)",
    re.IGNORECASE | re.DOTALL,
)
PHRASE_WORDS = 8  # a worked text answer longer than this is prose, not a term a text match can grade


@dataclass(frozen=True)
class BankEntry:
    """One answer of a bank: the item it answers, right or wrong, the value (or one per organisation), and why."""

    key: str
    verdict: Literal["right", "wrong"]
    answer: Any
    by_org: dict[str, Any] | None
    why: str  # the form of a right answer, the misconception of a wrong one
    path: Path
    line: int | None

    @property
    def right(self) -> bool:
        return self.verdict == "right"

    def answer_for(self, org: str) -> Any:
        """The answer a learner of organisation `org` gives (an entry without `by_org` is the same for all)."""
        if self.by_org is None:
            return self.answer
        if org not in self.by_org:
            raise DataError(self.path, f"{self.key}.by_org", f"no answer for the organisation {org!r}", line=self.line)
        return self.by_org[org]

    def where(self) -> str:
        return f"{self.path.name}:{self.line}" if self.line else self.path.name


@dataclass(frozen=True)
class Bank:
    """A lesson's bank: its entries in file order."""

    path: Path
    entries: tuple[BankEntry, ...]

    @property
    def lesson(self) -> str:
        return self.path.name[: -len(SUFFIX)]

    def keys(self) -> list[str]:
        return list(dict.fromkeys(e.key for e in self.entries))

    def of(self, key: str) -> list[BankEntry]:
        return [e for e in self.entries if e.key == key]


def bank_path(notebook: Path) -> Path:
    """Where a lesson notebook's bank lives."""
    return notebook.with_name(notebook.stem + SUFFIX)


class _AnswerFile(FileModel):
    """One answer learners plausibly give: the same for every organisation (answer) or one each (by_org)."""

    answer: Any = Field(None, description="the answer as the item records it (text, a number, a list, a mapping...)")
    by_org: dict[str, Any] | None = Field(
        None, description="one answer per organisation, by its slug, when the right answer depends on the profile"
    )

    @model_validator(mode="after")
    def _one_answer(self, info: ValidationInfo) -> _AnswerFile:
        if ("answer" in self.model_fields_set) == ("by_org" in self.model_fields_set):
            raise invalid("give either answer: or by_org: (one answer per organisation), not both")
        orgs = (info.context or {}).get("orgs")
        if self.by_org is not None and orgs is not None and set(self.by_org) != set(orgs):
            raise invalid(
                f"expected one answer for each organisation ({', '.join(sorted(orgs))}), "
                f"got {', '.join(sorted(self.by_org)) or 'none'}",
                at="by_org",
            )
        return self


class RightAnswerFile(_AnswerFile):
    """A right answer and the form it takes."""

    form: Text = Field(description="the form of this right answer")


class WrongAnswerFile(_AnswerFile):
    """A wrong answer and the misconception behind it."""

    misconception: Text = Field(description="the misconception behind this wrong answer")


class BankItemFile(FileModel):
    """The answers to one auto-graded item, right and wrong."""

    right: list_of(RightAnswerFile) = Field([], description="answers that earn the item's points")
    wrong: list_of(WrongAnswerFile) = Field([], description="answers that earn none, each with its misconception")


class BankFile(RootModel):
    """A lesson's answer bank (<lesson>.bank.yml beside its notebook): each auto-graded item's key, then its right
    and wrong answers."""

    root: Annotated[dict[str, BankItemFile], BeforeValidator(lambda v: {} if v is None else v)]


def read_bank(path: str | Path, orgs: Iterable[str] | None = None) -> Bank:
    """Read and validate a bank; a malformed one raises DataErrors naming the file, line, column and field, every
    problem at once.

    With `orgs` (the shipped organisations' slugs), every `by_org` must give an answer for each of them.
    """
    path = Path(path)
    data, positions, twice = read_yaml(path)
    context = {"orgs": tuple(orgs)} if orgs is not None else None
    bank = check_model(data, BankFile, path, context, positions, twice)
    entries = [
        BankEntry(
            key=key,
            verdict=verdict,
            answer=answer.answer,
            by_org=answer.by_org,
            why=answer.form if verdict == "right" else answer.misconception,
            path=path,
            line=positions[(key, verdict, i)][0],
        )
        for key, item in bank.root.items()
        for verdict in ("right", "wrong")
        for i, answer in enumerate(getattr(item, verdict))
    ]
    return Bank(path, tuple(entries))


def bank_schema() -> dict:
    """The JSON Schema of an answer bank, for editors."""
    return json_schema(BankFile, "Answer bank", "A lesson's answers learners plausibly give to each auto-graded item.")


@dataclass(frozen=True)
class Item:
    """One auto-graded item of a lesson: its bank key, kind, the test cells that score it and its points.

    A question widget's item is keyed by its qid. An item whose answer cell gives a worked answer as
    `def <name>_solution()` to another recorded widget (a heat map, an inbox) is keyed by that name, its record being
    the `key=` or `record=` of the widget built with that solution, else of the one recorded widget its test names.
    A code item is keyed by the grade id of the answer cell its tests check (the nearest answer cell above them).
    A code item whose test also grades a question widget built in an earlier cell (`q2.assert_right()`: the same
    question answered without code) has that widget as its `alternative`: the bank answers it under the widget's qid
    too, each way with right and wrong answers, and a learner answers one way or the other, never both.
    `prompt` is the widget's prompt, or the Markdown above the answer cell.
    """

    key: str
    kind: str  # a question widget's kind (WIDGET_KINDS), "record" for another recorded widget, or "code"
    lesson: str
    tests: tuple[str, ...]
    points: float
    answer_cell: str | None
    prompt: str
    worked: Any = None  # the worked answer when the source gives it as a literal (a text, a list...), else None
    record: str | None = None  # the saved record the widget's answer is kept under (widget items)
    alternative: str | None = None  # the qid of a question widget that answers a code item without code

    @property
    def keys(self) -> tuple[str, ...]:
        """The bank keys that answer this item: its own, and its widget alternative's."""
        return (self.key, self.alternative) if self.alternative else (self.key,)

    @property
    def free_text(self) -> bool:
        return self.kind == "text" or (self.kind == "code" and isinstance(self.worked, str))

    @property
    def judgement(self) -> bool:
        """A free-text item that asks for judgement (a reply, a post...) but is graded by matching text."""
        if not self.free_text:
            return False
        long_answer = isinstance(self.worked, str) and len(self.worked.split()) > PHRASE_WORDS
        return long_answer or bool(JUDGEMENT.search(self.prompt))


def items(notebook: str | Path | nbformat.NotebookNode, lesson: str | None = None) -> list[Item]:
    """The auto-graded items of a (source) notebook in order: test cells with points, grouped by bank key."""
    if isinstance(notebook, str | Path):
        lesson = lesson or Path(notebook).stem
        notebook = nbformat.read(notebook, as_version=4)
    records = _record_keys(notebook)
    widgets = _widget_variables(notebook)
    found: dict[str, Item] = {}
    answer, answer_source, prompt, text = None, "", "", []
    for cell in notebook.cells:
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "markdown" and not nbgrader.get("solution"):
            text.append(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        if is_solution(cell):
            answer, answer_source = nbgrader.get("grade_id"), cell.source
            prompt, text = "\n".join(text), []
            continue
        if not is_grade(cell) or not float(nbgrader.get("points", 0) or 0):
            continue
        item = _item(cell.source, answer, answer_source, prompt, records, nbgrader["grade_id"], lesson or "")
        if item.kind == "code" and item.answer_cell:
            item = replace(item, alternative=_alternative(cell.source, widgets))
        if item.key in found:
            old = found[item.key]
            item = replace(old, tests=(*old.tests, *item.tests), points=old.points + item.points)
        found[item.key] = replace(item, points=item.points + float(nbgrader.get("points", 0)))
    return list(found.values())


def _item(
    source: str, answer: str | None, answer_source: str, prompt: str, records: dict[str, str], test: str, lesson: str
) -> Item:
    """The item a test cell scores (with no points yet): see Item for how it is keyed."""
    widget = _widget_call(source)
    if widget:
        qid, kind, widget_prompt = widget
        answer_cell = answer if answer and answer.startswith(f"{qid}-") else None
        worked = _solution_worked(answer_source, qid)
        return Item(qid, kind, lesson, (test,), 0.0, answer_cell, widget_prompt, worked, f"question:{qid}")
    name = _solution_name(answer_source) if answer else None
    if name:
        worked = _solution_worked(answer_source, name)
        record = records.get(f"{name}_solution") or _named_record(source, records)
        return Item(name, "record", lesson, (test,), 0.0, answer, prompt, worked, record)
    if answer:
        return Item(answer, "code", lesson, (test,), 0.0, answer, prompt, _code_worked(answer_source))
    return Item(test, "code", lesson, (test,), 0.0, None, "")


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return None


def _text(node: ast.AST | None) -> str:
    """A string argument as written: a plain string, or an f-string's literal parts."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(part) for part in node.values)
    return ""


def _widget_call(source: str) -> tuple[str, str, str] | None:
    """(qid, kind, prompt) of the question widget a test cell builds, or None when it builds none."""
    tree = _parse(source)
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in WIDGET_KINDS:
            qid = _text(node.args[0]) if node.args else ""
            prompt = _text(node.args[1]) if len(node.args) > 1 else ""
            if qid:
                return qid, WIDGET_KINDS[node.func.id], prompt
    return None


def _widget_variables(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """variable -> qid of each question widget a notebook's code cells build and assign (`q2 = SingleChoice("q2")`)."""
    found = {}
    for cell in notebook.cells:
        tree = _parse(cell.source) if cell.cell_type == "code" else None
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                call = _widget_call(ast.unparse(node.value)) if isinstance(node.value, ast.Call) else None
                if call:
                    found[node.targets[0].id] = call[0]
    return found


def _alternative(source: str, widgets: dict[str, str]) -> str | None:
    """The qid of the one question widget (built in an earlier cell) that a code item's test cell also grades."""
    tree = _parse(source)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} if tree else set()
    named = {widgets[name] for name in names if name in widgets}
    return named.pop() if len(named) == 1 else None


def _literal(node: ast.AST | None) -> Any:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def _solution_name(source: str) -> str | None:
    """`name` when an answer cell defines `name_solution()`, the worked answer of a recorded widget."""
    tree = _parse(source)
    for node in tree.body if tree else ():
        if isinstance(node, ast.FunctionDef) and node.name.endswith("_solution"):
            return node.name[: -len("_solution")]
    return None


def _record_keys(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """Where recorded widgets keep their answer (`Widget(..., key="k" or record="k")`): by the solution function the
    widget is built with (`solution=f`: "f" -> "k") and by the variable it is assigned to ("var:name" -> "k")."""
    found = {}
    for cell in notebook.cells:
        tree = _parse(cell.source) if cell.cell_type == "code" else None
        for node in ast.walk(tree) if tree else ():
            call = node.value if isinstance(node, ast.Assign) else node
            if not isinstance(call, ast.Call):
                continue
            kw = {k.arg: k.value for k in call.keywords}
            record = _text(kw.get("record")) or _text(kw.get("key"))
            if not record:
                continue
            if isinstance(kw.get("solution"), ast.Name):
                found[kw["solution"].id] = record
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                found[f"var:{node.targets[0].id}"] = record
    return found


def _named_record(source: str, records: dict[str, str]) -> str | None:
    """The record of the one recorded widget a test cell names, if it names exactly one."""
    tree = _parse(source)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} if tree else set()
    named = {records[f"var:{name}"] for name in names if f"var:{name}" in records}
    return named.pop() if len(named) == 1 else None


def _solution_worked(source: str, name: str) -> Any:
    """The literal the answer cell's `<name>_solution()` returns, if it returns one."""
    tree = _parse(source)
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.FunctionDef) and node.name == f"{name}_solution":
            returns = [n.value for n in ast.walk(node) if isinstance(n, ast.Return)]
            return _literal(returns[-1]) if returns else None
    return None


def _code_worked(source: str) -> Any:
    """The literal a code answer cell's worked answer assigns last (`my_reply = "..."`), if it assigns one."""
    tree = _parse(source)
    assigned = [n.value for n in tree.body if isinstance(n, ast.Assign)] if tree else []
    if assigned and isinstance(assigned[-1], ast.JoinedStr):  # an f-string: its text, as far as it is written
        return _text(assigned[-1])
    return _literal(assigned[-1]) if assigned else None


def bank_problems(
    notebooks: dict[str, Path], orgs: Iterable[str] | None = None, required: bool = True
) -> list[DataError]:
    """What is wrong with the banks of one module's lessons (lesson id -> source notebook).

    Every bank must read cleanly, name only items of its lesson, and give each item a right and a wrong answer. With
    `required`, every auto-graded item must have a bank and a free-text item that asks for judgement is refused;
    without, only lessons that have a bank are checked.
    """
    problems: list[DataError] = []
    for lesson, notebook in notebooks.items():
        try:
            found = items(notebook, lesson)
        except Exception:  # missing or corrupt: the manifest checks already say so
            continue
        path = bank_path(notebook)
        if not required and not path.exists():
            continue
        for item in found:
            if item.judgement:
                problems.append(
                    DataError(
                        notebook,
                        f"{item.key} ({', '.join(item.tests)})",
                        "a judgement item (a reply, a post...) graded by matching its text: make it a LongAnswer for "
                        "the trainer, or a choice among drafted replies",
                    )
                )
        if not path.exists():
            if found:
                keys = ", ".join(i.key for i in found)
                problems.append(DataError(path, "", f"no answer bank for the auto-graded items {keys}"))
            continue
        try:
            bank = read_bank(path, orgs)
        except DataError as exc:
            problems += exc.errors  # each problem of the bank on a line of its own
            continue
        problems += _coverage(bank, found)
    return problems


def _coverage(bank: Bank, found: list[Item]) -> list[DataError]:
    problems = []
    keys = {key for i in found for key in i.keys}
    for key in bank.keys():  # noqa: SIM118 (a Bank is not a mapping)
        if key not in keys:
            entry = bank.of(key)[0]
            known = ", ".join(sorted(keys)) or "none"
            problems.append(
                DataError(
                    bank.path, key, f"no auto-graded item of this lesson has this key (items: {known})", entry.line
                )
            )
    for item in found:
        for key in item.keys:  # a code item with a widget alternative is banked both ways
            way = f"{item.key} (its widget alternative {key})" if key != item.key else item.key
            entries = bank.of(key)
            if not entries:
                problems.append(
                    DataError(
                        bank.path,
                        key,
                        f"the auto-graded item {way} ({', '.join(item.tests)}, {item.points:g} points) has no "
                        "answers in the bank: give it right and wrong ones",
                    )
                )
                continue
            for verdict in ("right", "wrong"):
                if not any(e.verdict == verdict for e in entries):
                    problems.append(
                        DataError(
                            bank.path,
                            f"{key}.{verdict}",
                            f"the item {way} ({item.points:g} points) needs at least one {verdict} answer",
                        )
                    )
    return problems
