"""`bpcourse autograde --workers N` on Dask distributed: the same gradebook, autograded notebooks,
feedback and export as the sequential run, cell by cell; a worker killed mid-grade is retried; a
submission that kills its worker every time is NOT GRADED with the reason; a rerun skips what is
already graded from the same content.

The corpus is tests/corpus/'s 01_numerical_gradients submissions, repeated under new names up to
BPCOURSE_PARALLEL_SUBMISSIONS (default 20) students.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the [scale] extra (Dask) is not installed")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import nb01  # noqa: E402
from corpus.build import (  # noqa: E402
    Submission,
    add_cell,
    fresh_jupyter_env,
    prepare_course,
    visible_text,
    write_submissions,
)

from bpcourse.tools.autograde import autograde, cli  # noqa: E402
from bpcourse.tools.collect import collect  # noqa: E402
from bpcourse.tools.nbgrader_run import run_nbgrader  # noqa: E402
from bpcourse.tools.notebook import load_notebook  # noqa: E402
from bpcourse.tools.parallel import (  # noqa: E402
    MAX_PER_JOB,
    autograde_parallel,
    batch_size,
    graded_digests_path,
)

pytestmark = pytest.mark.slow
A = nb01.A
CELL_TIMEOUT = 30
COUNT = int(os.environ.get("BPCOURSE_PARALLEL_SUBMISSIONS", "20"))


def corpus(count: int) -> list[Submission]:
    base = nb01.submissions()
    subs = []
    for k in range(count):
        s = base[k % len(base)]
        name = s.student if k < len(base) else f"{s.student}-copy{k // len(base)}"
        subs.append(Submission(name, s.assignment, s.base, s.answers, s.edits, s.expected,
                               s.hints, s.graded, s.tampering, s.note))
    return subs


@pytest.fixture(scope="module")
def jupyter_env(tmp_path_factory):
    env = fresh_jupyter_env(tmp_path_factory.mktemp("jupyter"))
    saved = {k: os.environ.get(k) for k in [*env, "BPCOURSE_DB_URL"]}
    os.environ.update(env)
    os.environ.pop("BPCOURSE_DB_URL", None)
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def graded(tmp_path_factory, jupyter_env):
    """The same course and submissions graded twice: sequentially (one nbgrader autograde) and
    with --workers 2; then feedback and export in both."""
    tmp = tmp_path_factory.mktemp("parallel")
    prepared = prepare_course(tmp / "prepared", [A])
    write_submissions(prepared, corpus(COUNT))
    courses = {}
    for mode in ("sequential", "parallel"):
        courses[mode] = shutil.copytree(prepared, tmp / mode, symlinks=True)
    seq, _ = autograde(courses["sequential"], A, cell_timeout=CELL_TIMEOUT)
    par = autograde_parallel(courses["parallel"], A, workers=2, cell_timeout=CELL_TIMEOUT,
                             progress=False)
    for course in courses.values():
        for args in (["generate_feedback", A], ["export", "--to", "grades.csv"]):
            proc = run_nbgrader(args, course)
            assert proc.returncode == 0, proc.stderr[-3000:]
    return courses, seq, par


def _gradebook(course: Path) -> dict:
    """Everything autograde writes to the gradebook, by names (ids differ between courses)."""
    from nbgrader.api import Gradebook

    rows = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.find_assignment(A).submissions:
            key = sub.student.id
            rows[key] = {"timestamp": sub.timestamp, "extension": sub.extension}
            for nb in sub.notebooks:
                rows[key][nb.notebook.name] = {
                    "late_penalty": nb.late_submission_penalty, "flagged": nb.flagged,
                    "grades": {g.name: (g.auto_score, g.manual_score, g.extra_credit,
                                        g.needs_manual_grade) for g in nb.grades},
                    "comments": {c.name: (c.auto_comment, c.manual_comment)
                                 for c in nb.comments}}
    return rows


def test_parallel_gives_the_sequential_outcomes(graded):
    _, seq, par = graded
    assert len(par) == COUNT >= 8
    assert [o.as_dict() for o in par] == [o.as_dict() for o in seq]
    assert all(o.graded for o in par)


def test_parallel_gives_the_sequential_gradebook(graded):
    courses, _, _ = graded
    assert _gradebook(courses["parallel"]) == _gradebook(courses["sequential"])


def _cells(path: Path) -> list[dict]:
    """The cells, without what differs between any two runs of the same notebook: when each
    cell was executed, how a cell's printed text was cut into stream messages, and the pixels
    of a figure (01 plots times it measures; the figure itself must be there in both)."""
    cells = load_notebook(path)["cells"]
    for cell in cells:
        cell.get("metadata", {}).pop("execution", None)
        merged = []
        for out in cell.get("outputs", []):
            if (merged and out.get("output_type") == "stream"
                    and merged[-1].get("output_type") == "stream"
                    and merged[-1]["name"] == out["name"]):
                merged[-1] = {**merged[-1], "text": "".join(merged[-1]["text"])
                              + "".join(out["text"])}
            else:
                merged.append(out)
        for out in merged:
            if "text" in out:
                out["text"] = "".join(out["text"])
            if "image/png" in out.get("data", {}):
                out["data"]["image/png"] = "(a PNG figure)"
        if "outputs" in cell:
            cell["outputs"] = merged
    return cells


def test_parallel_gives_the_sequential_autograded_notebooks_cell_by_cell(graded):
    courses, _, _ = graded
    seq_root, par_root = (courses[m] / "autograded" for m in ("sequential", "parallel"))
    files = sorted(p.relative_to(seq_root) for p in seq_root.rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(par_root) for p in par_root.rglob("*")
                                     if p.is_file())
    for rel in files:
        assert (seq_root / rel).stat().st_mode == (par_root / rel).stat().st_mode, rel
        if rel.suffix != ".ipynb":
            assert (seq_root / rel).read_bytes() == (par_root / rel).read_bytes(), rel
            continue
        seq_cells, par_cells = _cells(seq_root / rel), _cells(par_root / rel)
        assert len(seq_cells) == len(par_cells), rel
        for i, (s, p) in enumerate(zip(seq_cells, par_cells, strict=True)):
            assert s == p, f"{rel}, cell {i} differs"


def test_parallel_gives_the_sequential_feedback_and_export(graded):
    courses, _, _ = graded
    pages = {m: {p.relative_to(courses[m] / "feedback"): " ".join(visible_text(
                     p.read_text()).split())
                 for p in (courses[m] / "feedback").rglob("*.html")} for m in courses}
    assert pages["parallel"].keys() == pages["sequential"].keys() and pages["parallel"]
    for rel, text in pages["sequential"].items():
        assert pages["parallel"][rel] == text, rel
    exports = {}
    for mode, course in courses.items():
        with open(course / "grades.csv", newline="") as f:
            exports[mode] = sorted(csv.DictReader(f), key=lambda r: r["student_id"])
    assert exports["parallel"] == exports["sequential"]


def test_rerun_skips_what_is_graded_unless_forced(graded):
    courses, _, par = graded
    course = courses["parallel"]
    digests = json.loads(graded_digests_path(course, A).read_text())
    assert len(digests) == COUNT
    graded_nb = course / "autograded" / par[0].student / A / f"{A}.ipynb"
    before = graded_nb.stat().st_mtime_ns
    again = autograde_parallel(course, A, workers=1, progress=False)
    assert graded_nb.stat().st_mtime_ns == before  # nothing regraded: no cluster started
    assert [o.as_dict() for o in again] == [o.as_dict() for o in par]
    forced = autograde_parallel(course, A, workers=1, students=[par[0].student], force=True,
                                cell_timeout=CELL_TIMEOUT, progress=False)
    assert graded_nb.stat().st_mtime_ns != before
    assert forced[0].as_dict() == par[0].as_dict()


def test_report_of_the_class_names_the_mistakes(graded, tmp_path, capsys):
    from bpcourse.tools.report import cli

    courses, _, par = graded
    assert cli("report", [A, "--course", str(courses["parallel"]), "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert f"{COUNT} of {COUNT} submission(s) graded" in text
    assert "forward difference" in text.lower()  # a named mistake of the nb01 corpus
    assert (tmp_path / f"{A}-report.csv").exists() and (tmp_path / f"{A}-report.png").exists()


# ---------------------------------------------------------------------------------------------
# Workers that die

# The kernel's parent is the Dask worker process: it runs nbgrader's autograde itself.
KILL_WORKER = "os.kill(os.getppid(), signal.SIGKILL)\n"


def killer(student: str, marker: Path | None) -> Submission:
    """A submission whose first cell SIGKILLs the worker grading it: every time, or (marker)
    only the first time."""
    code = "import os, signal\n"
    if marker is None:
        code += KILL_WORKER
    else:
        code += (f"if not os.path.exists({str(marker)!r}):\n    open({str(marker)!r}, 'w')"
                 ".close()\n    " + KILL_WORKER)
    return Submission(student, A, edits=(add_cell(code),))


@pytest.mark.parametrize("per_job", [1, 4], ids=["one-per-job", "all-in-one-batch"])
def test_a_killed_worker_is_retried_and_a_killer_is_not_graded(tmp_path, jupyter_env, per_job):
    """One submission per job, and all four in one batch: the batch dies every time (dies-once,
    then kills-always), is split into one job per submission, and only kills-always is lost."""
    course = prepare_course(tmp_path / "course", [A])
    marker = tmp_path / "killed-once"
    subs = [Submission("ann", A), killer("dies-once", marker), killer("kills-always", None),
            Submission("zed", A, base="release")]
    write_submissions(course, subs)
    outcomes = {o.student: o for o in autograde_parallel(
        course, A, workers=2, cell_timeout=CELL_TIMEOUT, progress=False, per_job=per_job)}
    assert marker.exists()  # the first attempt of dies-once did kill its worker
    assert outcomes["dies-once"].graded, outcomes["dies-once"].reason
    assert outcomes["dies-once"].score == outcomes["dies-once"].max_score > 0
    assert not outcomes["kills-always"].graded
    assert "killed the worker" in outcomes["kills-always"].reason
    assert outcomes["ann"].graded and outcomes["ann"].score == outcomes["ann"].max_score
    assert outcomes["zed"].graded and outcomes["zed"].score == 0
    assert not (course / "autograded" / "kills-always").exists() or not any(
        (course / "autograded" / "kills-always").rglob("*.ipynb"))


def test_batches_give_each_worker_about_two_jobs_of_at_most_max_per_job():
    assert [batch_size(n, 2) for n in (1, 4, 8, 9, 20, 100)] == [1, 1, 2, 3, 5, MAX_PER_JOB]
    assert batch_size(20, 1) == 8 and batch_size(20, 0) == 8  # no worker known yet: as one
    assert batch_size(0, 2) == 1


def test_a_regrade_that_fails_keeps_the_earlier_autograded_folder_and_points(
        tmp_path, jupyter_env, capsys):
    """As the sequential path does: ann's resubmission kills its kernel, so it is NOT GRADED;
    her earlier autograded/ notebook and her points stay, and the summary says so."""
    course = prepare_course(tmp_path / "course", [A])
    write_submissions(course, [Submission("ann", A)])
    first, = autograde_parallel(course, A, workers=1, cell_timeout=CELL_TIMEOUT, progress=False)
    assert first.graded and first.score == first.max_score > 0, first.reason
    folder = course / "autograded" / "ann" / A

    def files():
        return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    before = files()
    assert f"{A}.ipynb" in {p.name for p in before}
    write_submissions(course, [Submission("ann", A, edits=(add_cell("import os\nos._exit(1)\n"),))])
    code = cli("autograde", [A, "--course", str(course), "--workers", "1", "--no-sandbox",
                             "--timeout", str(CELL_TIMEOUT)])
    summary = capsys.readouterr().out
    assert code == 3, summary
    assert "NOT GRADED: the kernel died" in summary, summary
    assert "(earlier autograded/ kept)" in summary, summary
    assert files() == before
    kept, = collect(course, A, f"sqlite:///{course / 'gradebook.db'}")
    assert kept.graded and kept.score == first.score


def test_a_job_starts_its_kernel_the_way_it_is_told(tmp_path, jupyter_env):
    """The seam for a sandboxed kernel: grade_submission_job(job, KernelLaunch(argv, env))
    starts the notebook's kernel with that command line, and returns the grades without the
    real gradebook ever being opened by the job."""
    from bpcourse.tools.job import KernelLaunch, grade_submission_job, make_jobs

    course = prepare_course(tmp_path / "course", [A])
    write_submissions(course, [Submission("ann", A)])
    marker = tmp_path / "launched"
    wrapper = tmp_path / "kernel-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho "$KERNEL_TAG" > {marker}\nexec "$@"\n')
    wrapper.chmod(0o755)
    launch = KernelLaunch((str(wrapper), sys.executable, "-m", "ipykernel_launcher", "-f",
                           "{connection_file}"), (("KERNEL_TAG", "sandboxed"),))
    job, = make_jobs(course, A, ["ann"], f"sqlite:///{course / 'gradebook.db'}", CELL_TIMEOUT)
    (course / "gradebook.db").rename(course / "gradebook.db.away")  # the job must not need it
    result = grade_submission_job(job, launch)
    assert marker.read_text().strip() == "sandboxed"
    assert result.graded, result.reason or result.log[-2000:]
    assert f"{A}.ipynb" in result.autograded
    scores = result.grades.auto_scores[A]
    assert scores and all(s is not None for s in scores.values())


def test_the_local_clusters_workers_run_without_dasks_own_bookkeeping():
    import dask

    from bpcourse.tools.parallel import QUIET_CLUSTER, start_client

    client, cluster = start_client(2, None)
    try:  # the workers are forked from the forkserver: the settings must reach them anyway
        seen = client.run(lambda: {k: dask.config.get(k) for k in QUIET_CLUSTER})
        assert len(seen) == 2 and all(v == QUIET_CLUSTER for v in seen.values()), seen
    finally:
        client.close()
        cluster.close()
