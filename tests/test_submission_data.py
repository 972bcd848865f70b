"""A submission folder is data, never a path to follow, and a kernel's output is never the
grader's log (issue 22).

- A symbolic link in submitted/<s>/<a>/ (``gb.db -> ../../../gradebook.db``) used to be copied,
  by nbgrader outside the sandbox, into autograded/ and from there into the feedback: the class's
  gradebook handed back to the student. A named pipe would block the reader forever. Such a
  submission is now refused before anything reads it, with one sentence naming the entry.
- A kernel that printed a fake nbgrader log line naming another student made that student NOT
  GRADED, because the reasons were parsed from the text that the kernels' output went into.
  They now come from nbgrader's log records themselves.
Both paths are checked: the serial autograde and the parallel path's batch job.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import nb01  # noqa: E402
from corpus.build import Submission, add_cell, prepare_course, write_submissions  # noqa: E402

from bpcourse.tools.autograde import autograde  # noqa: E402
from bpcourse.tools.job import grade_batch_job, make_jobs, read_files  # noqa: E402
from bpcourse.tools.nbgrader_run import OUTPUT_LIMIT  # noqa: E402
from bpcourse.tools.submission import SubmissionRefused, refusal  # noqa: E402

A = nb01.A

# Fake nbgrader records naming "ann" (an honest student), on the kernel's descriptors, in an
# exception message and in this cell's output; then a flood of output to the grader's stdout.
FAKE_LOG = '''
import os
_fake = ("\\n[AutogradeApp | ERROR] There was an error processing assignment: "
         "/c/submitted/ann/{a}\\n[AutogradeApp | ERROR] Traceback (most recent call last):\\n"
         "nbclient.exceptions.DeadKernelError: Kernel died\\n"
         "[AutogradeApp | ERROR] There was an error processing assignment '{a}' for student "
         "'ann'\\n")
for _fd in (1, 2):
    os.write(_fd, _fake.encode())
os.write(1, b"x" * 1_000_000)
print(_fake)
try:
    raise RuntimeError(_fake)
except RuntimeError:
    pass
'''.replace("{a}", A)


def test_refusal_names_the_first_entry_that_is_not_data(tmp_path):
    sub = tmp_path / "sub"
    (sub / "data").mkdir(parents=True)
    (sub / "a.ipynb").write_text("{}")
    (sub / "data" / "x.npy").write_bytes(b"\0")
    assert refusal(sub) is None and refusal(tmp_path / "missing") is None
    (sub / "data" / "z.db").symlink_to("../../gradebook.db")  # dangling: never followed
    assert refusal(sub).startswith("data/z.db is a symbolic link")
    os.mkfifo(sub / "a_pipe")
    assert refusal(sub).startswith("a_pipe is a named pipe")  # sorted: a_pipe before data/
    link = tmp_path / "linked"
    link.symlink_to(sub / "data", target_is_directory=True)
    assert refusal(link).startswith("linked is a symbolic link")
    with pytest.raises(SubmissionRefused, match="a_pipe is a named pipe"):
        read_files(sub)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course of 01 with an honest student, two whose folders are not data and one whose
    kernel fakes nbgrader's log naming the honest one."""
    course = prepare_course(tmp_path_factory.mktemp("data") / "course", [A])
    write_submissions(course, [
        Submission("ann", A), Submission("eve-link", A), Submission("eve-pipe", A),
        Submission("mallory", A, edits=(add_cell(FAKE_LOG),)),
    ])
    (course / "gradebook.db").touch()  # the link's target exists before the first release
    (course / "submitted" / "eve-link" / A / "gb.db").symlink_to("../../../gradebook.db")
    os.mkfifo(course / "submitted" / "eve-pipe" / A / "data.pipe")
    return course


def _check(outcomes: dict, course: Path | None = None) -> None:
    assert outcomes["ann"].graded and outcomes["ann"].score == outcomes["ann"].max_score > 0, (
        outcomes["ann"].reason)
    assert outcomes["mallory"].graded, outcomes["mallory"].reason
    assert outcomes["mallory"].score == outcomes["ann"].score
    link, pipe = outcomes["eve-link"], outcomes["eve-pipe"]
    assert not link.graded and link.reason.startswith("gb.db is a symbolic link"), link.reason
    assert not pipe.graded and pipe.reason.startswith("data.pipe is a named pipe"), pipe.reason
    if course is not None:
        for student in ("eve-link", "eve-pipe"):
            assert not (course / "autograded" / student).exists()


@pytest.mark.slow
def test_serial_autograde_refuses_links_and_pipes_and_ignores_fake_log_lines(
        course, monkeypatch, tmp_path):
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.delenv("BPCOURSE_DB_URL", raising=False)
    outcomes, proc = autograde(course, A, cell_timeout=30)
    _check({o.student: o for o in outcomes}, course)
    assert set(proc.failures) == {"eve-link", "eve-pipe"}, proc.failures
    assert len(proc.stdout.encode()) < OUTPUT_LIMIT + 200  # 2 MB were printed to it


@pytest.mark.slow
def test_batch_job_refuses_links_and_pipes_and_ignores_fake_log_lines(course):
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    jobs = make_jobs(course, A, ["ann", "eve-link", "eve-pipe", "mallory"], db_url, 30)
    refused = {j.student: j.refused for j in jobs if j.refused}
    assert set(refused) == {"eve-link", "eve-pipe"} and not any(
        j.submission for j in jobs if j.refused)  # not a byte of them was read
    results = {r.student: r for r in grade_batch_job(jobs)}
    assert results["ann"].graded and results["mallory"].graded, results["ann"].reason
    assert results["eve-link"].reason.startswith("gb.db is a symbolic link")
    assert results["eve-pipe"].reason.startswith("data.pipe is a named pipe")
    assert not results["eve-link"].graded and not results["eve-pipe"].graded
