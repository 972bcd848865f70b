"""Running nbgrader as a program, finding a course's gradebook, and reading from nbgrader's log
why it could not grade a submission."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .course import nbgrader_env
from .outcome import IGNORED_INTERRUPT, KERNEL_DIED, NBGRADER_ERROR, NBGRADER_SEE_LOG


def run_nbgrader(args: list[str], course: Path, env: dict | None = None,
                 timeout: float | None = None) -> subprocess.CompletedProcess:
    """``python -m nbgrader ARGS`` in the course folder, with its log captured."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          env=nbgrader_env(env), capture_output=True, text=True, timeout=timeout)


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
            parts = Path(m.group(1)).parts
            student = parts[parts.index(submitted) + 1] if submitted in parts else parts[-2]
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
    return NBGRADER_ERROR.format(error=last[-1].strip() if last else "unknown error")
