"""Grades in the layout an LMS imports: Canvas' gradebook CSV.

Canvas imports a CSV whose first five columns are Student, ID, SIS User ID, SIS Login ID and
Section, then one column per assignment, optionally after a "Points Possible" row. Rows are
matched on ID, the Canvas user id that ``bpcourse collect --lms canvas`` keys students by.

After the assignment's column come one column per exercise, the points pending grading by hand,
and a status. A total is written only when it is final: a submission that could not be graded,
has points pending, or is missing gets an empty score (Canvas leaves an empty cell alone) and a
status saying why, never 0. Delete the per-exercise columns before importing if you do not want
Canvas to create one assignment per exercise (``--totals-only`` leaves them out).
"""

from __future__ import annotations

import csv
from pathlib import Path

from .lms import Student
from .scores import Sheet

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
NOT_GRADED, PENDING, MISSING = "NOT GRADED", "pending manual grading", "no submission"


def canvas_rows(assignment: str, column: str, exercises: list[str], sheets: dict[str, Sheet],
                not_graded: dict[str, str], roster: dict[str, Student] | None,
                totals_only: bool = False) -> list[list[str]]:
    """The CSV rows: header, Points Possible, one row per student (roster order, then the
    gradebook's students that are not in the roster)."""
    ex_columns = [] if totals_only else [f"{assignment}: {e}" for e in exercises]
    header = CANVAS_COLUMNS + [column, *ex_columns, f"{assignment}: pending manual",
                               f"{assignment}: status"]
    any_sheet = next(iter(sheets.values()), None)
    possible = ["    Points Possible", "", "", "", ""]
    if any_sheet is not None:
        possible.append(_num(any_sheet.total.max_score))
        possible += [] if totals_only else [_num(any_sheet.exercises[e].max_score)
                                            for e in exercises]
    else:
        possible.append("")
    possible += [""] * (len(header) - len(possible))
    rows = [header, possible]
    students = list(roster or {}) + sorted(set(sheets) - set(roster or {}))
    for user_id in students:
        person = (roster or {}).get(user_id, Student(user_id, user_id))
        row = [person.name, user_id, person.sis_user_id, person.sis_login_id, person.section]
        rows.append(row + _scores(user_id, exercises, sheets.get(user_id), not_graded,
                                  totals_only))
    return rows


def _scores(user_id, exercises, sheet, not_graded, totals_only) -> list[str]:
    blank = [] if totals_only else [""] * len(exercises)
    if sheet is None:
        return ["", *blank, "", MISSING]
    if user_id in not_graded:
        return ["", *blank, "", f"{NOT_GRADED}: {not_graded[user_id]}"]
    total = sheet.total
    per_exercise = [] if totals_only else [
        "" if sheet.exercises[e].pending == sheet.exercises[e].max_score > 0
        else _num(sheet.exercises[e].score) for e in exercises]
    status = []
    if total.pending:
        status.append(f"{PENDING}: {total.pending:g} point(s)")
    if sheet.late_penalty:
        status.append(f"late: -{sheet.late_penalty:g}")
    score = "" if total.pending else _num(total.score)
    return [score, *per_exercise, _num(total.pending) if total.pending else "",
            "; ".join(status) or "graded"]


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def write_csv(rows: list[list[str]], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
