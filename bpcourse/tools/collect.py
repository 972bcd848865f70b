"""Reading autograde's results back: one :class:`Outcome` per submission, from the gradebook,
the autograded notebooks, the submitted notebooks (tampering) and nbgrader's log (why a
submission could not be graded).

A submission is graded when every notebook of the assignment has an autograded copy and nbgrader
did not log an error for it; otherwise it is NOT GRADED with the reason, never 0.
"""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .gradebook import open_gradebook
from .nbgrader_run import reasons_from_log
from .notebook import error_message, exercise_of_tests, load_notebook, nbgrader_meta
from .outcome import NO_AUTOGRADED_NOTEBOOK, NOT_IN_GRADEBOOK, Outcome, TestResult
from .submission import refusal
from .tamper import find_tampering


def submitted_students(course: Path, assignment: str) -> list[str]:
    """Students with a folder submitted/<student>/<assignment>/, sorted."""
    submitted = Path(course) / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())


def collect(course: Path, assignment: str, db_url: str, log: str = "",
            students: list[str] | None = None,
            failures: dict[str, str] | None = None) -> list[Outcome]:
    """Read the outcome of each submission of `assignment` (of `students`, default all).

    failures: student -> why it could not be graded, on top of what `log` (nbgrader's) says.
    """
    course = Path(course)
    if students is None:
        students = submitted_students(course, assignment)
    failures = {**reasons_from_log(log, "submitted"), **(failures or {})}
    with open_gradebook(db_url) as gb:
        try:
            notebooks = [nb.name for nb in gb.find_assignment(assignment).notebooks]
        except MissingEntry:
            raise RuntimeError(
                f"assignment {assignment!r} is not in the gradebook {db_url}: release it first "
                f"(python -m bpcourse release {assignment}, which runs nbgrader "
                "generate_assignment)") from None
        exercises = {}
        for name in notebooks:
            src = course / "solutions" / assignment / f"{name}.ipynb"
            exercises[name] = exercise_of_tests(load_notebook(src)) if src.exists() else {}
        return [_outcome(gb, course, assignment, student, exercises, failures.get(student))
                for student in students]


def _outcome(gb: Gradebook, course: Path, assignment: str, student: str,
             exercises: dict[str, dict[str, str]], failure: str | None) -> Outcome:
    """One student's Outcome; exercises: notebook -> (test grade_id -> exercise)."""
    out = Outcome(student, assignment, graded=True)
    refused = refusal(course / "submitted" / student / assignment)
    for name in [] if refused else exercises:
        sub = course / "submitted" / student / assignment / f"{name}.ipynb"
        try:
            found = find_tampering(load_notebook(sub)) if sub.exists() else []
        except (ValueError, AttributeError, TypeError):  # not a notebook: nbgrader says so
            found = []
        out.tampering += [f"{name}: {t}" for t in found]
    graded_dir = course / "autograded" / student / assignment
    missing = [n for n in exercises if not (graded_dir / f"{n}.ipynb").exists()]
    if refused or failure:
        out.graded, out.reason = False, refused or failure
    elif missing:
        out.graded, out.reason = False, NO_AUTOGRADED_NOTEBOOK.format(notebooks=", ".join(missing))
    if not out.graded:
        return out
    for name, owner in exercises.items():
        graded_nb = load_notebook(graded_dir / f"{name}.ipynb")
        messages = {nbgrader_meta(c).get("grade_id"): error_message(c)
                    for c in graded_nb["cells"] if nbgrader_meta(c).get("grade")}
        try:
            sub_nb = gb.find_submission_notebook(name, assignment, student)
        except MissingEntry:
            out.graded, out.reason, out.results = False, NOT_IN_GRADEBOOK.format(notebook=name), []
            return out
        order = list(owner) or sorted(g.name for g in sub_nb.grades)
        grades = {g.name: g for g in sub_nb.grades}
        for grade_id in order + sorted(set(grades) - set(order)):
            g = grades.get(grade_id)
            if g is None or g.cell.cell_type != "code":
                continue
            score = float(g.score) if g.score is not None else 0.0
            failed = messages.get(grade_id) if score < g.max_score else None
            out.results.append(TestResult(grade_id, owner.get(grade_id, grade_id), score,
                                          float(g.max_score), failed))
    return out
