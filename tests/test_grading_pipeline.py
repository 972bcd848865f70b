"""The grading pipeline: nbgrader_config.py, `bpcourse grade`, `bpcourse autograde`, and the
instructor workflow of the README run end to end on a temporary copy of the repository.

A tiny assignment (00_tiny, built here) stands in where the behaviour of nbgrader itself is
measured, so these tests do not depend on the course's notebooks; the course's notebooks are
graded in tests/test_corpus.py.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus.build import (  # noqa: E402
    Submission,
    add_cell,
    fresh_jupyter_env,
    grade_corpus,
    hidden_test_lines,
    problems,
    visible_text,
)

from bpcourse.tools.autograde import (  # noqa: E402
    assignment_of,
    cli,
    grade_notebook,
    make_course,
    prepared_course,
)
from bpcourse.tools.course import assignments, nbgrader_env  # noqa: E402
from bpcourse.tools.feedback import FeedbackTracebacks  # noqa: E402
from bpcourse.tools.nbgrader_run import reasons_from_log, run_nbgrader  # noqa: E402
from bpcourse.tools.notebook import cell_source, exercise_of_tests, hidden_lines, load_notebook  # noqa: E402
from bpcourse.tools.outcome import (  # noqa: E402
    NOT_GRADED,
    Outcome,
    TestResult,
    exit_code,
    format_outcome,
    format_summary,
)
from bpcourse.tools.tamper import find_tampering  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TINY = "00_tiny"


# ---------------------------------------------------------------------------------------------
# A tiny assignment with the structure of the course's notebooks


def _cell(kind, source, grade_id=None, points=None, solution=False):
    cell = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    if grade_id:
        meta = {"grade": points is not None, "grade_id": grade_id, "locked": points is not None,
                "schema_version": 3, "solution": solution, "task": False}
        if points is not None:
            meta["points"] = points
        cell["metadata"]["nbgrader"] = meta
    return cell


HIDDEN_SECRET = 'assert square(-5) == 25, "square of a negative number: -5 gave a wrong result"'


def tiny_notebook() -> dict:
    cells = [
        _cell("markdown", "# A tiny assignment"),
        _cell("code", "import numpy as np\nimport bpcourse"),
        _cell("code", "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n"
                      "    ### END SOLUTION", "square", solution=True),
        _cell("code", 'assert square(3) == 9, "square(3) should be 9"', "test_square", 1),
        _cell("code", "assert square(2) == 4\n### BEGIN HIDDEN TESTS\n" + HIDDEN_SECRET
              + "\n### END HIDDEN TESTS", "test_square_hidden", 2),
        _cell("code", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                      "    ### END SOLUTION", "double", solution=True),
        _cell("code", 'assert double(3) == 6, "double(3) should be 6"', "test_double", 3),
    ]
    for i, cell in enumerate(cells):
        cell["id"] = f"tiny-{i}"
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3",
            "language": "python", "name": "python3"}, "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture(scope="module")
def jupyter_env(tmp_path_factory):
    """Keep Jupyter and IPython state out of $HOME for every nbgrader run of this module."""
    env = fresh_jupyter_env(tmp_path_factory.mktemp("jupyter"))
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory):
    """A minimal course source: the repository's nbgrader_config.py and solutions/00_tiny."""
    root = tmp_path_factory.mktemp("tiny-root")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    (root / "solutions" / TINY).mkdir(parents=True)
    (root / "solutions" / TINY / f"{TINY}.ipynb").write_text(json.dumps(tiny_notebook()))
    return root


# ---------------------------------------------------------------------------------------------
# Fast checks of the pieces (no kernel)


def test_exercises_group_test_cells_under_the_answer_above_them():
    assert exercise_of_tests(tiny_notebook()) == {
        "test_square": "square", "test_square_hidden": "square", "test_double": "double"}


def test_hidden_lines_are_the_lines_between_the_markers():
    assert hidden_lines(tiny_notebook()["cells"][4]["source"]) == [HIDDEN_SECRET]


