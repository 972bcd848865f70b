"""Describe a submission as edits of a notebook, build it, grade a batch, check the outcomes."""

from __future__ import annotations

import copy
import html
import json
import multiprocessing
import re
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bpcourse.tools.autograde import autograde, make_course
from bpcourse.tools.course import ROOT as COURSE_ROOT
from bpcourse.tools.nbgrader_run import run_nbgrader
from bpcourse.tools.notebook import cell_source, exercise_of_tests, hidden_lines, load_notebook
from bpcourse.tools.outcome import Outcome

Edit = Callable[[dict], None]


@dataclass
class Submission:
    """One learner's notebook, as edits of a base, with what grading must say about it.

    base: "solution" (the release with every answer cell filled in from solutions/) or
        "release" (untouched).
    answers: answer-cell grade_id -> the source that replaces that answer cell, or a list of
        (old, new) replacements applied to the solution's source (each `old` must occur).
    edits: further changes of the notebook (see replace_test, set_points, delete_cell, add_cell).
    expected: exercise (answer grade_id) -> exact points; exercises not named get all their
        points (base "solution") or 0 (base "release").
    hints: exercise -> text (case-insensitive) that the message of one of its failed tests
        must contain: the name of the mistake.
    graded: False when nbgrader must fail to grade it (reported NOT GRADED, never 0).
    tampering: True when the report must flag tampering.
    """

    student: str
    assignment: str
    base: str = "solution"
    answers: dict[str, str | list[tuple[str, str]]] = field(default_factory=dict)
    edits: tuple[Edit, ...] = ()
    expected: dict[str, float] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    graded: bool = True
    tampering: bool = False
    note: str = ""


# --- edits -------------------------------------------------------------------------------------

def _index(nb: dict, grade_id: str) -> int:
    for i, cell in enumerate(nb["cells"]):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return i
    raise KeyError(f"no cell with grade_id {grade_id!r}")


def replace_test(grade_id: str, source: str) -> Edit:
    """The learner rewrites a (locked) test cell."""
    def edit(nb):
        nb["cells"][_index(nb, grade_id)]["source"] = source
    return edit


def set_points(grade_id: str, points: float) -> Edit:
    """The learner edits a test cell's metadata to be worth more."""
    def edit(nb):
        nb["cells"][_index(nb, grade_id)]["metadata"]["nbgrader"]["points"] = points
    return edit


def delete_cell(grade_id: str) -> Edit:
    def edit(nb):
        del nb["cells"][_index(nb, grade_id)]
    return edit


def add_cell(source: str, after: str | None = None) -> Edit:
    """A new code cell after the cell `after` (a grade_id), or after the first code cell."""
    def edit(nb):
        if after is None:
            i = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
        else:
            i = _index(nb, after)
        nb["cells"].insert(i + 1, {"cell_type": "code", "execution_count": None,
                                   "metadata": {}, "outputs": [], "source": source})
    return edit


# --- building ----------------------------------------------------------------------------------

_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def solution_sources(solution_nb: dict) -> dict[str, str]:
    """answer grade_id -> the answer cell's source in solutions/, without the markers."""
    out = {}
    for cell in solution_nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "code":
            lines = cell_source(cell).splitlines()
            out[meta["grade_id"]] = "\n".join(x for x in lines if not _MARKER.match(x))
    return out


def build(sub: Submission, release_nb: dict, solution_nb: dict) -> dict:
    nb = copy.deepcopy(release_nb)
    solutions = solution_sources(solution_nb)
    fills = dict(solutions) if sub.base == "solution" else {}
    unknown = set(sub.answers) - set(solutions)
    if unknown:
        raise KeyError(f"{sub.student}: no answer cell {sorted(unknown)} in {sub.assignment}")
    for grade_id, change in sub.answers.items():
        if isinstance(change, str):
            fills[grade_id] = change
            continue
        source = solutions[grade_id]
        for old, new in change:
            if old not in source:
                raise KeyError(f"{sub.student}: {old!r} is not in the solution of {grade_id}; "
                               "update the corpus to the notebook")
            source = source.replace(old, new)
        fills[grade_id] = source
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in fills:
            cell["source"] = fills[grade_id]
    for edit in sub.edits:
        edit(nb)
    return nb


def prepare_course(dest: Path, assignments: list[str], root: Path = COURSE_ROOT) -> Path:
    """A course with the given solutions released into it (its own SQLite gradebook)."""
    course = make_course(dest, assignments, root)
    for name in assignments:
        proc = run_nbgrader(["generate_assignment", name, "--force"], course)
        if proc.returncode != 0:
            raise RuntimeError(proc.stdout + proc.stderr)
    return course


def write_submissions(course: Path, subs: list[Submission]) -> None:
    for sub in subs:
        release = load_notebook(course / "notebooks" / sub.assignment / f"{sub.assignment}.ipynb")
        solution = load_notebook(course / "solutions" / sub.assignment / f"{sub.assignment}.ipynb")
        path = course / "submitted" / sub.student / sub.assignment / f"{sub.assignment}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(build(sub, release, solution), indent=1), encoding="utf-8")


