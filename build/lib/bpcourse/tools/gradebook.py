"""The gradebook as the coordinator of a parallel autograde uses it: a small SQLite copy of one
assignment for a job, and the job's grades written back into the real gradebook (SQLite or
PostgreSQL), by the coordinator only.

A wrong URL or an unreachable server is reported in one line that names the host and the
database, never the password (:func:`describe_db_url`, :class:`GradebookUnreachable`).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, InvalidEntry, MissingEntry
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from .course import nbgrader_env


class GradebookUnreachable(RuntimeError):
    """The gradebook's database cannot be opened; the message never holds the password."""


def describe_db_url(db_url: str) -> str:
    """"postgresql database 'bpcourse' on dbhost:5432 as grader", without the password."""
    try:
        url = make_url(db_url)
    except ArgumentError:
        return "a gradebook URL that is not a database URL (e.g. postgresql://user@host/db)"
    if url.get_backend_name() == "sqlite":
        return f"sqlite database {url.database or '(in memory)'}"
    where = f"{url.host or 'localhost'}:{url.port}" if url.port else (url.host or "localhost")
    user = f" as {url.username}" if url.username else ""
    return f"{url.get_backend_name()} database {url.database!r} on {where}{user}"


def open_gradebook(db_url: str) -> Gradebook:
    """nbgrader's Gradebook, or GradebookUnreachable with one line naming host and database."""
    os.environ["PATH"] = nbgrader_env()["PATH"]  # Gradebook runs `alembic` to create a database
    try:
        return Gradebook(db_url)
    except (OperationalError, NoSuchModuleError, ArgumentError, ModuleNotFoundError) as err:
        cause = str(getattr(err, "orig", None) or err).strip().splitlines()
        cause_line = cause[0] if cause else type(err).__name__
        if isinstance(err, (ModuleNotFoundError, NoSuchModuleError)):
            cause_line += " (for PostgreSQL: pip install 'bpcourse[postgres]')"
        password = _password(db_url)
        if password:
            cause_line = cause_line.replace(password, "***")
        raise GradebookUnreachable(f"cannot open the gradebook, {describe_db_url(db_url)}: "
                                   f"{cause_line}") from None


def _password(db_url: str) -> str | None:
    try:
        return make_url(db_url).password
    except ArgumentError:
        return None


def assignment_template(db_url: str, assignment: str) -> bytes:
    """A SQLite gradebook (its bytes) holding only `assignment`: its notebooks and their grade,
    solution, task and source cells, copied from the real gradebook. What a job's nbgrader needs
    to restore test cells and points, and nothing about any student."""
    with tempfile.TemporaryDirectory(prefix="bpcourse-template-") as tmp:
        path = Path(tmp) / "gradebook.db"
        with open_gradebook(db_url) as real:
            _stamp_schema(path, real)
        with open_gradebook(db_url) as real, Gradebook(f"sqlite:///{path}") as copy:
            try:
                source = real.find_assignment(assignment)
            except MissingEntry:
                raise RuntimeError(
                    f"assignment {assignment!r} is not in the gradebook, "
                    f"{describe_db_url(db_url)}: release it first (python -m bpcourse release "
                    f"{assignment}, which runs nbgrader generate_assignment)") from None
            copy.update_or_create_assignment(assignment, duedate=source.duedate)
            for nb in source.notebooks:
                copy.update_or_create_notebook(nb.name, assignment, kernelspec=nb.kernelspec)
                for c in nb.grade_cells:
                    copy.update_or_create_grade_cell(c.name, nb.name, assignment,
                                                     max_score=c.max_score, cell_type=c.cell_type)
                for c in nb.solution_cells:
                    copy.update_or_create_solution_cell(c.name, nb.name, assignment)
                for c in nb.task_cells:
                    copy.update_or_create_task_cell(c.name, nb.name, assignment,
                                                    max_score=c.max_score, cell_type=c.cell_type)
                for c in nb.source_cells:
                    copy.update_or_create_source_cell(
                        c.name, nb.name, assignment, cell_type=c.cell_type, locked=c.locked,
                        source=c.source, checksum=c.checksum)
        return path.read_bytes()


def _stamp_schema(path: Path, real: Gradebook) -> None:
    """Give the new SQLite file at `path` the real gradebook's schema version (alembic's
    table), so that nbgrader's Gradebook does not start the `alembic` program to look up the
    version a new database gets (seconds: another interpreter)."""
    version = real.db.execute(sql("SELECT version_num FROM alembic_version")).scalar_one()
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (version,))


@dataclass
class Grades:
    """What one nbgrader autograde wrote about one submission, to be written elsewhere."""

    timestamp: datetime.datetime | None = None
    auto_scores: dict[str, dict[str, float | None]] = field(default_factory=dict)
    auto_comments: dict[str, dict[str, str | None]] = field(default_factory=dict)
    late_penalties: dict[str, float | None] = field(default_factory=dict)


def read_grades(db_url: str, assignment: str, student: str) -> Grades:
    """The autograde results of one submission: notebook -> cell -> auto score / comment."""
    out = Grades()
    with Gradebook(db_url) as gb:
        sub = gb.find_submission(assignment, student)
        out.timestamp = sub.timestamp
        for nb in sub.notebooks:
            name = nb.notebook.name
            out.auto_scores[name] = {g.name: g.auto_score for g in nb.grades}
            out.auto_comments[name] = {c.name: c.auto_comment for c in nb.comments}
            out.late_penalties[name] = nb.late_submission_penalty
    return out


def write_grades(gb: Gradebook, assignment: str, student: str, grades: Grades | None) -> None:
    """Record a submission in `gb` as nbgrader autograde does: the student, the submission (with
    its timestamp), then each auto score and comment. A manual score stays, and the grade is then
    marked for review, as nbgrader's SaveAutoGrades does. grades=None: the submission could not
    be graded; it is recorded, its scores untouched (nbgrader leaves them so too)."""
    try:
        gb.update_or_create_student(student)
    except InvalidEntry:  # another grader (another assignment) added the student just now
        gb.db.rollback()
        gb.find_student(student)
    if grades is not None and grades.timestamp is not None:
        gb.update_or_create_submission(assignment, student, timestamp=grades.timestamp)
    else:
        gb.update_or_create_submission(assignment, student)
    if grades is None:
        return
    for notebook, scores in grades.auto_scores.items():
        for name, auto in scores.items():
            grade = gb.find_grade(name, notebook, assignment, student)
            grade.auto_score = auto
            grade.needs_manual_grade = grade.manual_score is not None or auto is None
        for name, text in grades.auto_comments.get(notebook, {}).items():
            gb.find_comment(name, notebook, assignment, student).auto_comment = text
        penalty = grades.late_penalties.get(notebook)
        gb.find_submission_notebook(notebook, assignment, student).late_submission_penalty = (
            penalty)
    gb.db.commit()
