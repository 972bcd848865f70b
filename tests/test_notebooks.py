"""The course's notebooks, graded by nbgrader's own Python API on a temporary copy of the course.

For every solutions/<NN_topic>/<NN_topic>.ipynb (found by glob, so new notebooks are covered):

(a) the solutions notebook, submitted and autograded, runs top to bottom without an error and
    gets full marks on every graded test cell;
(b) the student release notebooks/<NN_topic>, submitted as it is and autograded (nbgrader puts
    the hidden tests back), scores 0 on every graded test cell, and every cell before the first
    exercise runs without an error;
(c) notebooks/ equals a fresh `generate_assignment` of solutions/ (cell ids, sources, metadata);
(d) no solution text and no hidden-test text appears anywhere in notebooks/;
(e) running a solutions notebook twice gives the same text outputs (the notebooks are seeded);
plus: solutions/ is exactly what its builder script writes, and nothing is committed with
outputs.

`nbgrader validate` exits 0 on failure, so nothing here relies on an exit code: scores are read
from the gradebook and errors from the autograded notebooks.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from builders import load_builder

from bpcourse.tools.course import EDITIONS, assignments, edition_of, nbgrader_env

ROOT = Path(__file__).resolve().parent.parent
NAMES = assignments(ROOT)
BUILDERS = sorted((ROOT / "scripts" / "notebooks").glob("nb[0-9][0-9]_*.py"))
# Notebooks whose text outputs must be identical run to run: every one but those that may
# print timings (04-06), so that a new notebook is held to it by default.
# Notebooks whose text output must repeat exactly; the English edition (a zh demo cell runs the
# same code with other words).
SEEDED = [n for n in assignments(ROOT, edition="en") if n[:2] not in ("04", "05", "06")]
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "trusted",
                          "jp-MarkdownHeadingCollapsed")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def _solution(name: str) -> Path:
    return ROOT / "solutions" / name / f"{name}.ipynb"


def _release(name: str) -> Path:
    return ROOT / "notebooks" / name / f"{name}.ipynb"


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _grading_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_graded_test(cell) -> bool:
    meta = _grading_meta(cell)
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution")


def _errors(cell) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for o in cell.get("outputs", [])
            if o.get("output_type") == "error"]


# ----- a temporary course, graded with nbgrader's Python API -----

class Course:
    """A copy of the course in a temporary folder with its own gradebook."""

    def __init__(self, root: Path):
        from nbgrader.apps import NbGraderAPI
        from traitlets.config.loader import PyFileConfigLoader

        self.root = root
        shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
        shutil.copytree(ROOT / "solutions", root / "solutions")
        self.db_url = f"sqlite:///{root / 'gradebook.db'}"
        config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
        config.CourseDirectory.root = str(root)
        config.CourseDirectory.db_url = self.db_url
        config.Execute.timeout = 120
        self.api = NbGraderAPI(config=config)
        self.released: dict[str, Path] = {}

    def generate(self, name: str) -> Path:
        if name not in self.released:
            result = self.api.generate_assignment(name, force=True, create=True)
            assert result["success"], f"generate_assignment {name} failed:\n{result['log']}"
            self.released[name] = self.root / "notebooks" / name / f"{name}.ipynb"
        return self.released[name]

    def autograde(self, name: str, student: str, notebook: Path):
        """Submit `notebook` as `student`, autograde it; return (scores, autograded notebook).

        scores: {grade_id of each graded test cell: (auto_score, max_score)}.
        """
        from nbgrader.api import Gradebook

        self.generate(name)  # puts the assignment and its hidden tests in the gradebook
        submitted = self.root / "submitted" / student / name
        submitted.mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, submitted / f"{name}.ipynb")
        result = self.api.autograde(name, student, force=True, create=True)
        assert result["success"], f"autograde {name} for {student} failed:\n{result['log']}"
        with Gradebook(self.db_url) as gb:
            submission = gb.find_submission_notebook(name, name, student)
            scores = {g.cell.name: (g.auto_score, g.max_score) for g in submission.grades
                      if g.cell.cell_type == "code"}
        graded = _read(self.root / "autograded" / student / name / f"{name}.ipynb")
        return scores, graded


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    saved = {k: os.environ.get(k) for k in ("BPCOURSE_DB_URL", "NBGRADER_EXECUTION", "PATH")}
    root = tmp_path_factory.mktemp("course")
    os.environ["BPCOURSE_DB_URL"] = f"sqlite:///{root / 'gradebook.db'}"
    # nbgrader's Gradebook runs the `alembic` program by name: the one next to this Python.
    os.environ["PATH"] = nbgrader_env()["PATH"]
    try:
        yield Course(root)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_every_notebook_has_a_release_and_a_builder():
    assert NAMES, "no notebooks found in solutions/"
    built = {p.stem[2:] for p in BUILDERS}  # nb01_numerical_gradients -> 01_numerical_gradients
    for name in NAMES:
        assert _release(name).exists(), f"{name}: no release; run python -m bpcourse release {name}"
        # a zh edition (03_scalar_autograd_zh) is written by its English notebook's builder
        english = name.removesuffix(EDITIONS[edition_of(name)])
        assert english in built, f"{name}: no builder scripts/notebooks/nb{english}.py"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_solutions_notebook_passes_every_test(course, name):
    scores, graded = course.autograde(name, "solver", _solution(name))
    assert scores, f"{name}: no graded test cells"
    failed = {cell: s for cell, s in scores.items() if s[0] != s[1]}
    errors = {i: _errors(c) for i, c in enumerate(graded.cells) if _errors(c)}
    assert not failed and not errors, (
        f"{name}: solutions lose points {failed}; cells with errors (index: error) {errors}")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_release_notebook_fails_every_test_and_runs_up_to_the_first_exercise(course, name):
    scores, graded = course.autograde(name, "blank", _release(name))
    assert scores, f"{name}: no graded test cells"
    passed = {cell: s for cell, s in scores.items() if s[0] != 0}
    assert not passed, (f"{name}: graded tests that the unanswered release passes (a test "
                        f"that cannot fail): {passed}")
    first_answer = next(i for i, c in enumerate(graded.cells) if _grading_meta(c).get("solution"))
    broken = {i: _errors(c) for i, c in enumerate(graded.cells[:first_answer]) if _errors(c)}
    assert not broken, f"{name}: cells before the first exercise fail in the release: {broken}"
    # and each graded test fails with an error (not, say, a silent 0 from a timeout)
    silent = [_grading_meta(c)["grade_id"] for c in graded.cells
              if _is_graded_test(c) and not _errors(c)]
    assert not silent, f"{name}: graded tests without an error in the release: {silent}"


def _comparable(nb) -> tuple:
    cells = []
    for cell in nb.cells:
        meta = {k: v for k, v in cell.get("metadata", {}).items()
                if k not in VOLATILE_CELL_METADATA}
        cells.append((cell.get("id"), cell.cell_type, cell.source, meta))
    return nb.metadata.get("kernelspec"), cells


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_release_equals_a_fresh_generate_assignment(course, name):
    fresh, committed = _comparable(_read(course.generate(name))), _comparable(_read(_release(name)))
    assert fresh[0] == committed[0], f"{name}: kernelspec differs"
    assert len(fresh[1]) == len(committed[1]), (
        f"{name}: notebooks/ has {len(committed[1])} cells, a fresh release {len(fresh[1])}; "
        f"run python -m bpcourse release {name}")
    for i, (new, old) in enumerate(zip(fresh[1], committed[1], strict=True)):
        assert new == old, (f"{name}: cell {i} of notebooks/ differs from a fresh "
                            f"generate_assignment; run python -m bpcourse release {name}")


# ----- (d) leaks -----

_REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.S)


def _secret_and_public(nb) -> tuple[list[str], str]:
    """Lines of solution / hidden-test regions and written answers; all other text."""
    secret, public = [], []
    for cell in nb.cells:
        source = cell.source + "\n"
        if cell.cell_type == "markdown" and _grading_meta(cell).get("solution"):
            secret += source.splitlines()
            continue
        secret += [line for m in _REGION.finditer(source) for line in m.group(2).splitlines()]
        public.append(_REGION.sub("", source))
    return secret, "\n".join(public)


def _leaks(solution_nb, released_text: str) -> tuple[list[str], list[str]]:
    """(lines looked for, lines found): secret lines of the solutions notebook that are not
    also public there, found in the released text."""
    secret, public = _secret_and_public(solution_nb)
    checked = list(dict.fromkeys(
        s.strip() for s in secret
        if len(s.strip()) >= 8 and s.strip() not in public and s.strip() not in MARKERS))
    return checked, [line for line in checked if line in released_text]


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_or_hidden_test_text_in_the_release(name):
    text = "\n".join(c.source for c in _read(_release(name)).cells)
    for marker in MARKERS:
        assert marker not in text, f"{name}: the release contains the marker {marker!r}"
    checked, leaked = _leaks(_read(_solution(name)), text)
    assert checked, f"{name}: found no solution or hidden-test text to look for"
    assert not leaked, f"{name}: solution or hidden-test lines in notebooks/: {leaked[:5]}"


@pytest.mark.parametrize("name", NAMES)
def test_the_leak_check_finds_a_planted_line(name):
    solution = _read(_solution(name))
    text = "\n".join(c.source for c in _read(_release(name)).cells)
    checked, _ = _leaks(solution, text)
    for planted in (checked[0], checked[-1]):  # a solution line and a hidden-test line
        _, leaked = _leaks(solution, text + "\n    " + planted + "\n")
        assert leaked == [planted]


# ----- sources: builders and outputs -----

def _build(builder: Path, root: Path) -> Path:
    module = load_builder(builder)
    return module.write(module.NAME, module.CELLS, root=root)


@pytest.mark.parametrize("builder", BUILDERS, ids=[b.stem for b in BUILDERS])
def test_solutions_are_what_the_builder_writes(builder, tmp_path):
    built = _build(builder, tmp_path)
    committed = ROOT / built.relative_to(tmp_path)
    assert committed.exists(), f"{committed} missing: run python {builder.relative_to(ROOT)}"
    assert built.read_text() == committed.read_text(), (
        f"{committed.relative_to(ROOT)} is not what {builder.name} writes: run "
        "python scripts/build_solutions.py, then python -m bpcourse release")


@pytest.mark.parametrize("path", [_solution(n) for n in NAMES] + [_release(n) for n in NAMES],
                         ids=[f"solutions/{n}" for n in NAMES] + [f"notebooks/{n}" for n in NAMES])
def test_committed_without_outputs(path):
    nb = _read(path)
    executed = [i for i, c in enumerate(nb.cells)
                if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not executed, f"{path.relative_to(ROOT)}: cells {executed} have outputs"


# ----- (e) seeded: the same numbers twice -----

_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def _text_outputs(path: Path) -> list[tuple[int, str]]:
    from nbclient import NotebookClient

    nb = _read(path)
    env_flag = os.environ.pop("NBGRADER_EXECUTION", None)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if env_flag is not None:
            os.environ["NBGRADER_EXECUTION"] = env_flag
    texts = []
    for i, cell in enumerate(nb.cells):
        # A stream may arrive in one output or in several, depending on when it was flushed.
        streams = {}
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                streams[out["name"]] = streams.get(out["name"], "") + out["text"]
            else:
                text = out.get("data", {}).get("text/plain") or out.get("evalue") or ""
                texts.append((i, _ADDRESS.sub(" at 0x…", text)))
        texts += [(i, f"[{name}] " + text) for name, text in sorted(streams.items())]
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("name", SEEDED)
def test_running_twice_gives_the_same_numbers(name):
    first, second = _text_outputs(_solution(name)), _text_outputs(_solution(name))
    assert any(text for _, text in first), f"{name}: no text output to compare"
    differences = [f"cell {a[0]}: {a[1]!r} vs {b[1]!r}"
                   for a, b in zip(first, second, strict=False) if a != b]
    assert first == second, (f"{name}: text outputs differ between two runs: "
                             + "; ".join(differences)[:2000])
