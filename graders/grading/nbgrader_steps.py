"""nbgrader's Autograde steps run in this process on notebooks in memory, with one gradebook session for a whole run.

Stock `nbgrader autograde` opens the gradebook about ten times per submission (each time a new engine, a schema
check and a course check), commits after every graded cell, checks nbgrader's JSON schema anew for every cell, and
reads, validates and writes every notebook twice. Here nbgrader's own Autograde converter and preprocessor classes
(the ones its configuration lists, configured as it configures them) do the same work on notebooks held in memory.
The preprocessors that use the gradebook share the run's open session, in which nbgrader's commits only flush and
expire loaded rows (as a commit would), so all of a submission's gradebook changes are one transaction, committed
when it is scored. Students, submissions and timestamps, files copied from source/, locked and test cells restored,
late penalties and scores are nbgrader's.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import fastjsonschema
import jsonschema
import nbformat
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.api import Assignment, BaseCell, Course, Gradebook, MissingEntry, Notebook, SourceCell
from nbgrader.converters import Autograde
from nbgrader.converters.base import BaseConverter, NbGraderException
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator, SchemaTooNewError, SchemaTooOldError
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    Execute,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)


class RunGradebook(Gradebook):
    """nbgrader's Gradebook, open for a whole run. Inside a step nbgrader's commits flush and expire loaded rows (so
    computed scores are read afresh, as after a commit); `commit()` ends the step, `rollback()` undoes it."""

    def __init__(self, db_url: str, course_id: str):
        super().__init__(db_url, course_id)
        self.session = self.db
        self.session.expire_on_commit = False  # _expire_submitted does it, keeping the assignment's own rows
        self.db = _StepSession(self.session)

    def commit(self) -> None:
        self.session.commit()
        _expire_submitted(self.session)

    def rollback(self) -> None:
        self.session.rollback()


# What autograde never changes: the course, its assignments, notebooks and cells. Their rows stay loaded for the
# run (not reloaded for every submission); everything else is read afresh after each commit, as nbgrader's would be.
COURSE_ROWS = (Course, Assignment, Notebook, BaseCell, SourceCell)


def _expire_submitted(session) -> None:
    for row in list(session.identity_map.values()):
        if not isinstance(row, COURSE_ROWS):
            session.expire(row)


class _StepSession:
    """The gradebook's session as nbgrader's code sees it during a step."""

    def __init__(self, session):
        self._session = session

    def commit(self) -> None:
        self._session.flush()
        _expire_submitted(self._session)

    def __getattr__(self, name: str):
        return getattr(self._session, name)


class _SourceCells:
    """The gradebook as OverwriteCells reads it: the instructor's cells, fixed for a run, looked up once each."""

    def __init__(self, gradebook: Gradebook):
        self._gradebook = gradebook
        self._found: dict[tuple, SimpleNamespace] = {}

    def _once(self, kind: str, name: str, notebook: str, assignment: str, fields: tuple[str, ...]):
        key = (kind, name, notebook, assignment)
        if key not in self._found:
            row = getattr(self._gradebook, kind)(name, notebook, assignment)  # MissingEntry propagates, as in nbgrader
            self._found[key] = SimpleNamespace(**{f: getattr(row, f) for f in fields})
        return self._found[key]

    def find_source_cell(self, name: str, notebook: str, assignment: str):
        fields = ("name", "cell_type", "locked", "checksum", "source")
        return self._once("find_source_cell", name, notebook, assignment, fields)

    def find_graded_cell(self, name: str, notebook: str, assignment: str):
        return self._once("find_graded_cell", name, notebook, assignment, ("name", "max_score"))

    def __getattr__(self, name: str):
        return getattr(self._gradebook, name)


# ---------------------------------------------------------------------------------------------------------------------
# nbgrader's preprocessors on the run's gradebook


class SharedOverwriteKernelspec(OverwriteKernelspec):
    """nbgrader's OverwriteKernelspec with the source notebook's kernelspec read once per run."""

    def preprocess(self, nb, resources):
        kernelspec = self.steps.kernelspec(resources["nbgrader"]["notebook"], resources["nbgrader"]["assignment"])
        if kernelspec:
            nb.metadata["kernelspec"] = json.loads(kernelspec)
        return nb, resources


class SharedOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells (its per-cell checks unchanged) reading the run's copies of the source cells."""

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = self.steps.source_cells
        nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources


class _SubmissionRows:
    """The gradebook as SaveAutoGrades uses it for one submitted notebook: its grade and comment rows loaded in two
    queries instead of two joined queries per cell, its changes flushed once when the notebook is done (nbgrader's
    per-cell commits read nothing back in between)."""

    def __init__(self, gradebook: RunGradebook, notebook: str, assignment: str, student: str):
        from nbgrader.api import Comment, Grade, GradeCell, SolutionCell
        from sqlalchemy.orm import joinedload

        submitted = gradebook.find_submission_notebook(notebook, assignment, student)
        session = gradebook.session
        self._where = f"{assignment}/{notebook}"
        self._student = student
        # As nbgrader's find_grade and find_comment: a grade (comment) cell of that name first, else a task cell.
        self._grades = _by_name(
            session.query(Grade).options(joinedload(Grade.cell)).filter(Grade.notebook_id == submitted.id), GradeCell
        )
        self._comments = _by_name(
            session.query(Comment).options(joinedload(Comment.cell)).filter(Comment.notebook_id == submitted.id),
            SolutionCell,
        )
        self.db = SimpleNamespace(commit=lambda: None)

    def find_grade(self, name: str, notebook: str, assignment: str, student: str):
        if name not in self._grades:
            raise MissingEntry(f"No such grade: {self._where}/{name} for {self._student}")
        return self._grades[name]

    def find_comment(self, name: str, notebook: str, assignment: str, student: str):
        if name not in self._comments:
            raise MissingEntry(f"No such comment: {self._where}/{name} for {self._student}")
        return self._comments[name]


def _by_name(rows, preferred: type) -> dict:
    found: dict = {}
    for row in rows:
        if row.cell.name not in found or isinstance(row.cell, preferred):
            found[row.cell.name] = row
    return found


class SharedSaveAutoGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades (its per-cell scoring unchanged) on the run's gradebook."""

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        gradebook = self.steps.gradebook
        self.gradebook = _SubmissionRows(gradebook, self.notebook_id, self.assignment_id, self.student_id)
        nb, resources = super(SaveAutoGrades, self).preprocess(nb, resources)
        gradebook.db.commit()  # what nbgrader's per-cell commits did: flushed, computed scores read afresh
        return nb, resources


class SharedAssignLatePenalties(AssignLatePenalties):
    def preprocess(self, nb, resources):
        """nbgrader's AssignLatePenalties.preprocess, on the run's gradebook."""
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.init_plugin()
        self.gradebook = gb = self.steps.gradebook
        nb, resources = super(AssignLatePenalties, self).preprocess(nb, resources)
        assignment = gb.find_submission(self.assignment_id, self.student_id)
        notebook = gb.find_submission_notebook(self.notebook_id, self.assignment_id, self.student_id)
        notebook.late_submission_penalty = None
        if assignment.total_seconds_late > 0:
            late_penalty = self.plugin_inst.late_submission_penalty(
                self.student_id, notebook.score, assignment.total_seconds_late
            )
            if late_penalty is not None:
                notebook.late_submission_penalty = self._check_late_penalty(notebook, late_penalty)
        gb.db.commit()
        return nb, resources


class _SchemaCheckedOnce(BaseMetadataValidator):
    """nbgrader's per-cell metadata check with its JSON schema compiled once, not checked again for every cell.

    fastjsonschema (nbformat's own validator) decides; jsonschema, as nbgrader uses it, words the error.
    """

    def validate_cell(self, cell) -> None:
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(
                f"Outdated schema version: {version} (expected {self.schema_version})", version, self.schema_version
            )
        if version > self.schema_version:
            raise SchemaTooNewError(
                f"Schema version is too new: {version} (expected {self.schema_version})", version, self.schema_version
            )
        try:
            self._fast(cell.metadata["nbgrader"])
        except fastjsonschema.JsonSchemaException:
            error = jsonschema.exceptions.best_match(self._checker.iter_errors(cell.metadata["nbgrader"]))
            if error is not None:
                raise error from None


