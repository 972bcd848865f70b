"""The grading sandbox (bpcourse.tools.sandbox): the bwrap command it builds, a real kernel in
it, `bpcourse autograde` without it, and what it costs per notebook.

The attacks on the grader are graded in tests/test_corpus.py, with everybody else's exact
grades; here are the pieces.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus.build import prepare_course  # noqa: E402

from bpcourse.tools import sandbox  # noqa: E402
from bpcourse.tools.autograde import autograde  # noqa: E402
from bpcourse.tools.job import grade_submission_job, make_jobs, sandbox_launch  # noqa: E402
from bpcourse.tools.outcome import NO_SANDBOX  # noqa: E402
from bpcourse.tools.sandbox_kernel import SandboxedKernelManager  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REASON = sandbox.unavailable_reason()
needs_sandbox = pytest.mark.skipif(REASON is not None, reason=f"no sandbox here: {REASON}")


# --- the command (no kernel) --------------------------------------------------------------------

def _command(uid):
    job = Path("/tmp/bpk-job")
    return sandbox.sandbox_command(["python", "-m", "ipykernel_launcher", "-f", "k.json"], job,
                                   job / "work", sandbox.Limits(memory_mb=512, processes=32,
                                                                cpu_seconds=30), uid=uid)


def _binds(cmd, kind):
    return [cmd[i + 1] for i, arg in enumerate(cmd) if arg == kind]


@pytest.mark.parametrize("uid", [None, 3_000_123])
def test_the_kernel_sees_its_job_folder_and_a_read_only_python_only(uid):
    cmd = _command(uid)
    writable, readonly = _binds(cmd, "--bind"), _binds(cmd, "--ro-bind")
    assert writable == ["/tmp/bpk-job"]
    package = str(ROOT / "bpcourse")
    assert package in readonly and "/usr" in readonly
    assert os.path.realpath(sys.prefix) in readonly or any(
        os.path.realpath(sys.prefix).startswith(p + "/") for p in readonly)
    for path in readonly + writable:  # never the repository root, solutions/ or the home
        assert Path(path) not in (ROOT, ROOT / "solutions", Path.home()), path
        assert not (ROOT / "solutions").is_relative_to(path), path
    assert {"--unshare-net", "--unshare-pid", "--die-with-parent"} <= set(cmd)
    assert cmd[cmd.index("--") + 1:][-5:] == ["python", "-m", "ipykernel_launcher", "-f",
                                              "k.json"]


def test_folders_above_a_course_under_tmp_are_made_traversable_on_the_sandboxs_tmp():
    """A fresh clone (its .venv and bpcourse/) may live under /tmp: the folders above them are
    made on the sandbox's own /tmp, readable by the kernel's uid (bwrap would make them 0700,
    and the kernel would die before replying)."""
    args = sandbox.filesystem_args([Path("/tmp/clone-x/.venv"), Path("/tmp/clone-x/bpcourse")],
                                   Path("/tmp/bpk-job"))
    made = [args[i + 3] for i, a in enumerate(args) if a == "--perms" and args[i + 2] == "--dir"]
    assert "/tmp/clone-x" in made and "/tmp" not in made
    assert args.index("--tmpfs") < args.index("/tmp/clone-x")  # made on the new /tmp


def test_limits_are_set_inside_the_sandbox_and_root_drops_to_a_uid_of_its_own():
    cmd = _command(3_000_123)
    inner = cmd[cmd.index("--") + 1:]
    assert inner[:2] == ["setpriv", "--reuid=3000123"]
    limits = inner[inner.index("prlimit"):]
    assert f"--as={512 * 2**20}" in limits and "--nproc=32" in limits and "--cpu=30" in limits
    assert "--unshare-user" not in cmd  # root: a real uid, so that RLIMIT_NPROC applies
    user = _command(None)
    assert "--unshare-user" in user and "setpriv" not in user


def test_the_kernel_gets_no_secret_from_the_graders_environment(tmp_path):
    parent = {"BPCOURSE_DB_URL": "postgresql://grader:pw@db/x", "AWS_SECRET_ACCESS_KEY": "k",
              "HOME": "/root", "NBGRADER_EXECUTION": "autograde", "LANG": "C.UTF-8"}
    env = sandbox.sandbox_env(parent, tmp_path, tmp_path / "work")
    assert "BPCOURSE_DB_URL" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert env["HOME"].startswith(str(tmp_path)) and env["NBGRADER_EXECUTION"] == "autograde"


def test_minimal_cover_drops_paths_under_usr_and_nested_ones():
    got = sandbox.minimal_cover([Path("/usr/lib/python3"), Path("/opt/venv"),
                                 Path("/opt/venv/lib"), Path("/srv/course/bpcourse")])
    assert got == [Path("/opt/venv"), Path("/srv/course/bpcourse")]


def test_without_bwrap_the_reason_says_how_to_install_it(monkeypatch):
    monkeypatch.setenv("BPCOURSE_BWRAP", "")
    sandbox.unavailable_reason.cache_clear()
    try:
        assert "apt-get install bubblewrap" in sandbox.unavailable_reason()
    finally:
        monkeypatch.delenv("BPCOURSE_BWRAP")
        sandbox.unavailable_reason.cache_clear()


# --- a real kernel ------------------------------------------------------------------------------

async def _run_in_kernel(code: str, tmp: Path, **limits) -> tuple[list[str], bool]:
    km = SandboxedKernelManager(kernel_name="python3", **limits)
    await km.start_kernel(cwd=str(tmp))
    kc = km.client()
    kc.start_channels()
    texts = []
    await kc.wait_for_ready(timeout=60)
    msg_id = kc.execute(code)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            msg = await kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            if not await km.is_alive():  # a limit ended it
                break
            continue
        content = msg["content"]
        if msg["msg_type"] in ("stream", "error"):
            texts.append(content.get("text") or f"{content['ename']}: {content['evalue']}")
        if (msg["msg_type"] == "status" and content["execution_state"] == "idle"
                and msg["parent_header"].get("msg_id") == msg_id):
            break
    alive = await km.is_alive()
    kc.stop_channels()
    await km.shutdown_kernel(now=True)
    await km.cleanup_resources()
    return texts, alive


@pytest.mark.slow
@needs_sandbox
def test_a_kernel_in_the_sandbox_sees_its_folder_only_and_no_network(tmp_path):
    (tmp_path / "data.txt").write_text("the submission's own file")
    code = ("import os, socket, pathlib\n"
            "print(open('data.txt').read(), sorted(os.listdir('/')))\n"
            "print(f'uid={os.getuid()}')\n"
            f"print('root visible:', os.path.exists({str(ROOT / 'solutions')!r}))\n"
            "print('home visible:', os.path.exists('/root'), os.path.exists('/home'))\n"
            "print('interfaces:', [n for _, n in socket.if_nameindex()])\n")
    texts, alive = asyncio.run(_run_in_kernel(code, tmp_path))
    out = "".join(texts)
    assert "the submission's own file" in out and alive, out
    assert "root visible: False" in out and "uid=0\n" not in out, out
    assert "interfaces: ['lo']" in out, out


@pytest.mark.slow
@needs_sandbox
def test_a_kernel_past_its_cpu_time_is_killed(tmp_path):
    texts, alive = asyncio.run(_run_in_kernel("while True:\n    pass", tmp_path,
                                              cpu_seconds=3))
    assert not alive, texts


# --- bpcourse autograde without a sandbox, and what the sandbox costs ---------------------------

TINY = "00_tiny"


def _tiny_notebook() -> dict:
    def cell(source, grade_id=None, points=None, solution=False):
        meta = {} if grade_id is None else {"nbgrader": {
            "grade": points is not None, "grade_id": grade_id, "locked": points is not None,
            "schema_version": 3, "solution": solution, "task": False,
            **({"points": points} if points is not None else {})}}
        return {"cell_type": "code", "execution_count": None, "metadata": meta,
                "outputs": [], "source": source, "id": grade_id or "setup"}

    return {"cells": [cell("import numpy as np\nimport bpcourse"),
                      cell("def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n"
                           "    ### END SOLUTION", "square", solution=True),
                      cell("assert square(3) == 9\n### BEGIN HIDDEN TESTS\n"
                           "assert square(-2) == 4\n### END HIDDEN TESTS", "test_square", 2)],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture(scope="module")
def small_course(tmp_path_factory):
    """A one-exercise assignment released, with a right and a wrong submission: what the
    sandbox adds to grading is per kernel, so a small notebook measures it best."""
    root = tmp_path_factory.mktemp("sandbox-root")
    (root / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    (root / "solutions" / TINY).mkdir(parents=True)
    (root / "solutions" / TINY / f"{TINY}.ipynb").write_text(json.dumps(_tiny_notebook()))
    course = prepare_course(tmp_path_factory.mktemp("sandbox-course") / "course", [TINY], root)
    spy = ("return x * x\nimport pathlib\nprint('solutions visible:', any((p / 'solutions')"
           ".exists() for p in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents]))")
    for student, answer in (("right", "return x * x"), ("wrong", "return x + x"),
                            ("spy", spy)):
        path = course / "submitted" / student / TINY / f"{TINY}.ipynb"
        path.parent.mkdir(parents=True)
        nb = _tiny_notebook()
        nb["cells"][1]["source"] = f"def square(x):\n    {answer}"
        path.write_text(json.dumps(nb))
    return course


def _cli(course: Path, *args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bpcourse", "autograde", TINY,
                           "--course", str(course), "--timeout", "20", *args],
                          capture_output=True, text=True, env={**os.environ, **env},
                          timeout=600)


@pytest.mark.slow
def test_without_a_sandbox_autograde_says_so_first_or_refuses(small_course):
    refused = _cli(small_course, "--require-sandbox", BPCOURSE_BWRAP="")
    assert refused.returncode == NO_SANDBOX, refused.stderr
    assert "refusing to grade without a sandbox" in refused.stderr
    assert not (small_course / "autograded").exists()
    graded = _cli(small_course, BPCOURSE_BWRAP="")
    first = graded.stderr.splitlines()[0]
    assert first.startswith("bpcourse autograde: NO SANDBOX"), graded.stderr
    assert "bubblewrap" in first, first
    assert re.search(r"^right +2/2 +2/2$", graded.stdout, re.M), graded.stdout


@pytest.mark.slow
@needs_sandbox
def test_a_parallel_job_grades_in_the_sandbox(small_course):
    """The job a Dask worker runs (bpcourse.tools.job) starts its kernel in the sandbox when
    given sandbox_launch(): the spy's own line says it saw no solutions/ above its folder."""
    job, = make_jobs(small_course, TINY, ["spy"],
                     f"sqlite:///{small_course / 'gradebook.db'}", 20)
    result = grade_submission_job(job, sandbox_launch())
    assert result.graded, result.reason or result.log[-2000:]
    graded = json.loads(result.autograded[f"{TINY}.ipynb"][0])
    said = "".join("".join(o.get("text", "")) for c in graded["cells"]
                   for o in c.get("outputs", []))
    assert "solutions visible: False" in said, said


