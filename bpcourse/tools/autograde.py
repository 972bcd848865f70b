"""Grading with nbgrader's own autograde, reported so that nothing is silently a zero.

Two commands (``python -m bpcourse ...``):

``grade NOTEBOOK``
    Self-study: grades a copy of the learner's notebook against the *full* tests of solutions/
    (hidden ones included) in a temporary course, with nbgrader's autograde, and prints one row
    per exercise: points, and the message of the first test that failed (which names the likely
    mistake). The learner's file is never written to.

``autograde ASSIGNMENT [--course DIR]``
    Instructor: runs ``nbgrader autograde`` on every submission in submitted/, then prints a
    summary per student. A submission nbgrader could not grade (the kernel died, a cell ignored
    the interrupt after the timeout) is reported as NOT GRADED, never as 0, and makes the exit
    code 3; everybody else's grades are kept. Code that reassigns numpy, builtins or bpcourse
    functions (the test cells run in the learner's kernel) is reported as tampering (exit 4).
    Every kernel runs in the sandbox of :mod:`bpcourse.tools.sandbox` (its own folder, no
    network, limits); ``--no-sandbox`` turns it off, ``--require-sandbox`` refuses to grade
    where there is none (exit 5). Without one, the first line printed says so.

Exit codes: see :mod:`bpcourse.tools.outcome`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from nbgrader import __version__ as nbgrader_version
from traitlets.config import Config

from ..i18n import speaking
from . import scores
from .collect import collect, submitted_students
from .course import EDITIONS, ROOT, add_language_option, assignments, language_of
from .early_kernel_manager import EarlyExecute
from .gradebook import open_gradebook
from .job import sandbox_launch
from .nbgrader_run import autograde_here, db_url_of, run_nbgrader
from .outcome import NO_SANDBOX, Outcome, exit_code, format_by_exercise, format_outcome
from .safely import (
    CourseError,
    check_gradebook,
    check_released,
    kept_unless_replaced,
    last_error,
    restore,
)
from .sandbox import Limits, unavailable_reason
from .sandbox_kernel import nbgrader_config


def autograde(course: Path, assignment: str, *, students: list[str] | None = None,
              cell_timeout: int | None = None, db_url: str | None = None, force: bool = True,
              env: dict | None = None, sandbox: bool | None = None, limits: Limits | None = None,
              early_kernel: bool = False) -> tuple[list[Outcome], subprocess.CompletedProcess]:
    """nbgrader's autograde, run once in this process for all (or the given) students, then
    collect.

    sandbox: run each kernel in the sandbox, with `limits`: True requires it (RuntimeError
    where there is none), None (default) uses it where there is one, False never.
    env: the environment of the kernels (None: this process's).
    early_kernel: adopt the kernel :func:`bpcourse.tools.early_kernel.start` started, if any
    (self-study grading only: it is not sandboxed).

    Returns:
        (one Outcome per student, in name order; nbgrader's run: its returncode and its log as
        stdout, as the ``nbgrader autograde`` program would have printed it)
    """
    course = Path(course).resolve()
    db_url = db_url_of(course, db_url)
    with open_gradebook(db_url):  # a wrong URL: one clear line, before nbgrader's traceback
        pass
    student = "*"
    if students:
        student = students[0] if len(students) == 1 else "*"
    reason = unavailable_reason() if sandbox is not False else "turned off"
    if sandbox and reason:
        raise RuntimeError(f"no sandbox for the grading kernels: {reason}")
    config = None
    if reason is None:
        config = nbgrader_config(limits)
    elif early_kernel:
        config = Config()
        config.Autograde.autograde_preprocessors = EarlyExecute.autograde_preprocessors()
    proc = autograde_here(course, assignment, db_url=db_url, student=student,
                          cell_timeout=cell_timeout, force=force, env=env, config=config)
    return collect(course, assignment, db_url, students=students, failures=proc.failures), proc


def safe_autograde(course: Path, assignment: str, db_url: str, students: list[str] | None,
                   timeout: int | None, force: bool, sandbox: bool | None = None,
                   limits: Limits | None = None) -> tuple[list[Outcome], list[str]]:
    """autograde(), keeping each student's earlier autograded/ when the new run fails for
    them. Returns (outcomes, students whose earlier output was kept)."""
    everyone = submitted_students(course, assignment)
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
            outs, proc = autograde(course, assignment, students=group, db_url=db_url,
                                   cell_timeout=timeout, force=force, sandbox=sandbox,
                                   limits=limits)
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


# ---------------------------------------------------------------------------------------------
# Self-study: grade one notebook in a temporary course


def assignment_of(notebook: Path, root: Path = ROOT) -> str:
    """Which assignment of solutions/ a learner's notebook is (by file name, then folder)."""
    names = assignments(root)
    for candidate in (notebook.stem, notebook.parent.name):
        if candidate in names:
            return candidate
    # 04_layers_zh-Copy1.ipynb is the zh edition's 04: the prefix rule looks in its edition only
    zh = EDITIONS["zh"]
    edition = "zh" if zh in notebook.stem or notebook.parent.name.endswith(zh) else "en"
    prefix = [n for n in assignments(root, edition=edition)
              if notebook.stem.startswith(n[:3]) and n[:2].isdigit()]
    if len(prefix) == 1:
        return prefix[0]
    raise ValueError(f"cannot tell which notebook of the course {notebook} is: name it like "
                     f"04_layers.ipynb, or pass --assignment (one of {', '.join(names)})")


def make_course(dest: Path, names: list[str], root: Path = ROOT) -> Path:
    """A course folder at dest with root's nbgrader_config.py and the given solutions."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", dest / "nbgrader_config.py")
    for name in names:
        shutil.copytree(root / "solutions" / name, dest / "solutions" / name,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return dest


def cache_dir() -> Path:
    """Where prepared courses are kept: $BPCOURSE_CACHE_DIR, else ~/.cache/bpcourse."""
    if os.environ.get("BPCOURSE_CACHE_DIR"):
        return Path(os.environ["BPCOURSE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "bpcourse"


def release_digest(assignment: str, root: Path = ROOT) -> str:
    """sha256 of what a prepared course is made of: nbgrader_config.py, the assignment's source
    folder and nbgrader's version. Any edit of the solutions makes a new one."""
    h = hashlib.sha256(f"nbgrader {nbgrader_version}\0".encode())
    h.update((root / "nbgrader_config.py").read_bytes())
    folder = root / "solutions" / assignment
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not {".ipynb_checkpoints", "__pycache__"} & set(rel.parts):
            h.update(b"\0" + rel.as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:20]


def prepared_course(assignment: str, root: Path = ROOT) -> Path:
    """A course with `assignment` released into its own SQLite gradebook, made once per release
    (content hash) and kept in :func:`cache_dir`; each grading copies it."""
    target = cache_dir() / "courses" / f"{assignment}-{release_digest(assignment, root)}"
    if (target / "gradebook.db").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{assignment}-", dir=target.parent))
    try:
        course = make_course(building, [assignment], root)
        db_url = f"sqlite:///{course / 'gradebook.db'}"
        env = {k: v for k, v in os.environ.items() if k != "BPCOURSE_DB_URL"}
        gen = run_nbgrader(["generate_assignment", assignment, "--force",
                            f"--CourseDirectory.db_url={db_url}"], course, env=env)
        if gen.returncode != 0:
            raise RuntimeError("nbgrader generate_assignment failed:\n" + gen.stdout + gen.stderr)
        try:
            building.rename(target)  # atomic: a concurrent grade may have made it first
        except OSError:
            pass
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


def grade_notebook(notebook: Path, *, assignment: str | None = None, root: Path = ROOT,
                   cell_timeout: int | None = None, keep: Path | None = None) -> Outcome:
    """Grade a copy of `notebook` against solutions/ with nbgrader, in a temporary copy of the
    release's prepared course (see :func:`prepared_course`)."""
    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise FileNotFoundError(f"no notebook at {notebook}")
    assignment = assignment or assignment_of(notebook, root)
    tmp = Path(tempfile.mkdtemp(prefix="bpcourse-grade-")) if keep is None else keep
    try:
        course = Path(shutil.copytree(prepared_course(assignment, root), tmp / "course"))
        db_url = f"sqlite:///{course / 'gradebook.db'}"
        env = {k: v for k, v in os.environ.items() if k != "BPCOURSE_DB_URL"}
        target = course / "submitted" / "self" / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        shutil.copy(notebook, target)
        # The learner's own code on the learner's machine: no sandbox needed.
        outcomes, _ = autograde(course, assignment, students=["self"], db_url=db_url,
                                cell_timeout=cell_timeout, env=env, sandbox=False,
                                early_kernel=True)
        return outcomes[0]
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Command line


def cli(command: str, argv: list[str]) -> int:
    return {"grade": _cli_grade, "autograde": _cli_autograde}[command](argv)


def _cli_grade(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bpcourse grade",
        description="Grade a copy of your notebook with the full tests (hidden ones included) "
                    "of solutions/, with nbgrader, in a temporary folder. Your file is not "
                    "changed.")
    parser.add_argument("notebook", type=Path, help="e.g. notebooks/04_layers/04_layers.ipynb")
    parser.add_argument("--assignment", help="which notebook of the course it is (default: "
                        "from the file name, e.g. 04_layers)")
    parser.add_argument("--timeout", type=int, default=None,
                        help="seconds a cell may run (default: nbgrader_config.py's)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        out = grade_notebook(args.notebook, assignment=args.assignment, cell_timeout=args.timeout)
    except (FileNotFoundError, ValueError) as err:
        parser.error(str(err))
    print(json.dumps(out.as_dict(), indent=1) if args.json else grade_text(out))
    return exit_code([out])


def grade_text(out: Outcome) -> str:
    """What ``bpcourse grade`` prints: the table in the language of the assignment's edition
    (a zh notebook's is Chinese, whatever BPCOURSE_LANG says); the points are the Outcome's."""
    with speaking(language_of(out.assignment)):
        return format_outcome(out)


def _cli_autograde(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bpcourse autograde",
        description="Run nbgrader autograde on every submission of ASSIGNMENT in the course's "
                    "submitted/ folder and print each student's points per exercise: NOT GRADED "
                    "(kernel died, a cell that ignored the interrupt; its earlier autograded/ is "
                    "kept), points pending grading by hand, tampering. Exit code 3 if any "
                    "submission was not graded, 4 if tampering is suspected, 1 (one line) when "
                    "the gradebook or the assignment is not ready.")
    parser.add_argument("assignment", help="e.g. 04_layers")
    parser.add_argument("--course", type=Path, default=Path.cwd(),
                        help="the course folder with nbgrader_config.py (default: here)")
    parser.add_argument("--student", action="append", default=None,
                        help="grade only this student (repeat for several)")
    parser.add_argument("--timeout", type=int, default=None,
                        help="seconds a cell may run (default: nbgrader_config.py's)")
    parser.add_argument("--db-url", default=None, help="gradebook (default: the course's)")
    parser.add_argument("--no-force", action="store_true",
                        help="skip submissions that are already autograded")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="grade in parallel on Dask: a local cluster of N worker processes "
                             "(0: one per core); needs the [scale] extra")
    parser.add_argument("--per-job", default=1, type=_per_job, metavar="N",
                        help="with --workers/--scheduler: submissions graded by one job (default "
                             "1: each in its own temporary course; 'auto': a few batches per "
                             "worker, one nbgrader call each)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="grade on the existing Dask cluster at ADDRESS (e.g. "
                             "tcp://host:8786; default: $DASK_SCHEDULER_ADDRESS)")
    parser.add_argument("--force", action="store_true",
                        help="with --workers/--scheduler: regrade submissions already graded "
                             "from the same content (skipped otherwise)")
    parser.add_argument("--json", action="store_true", help="print the outcomes as JSON")
    add_language_option(parser)
    box = parser.add_mutually_exclusive_group()
    box.add_argument("--no-sandbox", action="store_true",
                     help="run the kernels with your rights, as plain nbgrader does")
    box.add_argument("--require-sandbox", action="store_true",
                     help="refuse to grade (exit 5) where no sandbox is available")
    limits = Limits()
    parser.add_argument("--memory-mb", type=int, default=limits.memory_mb,
                        help="address space of a kernel, MB (default %(default)s)")
    parser.add_argument("--max-processes", type=int, default=limits.processes,
                        help="processes and threads of a kernel (default %(default)s)")
    parser.add_argument("--cpu-seconds", type=int, default=limits.cpu_seconds,
                        help="CPU time of a kernel for a whole notebook (default %(default)s)")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if not (course / "nbgrader_config.py").exists():
        parser.error(f"{course} has no nbgrader_config.py: pass --course DIR, the course folder")
    sandbox = _sandbox_decision(args)
    if not isinstance(sandbox, bool):
        return sandbox
    args.sandbox = sandbox
    args.limits = Limits(memory_mb=args.memory_mb, processes=args.max_processes,
                         cpu_seconds=args.cpu_seconds)
    try:
        db_url = db_url_of(course, args.db_url)
        check_gradebook(db_url)
        check_released(course, args.assignment, db_url)
        kept = []
        if (args.workers is not None or args.scheduler
                or os.environ.get("DASK_SCHEDULER_ADDRESS")):
            outcomes, kept = _autograde_parallel(args, course)
        else:
            outcomes, kept = safe_autograde(course, args.assignment, db_url, args.student,
                                            args.timeout, not args.no_force,
                                            sandbox=args.sandbox, limits=args.limits)
        if args.json:
            print(json.dumps([o.as_dict() for o in outcomes], indent=1))
        else:
            order, sheets = scores.sheets(db_url, course, args.assignment)
            with speaking(args.lang):  # None: BPCOURSE_LANG's, else English
                print(format_by_exercise(outcomes, order, sheets, kept))
    except (CourseError, RuntimeError) as err:
        print(f"bpcourse autograde: {' '.join(str(err).split())}", file=sys.stderr)
        return 1
    return exit_code(outcomes)


def _sandbox_decision(args) -> bool | int:
    """Whether to sandbox, after saying so in one line where there is no sandbox; or the exit
    code when grading is refused."""
    if args.no_sandbox:
        print("bpcourse autograde: --no-sandbox: submissions run with your rights",
              file=sys.stderr, flush=True)
        return False
    reason = unavailable_reason()
    if reason is None:
        return True
    if args.require_sandbox:
        print(f"bpcourse autograde: refusing to grade without a sandbox: {reason}",
              file=sys.stderr)
        return NO_SANDBOX
    print(f"bpcourse autograde: NO SANDBOX, submissions run with your rights: {reason}",
          file=sys.stderr, flush=True)
    return False


def _per_job(value: str) -> int | None:
    """--per-job's value: a positive number, or None for "auto"."""
    if value == "auto":
        return None
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(
            f"{value!r}: give a number of submissions ≥ 1, or 'auto'")
    return int(value)


def _autograde_parallel(args, course: Path) -> tuple[list[Outcome], list[str]]:
    """The parallel path: (outcomes, students whose earlier autograded/ was kept)."""
    try:
        from .parallel import autograde_parallel, kept_earlier
    except ImportError as err:
        raise RuntimeError(f"--workers needs Dask ({err.name} is missing): pip install "
                           "'bpcourse[scale]'") from None
    had_output = {p.parent.name for p in (course / "autograded").glob(f"*/{args.assignment}")
                  if p.is_dir()}
    outcomes = autograde_parallel(course, args.assignment, workers=args.workers,
                                  scheduler=args.scheduler, students=args.student,
                                  cell_timeout=args.timeout, db_url=args.db_url,
                                  force=args.force, progress=not args.json,
                                  per_job=args.per_job,
                                  kernel=sandbox_launch(args.limits) if args.sandbox else None)
    return outcomes, kept_earlier(course, args.assignment, outcomes, had_output)