@pytest.mark.parametrize("source, flagged", [
    ("np.allclose = lambda *a, **k: True", True),
    ("import numpy as xp\nxp.testing.assert_allclose = print", True),
    ("from numpy import testing as t\nt.assert_allclose = print", True),
    ("import builtins\nbuiltins.isinstance = lambda *a: True", True),
    ("__builtins__.abs = lambda x: 0", True),
    ("setattr(np, 'isclose', lambda *a, **k: True)", True),
    ("import bpcourse.grading as g\ng.expect = lambda *a, **k: 0.0", True),
    ("bpcourse.check.rel_error = lambda a, b: 0.0", True),
    ("import sys\nsys.modules['numpy'] = None", True),
    ("del np.allclose", True),
    ("x = np.zeros(3)\nx.shape = (3, 1)\nv.grad += 1.0\nlayer.W.data -= 0.1", False),
    ("%timeit np.zeros(3)\nresult = np.allclose(a, b)", False),
    ("def f(x):\n    return x\nf.cache = {}", False),
])
def test_tampering_is_found_in_the_learners_cells(source, flagged):
    nb = tiny_notebook()
    nb["cells"].insert(2, _cell("code", "import numpy as np\nimport bpcourse\n" + source))
    found = find_tampering(nb)
    assert bool(found) == flagged, found
    if flagged:
        assert found[0].startswith("cell 2, line ")


def test_tampering_in_locked_test_cells_is_not_the_learners():
    nb = tiny_notebook()
    nb["cells"][3]["source"] = "np.allclose = None"  # locked: overwritten by nbgrader anyway
    assert find_tampering(nb) == []


def test_not_graded_reasons_are_read_from_nbgrader_log():
    log = "\n".join([
        "[AutogradeApp | INFO] Autograding /c/autograded/ann/a/a.ipynb",
        "[AutogradeApp | ERROR] There was an error processing assignment: /c/submitted/ann/a",
        "[AutogradeApp | ERROR] Traceback (most recent call last):",
        "    nbclient.exceptions.DeadKernelError: Kernel died",
        "[AutogradeApp | WARNING] Removing failed assignment: /c/autograded/ann/a",
        "[AutogradeApp | ERROR] There was an error processing assignment: /c/submitted/bo/a",
        "    nbclient.exceptions.CellTimeoutError: A cell timed out while it was being executed",
        "    The message was: Timeout waiting for IOPub output.",
        "[AutogradeApp | INFO] Autograding /c/autograded/cy/a/a.ipynb",
        "[AutogradeApp | ERROR] There was an error processing assignment 'a' for student 'ann'",
        "[AutogradeApp | ERROR] There was an error processing assignment 'a' for student 'bo'",
    ])
    reasons = reasons_from_log(log, "submitted")
    assert set(reasons) == {"ann", "bo"}
    assert "kernel died" in reasons["ann"]
    assert "ignored the interrupt" in reasons["bo"]


def test_feedback_tracebacks_drop_frames_that_quote_hidden_tests():
    import nbformat

    nb = nbformat.from_dict(tiny_notebook())
    cell = nb.cells[4]
    visible_frame = "File lib.py:3, in square(x)\n----> 3 return x + x"
    cell.outputs = [nbformat.from_dict({
        "output_type": "error", "ename": "AssertionError", "evalue": "square of a negative",
        "traceback": ["\x1b[0;31mAssertionError\x1b[0m  Traceback",
                      "Cell In[4], line 3\n      1 assert square(2) == 4\n"
                      "----> 3 \x1b[38;5;28;01massert\x1b[39;00m" + HIDDEN_SECRET[6:],
                      visible_frame, "AssertionError: square of a negative"]})]
    FeedbackTracebacks()(nb, {})  # as nbconvert calls it (a disabled one does nothing)
    text = "\n".join(cell.outputs[0]["traceback"])
    assert HIDDEN_SECRET[6:] not in text
    assert visible_frame in text and "AssertionError: square of a negative" in text


def test_assignment_is_recognised_from_the_file_or_folder_name(tmp_path):
    for name in ("04_layers", "01_numerical_gradients"):
        (tmp_path / "solutions" / name).mkdir(parents=True)
        (tmp_path / "solutions" / name / f"{name}.ipynb").write_text("{}")
    for path in ["notebooks/04_layers/04_layers.ipynb", "work/04_layers/my copy.ipynb",
                 "04_layers-Copy1.ipynb"]:
        assert assignment_of(Path(path), tmp_path) == "04_layers"
    with pytest.raises(ValueError, match="--assignment"):
        assignment_of(Path("homework.ipynb"), tmp_path)


def test_format_never_shows_an_ungraded_submission_as_zero():
    out = Outcome("ann", "04_layers", graded=False, reason="the kernel died")
    text = format_summary([out, Outcome("bo", "04_layers", graded=True, results=[
        TestResult("t", "linear", 0.0, 2.0, "AssertionError: dW")])])
    assert re.search(r"^ann +NOT GRADED: the kernel died$", text, re.M), text
    assert re.search(r"^bo +0 / 2$", text, re.M), text
    assert "1 of 2 submission(s) graded" in text
    assert exit_code([out]) == NOT_GRADED


