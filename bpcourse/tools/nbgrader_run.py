"""Running nbgrader (as a program, or its autograde in this process), finding a course's
gradebook, and reading from nbgrader's log why it could not grade a submission.

Autograde runs in the calling process (:func:`autograde_here`): a second interpreter that imports
nbgrader again and reads its configuration again cost more than grading a short notebook's
tests. The other nbgrader commands (generate_assignment, feedback, export) run once per release
or per class and stay programs (:func:`run_nbgrader`).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from .course import nbgrader_env
from .kernel_client import QuickExecute
from .outcome import IGNORED_INTERRUPT, KERNEL_DIED, NBGRADER_ERROR, NBGRADER_SEE_LOG
from .submission import SubmissionRefused, refuse_links


def run_nbgrader(args: list[str], course: Path, env: dict | None = None,
                 timeout: float | None = None) -> subprocess.CompletedProcess:
    """``python -m nbgrader ARGS`` in the course folder, with its log captured."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          env=nbgrader_env(env), capture_output=True, text=True, timeout=timeout)


# nbgrader works in the process's working folder and environment, and the kernels write to its
# descriptors: two autogrades in threads of one process would mix them. Side by side, grade in
# processes (Dask workers of one thread each, a process pool).
_ONE_AT_A_TIME = threading.Lock()


class AutogradeRun(subprocess.CompletedProcess):
    """What :func:`autograde_here` returns: the program's CompletedProcess, plus ``failures``
    (student -> why nbgrader could not grade the submission), read from nbgrader's own log
    records, never from text: a kernel's output cannot add or change a reason."""

    failures: dict[str, str]


class DataOnlyAutograde(Autograde):
    """nbgrader's autograde that refuses a submission holding a symbolic link, a device, a pipe
    or a socket before it reads or copies anything of it (:mod:`bpcourse.tools.submission`)."""

    def init_destination(self, assignment_id: str, student_id: str) -> bool:
        # nbgrader's first step with a submission, inside its per-submission error handling
        refuse_links(Path(self._format_source(assignment_id, student_id)))
        return super().init_destination(assignment_id, student_id)


def autograde_here(course: Path, assignment: str, *, db_url: str, student: str = "*",
                   cell_timeout: int | None = None, force: bool = True,
                   config: Config | None = None, env: Mapping[str, str] | None = None
                   ) -> AutogradeRun:
    """``nbgrader autograde ASSIGNMENT`` for `student` ("*": everyone in submitted/), run in this
    process with nbgrader's converter, as the program would run it from the course folder.

    The course's nbgrader_config.py is read (not the grader's Jupyter configuration folders),
    then `db_url`, the cell timeout, ``--force`` and `config` (e.g. the sandbox's
    preprocessors, :func:`bpcourse.tools.sandbox_kernel.nbgrader_config`) override it.
    `env`: the environment while grading, as the program's would be (the kernels inherit it;
    None: this process's), restored afterwards. Calls from several threads run one after another.

    Returns what the program would: a CompletedProcess whose returncode is 1 when nbgrader gave
    up on a submission or on the run, whose stderr is nbgrader's log in the program's format
    (``[AutogradeApp | LEVEL] message``) and whose stdout is what was written to this process's
    stdout and stderr meanwhile (warnings, the kernels'), at most :data:`OUTPUT_LIMIT` bytes
    of it. Its ``failures`` (:class:`AutogradeRun`) say which submissions failed, and why.
    """
    course = Path(course).resolve()
    log_text = io.StringIO()
    recorder = _FailureRecords()
    returncode = 0
    with (_ONE_AT_A_TIME, _captured_output() as output, _nbgrader_log(log_text, recorder) as log,
          _environment(env)):
        try:  # the config reads the environment (BPCOURSE_CELL_TIMEOUT, ...): read it in `env`
            cfg = _config(course, assignment, db_url, student, cell_timeout, force, config)
            coursedir = CourseDirectory(config=cfg, log=log)
            DataOnlyAutograde(coursedir=coursedir, config=cfg, log=log).start()
        except NbGraderException:
            returncode = 1
        except Exception as err:  # what the program would print as its crash
            log.exception("nbgrader autograde failed: %s", err)
            returncode = 1
    args = ["nbgrader autograde (in process)", assignment, f"--student={student}"]
    run = AutogradeRun(args, returncode, stdout=output.text, stderr=log_text.getvalue())
    run.failures = recorder.reasons
    return run


