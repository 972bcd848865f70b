"""Grading as fast as the notebooks run: nbgrader's autograde inside the grading process
(bpcourse.tools.nbgrader_run.autograde_here) reports as the ``nbgrader autograde`` program did
and leaves the process as it found it; the import it avoids (jsonschema's IRI grammar) is one
that nothing here needs; the self-study grade adopts the kernel it started first."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import nb01  # noqa: E402
from corpus.build import Submission, add_cell, prepare_course, write_submissions  # noqa: E402

from bpcourse.tools import early_kernel  # noqa: E402
from bpcourse.tools.autograde import grade_notebook  # noqa: E402
from bpcourse.tools.collect import collect  # noqa: E402
from bpcourse.tools.nbgrader_run import autograde_here, reasons_from_log  # noqa: E402
from bpcourse.tools.notebook import load_notebook  # noqa: E402

A = nb01.A

CHECK_IMPORTS = """
import sys
import bpcourse.tools.autograde  # first, as `python -m bpcourse grade` and a Dask job do
import bpcourse.tools.job
import nbformat
assert sys.modules.get("rfc3987_syntax") is None, "the IRI grammar was imported"
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
nbformat.validate(nb)
nb.cells[0]["cell_type"] = "not a cell type"
try:
    nbformat.validate(nb)
except nbformat.ValidationError:
    print("invalid notebook refused")
"""


def test_the_tools_skip_the_iri_grammar_and_notebooks_are_still_validated():
    proc = subprocess.run([sys.executable, "-c", CHECK_IMPORTS], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "invalid notebook refused"


@pytest.mark.slow
def test_autograde_in_process_reports_as_the_program_and_restores_the_process(
        tmp_path, monkeypatch, capfd):
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.delenv("BPCOURSE_DB_URL", raising=False)
    course = prepare_course(tmp_path / "course", [A])
    write_submissions(course, [
        Submission("ann", A),
        Submission("dies", A, edits=(add_cell("import os\nos._exit(1)\n"),)),
    ])
    environ, cwd = dict(os.environ), os.getcwd()
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    proc = autograde_here(course, A, db_url=db_url, cell_timeout=30,
                          env=dict(os.environ, BPCOURSE_PROBE="set for the kernels"))
    assert dict(os.environ) == environ and os.getcwd() == cwd
    assert proc.returncode == 1  # as the program: a submission it could not grade
    assert "[AutogradeApp | INFO]" in proc.stderr
    reasons = reasons_from_log(proc.stderr)
    assert proc.failures == reasons  # the records and the program's text say the same
    assert list(reasons) == ["dies"] and "kernel died" in reasons["dies"], proc.stderr[-3000:]
    outcomes = {o.student: o for o in collect(course, A, db_url, proc.stderr)}
    assert outcomes["ann"].graded and outcomes["ann"].score == outcomes["ann"].max_score > 0
    assert not outcomes["dies"].graded
    assert capfd.readouterr() == ("", "")  # the kernels' and SQLAlchemy's noise stays in proc


PROBE = """import json, os
with open({path!r}, "w") as f:
    json.dump({{"pid": os.getpid(), "cwd": os.getcwd(),
               "execution": os.environ.get("NBGRADER_EXECUTION")}}, f)
"""


@pytest.mark.slow
def test_self_study_grade_adopts_the_kernel_started_first_as_if_nbgrader_started_it(
        tmp_path, monkeypatch):
    """`bpcourse grade` starts its kernel before importing nbgrader; grading adopts that very
    process, working in the folder nbgrader runs the notebook in, with NBGRADER_EXECUTION set,
    and the learner's first cell is still execution 1 (the folder change is silent)."""
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setenv("BPCOURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("BPCOURSE_DB_URL", raising=False)
    course = prepare_course(tmp_path / "course", [A])
    probe = tmp_path / "probe.json"
    probing = add_cell(PROBE.format(path=str(probe)))
    write_submissions(course, [Submission("ann", A, edits=(probing,))])
    learner = tmp_path / "learner" / f"{A}.ipynb"
    learner.parent.mkdir()
    shutil.copy(course / "submitted" / "ann" / A / f"{A}.ipynb", learner)

    early = early_kernel.start()
    out = grade_notebook(learner, keep=tmp_path / "graded")
    assert out.graded and out.score == out.max_score > 0, out.reason
    seen = json.loads(probe.read_text())
    assert seen["pid"] == early.process.pid
    graded = tmp_path / "graded" / "course" / "autograded" / "self" / A
    assert Path(seen["cwd"]) == graded.resolve()
    assert seen["execution"] == "autograde"
    first = next(c for c in load_notebook(graded / f"{A}.ipynb")["cells"]
                 if c["cell_type"] == "code")
    assert first["execution_count"] == 1
    assert early.process.poll() is not None and not early.folder.exists()  # stopped, removed


def test_an_early_kernel_nobody_adopts_is_stopped():
    early = early_kernel.start()
    early_kernel.discard()
    assert early.process.poll() is not None and not early.folder.exists()
    assert early_kernel.take() is None
