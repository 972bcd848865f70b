"""A submission folder is data, never a path to follow, and a kernel's output is never the
grader's log (issue 22).

- A symbolic link in submitted/<s>/<a>/ (``gb.db -> ../../../gradebook.db``) used to be copied,
  by nbgrader outside the sandbox, into autograded/ and from there into the feedback: the class's
  gradebook handed back to the student. A named pipe would block the reader forever. Such a
  submission is now refused before anything reads it, with one sentence naming the entry.
- A kernel that printed a fake nbgrader log line naming another student made that student NOT
  GRADED, because the reasons were parsed from the text that the kernels' output went into.
  They now come from nbgrader's log records themselves.
- Student HTML and scripts in outputs and markdown cells reached the formgrader and the
  feedback as they were. The autograded notebook (which both read) is now sanitised, except for
  the course's own cells.
Both paths are checked: the serial autograde and the parallel path's batch job.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import nb01  # noqa: E402
from corpus.build import (  # noqa: E402
    Submission,
    add_cell,
    fresh_jupyter_env,
    prepare_course,
    write_submissions,
)

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
from IPython.display import HTML, Javascript, display
display(HTML("<b>bold</b><script>alert('html')</script><img src=x onerror=alert(1)>"))
display(Javascript("alert('js')"))
'''.replace("{a}", A)
SCRIPT_MARKDOWN = "Look: <script>alert('md')</script><img src=x onerror=alert(2)>"


def _add_markdown(nb):
    nb["cells"].insert(1, {"cell_type": "markdown", "metadata": {}, "source": SCRIPT_MARKDOWN})


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
        Submission("mallory", A, edits=(add_cell(FAKE_LOG), _add_markdown)),
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
    for var, value in fresh_jupyter_env(tmp_path).items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("BPCOURSE_DB_URL", raising=False)
    outcomes, proc = autograde(course, A, cell_timeout=30)
    _check({o.student: o for o in outcomes}, course)
    assert set(proc.failures) == {"eve-link", "eve-pipe"}, proc.failures
    assert len(proc.stdout.encode()) < OUTPUT_LIMIT + 200  # 2 MB were printed to it
    graded = json.loads((course / "autograded" / "mallory" / A / f"{A}.ipynb").read_text())
    _check_sanitised(graded, json.loads((course / "solutions" / A / f"{A}.ipynb").read_text()))


def _check_sanitised(graded: dict, source: dict) -> None:
    """No script, event handler or JavaScript output is left of what the submission wrote; the
    course's own markdown cells are untouched; the harmless HTML is kept."""
    text = json.dumps([c.get("outputs", []) for c in graded["cells"]])
    markdown = ["".join(c["source"]) for c in graded["cells"] if c["cell_type"] == "markdown"]
    written = json.dumps(markdown)
    for bad in ("<script", "<img", "application/javascript"):  # escaped or gone
        assert bad not in text and bad not in written, bad
    assert "<b>bold</b>" in text and "&lt;script&gt;" in written
    own = {"".join(c["source"]) for c in source["cells"] if c["cell_type"] == "markdown"}
    assert sum(m in own for m in markdown) >= len(own) - 2  # all but the written answers


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
    _check_sanitised(json.loads(results["mallory"].autograded[f"{A}.ipynb"][0]),
                     json.loads((course / "solutions" / A / f"{A}.ipynb").read_text()))


def test_the_course_s_own_cells_keep_their_html_and_a_changed_one_is_sanitised():
    """04's prose has <details> hints that plain sanitising would escape (8 of its cells)."""
    import nbformat

    from bpcourse.tools.sanitize import SanitizeStudentHTML

    root = Path(__file__).resolve().parent.parent / "solutions"
    nb = nbformat.read(root / "04_layers" / "04_layers.ipynb", as_version=4)
    before = [c.source for c in nb.cells if c.cell_type == "markdown"]
    nb.cells[0].source += "<script>alert(1)</script>"
    resources = {"nbgrader": {"assignment": "04_layers", "notebook": "04_layers"}}
    out, _ = SanitizeStudentHTML(source_directory=str(root)).preprocess(nb, resources)
    after = [c.source for c in out.cells if c.cell_type == "markdown"]
    assert after[1:] == before[1:] and sum("<details>" in a for a in after) >= 3
    assert "<script>" not in after[0] and "&lt;script&gt;" in after[0]


def test_a_submission_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "big.npy").write_bytes(b"\0" * (3 * 2**20))
    assert refusal(sub) is None  # 3 MB < 50 MB
    monkeypatch.setenv("BPCOURSE_MAX_SUBMISSION_MB", "2")
    assert refusal(sub) == ("the submission holds 3 MB, more than the 2 MB a submission may hold"
                            " (BPCOURSE_MAX_SUBMISSION_MB)")
    monkeypatch.setenv("BPCOURSE_MAX_SUBMISSION_MB", "lots")
    with pytest.raises(ValueError, match="BPCOURSE_MAX_SUBMISSION_MB='lots': give a number"):
        refusal(sub)


def test_the_tamper_scan_of_a_huge_cell_is_bounded_and_flags_it():
    import time

    from bpcourse.tools.tamper import MAX_CELL_BYTES, find_tampering

    huge = "x = 1\n" * (2 * 2**20 // 6)  # 2 MB: IPython's transforms took 63 s and 1.4 GB
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": huge},
                    {"cell_type": "code", "metadata": {}, "source": "import numpy as np\n"
                     "np.allclose = lambda *a, **k: True"}]}
    start = time.process_time()
    found = find_tampering(nb)
    assert time.process_time() - start < 5
    assert len(huge) > MAX_CELL_BYTES
    assert found == ["cell 0, line 1: (2047 KiB in one cell: too long to scan, look at it)",
                     "cell 1, line 2: np.allclose = lambda *a, **k: True"]
