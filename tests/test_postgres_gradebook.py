"""The instructor workflow against a real PostgreSQL gradebook (the server is started by the
`postgres_server` fixture of conftest.py): release, zip_collect, parallel autograde, feedback and
export; two graders autograde different assignments into the same database at the same time; a
wrong URL or an unreachable server is one line that names host and database, not the password.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus.build import Submission, build, fresh_jupyter_env, solution_sources  # noqa: E402

from bpcourse.tools.autograde import make_course  # noqa: E402
from bpcourse.tools.course import assignments, nbgrader_env  # noqa: E402
from bpcourse.tools.nbgrader_run import run_nbgrader  # noqa: E402
from bpcourse.tools.notebook import load_notebook  # noqa: E402
from bpcourse.tools.outcome import NOT_GRADED  # noqa: E402

pytestmark = [pytest.mark.postgres]
PY = sys.executable
SECRET = "s3cret-Pa55"


def _cli(args: list[str], course: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([PY, "-m", "bpcourse", *args], cwd=course, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _nbgrader(args: list[str], course: Path, env: dict) -> None:
    proc = run_nbgrader(args, course, env=env)
    assert proc.returncode == 0, f"nbgrader {args}:\n{proc.stdout}\n{proc.stderr[-3000:]}"


@pytest.mark.parametrize("url, names", [
    (f"postgresql://grader:{SECRET}@127.0.0.1:1/bpcourse", ["127.0.0.1:1", "'bpcourse'"]),
    (f"postgresql://grader:{SECRET}@no-such-host.invalid/classdb", ["no-such-host.invalid",
                                                                   "'classdb'"]),
])
def test_an_unreachable_gradebook_is_one_line_without_the_password(tmp_path, url, names):
    course = make_course(tmp_path / "course", [])
    proc = subprocess.run([PY, "-m", "bpcourse", "autograde", "01_numerical_gradients",
                           "--course", str(course), "--db-url", url],
                          capture_output=True, text=True, env=nbgrader_env(), timeout=300)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert all(n in lines[0] for n in names), lines[0]
    assert SECRET not in proc.stderr + proc.stdout


@pytest.mark.slow
def test_a_missing_database_is_one_line_without_the_password(postgres_server, tmp_path):
    port = postgres_server.port
    url = f"postgresql://postgres:{SECRET}@127.0.0.1:{port}/nosuchdb"
    course = make_course(tmp_path / "course", [])
    proc = subprocess.run([PY, "-m", "bpcourse", "autograde", "01_numerical_gradients",
                           "--course", str(course), "--db-url", url],
                          capture_output=True, text=True, env=nbgrader_env(), timeout=300)
    assert proc.returncode == 1
    line, = proc.stderr.strip().splitlines()
    assert "'nosuchdb'" in line and f"127.0.0.1:{port}" in line and "does not exist" in line
    assert SECRET not in proc.stderr


@pytest.mark.slow
def test_instructor_workflow_on_postgresql_with_two_graders_at_once(postgres_server, tmp_path):
    """01 is collected from an LMS zip and autograded with --workers 2 while a second grader
    autogrades 02 into the same database; then feedback and export of both."""
    first, second = assignments()[:2]
    url = postgres_server("workflow")
    course = make_course(tmp_path / "course", [first, second])
    env = nbgrader_env({**os.environ, **fresh_jupyter_env(tmp_path / "jupyter"),
                        "BPCOURSE_DB_URL": url})
    for name in (first, second):  # release: what `bpcourse release NAME` runs
        _nbgrader(["generate_assignment", name, "--force"], course, env)

    def notebook(sub: Submission) -> str:
        name = sub.assignment
        release = load_notebook(course / "notebooks" / name / f"{name}.ipynb")
        solution = load_notebook(course / "solutions" / name / f"{name}.ipynb")
        return json.dumps(build(sub, release, solution))

    answers = list(solution_sources(load_notebook(course / "solutions" / first
                                                  / f"{first}.ipynb")))
    archive = course / "downloaded" / first / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as zf:
        zf.writestr(f"alice_1201_88001_{first}.ipynb", notebook(Submission("alice", first)))
        zf.writestr(f"bob_late_1202_88002_{first}.ipynb",
                    notebook(Submission("bob", first, answers={answers[0]: "pass"})))
        zf.writestr(f"carol_1203_88003_{first}-1.ipynb", notebook(Submission(
            "carol", first, answers={answers[-1]: "import os\nos._exit(0)"})))
    _nbgrader(["zip_collect", first], course, env)
    for student, sub in (("alice", Submission("alice", second)),  # the same class
                         ("bob", Submission("bob", second, base="release"))):
        path = course / "submitted" / student / second / f"{second}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(notebook(sub))

    graders = {name: _cli(["autograde", name, "--course", str(course), "--workers", str(w),
                           "--timeout", "60", "--json"], course, env)
               for name, w in ((first, 2), (second, 1))}
    results = {name: (p.communicate(timeout=1500), p.returncode) for name, p in graders.items()}
    (out1, err1), code1 = results[first]
    assert code1 == NOT_GRADED, err1[-3000:]
    o1 = {o["student"]: o for o in json.loads(out1)}
    assert o1["alice"]["graded"] and o1["alice"]["score"] == o1["alice"]["max_score"] > 0
    assert o1["bob"]["graded"] and o1["bob"]["score"] < o1["bob"]["max_score"]
    assert not o1["carol"]["graded"] and "kernel died" in o1["carol"]["reason"]
    (out2, err2), code2 = results[second]
    assert code2 == 0, err2[-3000:]
    o2 = {o["student"]: o for o in json.loads(out2)}
    assert o2["alice"]["score"] == o2["alice"]["max_score"] > 0 and o2["bob"]["score"] == 0

    for name in (first, second):
        _nbgrader(["generate_feedback", name], course, env)
    pages = sorted(p.relative_to(course / "feedback").parts[:2]
                   for p in (course / "feedback").rglob("*.html"))
    assert pages == [("alice", first), ("alice", second), ("bob", first), ("bob", second)]
    _nbgrader(["export", "--to", "grades.csv"], course, env)
    with open(course / "grades.csv", newline="") as f:
        scores = {(r["assignment"], r["student_id"]): float(r["raw_score"])
                  for r in csv.DictReader(f)}
    assert scores == {(first, "alice"): o1["alice"]["score"], (first, "bob"): o1["bob"]["score"],
                      (first, "carol"): 0.0, (second, "alice"): o2["alice"]["score"],
                      (second, "bob"): 0.0,
                      (second, "carol"): 0.0}  # nbgrader exports every student x assignment
    assert not (course / "gradebook.db").exists()  # everything went to PostgreSQL