@pytest.mark.slow
def test_autograde_of_an_unreleased_assignment_says_to_release_it(tmp_path, capsys):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    code = cli("autograde", ["04_layers", "--course", str(tmp_path), "--db-url", db])
    assert code == 1
    assert "release it first (python -m bpcourse release 04_layers" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# What nbgrader does with bad submissions, measured with the tiny assignment

SQUARE_OK = "def square(x):\n    return x * x"


def tiny(student, **kw):
    return Submission(student, TINY, **kw)


TINY_CORPUS = [
    tiny("reference"),
    tiny("release", base="release", hints={"square": "NotImplementedError"}),
    tiny("wrong", answers={"square": "def square(x):\n    return x + x"}, expected={"square": 0},
         hints={"square": "square(3) should be 9"}),
    tiny("only_hidden_fails", answers={"square": "def square(x):\n    return abs(x) * x"},
         expected={"square": 1}, hints={"square": "negative number"}),
    tiny("os_exit", answers={"square": "import os\nos._exit(0)"}, graded=False),
    tiny("not_a_notebook", edits=(dict.clear,), graded=False),  # the file holds `{}`
    tiny("warns", answers={"square": "import warnings\ndef square(x):\n"
         "    warnings.warn('x is large', RuntimeWarning)\n    return x * x"}),
    tiny("patches_numpy", answers={"double": "np.array_equal = lambda *a: True\n"
         "def double(x):\n    return 2 * x"}, tampering=True),
    tiny("added_cell_after_tests", edits=(add_cell("def square(x):\n    return 0",
                                                   after="test_square_hidden"),)),
]


@pytest.mark.slow
def test_nbgrader_behaviour_on_bad_submissions(tiny_root, tmp_path, jupyter_env):
    """Scores per test cell, hidden tests included; a warning on stderr costs nothing; a kernel
    that dies leaves only that submission ungraded; a cell added after the tests cannot change
    what they saw. (Edited, re-pointed and deleted test cells, loops, sleeps and SIGINT are
    graded on a real notebook in tests/test_corpus.py.)"""
    outcomes, procs = grade_corpus(tmp_path, TINY_CORPUS, cell_timeout=3, root=tiny_root)
    found = [p for sub in TINY_CORPUS for p in problems(sub, outcomes.get(sub.student))]
    assert not found, "\n".join(found) + "\n\nnbgrader log:\n" + procs[TINY].stderr[-3000:]
    assert procs[TINY].returncode != 0  # nbgrader itself says something failed
    assert outcomes["reference"].score == outcomes["reference"].max_score == 6