class _MetadataValidator(MetadataValidator, _SchemaCheckedOnce):
    def __init__(self):
        super().__init__()
        checker = jsonschema.validators.validator_for(self.schema)
        checker.check_schema(self.schema)
        self._checker = checker(self.schema)
        self._fast = fastjsonschema.compile(self.schema, use_default=False)  # the same verdicts, much faster


class SharedCheckCellMetadata(CheckCellMetadata):
    """nbgrader's CheckCellMetadata with its validator built once per run."""

    def preprocess(self, nb, resources):
        try:
            self.steps.validator.validate_nb(nb)
        except ValidationError as exc:
            msg = f"Notebook failed to validate; the nbgrader metadata may be corrupted ({exc})"
            raise ValidationError(msg) from None
        return nb, resources


SHARED = {
    OverwriteKernelspec: SharedOverwriteKernelspec,
    OverwriteCells: SharedOverwriteCells,
    SaveAutoGrades: SharedSaveAutoGrades,
    AssignLatePenalties: SharedAssignLatePenalties,
    CheckCellMetadata: SharedCheckCellMetadata,
}


class ReplayOutputs(NbGraderPreprocessor):
    """In place of nbgrader's Execute: put the outputs of the sandboxed run into the cells."""

    def preprocess(self, nb, resources):
        replay = resources.get("smtk_outputs") or {}
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                result = replay.get(index, {})
                cell.outputs = [nbformat.from_dict(o) for o in result.get("outputs", [])]
                cell.execution_count = result.get("execution_count")
        return nb, resources


# ---------------------------------------------------------------------------------------------------------------------
# The converter and the two steps


class RunAutograde(Autograde):
    """nbgrader's Autograde converter for one run: its traits, paths and file handling, on the run's gradebook.

    nbgrader's init_assignment is split in two: the files when a submission is sanitized, the gradebook entries
    (student, submission and its timestamp, missing notebooks scored 0) when it is scored, so each submission is one
    gradebook transaction and nothing about a learner is in the gradebook before their grades.
    """

    gradebook: RunGradebook

    def init_files(self, assignment_id: str, student_id: str) -> None:
        """The files of nbgrader's Autograde.init_assignment: the learner's, then source/'s; known notebooks only."""
        BaseConverter.init_assignment(self, assignment_id, student_id)
        dest_path = self._format_dest(assignment_id, student_id)
        source_path = self.coursedir.format_path(self.coursedir.source_directory, ".", assignment_id)
        source_files = set(utils.find_all_files(source_path, self.coursedir.ignore + ["*.ipynb"]))
        exclude = {os.path.join(source_path, x) for x in self.exclude_overwriting.get(assignment_id, [])}
        for filename in sorted(source_files - exclude):
            dest = os.path.join(dest_path, os.path.relpath(filename, source_path))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if os.path.exists(dest):
                os.remove(dest)
            shutil.copy(filename, dest)
        known = []
        for notebook in self.notebooks:
            try:
                self.gradebook.find_notebook(Path(notebook).stem, assignment_id)
                known.append(notebook)
            except MissingEntry:
                continue
        self.notebooks = known
        if not known:
            raise NbGraderException("No notebooks found, did you forget to run 'nbgrader generate_assignment'?")

    def init_gradebook(self, assignment_id: str, student_id: str) -> None:
        """The gradebook entries of nbgrader's Autograde.init_assignment."""
        gb = self.gradebook
        if self.create_student:
            gb.update_or_create_student(student_id)
        else:
            try:
                gb.find_student(student_id)
            except MissingEntry:
                raise NbGraderException(f"No student with ID '{student_id}' exists in the database") from None
        try:
            assignment = gb.find_assignment(assignment_id)
        except MissingEntry:
            raise NbGraderException(f"No assignment with ID '{assignment_id}' exists in the database") from None
        timestamp = self.coursedir.get_existing_timestamp(self._format_source(assignment_id, student_id))
        if timestamp:
            gb.update_or_create_submission(assignment_id, student_id, timestamp=timestamp)
        else:
            gb.update_or_create_submission(assignment_id, student_id)
        submitted = self.coursedir.format_path(self.coursedir.submitted_directory, student_id, assignment_id)
        for notebook in assignment.notebooks:
            if not os.path.exists(os.path.join(submitted, f"{notebook.name}.ipynb")):
                for grade in gb.find_submission_notebook(notebook.name, assignment_id, student_id).grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
                gb.db.commit()