@pytest.mark.slow
@needs_sandbox
def test_the_sandbox_costs_little_per_notebook(small_course):
    """One run: the same three submissions graded without and with the sandbox, three times
    each, alternating (the fastest of each counts: the least disturbed by other load); the
    overhead per notebook goes to artifacts/sandbox-overhead.json."""
    seconds = {False: [], True: []}
    for sandboxed in (False, True) * 3:
        start = time.perf_counter()
        outcomes, proc = autograde(small_course, TINY, cell_timeout=20, sandbox=sandboxed)
        seconds[sandboxed].append(time.perf_counter() - start)
        assert [o.score for o in outcomes] == [2.0, 2.0, 0.0], proc.stderr[-2000:]
    per_notebook = {k: min(v) / 3 for k, v in seconds.items()}
    overhead = per_notebook[True] - per_notebook[False]
    report = {"notebooks_per_run": 3, "runs_each": 3,
              "all_runs_seconds": {("sandboxed" if k else "unsandboxed"): [round(x, 2) for x in v]
                                   for k, v in seconds.items()},
              "seconds_per_notebook_unsandboxed": round(per_notebook[False], 2),
              "seconds_per_notebook_sandboxed": round(per_notebook[True], 2),
              "overhead_seconds_per_notebook": round(overhead, 2)}
    out = ROOT / "artifacts" / "sandbox-overhead.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    assert overhead < 5.0, report
