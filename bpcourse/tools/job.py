"""Submissions graded as one job, in a temporary course of its own: the unit of work that a
parallel autograde sends to a Dask worker (see :mod:`bpcourse.tools.parallel`): one submission
(:func:`grade_submission_job`) or a batch of them (:func:`grade_batch_job`).

The job never opens the real gradebook: it receives a small SQLite gradebook holding only the
assignment, runs nbgrader's autograde for its students in the worker's own process (nbgrader
is imported once per worker, not once per submission), and sends back the autograded files and
the grades. The coordinating process writes those into the real gradebook.
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

from .gradebook import Grades, assignment_template, read_grades
from .nbgrader_run import autograde_here
from .outcome import NO_AUTOGRADED_NOTEBOOK, NOT_AUTOGRADED
from .sandbox import Limits
from .sandbox_kernel import nbgrader_config
from .submission import SubmissionRefused, refuse_links

Files = dict[str, tuple[bytes, int]]  # relative path -> (content, permission bits)


@dataclass(frozen=True)
class KernelLaunch:
    """How a job starts the notebooks' kernel: the argv of a Jupyter kernelspec (jupyter_client
    replaces ``{connection_file}``) and extra environment variables for it.

    The default is this Python's ipykernel, as nbgrader would start it. Any wrapper can be
    given, e.g. ``KernelLaunch(("wrapper", sys.executable, "-m", "ipykernel_launcher", "-f",
    "{connection_file}"))``; the connection file lives in the job's ``JUPYTER_RUNTIME_DIR``.
    ``sandbox``: limits of the sandbox of :mod:`bpcourse.tools.sandbox_kernel` that every kernel
    then runs in (:func:`sandbox_launch`); None: no sandbox.
    """

    argv: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    sandbox: Limits | None = None

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
    refused: str | None = None  # why the submission folder was not read (submission.refusal)

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
    seconds: float = 0.0  # its job's time; a batch's time is shared equally by its students
    worker_pid: int = 0


def submission_digest(files: Files) -> str:
    """sha256 over the submission's file names and contents: "the same notebook content"."""
    h = hashlib.sha256()
    for rel in sorted(files):
        h.update(rel.encode() + b"\0" + files[rel][0] + b"\0")
    return h.hexdigest()


def read_files(folder: Path) -> Files:
    """Every file under `folder` (checkpoints and caches left out), with its permission bits.

    Raises SubmissionRefused, before reading anything, when `folder` holds a symbolic link, a
    device, a pipe or a socket (:func:`bpcourse.tools.submission.refusal`).
    """
    out: Files = {}
    refuse_links(folder)
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


def make_jobs(course: Path, assignment: str, students: list[str], db_url: str,
              cell_timeout: int | None) -> list[SubmissionJob]:
    """One job per student: the course's config, the assignment's gradebook entries, its source
    folder and the student's submission folder."""
    config = (course / "nbgrader_config.py").read_text(encoding="utf-8")
    template = assignment_template(db_url, assignment)
    source = read_files(course / "solutions" / assignment)
    return [_job(course, assignment, s, config, template, source, cell_timeout)
            for s in students]


def _job(course: Path, assignment: str, student: str, config: str, template: bytes,
         source: Files, cell_timeout: int | None) -> SubmissionJob:
    """One student's job; a refused submission folder is not read (its job says why)."""
    try:
        files, reason = read_files(course / "submitted" / student / assignment), None
    except SubmissionRefused as refused:
        files, reason = {}, str(refused)
    return SubmissionJob(assignment, student, config, template, source, files, cell_timeout,
                         refused=reason)


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
    return grade_batch_job([job], kernel)[0]


def grade_batch_job(jobs: list[SubmissionJob], kernel: KernelLaunch | None = None
                    ) -> list[JobResult]:
    """Grade several submissions of one assignment with one ``nbgrader autograde`` call in one
    temporary course, as the sequential path grades a class; return one :class:`JobResult` per
    job, in order (each as :func:`grade_submission_job` would return it).

    One call per batch pays nbgrader's per-call work (its configuration, the course folder, the
    gradebook) and the temporary course once for the batch instead of once per student. The
    jobs must share the assignment, configuration, gradebook template, source and cell timeout
    (as :func:`make_jobs` makes them). If the process dies, the whole batch is lost: the
    coordinator retries it, then grades its students one job each, so that only a submission
    that kills its worker every time is NOT GRADED.
    """
    if not jobs:
        return []
    first = jobs[0]
    if any((j.assignment, j.config, j.gradebook, j.source, j.cell_timeout)
           != (first.assignment, first.config, first.gradebook, first.source, first.cell_timeout)
           for j in jobs[1:]):
        raise ValueError("grade_batch_job: the jobs of one batch must share the assignment, "
                         "configuration, gradebook, source and cell timeout (make them with "
                         "make_jobs)")
    start = time.perf_counter()
    results = [JobResult(j.assignment, j.student, j.digest, graded=False, worker_pid=os.getpid())
               for j in jobs]
    with tempfile.TemporaryDirectory(prefix=f"bpcourse-job-{first.student}-") as tmp:
        course = Path(tmp) / "course"
        db = course / "gradebook.db"
        course.mkdir()
        (course / "nbgrader_config.py").write_text(first.config, encoding="utf-8")
        db.write_bytes(first.gradebook)
        write_files(course / "solutions" / first.assignment, first.source)
        refused = {j.student: j.refused for j in jobs if j.refused}
        for job in jobs:
            if not job.refused:
                write_files(course / "submitted" / job.student / job.assignment, job.submission)
        kernel = kernel or KernelLaunch()
        proc = autograde_here(
            course, first.assignment, db_url=f"sqlite:///{db}",
            student=first.student if len(jobs) == 1 else "*",
            cell_timeout=first.cell_timeout, env=_job_env(Path(tmp), kernel, first),
            config=None if kernel.sandbox is None else nbgrader_config(kernel.sandbox))
        log = proc.stdout + proc.stderr
        failures = {**refused, **proc.failures}
        notebooks = _notebook_names(first)
        for job, result in zip(jobs, results, strict=True):
            result.log = log
            graded_dir = course / "autograded" / job.student / job.assignment
            failure = failures.get(job.student)
            missing = [n for n in notebooks if not (graded_dir / f"{n}.ipynb").exists()]
            if failure or missing or not graded_dir.is_dir():
                result.reason = failure or (
                    NO_AUTOGRADED_NOTEBOOK.format(notebooks=", ".join(missing))
                    if missing else NOT_AUTOGRADED)
            else:
                result.graded = True
                result.autograded = read_files(graded_dir)
            try:
                result.grades = read_grades(f"sqlite:///{db}", job.assignment, job.student)
            except Exception:  # nbgrader failed before recording the submission
                result.grades = None
    seconds = time.perf_counter() - start
    for result in results:
        result.seconds = seconds / len(results)
    return results


def sandbox_launch(limits: Limits | None = None) -> KernelLaunch:
    """How a parallel job starts its kernels: in the sandbox, with `limits`."""
    return KernelLaunch(sandbox=limits or Limits())


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


__all__ = ["KernelLaunch", "sandbox_launch", "SubmissionJob", "make_jobs", "JobResult",
           "grade_submission_job", "grade_batch_job", "submission_digest", "read_files",
           "write_files",
           "remove_tree"]
