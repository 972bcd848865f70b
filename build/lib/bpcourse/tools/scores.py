"""Each student's points per exercise, read from the gradebook, with the points still to be
graded by hand kept apart: *pending* is never shown, summed or exported as 0.

An exercise is an answer cell and the test cells below it (``autograde.exercise_of_tests``); a
written answer (a graded markdown cell, or a graded code answer without tests) is its own
exercise, graded by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .gradebook import open_gradebook
from .notebook import exercise_of_tests


@dataclass
class Points:
    score: float = 0.0
    max_score: float = 0.0
    pending: float = 0.0  # points of cells that still need a grader

    def add(self, score: float | None, max_score: float, needs_grader: bool) -> None:
        self.max_score += max_score
        if needs_grader:
            self.pending += max_score
        else:
            self.score += score or 0.0


@dataclass
class Sheet:
    """One student's row for one assignment."""

    student: str
    exercises: dict[str, Points] = field(default_factory=dict)
    late_penalty: float = 0.0
    timestamp: str | None = None

    @property
    def total(self) -> Points:
        total = Points()
        for p in self.exercises.values():
            total.score += p.score
            total.max_score += p.max_score
            total.pending += p.pending
        total.score -= self.late_penalty
        return total


def exercise_names(course: Path, assignment: str) -> dict[str, str]:
    """grade_id -> exercise for every graded cell of the assignment's solution notebooks."""
    names = {}
    for path in sorted((course / "solutions" / assignment).glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        names |= exercise_of_tests(notebook)
        for cell in notebook["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") and meta.get("grade_id") not in names:
                names[meta["grade_id"]] = meta["grade_id"]
    return names


def sheets(db_url: str, course: Path, assignment: str) -> tuple[list[str], dict[str, Sheet]]:
    """(the exercises in notebook order, student -> Sheet) for every submission in the
    gradebook."""
    names = exercise_names(course, assignment)
    order = list(dict.fromkeys(names.values()))
    result = {}
    with open_gradebook(db_url) as gb:
        for submission in gb.assignment_submissions(assignment):
            sheet = Sheet(submission.student.id, {name: Points() for name in order})
            sheet.timestamp = str(submission.timestamp) if submission.timestamp else None
            for notebook in submission.notebooks:
                sheet.late_penalty += notebook.late_submission_penalty or 0.0
                for grade in notebook.grades:
                    exercise = names.get(grade.name, grade.name)
                    sheet.exercises.setdefault(exercise, Points()).add(
                        grade.score, float(grade.max_score), bool(grade.needs_manual_grade))
                    if exercise not in order:
                        order.append(exercise)
            result[sheet.student] = sheet
    return order, result


def cell_text(points: Points) -> str:
    """"2/2", "pending/1", or "1/3+1 pending"."""
    if points.pending and points.pending == points.max_score:
        return f"pending/{points.max_score:g}"
    text = f"{points.score:g}/{points.max_score:g}"
    return text + (f" +{points.pending:g} pending" if points.pending else "")


def pending_cells(db_url: str, assignment: str) -> dict[str, dict[str, float]]:
    """student -> {grade_id: points} of the cells still waiting for a grader."""
    pending: dict[str, dict[str, float]] = {}
    with open_gradebook(db_url) as gb:
        for submission in gb.assignment_submissions(assignment):
            cells = pending.setdefault(submission.student.id, {})
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.needs_manual_grade:
                        cells[grade.name] = float(grade.max_score)
    return pending