@pytest.mark.slow
def test_self_study_grade_leaves_the_learners_file_alone(tiny_root, tmp_path, jupyter_env):
    release = load_notebook(_released(tiny_root, tmp_path))
    learner = tmp_path / "work" / TINY / f"{TINY}.ipynb"
    learner.parent.mkdir(parents=True)
    for cell in release["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "double":
            cell["source"] = "def double(x):\n    return 2 * x"
    learner.write_text(json.dumps(release))
    before = (hashlib.sha256(learner.read_bytes()).hexdigest(), learner.stat().st_mtime_ns)
    out = grade_notebook(learner, root=tiny_root, cell_timeout=10)
    assert (hashlib.sha256(learner.read_bytes()).hexdigest(), learner.stat().st_mtime_ns) == before
    assert sorted(learner.parent.iterdir()) == [learner]
    assert out.graded and out.exercises() == {
        "square": (0.0, 3.0, "NotImplementedError"), "double": (3.0, 3.0, None)}
    text = format_outcome(out)
    assert re.search(r"square\s+0/3\s+NotImplementedError", text), text
    assert re.search(r"double\s+3/3\s+ok", text), text


@pytest.mark.slow
def test_self_study_grade_prepares_a_course_once_per_release(tiny_root, tmp_path, jupyter_env,
                                                            monkeypatch):
    monkeypatch.setenv("BPCOURSE_CACHE_DIR", str(tmp_path / "cache"))
    first = prepared_course(TINY, tiny_root)
    assert first.parent == tmp_path / "cache" / "courses" and (first / "gradebook.db").exists()
    stamp = (first / "gradebook.db").stat().st_mtime_ns
    learner = _released(tiny_root, tmp_path)
    for _ in range(2):
        out = grade_notebook(learner, root=tiny_root, cell_timeout=10)
        assert out.graded and out.score == 0 and out.max_score == 6
    assert prepared_course(TINY, tiny_root) == first
    assert (first / "gradebook.db").stat().st_mtime_ns == stamp  # reused, never written
    edited = tmp_path / "edited-root"
    shutil.copytree(tiny_root, edited)
    nb = load_notebook(edited / "solutions" / TINY / f"{TINY}.ipynb")
    nb["cells"][3]["metadata"]["nbgrader"]["points"] = 5
    (edited / "solutions" / TINY / f"{TINY}.ipynb").write_text(json.dumps(nb))
    assert prepared_course(TINY, edited) != first  # a new release: a new prepared course


def _released(root: Path, tmp: Path) -> Path:
    course = make_course(tmp / "release-course", [TINY], root)
    proc = run_nbgrader(["generate_assignment", TINY, "--force"], course)
    assert proc.returncode == 0, proc.stderr
    return course / "notebooks" / TINY / f"{TINY}.ipynb"


# ---------------------------------------------------------------------------------------------
# The instructor workflow of the README, on a temporary copy of the repository


def _run(cmd: list[str], cwd: Path, ok=(0,)) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=nbgrader_env(), capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode in ok, f"{cmd} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _workflow_assignment() -> str:
    """The course's first notebook when it exists (the real thing), else the tiny one."""
    real = assignments(ROOT)
    return real[0] if real else TINY


@pytest.mark.slow
def test_instructor_workflow_end_to_end(tmp_path, jupyter_env, copy_repo):
    """release -> submissions (submitted/ and nbgrader's zip_collect of an LMS download) ->
    autograde -> nbgrader's generate_feedback and export, on a copy of the repository: nbgrader's
    own commands still work with the course's config. The README's week (bpcourse collect,
    manual-grade, feedback, export) is run verbatim by tests/test_instructor_week.py."""
    course = copy_repo(tmp_path / "course")
    name = _workflow_assignment()
    if name == TINY:
        (course / "solutions" / TINY).mkdir(parents=True)
        (course / "solutions" / TINY / f"{TINY}.ipynb").write_text(json.dumps(tiny_notebook()))

    # release: solutions/NAME -> notebooks/NAME, and the assignment in the gradebook
    _run([PY, "-m", "bpcourse", "release", name], course)
    release = load_notebook(course / "notebooks" / name / f"{name}.ipynb")
    solution = load_notebook(course / "solutions" / name / f"{name}.ipynb")
    from corpus.build import build, solution_sources
    answers = list(solution_sources(solution))

    # submissions: one put in submitted/ by hand, three from an LMS download (Canvas names)
    good = build(Submission("alice", name), release, solution)
    wrong = build(Submission("bob", name, answers={answers[0]: "pass"}), release, solution)
    dies = build(Submission("carol", name, answers={answers[-1]: "import os\nos._exit(0)"}),
                 release, solution)
    nb_name = f"{name}.ipynb"
    (course / "submitted" / "alice" / name).mkdir(parents=True)
    (course / "submitted" / "alice" / name / nb_name).write_text(json.dumps(good))
    archive = course / "downloaded" / name / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as zf:
        zf.writestr(f"builderbob_late_1201_88001_{nb_name}", json.dumps(wrong))
        zf.writestr(f"carolcarter_1202_88002_{name}-1.ipynb", json.dumps(dies))
        zf.writestr("readme.txt", "not a submission")
    _run([PY, "-m", "nbgrader", "zip_collect", name], course)
    for student in ("builderbob", "carolcarter"):
        assert (course / "submitted" / student / name / nb_name).is_file(), student

    # autograde: the project's command; carol is NOT GRADED (exit 3), the others are graded
    proc = _run([PY, "-m", "bpcourse", "autograde", name, "--course", str(course),
                 "--timeout", "120", "--json"], course, ok=(NOT_GRADED,))
    outcomes = {o["student"]: o for o in json.loads(proc.stdout)}
    assert set(outcomes) == {"alice", "builderbob", "carolcarter"}
    assert outcomes["carolcarter"]["graded"] is False
    assert "kernel died" in outcomes["carolcarter"]["reason"]
    assert outcomes["carolcarter"]["score"] is None
    top = outcomes["alice"]["max_score"]
    assert top > 0 and outcomes["alice"]["score"] == top
    assert outcomes["builderbob"]["graded"] and outcomes["builderbob"]["score"] < top
    summary = _run([PY, "-m", "bpcourse", "autograde", name, "--course", str(course),
                    "--timeout", "120", "--no-force"], course, ok=(NOT_GRADED,)).stdout
    assert re.search(r"carolcarter +NOT GRADED", summary), summary
    assert "2 of 3 submission(s) graded" in summary

    # feedback: HTML per graded student, with the hints and without the hidden tests
    _run([PY, "-m", "nbgrader", "generate_feedback", name], course)
    pages = sorted((course / "feedback").rglob("*.html"))
    assert [p.relative_to(course / "feedback").parts[0] for p in pages] == ["alice", "builderbob"]
    texts = {p.parts[-3]: visible_text(p.read_text()) for p in pages}
    bob_failure = next(r["message"] for r in outcomes["builderbob"]["results"] if r["message"])
    assert bob_failure.splitlines()[0] in texts["builderbob"]
    hidden = hidden_test_lines(course / "solutions")
    assert hidden, "the assignment has no hidden tests to protect"
    graded_nb = (course / "autograded" / "alice" / name / nb_name).read_text()
    assert any(json.dumps(line)[1:-1] in graded_nb for line in hidden)  # the grep can see them
    for student, text in texts.items():
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"feedback of {student} shows hidden tests: {leaked[:3]}"

    # export: nbgrader's CSV; it shows the ungraded carol as 0, which is why autograde reports
    _run([PY, "-m", "nbgrader", "export", "--to", "grades.csv"], course)
    with open(course / "grades.csv", newline="") as f:
        scores = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(f)}
    assert scores == {"alice": top, "builderbob": outcomes["builderbob"]["score"],
                      "carolcarter": 0.0}


