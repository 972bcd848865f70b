"""The course's command line: ``python -m bpcourse COMMAND ...`` (or ``bpcourse COMMAND``).

The course's tools live in ``bpcourse.tools``, the cost measurements in ``bpcourse.cost``;
each is imported only when its command is used, so ``import bpcourse`` stays numpy-only.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys

COMMANDS = {
    "lab": ("bpcourse.tools.lab", "open the course in JupyterLab (your copy in work/)"),
    "teach": ("bpcourse.tools.lab", "instructor's JupyterLab with nbgrader's formgrader"),
    "release": ("bpcourse.tools.release", "regenerate notebooks/ from solutions/ with nbgrader"),
    "grade": ("bpcourse.tools.grade", "grade one notebook against the full (hidden) tests"),
    "collect": ("bpcourse.tools.week", "instructor: an LMS download -> submitted/<LMS user id>/"),
    "autograde": ("bpcourse.tools.autograde",
                  "instructor: autograde, points per exercise, ungraded ones named"),
    "manual-grade": ("bpcourse.tools.week", "instructor: points and a comment for a written "
                     "answer"),
    "feedback": ("bpcourse.tools.week", "instructor: feedback pages (pending points marked)"),
    "export": ("bpcourse.tools.week", "instructor: a gradebook CSV the LMS imports"),
    "similarity": ("bpcourse.tools.similarity",
                   "instructor: which submissions share code (flags to read, no points)"),
    "report": ("bpcourse.tools.report", "instructor: what the class got wrong (table, CSV, chart)"),
    "cost": ("bpcourse.cost", "measure and plot numeric gradients against backprop"),
}

# Commands that leave nothing behind when they return (their temporary folders removed, their
# kernel stopped, no thread of their own left) and, run as the program, exit at once instead of
# tearing the interpreter down: for `grade` that teardown of nbgrader's, nbconvert's and
# SQLAlchemy's modules took 0.45 s of a 3.8 s grade (benchmarks/REPORT.md, B8).
EXIT_AT_ONCE = {"grade"}


def main(argv: list[str] | None = None) -> int:
    program = argv is None
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        if argv and argv[0] not in ("-h", "--help"):
            print(f"bpcourse: unknown command {argv[0]!r}.\n", file=sys.stderr)
        print("usage: python -m bpcourse COMMAND [options]\n\ncommands:")
        for name, (_, text) in COMMANDS.items():
            print(f"  {name:<12} {text}")
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(COMMANDS[argv[0]][0])
    code = module.cli(argv[0], argv[1:])
    if program and argv[0] in EXIT_AT_ONCE:
        exit_at_once(code)
    return code


def exit_at_once(code: int) -> None:
    """End the process with `code` now: the exit handlers run (coverage's data, a kernel
    nobody adopted) and the output is flushed, but the interpreter is not torn down."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
