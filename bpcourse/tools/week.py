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
import re
import subprocess
import sys
from pathlib import Path

from bpcourse import autograde as ag
from bpcourse.release import assignments

from . import export, lms, manual, scores
from .feedback_html import mark_pending
from .safely import (
    CourseError,
    check_gradebook,
    check_released,
    gradebook,
    kept_unless_replaced,
    replace_folder,
    restore,
    staged,
)

ROOT = ag.ROOT


def nbgrader(args: list[str], course: Path) -> subprocess.CompletedProcess:
    """nbgrader in the course folder, with this Python's bin/ on PATH (for `alembic`)."""
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep
           + os.environ.get("PATH", "")}
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True)


def last_error(log: str) -> str:
    """The line of an nbgrader log that says what failed."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"\w*(Error|Exception)\b", line)]
    return (errors or [line for line in lines if "ERROR" in line] or lines or ["no log"])[-1][:300]


# --- release -----------------------------------------------------------------------------------

def release(course: Path, names: list[str], db_url: str, due: str | None = None) -> list[str]:
    """generate_assignment each name into a staging folder; swap it into notebooks/ when it
    worked. A failure leaves the previous release of that name as it was."""
    lines = []
    for name in names:
        with staged(course, "release") as stage:
            rel = stage.relative_to(course)
            proc = nbgrader(["generate_assignment", name, "--force", "--log-level=ERROR",
                             f"--CourseDirectory.release_directory={rel}",
                             f"--CourseDirectory.db_url={db_url}"], course)
            made = stage / name
            if proc.returncode != 0 or not made.is_dir():
                raise CourseError(
                    f"nbgrader could not release {name} ({last_error(proc.stdout + proc.stderr)})"
                    f": fix solutions/{name}/ and run the release again; notebooks/{name}/ is "
                    "unchanged")
            replace_folder(made, course / "notebooks" / name)
        if due:
            set_due_date(db_url, name, due)
        lines.append(f"released {name} to notebooks/{name}/" + (f", due {due}" if due else ""))
    return lines


def set_due_date(db_url: str, name: str, due: str) -> None:
    from nbgrader.utils import parse_utc

    try:
        when = parse_utc(due)
    except (ValueError, OverflowError):
        raise CourseError(f"cannot read the due date {due!r}: write it like "
                          "'2026-12-07 17:00 UTC'") from None
    with gradebook(db_url) as gb:
        gb.update_or_create_assignment(name, duedate=when)


# --- autograde ---------------------------------------------------------------------------------

def safe_autograde(course: Path, assignment: str, db_url: str, students: list[str] | None,
                   timeout: int | None, force: bool) -> tuple[list[ag.Outcome], list[str]]:
    """ag.autograde, keeping each student's earlier autograded/ when the new run fails for
    them. Returns (outcomes, students whose earlier output was kept)."""
    submitted = course / "submitted"
    everyone = sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir()) \
        if submitted.is_dir() else []
    chosen = students or everyone
    unknown = sorted(set(chosen) - set(everyone))
    if unknown:
        raise CourseError(f"no submission of {assignment} for {', '.join(unknown)} in "
                          f"submitted/: collect it first (python -m bpcourse collect {assignment})")
    folders = {s: course / "autograded" / s / assignment for s in chosen}
    kept = []
    with kept_unless_replaced(course, list(folders.values())) as saved:
        outcomes = []
        for group in ([[s] for s in chosen] if students and len(students) > 1 else [students]):
            outs, proc = ag.autograde(course, assignment, students=group, db_url=db_url,
                                      cell_timeout=timeout, force=force)
            if proc.returncode != 0 and all(o.graded for o in outs):
                raise CourseError(f"nbgrader autograde failed "
                                  f"({last_error(proc.stdout + proc.stderr)}); autograded/ is "
                                  f"unchanged: run `nbgrader autograde {assignment} --force` "
                                  "for the full log")
            outcomes += outs
        for out in outcomes:
            if not out.graded and restore(saved, folders[out.student]):
                kept.append(out.student)
    return outcomes, kept


def format_by_exercise(outcomes: list[ag.Outcome], order: list[str],
                       sheets: dict[str, scores.Sheet], kept: list[str] = ()) -> str:
    """One row per student: points per exercise (the header names them), then the total;
    points still to be graded by hand are "pending", never 0."""
    if not outcomes:
        return "no submissions found (submitted/<student>/<assignment>/ is empty)"
    width = max([len("student")] + [len(o.student) for o in outcomes])
    cells = {o.student: [scores.cell_text(sheets[o.student].exercises.get(e, scores.Points()))
                         for e in order] for o in outcomes if o.graded and o.student in sheets}
    widths = [max([len(e)] + [len(c[i]) for c in cells.values()]) for i, e in enumerate(order)]
    def line(first: str, values: list[str], last: str) -> str:
        return "  ".join([f"{first:<{width}}",
                          *(f"{v:>{w}}" for v, w in zip(values, widths, strict=True)), last])

    rows = [line("student", order, "total")]
    for o in outcomes:
        if o.student not in cells:
            why = o.reason or "not in the gradebook"
            rows.append(f"{o.student:<{width}}  NOT GRADED: {why}"
                        + ("  (earlier autograded/ kept)" if o.student in kept else ""))
            continue
        sheet = sheets[o.student]
        total = scores.cell_text(sheet.total)
        if sheet.late_penalty:
            total += f" (late: -{sheet.late_penalty:g})"
        rows.append(line(o.student, cells[o.student], total)
                    + (f"  [tampering: {len(o.tampering)} line(s)]" if o.tampering else ""))
    graded = [o for o in outcomes if o.graded]
    pending = [o.student for o in graded if o.student in sheets and sheets[o.student].total.pending]
    rows.append(f"\n{len(graded)} of {len(outcomes)} submission(s) graded"
                + (f"; NOT GRADED: {', '.join(o.student for o in outcomes if not o.graded)}"
                   " (fix or regrade these by hand)" if len(graded) < len(outcomes) else ""))
    if pending:
        rows.append(f"points pending grading by hand: {', '.join(pending)} (formgrader, or "
                    "python -m bpcourse manual-grade)")
    rows += [f"tampering suspected, {o.student}: {t}" for o in outcomes for t in o.tampering]
    return "\n".join(rows)


# --- feedback ----------------------------------------------------------------------------------

def feedback(course: Path, assignment: str, db_url: str,
             students: list[str] | None = None) -> list[str]:
    """generate_feedback into a staging folder, pending cells marked; each student's pages
    replace the earlier ones only when they were made."""
    graded = course / "autograded"
    everyone = sorted(p.name for p in graded.iterdir() if (p / assignment).is_dir()) \
        if graded.is_dir() else []
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
        proc = nbgrader(args, course)
        for student in chosen:
            made = stage / student / assignment
            if not made.is_dir():
                lines.append(f"{student}: NO FEEDBACK ({last_error(proc.stderr)}); earlier "
                             "feedback kept")
                continue
            for page in made.glob("*.html"):
                page.write_text(mark_pending(page.read_text(encoding="utf-8"),
                                             pending.get(student, {})), encoding="utf-8")
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
    db_url = ag.db_url_of(course, args.db_url)
    check_gradebook(db_url)
    return course, db_url


def _cli_release(argv):
    parser = _parser("release", "Regenerate notebooks/NAME from solutions/NAME with nbgrader "
                     "(generate_assignment --force, on a copy: a failure keeps the previous "
                     "release).")
    parser.add_argument("names", nargs="*", help="assignments to release (default: all)")
    parser.add_argument("--due", help="due date, e.g. '2026-12-07 17:00 UTC': later "
                        "submissions get the late penalty of nbgrader_config.py")
    args = parser.parse_args(argv)
    course, db_url = _course(args)
    known = assignments(course)
    unknown = sorted(set(args.names) - set(known))
    if unknown:
        raise CourseError(f"no such assignment in solutions/: {', '.join(unknown)}; choose "
                          f"from {', '.join(known)}")
    lines = release(course, args.names or known, db_url, args.due)
    print("\n".join(lines))
    return 0


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


def _cli_autograde(argv):
    parser = _parser("autograde", "Run nbgrader autograde on the submissions of ASSIGNMENT and "
                     "print each student's points per exercise. A submission that could not be "
                     "graded is NOT GRADED (exit 3), its earlier autograded/ kept; tampering "
                     "exits 4.")
    parser.add_argument("assignment")
    parser.add_argument("--student", action="append", default=None)
    parser.add_argument("--timeout", type=int, default=None)
    parser.add_argument("--no-force", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    course, db_url = _course(args)
    check_released(course, args.assignment, db_url)
    outcomes, kept = safe_autograde(course, args.assignment, db_url, args.student, args.timeout,
                                    not args.no_force)
    if args.json:
        import json
        print(json.dumps([o.as_dict() for o in outcomes], indent=1))
    else:
        order, sheets = scores.sheets(db_url, course, args.assignment)
        print(format_by_exercise(outcomes, order, sheets, kept))
    return ag._exit_code(outcomes)


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
    outcomes = ag.collect(course, args.assignment, db_url, students=sorted(sheets))
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


COMMANDS = {"release": _cli_release, "collect": _cli_collect, "autograde": _cli_autograde,
            "manual-grade": _cli_manual_grade, "feedback": _cli_feedback, "export": _cli_export}


def cli(command: str, argv: list[str]) -> int:
    try:
        return COMMANDS[command](argv)
    except CourseError as err:
        print(f"bpcourse {command}: {err}", file=sys.stderr)
        return 1