def grade_corpus(workdir: Path, subs: list[Submission], *, cell_timeout: int,
                 parallel: int = 2, root: Path = COURSE_ROOT, sandbox: bool = True
                 ) -> tuple[dict[str, Outcome], dict[str, subprocess.CompletedProcess]]:
    """Grade every submission: one course and one nbgrader run per assignment, `parallel` at a
    time, each kernel in the grading sandbox unless `sandbox` is False.
    Returns (student -> Outcome, assignment -> nbgrader process)."""
    by_assignment: dict[str, list[Submission]] = {}
    for sub in subs:
        by_assignment.setdefault(sub.assignment, []).append(sub)

    # autograde runs nbgrader in the calling process (its working folder and environment are
    # the process's): assignments are graded side by side in processes of their own.
    def run(name):
        course = prepare_course(workdir / name, [name], root)
        write_submissions(course, by_assignment[name])
        start = time.perf_counter()
        result = graders.submit(autograde, course, name, cell_timeout=cell_timeout,
                                sandbox=sandbox).result()
        seconds[name] = time.perf_counter() - start
        return result

    seconds: dict[str, float] = {}

    names = sorted(by_assignment, key=lambda a: -len(by_assignment[a]))  # longest first
    spawn = multiprocessing.get_context("spawn")
    with (ProcessPoolExecutor(parallel, mp_context=spawn) as graders,
          ThreadPoolExecutor(parallel) as pool):
        results = dict(zip(names, pool.map(run, names), strict=True))
    outcomes = {o.student: o for outs, _ in results.values() for o in outs}
    for name, (_, proc) in results.items():
        proc.seconds = seconds[name]  # wall time of the one nbgrader autograde run
    return outcomes, {name: proc for name, (_, proc) in results.items()}


# --- checking ----------------------------------------------------------------------------------

def exercise_maxima(solution_nb: dict) -> dict[str, float]:
    """exercise -> the points of its autograded test cells, as the instructor set them."""
    owner = exercise_of_tests(solution_nb)
    maxima: dict[str, float] = {}
    for cell in solution_nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and cell["cell_type"] == "code":
            ex = owner[meta["grade_id"]]
            maxima[ex] = maxima.get(ex, 0.0) + float(meta["points"])
    return maxima


def problems(sub: Submission, out: Outcome | None,
             maxima: dict[str, float] | None = None) -> list[str]:
    """What is wrong with the outcome of `sub` (empty when everything is as expected).

    maxima: exercise -> points from the source notebook; every exercise must be out of those
    (a learner who edits a cell's points must not change them) and none may be missing.
    """
    if out is None:
        return [f"{sub.student}: no outcome at all"]
    found = []
    if out.graded != sub.graded:
        found.append(f"{sub.student}: graded={out.graded} ({out.reason}), expected {sub.graded}")
    if bool(out.tampering) != sub.tampering:
        found.append(f"{sub.student}: tampering report {out.tampering}, expected {sub.tampering}")
    if not sub.graded or not out.graded:
        return found
    table = out.exercises()
    if maxima is not None and {k: v[1] for k, v in table.items()} != maxima:
        found.append(f"{sub.student}: points per exercise {table}, expected out of {maxima}")
    for name in set(sub.expected) | set(sub.hints):
        if name not in table:
            found.append(f"{sub.student}: no exercise {name!r} (has {sorted(table)})")
    for name, (score, top, message) in table.items():
        want = sub.expected.get(name, top if sub.base == "solution" else 0.0)
        if score != want:
            found.append(f"{sub.student}: {name} scored {score:g}/{top:g}, expected {want:g}"
                         f" (message: {message})")
        hint = sub.hints.get(name)
        said = [r.message or "" for r in out.results if r.exercise == name]
        if hint and not any(hint.lower() in m.lower() for m in said):
            found.append(f"{sub.student}: {name}: no message contains {hint!r}: {said}")
    return found


def fresh_jupyter_env(tmp: Path) -> dict[str, str]:
    """Environment variables that keep Jupyter and IPython state in tmp, out of $HOME."""
    env = {}
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        path = tmp / var.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    return env


__all__ = ["Submission", "replace_test", "set_points", "delete_cell", "add_cell", "build",
           "prepare_course", "write_submissions", "grade_corpus", "problems", "fresh_jupyter_env",
           "exercise_maxima", "visible_text", "hidden_test_lines"]


def visible_text(page: str) -> str:
    """The text of an HTML page (tags dropped, entities decoded), for grepping."""
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def hidden_test_lines(solutions: Path) -> list[str]:
    """Every hidden test line of solutions/*/*.ipynb that is not also written, in the open,
    somewhere in solutions/ (a line like `import numpy as np` is not a secret)."""
    hidden, public = set(), set()
    for path in sorted(solutions.glob("*/*.ipynb")):
        for cell in load_notebook(path)["cells"]:
            src = cell_source(cell)
            lines = hidden_lines(src)
            hidden.update(lines)
            public.update(x.strip() for x in src.splitlines() if x.strip() not in lines)
    return sorted(line for line in hidden - public if len(line) > 3)
