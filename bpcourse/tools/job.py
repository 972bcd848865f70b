"""One submission graded as one job, in a temporary course of its own: the unit of work that a
parallel autograde sends to a Dask worker (see :mod:`bpcourse.tools.parallel`).

The job never opens the real gradebook: it receives a small SQLite gradebook holding only the
assignment, runs ``nbgrader autograde`` for its one student, and sends back the autograded files
and the grades. The coordinating process writes those into the real gradebook.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .gradebook import Grades, read_grades
from .nbgrader_run import reasons_from_log, run_nbgrader
from .outcome import NO_AUTOGRADED_NOTEBOOK, NOT_AUTOGRADED

Files = dict[str, tuple[bytes, int]]  # relative path -> (content, permission bits)


@dataclass(frozen=True)
class KernelLaunch:
    """How a job starts the notebooks' kernel: the argv of a Jupyter kernelspec (jupyter_client
    replaces ``{connection_file}``) and extra environment variables for it.

    The default is this Python's ipykernel, as nbgrader would start it. A sandbox wraps it, e.g.
    ``KernelLaunch(("bwrap", ..., sys.executable, "-m", "ipykernel_launcher", "-f",
    "{connection_file}"))``; the connection file lives in the job's ``JUPYTER_RUNTIME_DIR``
    (``<job folder>/runtime``), which the sandbox must let the kernel read.
    """

    argv: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    # options for the job's `nbgrader autograde` (the sandbox's kernel manager, see
    # bpcourse.tools.sandbox_kernel.sandbox_launch)
    nbgrader_args: tuple[str, ...] = ()

    def kernelspec(self) -> dict:
        argv = list(self.argv) or [sys.executable, "-m", "ipykernel_launcher", "-f",
                                   "{connection_file}"]
        return {"argv": argv, "display_name": "Python 3 (bpcourse grading)",
                "language": "python", "env": dict(self.env)}


@dataclass
class SubmissionJob:
    """Everything one job needs, sent to the worker (picklable, no paths of the coordinator)."""

    assignment: str
    student: str
    config: str                 # the course's nbgrader_config.py, as text
    gradebook: bytes            # SQLite gradebook with the assignment only (assignment_template)
    source: Files               # solutions/<assignment>/ (nbgrader copies its other files)
    submission: Files           # submitted/<student>/<assignment>/, timestamp.txt included
    cell_timeout: int | None = None

    @property
    def digest(self) -> str:
        return submission_digest(self.submission)


@dataclass
class JobResult:
    """What comes back: graded (autograded files and grades) or not, with the reason."""

    assignment: str
    student: str
    digest: str
    graded: bool
    reason: str | None = None
    autograded: Files = field(default_factory=dict)
    grades: Grades | None = None
    log: str = ""
    seconds: float = 0.0
    worker_pid: int = 0


def submission_digest(files: Files) -> str:
    """sha256 over the submission's file names and contents: "the same notebook content"."""
    h = hashlib.sha256()
    for rel in sorted(files):
        h.update(rel.encode() + b"\0" + files[rel][0] + b"\0")
    return h.hexdigest()


def read_files(folder: Path) -> Files:
    """Every file under `folder` (checkpoints and caches left out), with its permission bits."""
    out: Files = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not {".ipynb_checkpoints", "__pycache__"} & set(rel.parts):
            out[rel.as_posix()] = (path.read_bytes(), path.stat().st_mode & 0o777)
    return out


def write_files(folder: Path, files: Files) -> None:
    for rel, (content, mode) in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        path.chmod(mode)