class _FailureRecords(logging.Handler):
    """student -> reason, from the records nbgrader logs when it gives up on a submission: the
    record "There was an error processing assignment: %s" (its argument is the submission's
    folder, a path nbgrader made), then the traceback as the next ERROR record. Only the
    records' structure is trusted, so no text inside a traceback or a cell (which a submission
    controls) can name another student."""

    _FAILED = "There was an error processing assignment: %s"
    _UNRESPONSIVE = "While processing assignment %s, the kernel became unresponsive"

    def __init__(self, submitted: str = "submitted"):
        super().__init__(logging.ERROR)
        self.submitted = submitted
        self.reasons: dict[str, str] = {}
        self._student: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        template = str(record.msg)
        if template == self._FAILED or template.startswith(self._UNRESPONSIVE):
            if record.args:
                student = _student_of(str(record.args[0]), self.submitted)
                if template == self._FAILED:
                    self._student = student
                else:
                    self.reasons[student] = IGNORED_INTERRUPT
            return
        if self._student is not None:
            self.reasons.setdefault(self._student, explain(record.getMessage()))
            self._student = None


def _student_of(folder: str, submitted: str) -> str:
    """The student of nbgrader's submission folder .../submitted/<student>/<assignment>."""
    parts = Path(folder).parts
    return parts[parts.index(submitted) + 1] if submitted in parts else parts[-2]


def _config(course: Path, assignment: str, db_url: str, student: str, cell_timeout: int | None,
            force: bool, config: Config | None) -> Config:
    cfg = Config()
    if (course / "nbgrader_config.py").exists():
        cfg.merge(PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config())
    cfg.CourseDirectory.root = str(course)
    cfg.CourseDirectory.db_url = db_url
    cfg.CourseDirectory.assignment_id = assignment
    cfg.CourseDirectory.student_id = student
    cfg.Autograde.force = force
    # Kernels that are ready as soon as they are and stop at once after the last cell
    # (bpcourse.tools.kernel_client), unless the course or `config` chose an Execute of its own.
    if "autograde_preprocessors" not in cfg.Autograde:
        cfg.Autograde.autograde_preprocessors = QuickExecute.autograde_preprocessors()
    if "shutdown_kernel" not in cfg.Execute:
        cfg.Execute.shutdown_kernel = "immediate"
    if cell_timeout is not None:
        cfg.Execute.timeout = int(cell_timeout)
    source = cfg.CourseDirectory.get("source_directory", "source")
    cfg.SanitizeStudentHTML.source_directory = str(course / source)
    cfg.QuickExecute.source_directory = str(course / source)
    if config is not None:
        cfg.merge(config)
    return cfg


# What the kernels may print to the grader's descriptors and the grader keeps: the first and
# the last half of it. (In the sandbox, the file-size limit bounds what they can write at all.)
OUTPUT_LIMIT = 64 * 1024


class _Output:
    text = ""


