"""Regenerate the student release ``notebooks/`` from ``solutions/`` with nbgrader.

``python -m bpcourse release [NAME ...]`` runs ``nbgrader generate_assignment --force`` (without
--force nbgrader silently keeps an existing release) for every assignment in solutions/, or for
the ones named. The result is what gets committed; a test proves it is in sync.

The release is made in a staging folder and replaces notebooks/NAME only when nbgrader
succeeded: a broken solution leaves the previous release as it was, and the command says in one
line what failed. ``--due DATE`` records the due date in the gradebook, which nbgrader's late
penalty (nbgrader_config.py) is measured from.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from .course import ROOT, assignments, nbgrader_env
from .gradebook import open_gradebook
from .nbgrader_run import db_url_of, run_nbgrader
from .safely import CourseError, check_gradebook, last_error, replace_folder, staged


def generate(names: list[str], root: Path = ROOT, quiet: bool = True) -> None:
    """Run nbgrader generate_assignment --force for each name, in the course folder `root`."""
    for name in names:
        cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", name, "--force",
               "--log-level=" + ("ERROR" if quiet else "INFO")]
        subprocess.run(cmd, cwd=root, check=True, env=nbgrader_env())


def release(course: Path, names: list[str], db_url: str, due: str | None = None) -> list[str]:
    """generate_assignment each name into a staging folder; swap it into notebooks/ when it
    worked. A failure leaves the previous release of that name as it was."""
    lines = []
    for name in names:
        with staged(course, "release") as stage:
            rel = stage.relative_to(course)
            proc = run_nbgrader(["generate_assignment", name, "--force", "--log-level=ERROR",
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
    with open_gradebook(db_url) as gb:
        gb.update_or_create_assignment(name, duedate=when)


def cli(command: str, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"bpcourse {command}", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="assignments to release (default: all)")
    parser.add_argument("--due", help="due date, e.g. '2026-12-07 17:00 UTC': later "
                        "submissions get the late penalty of nbgrader_config.py")
    parser.add_argument("--course", type=Path, default=ROOT,
                        help="the course folder (default: the repository)")
    parser.add_argument("--db-url", default=None, help="gradebook (default: the course's)")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    known = assignments(course)
    unknown = sorted(set(args.names) - set(known))
    if unknown:
        parser.error(f"no such assignment in solutions/: {', '.join(unknown)}; "
                     f"choose from {', '.join(known)}")
    try:
        db_url = db_url_of(course, args.db_url)
        check_gradebook(db_url)
        print("\n".join(release(course, args.names or known, db_url, args.due)))
    except (CourseError, RuntimeError) as err:  # RuntimeError: GradebookUnreachable
        print(f"bpcourse {command}: {' '.join(str(err).split())}", file=sys.stderr)
        return 1
    return 0