# ---------------------------------------------------------------------------------------------
# No hidden test in the student release


def test_release_contains_no_hidden_test_source():
    solutions = ROOT / "solutions"
    names = sorted(p.name for p in solutions.glob("*/*.ipynb")) if solutions.is_dir() else []
    if not names:
        pytest.skip("no notebooks in solutions/ yet")
    hidden = hidden_test_lines(solutions)
    assert hidden, "no hidden tests in solutions/: every exercise needs some"
    for path in sorted((ROOT / "notebooks").glob("*/*.ipynb")):
        text = "\n".join(cell_source(c) for c in load_notebook(path)["cells"])
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"{path.relative_to(ROOT)} shows hidden tests: {leaked[:3]}"


@pytest.mark.slow
def test_make_grade_on_the_release_gives_zero_and_changes_nothing(tmp_path):
    """`python -m bpcourse grade` (what `make grade NB=...` runs) on the untouched release of
    the first notebook: graded, every exercise 0 with NotImplementedError, file unchanged."""
    name = _workflow_assignment()
    if name == TINY:
        pytest.skip("no notebooks in solutions/ yet")
    learner = tmp_path / name / f"{name}.ipynb"
    learner.parent.mkdir()
    shutil.copy(ROOT / "notebooks" / name / f"{name}.ipynb", learner)
    before = learner.read_bytes()
    proc = _run([PY, "-m", "bpcourse", "grade", str(learner), "--json"], tmp_path)
    assert learner.read_bytes() == before and sorted(learner.parent.iterdir()) == [learner]
    out = json.loads(proc.stdout)
    assert out["graded"] and out["score"] == 0 and out["max_score"] > 0
    assert all(r["score"] == 0 and "NotImplementedError" in r["message"] for r in out["results"])
    solution = load_notebook(ROOT / "solutions" / name / f"{name}.ipynb")
    assert {r["grade_id"] for r in out["results"]} == set(exercise_of_tests(solution))


# The English notebooks: every zh solution's full marks are proven by tests/test_notebooks.py,
# and `bpcourse grade` of a zh notebook by tests/test_editions.py (the suite has a 20-minute
# budget).
NOTEBOOKS = assignments(ROOT, edition="en")


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_make_grade_gives_full_marks_to_the_solved_release(name, tmp_path):
    """`python -m bpcourse grade` (what `make grade NB=...` runs) on a learner's copy of the
    release with every answer filled in from solutions/: graded, full marks, every notebook
    (discovered, so that a new notebook is covered; `-k 07` runs one)."""
    from corpus.build import build

    release = load_notebook(ROOT / "notebooks" / name / f"{name}.ipynb")
    solution = load_notebook(ROOT / "solutions" / name / f"{name}.ipynb")
    learner = tmp_path / name / f"{name}.ipynb"
    learner.parent.mkdir()
    learner.write_text(json.dumps(build(Submission("self", name), release, solution)))
    out = json.loads(_run([PY, "-m", "bpcourse", "grade", str(learner), "--json"],
                          tmp_path).stdout)
    assert out["graded"] and out["score"] == out["max_score"] > 0, out
    assert {r["grade_id"] for r in out["results"]} == set(exercise_of_tests(solution))