def _head_and_tail(sink, limit: int) -> str:
    """The first and last limit/2 bytes of the file `sink`, as text, with a note between."""
    size = sink.seek(0, os.SEEK_END)
    sink.seek(0)
    if size <= limit:
        return sink.read().decode("utf-8", "replace")
    head = sink.read(limit // 2)
    sink.seek(size - limit // 2)
    tail = sink.read()
    note = f"\n[... {size - limit} bytes of output left out ...]\n".encode()
    return (head + note + tail).decode("utf-8", "replace")


@contextlib.contextmanager
def _captured_output() -> Iterator[_Output]:
    """What this process and the kernels it starts (they inherit its descriptors) write to
    stdout and stderr meanwhile, kept as the program's captured output instead of shown: the
    learner and the instructor see bpcourse's summary, not SQLAlchemy's warnings or a kernel's
    start-up notes."""
    out = _Output()
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    with tempfile.TemporaryFile() as sink:
        for fd in saved:
            os.dup2(sink.fileno(), fd)
        try:
            yield out
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            out.text = _head_and_tail(sink, OUTPUT_LIMIT)


@contextlib.contextmanager
def _nbgrader_log(stream: io.StringIO, *more: logging.Handler) -> Iterator[logging.Logger]:
    """A logger of its own for one autograde, writing as ``nbgrader autograde`` logs (and to
    the handlers `more`)."""
    log = logging.getLogger(f"bpcourse.nbgrader.autograde.{id(stream)}")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("[AutogradeApp | %(levelname)s] %(message)s"))
    for h in (handler, *more):
        log.addHandler(h)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield log
    finally:
        for h in (handler, *more):
            log.removeHandler(h)
        logging.Logger.manager.loggerDict.pop(log.name, None)


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    """os.environ replaced by `env` (None: kept), with this Python's bin/ on PATH as for the
    program; restored afterwards."""
    saved = dict(os.environ)
    new = nbgrader_env(None if env is None else dict(env))
    os.environ.clear()
    os.environ.update(new)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def db_url_of(course: Path, override: str | None = None) -> str:
    """The gradebook of a course: the override, else what its nbgrader_config.py says."""
    if override:
        return override
    config = Path(course) / "nbgrader_config.py"
    if config.exists():
        from traitlets.config.loader import PyFileConfigLoader
        cfg = PyFileConfigLoader(config.name, path=str(course)).load_config()
        if "db_url" in cfg.CourseDirectory:
            return cfg.CourseDirectory.db_url
    return f"sqlite:///{Path(course) / 'gradebook.db'}"


_FAILED = re.compile(r"There was an error processing assignment '(.+)' for student '(.+)'")
_FAILED_PATH = re.compile(r"There was an error processing assignment: (\S+)")
_NEXT_RECORD = re.compile(r"\[\w+ \| (INFO|WARNING)\]|\[\w+\]")


def reasons_from_log(log: str, submitted: str = "submitted") -> dict[str, str]:
    """student -> the cause nbgrader logged for a submission it could not grade."""
    reasons, student, chunk = {}, None, []

    def close():
        if student is not None:
            reasons[student] = explain("\n".join(chunk))

    for line in log.splitlines():
        m = _FAILED_PATH.search(line)
        if m:
            close()
            student = _student_of(m.group(1), submitted)
            chunk = []
        elif student is not None and _NEXT_RECORD.match(line) and "ERROR" not in line:
            close()
            student = None
        elif student is not None:
            chunk.append(line)
    close()
    for m in _FAILED.finditer(log):
        reasons.setdefault(m.group(2), NBGRADER_SEE_LOG)
    return reasons


def explain(trace: str) -> str:
    """One line for an instructor from the traceback nbgrader logged."""
    if "DeadKernelError" in trace or "Kernel died" in trace:
        return KERNEL_DIED
    if ("Timeout waiting for IOPub" in trace or "UnresponsiveKernel" in trace
            or "CellTimeoutError" in trace):
        return IGNORED_INTERRUPT
    last = [line for line in trace.splitlines() if line.strip()]
    refused = f"{SubmissionRefused.__module__}.{SubmissionRefused.__name__}: "
    if last and last[-1].startswith(refused):
        return last[-1][len(refused):]
    return NBGRADER_ERROR.format(error=last[-1].strip() if last else "unknown error")
