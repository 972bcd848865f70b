"""``bpcourse autograde ASSIGNMENT --workers N``: one job per submission on Dask distributed.

By default a local cluster of N worker processes (one per core when N is 0), or the existing
cluster at ``--scheduler ADDRESS`` / ``DASK_SCHEDULER_ADDRESS``. Each job grades one submission
in a temporary course of its own (:func:`~bpcourse.tools.job.grade_submission_job`); its result
comes back here, and this process is the only writer to the gradebook and to autograded/.

Faults: a worker that dies mid-grade makes Dask run the job again on another worker; a job that
kills its worker every time (``allowed_failures`` + 1 times) is reported NOT GRADED with that
reason, and the others are graded. A rerun skips a submission already graded from the same
content (its sha256 is kept in ``.bpcourse/graded/<assignment>.json``) unless ``force``.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import dask
from distributed import Client, LocalCluster, wait
from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker
from tqdm import tqdm

from .collect import collect, submitted_students
from .gradebook import assignment_template, open_gradebook, write_grades
from .job import (
    JobResult,
    KernelLaunch,
    SubmissionJob,
    grade_submission_job,
    read_files,
    remove_tree,
    submission_digest,
    write_files,
)
from .nbgrader_run import db_url_of
from .outcome import KILLED_WORKER, NO_WORKER_LEFT, Outcome

ALLOWED_FAILURES = 2  # a job may kill its worker twice; the third death: NOT GRADED
# A local cluster with no worker left for this long (its processes stopped from outside) fails
# the remaining jobs instead of waiting for ever. A remote cluster may be waiting for its batch
# system to start workers: there we wait.
NO_WORKER_SECONDS = 120


def graded_digests_path(course: Path, assignment: str) -> Path:
    return Path(course) / ".bpcourse" / "graded" / f"{assignment}.json"


def _read_digests(course: Path, assignment: str) -> dict[str, str]:
    path = graded_digests_path(course, assignment)
    return json.loads(path.read_text()) if path.exists() else {}


def _write_digests(course: Path, assignment: str, digests: dict[str, str]) -> None:
    path = graded_digests_path(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(digests.items())), indent=1))


def make_jobs(course: Path, assignment: str, students: list[str], db_url: str,
              cell_timeout: int | None) -> list[SubmissionJob]:
    """One job per student: the course's config, the assignment's gradebook entries, its source
    folder and the student's submission folder."""
    config = (course / "nbgrader_config.py").read_text(encoding="utf-8")
    template = assignment_template(db_url, assignment)
    source = read_files(course / "solutions" / assignment)
    return [SubmissionJob(assignment, s, config, template, source,
                          read_files(course / "submitted" / s / assignment), cell_timeout)
            for s in students]


def start_client(workers: int | None, scheduler: str | None) -> tuple[Client, LocalCluster | None]:
    """A client of the cluster at `scheduler` (or DASK_SCHEDULER_ADDRESS), else of a new local
    cluster of `workers` single-threaded processes (one per core when 0 or None)."""
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address:
        return Client(address), None
    # On a busy machine a worker's heartbeat can come late; the scheduler must not retire a
    # local worker for that (the nanny sees a worker that really dies, and restarts it).
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                          "distributed.scheduler.worker-ttl": None,
                          "distributed.comm.timeouts.connect": "120s",
                          "distributed.comm.timeouts.tcp": "120s",
                          "distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, memory_limit=0, dashboard_address=":0",
                               silence_logs=logging.ERROR)
    return Client(cluster), cluster


