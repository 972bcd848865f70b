"""``bpcourse autograde ASSIGNMENT --workers N``: submissions graded as jobs on Dask distributed.

By default a local cluster of N worker processes (one per core when N is 0), or the existing
cluster at ``--scheduler ADDRESS`` / ``DASK_SCHEDULER_ADDRESS``. Each job grades a batch of
submissions (about two batches per worker, :func:`batch_size`) with one nbgrader call in a
temporary course of its own (:func:`~bpcourse.tools.job.grade_batch_job`), each kernel in its
own sandbox; its results come back here, and this process is the only writer to the gradebook
and to autograded/.

Faults: a worker that dies mid-grade makes Dask run the job again on another worker; a batch
that kills its worker every time (``allowed_failures`` + 1 times) is split into one job per
submission, and a submission that kills its worker every time is reported NOT GRADED with that
reason, and the others are graded. A submission not graded keeps its earlier autograded/ folder
(and scores), as in a sequential run. A rerun skips a submission already graded from the same
content (its sha256 is kept in ``.bpcourse/graded/<assignment>.json``) unless ``force``.
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import os
from pathlib import Path

import dask
from distributed import Client, LocalCluster, wait
from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker
from tqdm import tqdm

from .collect import collect, submitted_students
from .gradebook import open_gradebook, write_grades
from .job import (
    JobResult,
    KernelLaunch,
    SubmissionJob,
    grade_batch_job,
    make_jobs,
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
# A job grades a batch of submissions with one nbgrader call (grade_batch_job): nbgrader's
# per-call work and the temporary course are paid once per batch. Each worker gets about
# BATCHES_PER_WORKER batches (so one slow batch leaves the other workers little idle time), of
# at most MAX_PER_JOB submissions (so the progress bar moves and a retried batch costs little).
BATCHES_PER_WORKER = 2
MAX_PER_JOB = 8


def graded_digests_path(course: Path, assignment: str) -> Path:
    return Path(course) / ".bpcourse" / "graded" / f"{assignment}.json"


def _read_digests(course: Path, assignment: str) -> dict[str, str]:
    path = graded_digests_path(course, assignment)
    return json.loads(path.read_text()) if path.exists() else {}


def _write_digests(course: Path, assignment: str, digests: dict[str, str]) -> None:
    path = graded_digests_path(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(digests.items())), indent=1))


# What a local worker imports to grade (nbgrader, SQLAlchemy, nbclient: seconds per process).
WORKER_PRELOAD = ("distributed", "bpcourse.tools.job")


def warm_worker_start() -> bool:
    """Start local workers from a forkserver that imports the grading code once, started now so
    that its imports overlap the coordinator's preparation of the jobs; each worker is then a
    fork of it that imports nothing more (with "spawn", Dask's default, each worker imported
    nbgrader again before its first job). True if the forkserver is in use (Linux, macOS)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    import multiprocessing.forkserver as forkserver

    from distributed.utils import get_mp_context

    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        ctx = get_mp_context()  # Dask sets its own preload list once; ours replaces it
    ctx.set_forkserver_preload(list(WORKER_PRELOAD))  # no effect if the server already runs
    forkserver.ensure_running()
    return True


def _worker_env(method: str) -> dict[str, str] | None:
    """A forked worker has the forkserver's environment, from when the server started: give it
    this process's, as a spawned worker would inherit it (Dask's pre-spawn variables, e.g.
    OMP_NUM_THREADS=1, still win, as they do for a spawned worker)."""
    if method != "forkserver":
        return None
    pre_spawn = dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {}
    return {k: v for k, v in os.environ.items() if k not in pre_spawn}


# Dask's bookkeeping that grading has no use for, which every process of a local cluster (the
# scheduler in this process, each nanny, each worker) otherwise runs all the time on the cores
# the kernels need: the workers' statistical profiler (a stack sample every 10 ms), the system
# monitor (every 0.5 s) and the event loops' blocked-loop check (every 20 ms).
QUIET_CLUSTER = {"distributed.worker.profile.enabled": False,
                 "distributed.admin.system-monitor.interval": "5s",
                 "distributed.admin.tick.interval": "1s",
                 "distributed.admin.tick.limit": "10s"}