def grade_submission_job(job: SubmissionJob, kernel: KernelLaunch | None = None) -> JobResult:
    """Grade one submission with ``nbgrader autograde`` in a temporary course; return the result.

    Receives: the job (course config, the assignment's gradebook entries as a SQLite file, the
    assignment's source folder, the student's submission folder, the cell timeout) and how to
    start the kernel (``kernel``: a :class:`KernelLaunch`; None = this Python's ipykernel).
    Returns: a :class:`JobResult`: ``graded`` with the files of autograded/<student>/<assignment>/
    and the grades (:class:`~bpcourse.tools.gradebook.Grades`), or not graded with the reason
    nbgrader logged (the kernel died, a cell ignored the interrupt). Never raises for a bad
    submission. Touches nothing outside its temporary folder, which it deletes.

    If the process running this function dies (a submission that kills its worker), Dask retries
    the job on another worker; the coordinator reports it NOT GRADED when that keeps happening.
    """
    start = time.perf_counter()
    result = JobResult(job.assignment, job.student, job.digest, graded=False,
                       worker_pid=os.getpid())
    with tempfile.TemporaryDirectory(prefix=f"bpcourse-job-{job.student}-") as tmp:
        course = Path(tmp) / "course"
        db = course / "gradebook.db"
        course.mkdir()
        (course / "nbgrader_config.py").write_text(job.config, encoding="utf-8")
        db.write_bytes(job.gradebook)
        write_files(course / "solutions" / job.assignment, job.source)
        write_files(course / "submitted" / job.student / job.assignment, job.submission)
        kernel = kernel or KernelLaunch()
        env = _job_env(Path(tmp), kernel, job)
        args = ["autograde", job.assignment, f"--CourseDirectory.student_id={job.student}",
                f"--CourseDirectory.db_url=sqlite:///{db}", "--force"]
        if job.cell_timeout is not None:
            args.append(f"--Execute.timeout={int(job.cell_timeout)}")
        args += list(kernel.nbgrader_args)
        proc = run_nbgrader(args, course, env=env)
        result.log = proc.stdout + proc.stderr
        graded_dir = course / "autograded" / job.student / job.assignment
        failure = reasons_from_log(result.log, "submitted").get(job.student)
        notebooks = _notebook_names(job)
        missing = [n for n in notebooks if not (graded_dir / f"{n}.ipynb").exists()]
        if failure or missing or not graded_dir.is_dir():
            result.reason = failure or (NO_AUTOGRADED_NOTEBOOK.format(notebooks=", ".join(missing))
                                        if missing else NOT_AUTOGRADED)
        else:
            result.graded = True
            result.autograded = read_files(graded_dir)
        try:
            result.grades = read_grades(f"sqlite:///{db}", job.assignment, job.student)
        except Exception:  # nbgrader failed before recording the submission
            result.grades = None
    result.seconds = time.perf_counter() - start
    return result


def _notebook_names(job: SubmissionJob) -> list[str]:
    """The assignment's notebooks: those of its source folder."""
    return sorted(Path(rel).stem for rel in job.source
                  if rel.endswith(".ipynb") and "/" not in rel)


def _job_env(tmp: Path, kernel: KernelLaunch, job: SubmissionJob) -> dict[str, str]:
    """The environment of the job's nbgrader: its own Jupyter folders, the kernelspec of
    `kernel` first on JUPYTER_PATH, and no gradebook URL of the real course."""
    env = {k: v for k, v in os.environ.items() if k != "BPCOURSE_DB_URL"}
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        (tmp / var.lower()).mkdir()
        env[var] = str(tmp / var.lower())
    names = {"python3"}
    for rel, (content, _) in job.source.items():
        if rel.endswith(".ipynb"):
            try:
                names.add(load_notebook_bytes(content)["metadata"]["kernelspec"]["name"])
            except (KeyError, ValueError):
                pass
    for name in names:
        spec = tmp / "jupyter_path" / "kernels" / name / "kernel.json"
        spec.parent.mkdir(parents=True)
        spec.write_text(json.dumps(kernel.kernelspec()), encoding="utf-8")
    env["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(tmp / "jupyter_path"), env.get("JUPYTER_PATH", "")) if p)
    return env


def load_notebook_bytes(content: bytes) -> dict:
    return json.loads(content.decode("utf-8"))


def remove_tree(path: Path) -> None:
    """Delete a folder that may hold read-only files (nbgrader's permissions)."""
    if path.exists():
        path.chmod(0o755)
        for p in path.rglob("*"):
            if p.is_dir():
                p.chmod(0o755)
        shutil.rmtree(path)


__all__ = ["KernelLaunch", "SubmissionJob", "JobResult", "grade_submission_job",
           "submission_digest", "read_files", "write_files", "remove_tree"]