def autograde_parallel(course: Path, assignment: str, *, workers: int | None = None,
                       scheduler: str | None = None, students: list[str] | None = None,
                       cell_timeout: int | None = None, db_url: str | None = None,
                       force: bool = False, kernel: KernelLaunch | None = None,
                       progress: bool = True, client: Client | None = None) -> list[Outcome]:
    """Grade every (or the given) submission of `assignment` as Dask jobs; return the Outcomes,
    in student order, read back from the gradebook as :func:`collect` reads a sequential run."""
    course = Path(course).resolve()
    db_url = db_url_of(course, db_url)
    students = students or submitted_students(course, assignment)
    done = {} if force else _read_digests(course, assignment)
    jobs = make_jobs(course, assignment, students, db_url, cell_timeout)
    todo = [j for j in jobs if force or done.get(j.student) != j.digest
            or not (course / "autograded" / j.student / assignment).is_dir()]
    failures: dict[str, str] = {}
    if todo:
        own = client is None
        cluster = None
        if own:
            client, cluster = start_client(workers, scheduler)
        try:
            failures = _run_jobs(client, todo, course, db_url, kernel, done, progress,
                                 local=cluster is not None)
        finally:
            if own:
                client.close()
                if cluster is not None:
                    cluster.close()
    _write_digests(course, assignment, done)
    return collect(course, assignment, db_url, students=students, failures=failures)


def _finished(futures: dict, client: Client, local: bool):
    """(future, JobResult or None) as each job ends; (future, None) for every job left when a
    local cluster has had no worker for NO_WORKER_SECONDS."""
    pending, idle = set(futures), 0.0
    while pending:
        try:
            done, pending = wait(pending, timeout=5, return_when="FIRST_COMPLETED")
        except TimeoutError:  # nothing finished in these 5 s
            done = set()
        for future in done:
            yield future, future
        if done or not local or client.scheduler_info(n_workers=-1)["workers"]:
            idle = 0.0
            continue
        idle += 5
        if idle >= NO_WORKER_SECONDS:
            for future in pending:
                yield future, None
            return


def _run_jobs(client: Client, jobs: list[SubmissionJob], course: Path, db_url: str,
              kernel: KernelLaunch | None, done: dict[str, str], progress: bool,
              local: bool = False) -> dict[str, str]:
    """Submit the jobs, write each result as it arrives; return student -> why NOT GRADED."""
    futures = {client.submit(grade_submission_job, job, kernel, pure=False,
                             key=f"grade-{job.assignment}-{job.student}-{job.digest[:12]}"): job
               for job in jobs}
    failures: dict[str, str] = {}
    bar = tqdm(total=len(jobs), unit="submission", disable=not progress, dynamic_ncols=True,
               desc=f"autograde {jobs[0].assignment}")
    with open_gradebook(db_url) as gb:
        for future, finished in _finished(futures, client, local):
            job = futures[future]
            try:
                if finished is None:
                    raise TimeoutError
                result: JobResult = future.result()
            except (KilledWorker, FutureCancelledError) as err:
                result = JobResult(job.assignment, job.student, job.digest, graded=False,
                                   reason=KILLED_WORKER.format(times=ALLOWED_FAILURES + 1,
                                                               error=type(err).__name__))
            except TimeoutError:
                result = JobResult(job.assignment, job.student, job.digest, graded=False,
                                   reason=NO_WORKER_LEFT.format(seconds=NO_WORKER_SECONDS))
            _save(gb, course, result)
            if result.graded:
                done[job.student] = job.digest
            else:
                done.pop(job.student, None)
                failures[job.student] = result.reason or "not graded"
            bar.set_postfix_str(f"{job.student}: "
                                + ("graded" if result.graded else "NOT GRADED"), refresh=False)
            bar.update()
    bar.close()
    return failures


def _save(gb, course: Path, result: JobResult) -> None:
    """Write one job's result: the gradebook entries, then autograded/<student>/<assignment>/
    (replaced, as nbgrader autograde --force replaces it; removed when not graded)."""
    write_grades(gb, result.assignment, result.student,
                 result.grades if result.graded else None)
    target = course / "autograded" / result.student / result.assignment
    remove_tree(target)
    if result.graded:
        write_files(target, result.autograded)


__all__ = ["autograde_parallel", "start_client", "make_jobs", "graded_digests_path",
           "submission_digest"]