def start_client(workers: int | None, scheduler: str | None) -> tuple[Client, LocalCluster | None]:
    """A client of the cluster at `scheduler` (or DASK_SCHEDULER_ADDRESS), else of a new local
    cluster of `workers` single-threaded processes (one per core when 0 or None)."""
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address:
        return Client(address), None
    method = "forkserver" if warm_worker_start() else "spawn"
    # On a busy machine a worker's heartbeat can come late; the scheduler must not retire a
    # local worker for that (the nanny sees a worker that really dies, and restarts it).
    # A worker holds only the job it runs (saturation 1.0; Dask's default queues a second one
    # on it): when a submission kills its worker, the job queued behind it is not counted as a
    # suspect too, so only a job that kills its worker every time is reported NOT GRADED.
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                          "distributed.scheduler.worker-saturation": 1.0,
                          "distributed.scheduler.worker-ttl": None,
                          "distributed.comm.timeouts.connect": "120s",
                          "distributed.comm.timeouts.tcp": "120s",
                          "distributed.worker.daemon": False,
                          **QUIET_CLUSTER,
                          "distributed.worker.multiprocessing-method": method}):
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, memory_limit=0, dashboard_address=":0",
                               silence_logs=logging.ERROR, env=_worker_env(method))
    return Client(cluster), cluster


