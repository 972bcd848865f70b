"""The instructor's week as commands (``python -m bpcourse COMMAND``), each safe to re-run:

``release NAME... [--due DATE]``   solutions/NAME -> notebooks/NAME (and the gradebook)
``collect NAME --lms canvas``      an LMS download -> submitted/<LMS user id>/NAME/
``autograde NAME``                 nbgrader autograde, summarised per student and exercise
``manual-grade NAME STUDENT CELL --points P [--comment TEXT]``   a written answer, by hand
``feedback NAME``                  feedback/<student>/NAME/*.html
``export NAME --lms canvas``       a gradebook CSV that Canvas imports

Every step checks the gradebook (driver installed, database reachable) and that the assignment
was released before it writes anything, works on a copy, and replaces the previous output only
on success: a failed step leaves notebooks/, submitted/, autograded/ and feedback/ as they were.
A failure is one line on stderr, the cause and the fix, and exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import export, lms, manual, scores
from .collect import collect as read_outcomes
from .course import ROOT
from .feedback_html import mark_pending
from .nbgrader_run import db_url_of, run_nbgrader
from .safely import (
    CourseError,
    check_gradebook,
    check_released,
    last_error,
    replace_folder,
    staged,
)

# --- feedback ----------------------------------------------------------------------------------

def feedback(course: Path, assignment: str, db_url: str,
             students: list[str] | None = None) -> list[str]:
    """generate_feedback into a staging folder, pending cells marked; each student's pages
    replace the earlier ones only when they were made."""
    graded = course / "autograded"
    everyone = (sorted(p.name for p in graded.iterdir() if (p / assignment).is_dir())
                if graded.is_dir() else [])
    chosen = students or everyone
    if not chosen:
        raise CourseError(f"nothing of {assignment} is autograded yet: run `python -m bpcourse "
                          f"autograde {assignment}` first")
    pending = scores.pending_cells(db_url, assignment)
    lines = []
    with staged(course, "feedback") as stage:
        args = ["generate_feedback", assignment, "--force", "--log-level=ERROR",
                f"--CourseDirectory.feedback_directory={stage.relative_to(course)}",
                f"--CourseDirectory.db_url={db_url}"]
        if students and len(students) == 1:
            args.append(f"--CourseDirectory.student_id={students[0]}")
        proc = run_nbgrader(args, course)
        for student in chosen:
            made = stage / student / assignment
            if not made.is_dir():
                lines.append(f"{student}: NO FEEDBACK ({last_error(proc.stderr)}); earlier "
                             "feedback kept")
                continue
            for page in made.glob("*.html"):
                page.write_text(mark_pending(page.read_text(encoding="utf-8"),
                                             pending.get(student, {}), assignment),
                                encoding="utf-8")
            replace_folder(made, course / "feedback" / student / assignment)
            waiting = sum(pending.get(student, {}).values())
            lines.append(f"{student}: feedback/{student}/{assignment}/"
                         + (f" ({waiting:g} point(s) pending grading by hand)" if waiting else ""))
    if proc.returncode != 0 and all("NO FEEDBACK" in line for line in lines):
        raise CourseError(f"nbgrader generate_feedback failed ({last_error(proc.stderr)}); "
                          "feedback/ is unchanged")
    return lines


# --- the command line --------------------------------------------------------------------------

def _parser(command: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"bpcourse {command}", description=description)
    parser.add_argument("--course", type=Path, default=None,
                        help="the course folder with nbgrader_config.py (default: here if it "
                             "has one, else the repository)")
    parser.add_argument("--db-url", default=None, help="gradebook (default: the course's)")
    return parser


def _course(args) -> tuple[Path, str]:
    here = Path.cwd()
    course = (args.course or (here if (here / "nbgrader_config.py").exists() else ROOT)).resolve()
    if not (course / "nbgrader_config.py").exists():
        raise CourseError(f"{course} has no nbgrader_config.py: pass --course DIR, the course "
                          "folder")
    db_url = db_url_of(course, args.db_url)
    check_gradebook(db_url)
    return course, db_url


def _cli_collect(argv):
    parser = _parser("collect", lms.__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--lms", choices=["canvas"], default="canvas")
    parser.add_argument("--roster", type=Path, help="CSV with Student and ID columns (Canvas' "
                        "gradebook export); without it, names come from the file names")
    parser.add_argument("--download", type=Path, help="the zip or folder (default: "
                        "downloaded/ASSIGNMENT/archive/)")
    parser.add_argument("--skip-unknown", action="store_true",
                        help="leave out files that are not submissions instead of failing")
    args = parser.parse_args(argv)
    course, db_url = _course(args)
    notebooks = check_released(course, args.assignment, db_url)
    roster = lms.read_roster(args.roster) if args.roster else None
    source = args.download or course / "downloaded" / args.assignment / "archive"
    lines = lms.collect(course, args.assignment, notebooks, source, roster, args.skip_unknown)
    lms.register_students(db_url, [line.split()[0] for line in lines
                                   if not line.startswith("skipped:")], roster)
    print("\n".join(lines))
    return 0


def _cli_manual_grade(argv):
    parser = _parser("manual-grade", manual.__doc__)
    parser.add_argument("assignment")
    parser.add_argument("student")
    parser.add_argument("grade_id", help="the graded cell, e.g. written_fork")
    parser.add_argument("--points", type=float, required=True)
    parser.add_argument("--comment", default=None)
    parser.add_argument("--notebook", default=None)
    args = parser.parse_args(argv)
    course, db_url = _course(args)
    got, top = manual.record(db_url, args.assignment, args.student, args.grade_id, args.points,
                             args.comment, args.notebook)
    print(f"{args.student} {args.assignment} {args.grade_id}: {got:g} / {top:g}"
          + (" with a comment" if args.comment else ""))
    return 0


def _cli_feedback(argv):
    parser = _parser("feedback", "nbgrader generate_feedback for ASSIGNMENT, on a copy: "
                     "feedback/<student>/ASSIGNMENT/ is replaced only by a page that was made.")
    parser.add_argument("assignment")
    parser.add_argument("--student", action="append", default=None)
    args = parser.parse_args(argv)
    course, db_url = _course(args)
    check_released(course, args.assignment, db_url)
    print("\n".join(feedback(course, args.assignment, db_url, args.student)))
    return 0


def _cli_export(argv):
    parser = _parser("export", export.__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--lms", choices=["canvas"], default="canvas")
    parser.add_argument("--roster", type=Path, help="the LMS's roster CSV (names, sections)")
    parser.add_argument("--to", type=Path, default=None,
                        help="the CSV to write (default: ASSIGNMENT-canvas.csv)")
    parser.add_argument("--column", default=None, help="the assignment's column name in the "
                        "LMS, e.g. 'Chain rule (123456)' (default: ASSIGNMENT)")
    parser.add_argument("--totals-only", action="store_true")
    args = parser.parse_args(argv)
    course, db_url = _course(args)
    check_released(course, args.assignment, db_url)
    roster = lms.read_roster(args.roster) if args.roster else None
    order, sheets = scores.sheets(db_url, course, args.assignment)
    outcomes = read_outcomes(course, args.assignment, db_url, students=sorted(sheets))
    not_graded = {o.student: o.reason or "not graded" for o in outcomes if not o.graded}
    rows = export.canvas_rows(args.assignment, args.column or args.assignment, order, sheets,
                              not_graded, roster, args.totals_only)
    target = args.to or Path(f"{args.assignment}-canvas.csv")
    target = target if target.is_absolute() else Path.cwd() / target
    tmp = target.with_name(f".{target.name}.new")
    export.write_csv(rows, tmp)
    os.replace(tmp, target)
    print(f"wrote {target.name}: {len(rows) - 2} student(s), {len(not_graded)} not graded, "
          f"{sum(1 for s in sheets.values() if s.total.pending)} with points pending")
    return 0


COMMANDS = {"collect": _cli_collect, "manual-grade": _cli_manual_grade, "feedback": _cli_feedback,
            "export": _cli_export}


def cli(command: str, argv: list[str]) -> int:
    try:
        return COMMANDS[command](argv)
    except (CourseError, RuntimeError) as err:  # RuntimeError: GradebookUnreachable
        print(f"bpcourse {command}: {' '.join(str(err).split())}", file=sys.stderr)
        return 1
