"""Recording a grade by hand from the command line, with nbgrader's Gradebook API: what the
formgrader does when a grader types points and a comment under a written answer."""

from __future__ import annotations

from .gradebook import open_gradebook
from .safely import CourseError


def record(db_url: str, assignment: str, student: str, grade_id: str, points: float,
           comment: str | None = None, notebook: str | None = None) -> tuple[float, float]:
    """Set the manual score (and comment) of one graded cell. Returns (points, max points)."""
    from nbgrader.api import MissingEntry

    with open_gradebook(db_url) as gb:
        try:
            names = [nb.name for nb in gb.find_assignment(assignment).notebooks]
        except MissingEntry:
            raise CourseError(f"assignment {assignment!r} was never released: run `python -m "
                              f"bpcourse release {assignment}` first") from None
        notebook = notebook or (names[0] if len(names) == 1 else None)
        if notebook not in names:
            raise CourseError(f"say which notebook with --notebook (one of {', '.join(names)})")
        try:
            grade = gb.find_grade(grade_id, notebook, assignment, student)
        except MissingEntry:
            cells = _graded_cells(gb, assignment, notebook, student)
            raise CourseError(
                f"no graded cell {grade_id!r} in {student}'s {notebook}: "
                + (f"choose one of {', '.join(cells)}" if cells else
                   f"autograde {student}'s submission first (python -m bpcourse autograde "
                   f"{assignment} --student {student})")) from None
        if not 0 <= points <= grade.max_score:
            raise CourseError(f"{points:g} points is outside 0..{grade.max_score:g}, the points "
                              f"of {grade_id}")
        grade.manual_score = points
        grade.needs_manual_grade = False
        if comment is not None:
            try:
                gb.find_comment(grade_id, notebook, assignment, student).manual_comment = comment
            except MissingEntry:
                raise CourseError(f"{grade_id} takes no comment (not an answer cell): leave out "
                                  "--comment") from None
        gb.db.commit()
        return points, float(grade.max_score)


def _graded_cells(gb, assignment: str, notebook: str, student: str) -> list[str]:
    from nbgrader.api import MissingEntry
    try:
        sub = gb.find_submission_notebook(notebook, assignment, student)
    except MissingEntry:
        return []
    return sorted(g.name for g in sub.grades)