def autograde_parallel(course: Path, assignment: str, *, workers: int | None = None,
                       scheduler: str | None = None, students: list[str] | None = None,
                       cell_timeout: int | None = None, db_url: str | None = None,
                       force: bool = False, kernel: KernelLaunch | None = None,
                       progress: bool = True, client: Client | None = None,
                       per_job: int | None = 1) -> list[Outcome]:
    """Grade every (or the given) submission of `assignment` as Dask jobs; return the Outcomes,
    in student order, read back from the gradebook as :func:`collect` reads a sequential run.

    per_job: submissions graded by one job (one nbgrader call). 1, the default: every
    submission is its own job in its own temporary course. None: about BATCHES_PER_WORKER jobs
    per worker, at most MAX_PER_JOB submissions each (:func:`batch_size`), which shares a
    temporary course and one nbgrader call within a batch (each kernel still in its own
    sandbox) and saved about 5 % in B10. A batch whose worker dies every time is split into
    jobs of one submission each, so only the submission that kills its worker is NOT GRADED."""
    course = Path(course).resolve()
    db_url = db_url_of(course, db_url)
    students = students or submitted_students(course, assignment)
    done = {} if force else _read_digests(course, assignment)
    if client is None and not (scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")):
        warm_worker_start()  # the workers' imports run while the jobs are made
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
            size = per_job or batch_size(len(todo), _worker_count(client, workers))
            failures = _run_jobs(client, todo, course, db_url, kernel, done, progress,
                                 local=cluster is not None, per_job=size)
        finally:
            if own:
                client.close()
                if cluster is not None:
                    cluster.close()
    _write_digests(course, assignment, done)
    return collect(course, assignment, db_url, students=students, failures=failures)


def batch_size(submissions: int, workers: int) -> int:
    """Submissions per job: about BATCHES_PER_WORKER jobs per worker, at most MAX_PER_JOB."""
    if submissions < 1:
        return 1
    return max(1, min(MAX_PER_JOB,
                      math.ceil(submissions / (max(1, workers) * BATCHES_PER_WORKER))))


def _worker_count(client: Client, asked: int | None) -> int:
    """The workers the jobs will share: those asked for, else those the cluster has now."""
    if asked:
        return asked
    return len(client.scheduler_info(n_workers=-1)["workers"]) or os.cpu_count() or 1


def _finished(futures: dict, client: Client, local: bool):
    """(future, future) as each job ends; (future, None) for every job left when a local
    cluster has had no worker for NO_WORKER_SECONDS. `futures` may grow meanwhile (a batch
    split after its worker died): the caller removes each future it has handled."""
    idle = 0.0
    while futures:
        try:
            done, _ = wait(list(futures), timeout=5, return_when="FIRST_COMPLETED")
        except TimeoutError:  # nothing finished in these 5 s
            done = set()
        for future in done:
            yield future, future
        if done or not local or client.scheduler_info(n_workers=-1)["workers"]:
            idle = 0.0
            continue
        idle += 5
        if idle >= NO_WORKER_SECONDS:
            for future in list(futures):
                yield future, None
            return


def _submit(client: Client, batch: list[SubmissionJob], kernel: KernelLaunch | None):
    first = batch[0]
    key = f"grade-{first.assignment}-{first.student}-{first.digest[:12]}"
    if len(batch) > 1:
        key += f"-and-{len(batch) - 1}"
    return client.submit(grade_batch_job, batch, kernel, pure=False, key=key)


def _run_jobs(client: Client, jobs: list[SubmissionJob], course: Path, db_url: str,
              kernel: KernelLaunch | None, done: dict[str, str], progress: bool,
              local: bool = False, per_job: int = 1) -> dict[str, str]:
    """Submit the jobs in batches of `per_job`, write each result as it arrives; return
    student -> why NOT GRADED. A batch of several submissions whose worker died every time is
    submitted again as one job per submission."""
    futures = {_submit(client, jobs[i:i + per_job], kernel): jobs[i:i + per_job]
               for i in range(0, len(jobs), per_job)}
    failures: dict[str, str] = {}
    bar = tqdm(total=len(jobs), unit="submission", disable=not progress, dynamic_ncols=True,
               desc=f"autograde {jobs[0].assignment}")
    with open_gradebook(db_url) as gb:
        for future, finished in _finished(futures, client, local):
            batch = futures.pop(future)
            try:
                if finished is None:
                    raise TimeoutError
                results: list[JobResult] = future.result()
            except (KilledWorker, FutureCancelledError) as err:
                if len(batch) > 1 and isinstance(err, KilledWorker):
                    for job in batch:  # find which submission kills its worker
                        futures[_submit(client, [job], kernel)] = [job]
                    continue
                results = [JobResult(job.assignment, job.student, job.digest, graded=False,
                                     reason=KILLED_WORKER.format(times=ALLOWED_FAILURES + 1,
                                                                 error=type(err).__name__))
                           for job in batch]
            except TimeoutError:
                results = [JobResult(job.assignment, job.student, job.digest, graded=False,
                                     reason=NO_WORKER_LEFT.format(seconds=NO_WORKER_SECONDS))
                           for job in batch]
            for job, result in zip(batch, results, strict=True):
                _save(gb, course, result)
                if result.graded:
                    done[job.student] = job.digest
                else:
                    done.pop(job.student, None)
                    failures[job.student] = result.reason or "not graded"
                bar.set_postfix_str(f"{job.student}: "
                                    + ("graded" if result.graded else "NOT GRADED"),
                                    refresh=False)
                bar.update()
    bar.close()
    return failures


def _save(gb, course: Path, result: JobResult) -> None:
    """Write one job's result: the gradebook entries, then autograded/<student>/<assignment>/
    (replaced, as nbgrader autograde --force replaces it). A submission not graded keeps its
    earlier autograded/ folder and scores, as the sequential path keeps them
    (:func:`bpcourse.tools.safely.kept_unless_replaced`)."""
    write_grades(gb, result.assignment, result.student,
                 result.grades if result.graded else None)
    if result.graded:
        target = course / "autograded" / result.student / result.assignment
        remove_tree(target)
        write_files(target, result.autograded)


def kept_earlier(course: Path, assignment: str, outcomes: list[Outcome],
                 had_output: set[str]) -> list[str]:
    """The students not graded this time whose earlier autograded/ folder was kept."""
    return [o.student for o in outcomes if not o.graded and o.student in had_output
            and (Path(course) / "autograded" / o.student / assignment).is_dir()]


__all__ = ["autograde_parallel", "batch_size", "kept_earlier", "start_client", "make_jobs",
           "graded_digests_path", "submission_digest"]