class Steps:
    """Sanitize and score one learner's notebooks with preprocessors built once for the run."""

    def __init__(self, converter: RunAutograde, gradebook: RunGradebook):
        self.converter = converter
        self.gradebook = gradebook
        converter.gradebook = gradebook
        converter.force = True
        self.source_cells = _SourceCells(gradebook)
        self.validator = _MetadataValidator()
        self._kernelspecs: dict[tuple[str, str], str | None] = {}
        exporter = converter.exporter_class(parent=converter, config=converter.config)
        self.sanitizers = [self._build(p, exporter) for p in converter.sanitize_preprocessors]
        self.scorers = [self._build(p, exporter) for p in converter.autograde_preprocessors]

    def _build(self, cls, exporter):
        if isinstance(cls, str):
            from traitlets.utils.importstring import import_item

            cls = import_item(cls)
        cls = ReplayOutputs if issubclass(cls, Execute) else SHARED.get(cls, cls)
        preprocessor = cls(parent=exporter)
        preprocessor.steps = self
        return preprocessor

    def kernelspec(self, notebook: str, assignment: str) -> str | None:
        key = (notebook, assignment)
        if key not in self._kernelspecs:
            self._kernelspecs[key] = self.gradebook.find_notebook(notebook, assignment).kernelspec
        return self._kernelspecs[key]

    def _resources(self, assignment: str, learner: str, notebook: str) -> dict:
        return {
            "unique_key": notebook,
            "output_files_dir": f"{notebook}_files",
            "metadata": {"name": notebook},
            "output_extension": ".ipynb",
            "nbgrader": {
                "student": learner,
                "assignment": assignment,
                "notebook": notebook,
                "db_url": self.converter.coursedir.db_url,
            },
        }

    def _run(self, preprocessors, nb: NotebookNode, resources: dict) -> NotebookNode:
        for preprocessor in preprocessors:
            nb, resources = preprocessor(nb, resources)
        nbformat.validate(nb, relax_add_props=True)  # the exporter's check, once per step instead of after each
        return nb

    def dest(self, assignment: str, learner: str) -> Path:
        return Path(self.converter._format_dest(assignment, learner))

    def sanitize(self, assignment: str, learner: str, notebooks: dict[str, NotebookNode]) -> dict[str, NotebookNode]:
        """Step one (nbgrader's sanitize): files copied, locked and test cells restored from the gradebook's copies."""
        conv = self.converter
        conv.notebooks = [str(Path(conv._format_source(assignment, learner)) / name) for name in sorted(notebooks)]
        try:
            conv.init_destination(assignment, learner)
            conv.init_files(assignment, learner)
            done = {}
            for name in (Path(n).name for n in conv.notebooks):
                _, nb = nbformat.validator.normalize(notebooks[name])
                resources = self._resources(assignment, learner, Path(name).stem)
                done[name] = self._run(self.sanitizers, nbformat.from_dict(nb), resources)
            return done
        finally:
            self.gradebook.rollback()  # it only read

    def score(self, assignment: str, learner: str, sanitized: dict[str, NotebookNode], replay: dict[str, dict]) -> None:
        """Step two (nbgrader's autograde on replayed outputs): gradebook entries, limit output, save grades, late
        penalties, the autograded notebook; one commit."""
        dest = self.dest(assignment, learner)
        try:
            self.converter.init_gradebook(assignment, learner)
            with utils.setenv(NBGRADER_EXECUTION="autograde"):
                for name, nb in sanitized.items():
                    resources = self._resources(assignment, learner, Path(name).stem)
                    resources["smtk_outputs"] = replay.get(Path(name).stem)
                    nb = self._run(self.scorers, nb, resources)
                    output = nbformat.v4.writes(nb)  # validated by _run: nbformat.writes would validate again
                    dest.mkdir(parents=True, exist_ok=True)
                    (dest / name).write_text(output if output.endswith("\n") else output + "\n", encoding="utf-8")
            self.converter.set_permissions(assignment, learner)
            self.gradebook.commit()
        except BaseException:
            self.gradebook.rollback()
            for name in sanitized:
                (dest / name).unlink(missing_ok=True)
            raise
