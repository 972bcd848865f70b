"""Write a course notebook with nbformat, with the nbgrader metadata (schema 3) on each cell.

The notebook builders in scripts/notebooks/ describe each notebook as a list of cells made by
the functions here, then call ``write(name, cells)``, which writes
``solutions/<name>/<name>.ipynb``. ``solutions/`` stays the single source of truth for
nbgrader; the builders are how we author it without hand-editing JSON.

Cell kinds:
    md(text)                    prose (read-only for nothing: learners may annotate)
    code(src)                   a demo cell the learner runs
    answer(grade_id, src)       an autograded answer: the solution between
                                ### BEGIN SOLUTION / ### END SOLUTION
    test(grade_id, points, src) a locked test cell; hidden parts between
                                ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS
    written(grade_id, points, text)  a written answer graded by hand (markdown)
    hidden(module, answers, *tests)  the source of a hidden-test cell that calls
                                bpcourse.grading.<module>.<test>(answers) when graded
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent


def _clean(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float = 0):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def md(text: str):
    return new_markdown_cell(_clean(text))


def code(src: str):
    return new_code_cell(_clean(src))


def answer(grade_id: str, src: str):
    return new_code_cell(_clean(src), metadata=_meta(grade_id, grade=False, solution=True,
                                                      locked=False))


def test(grade_id: str, points: float, src: str):
    return new_code_cell(_clean(src), metadata=_meta(grade_id, grade=True, solution=False,
                                                      locked=True, points=points))


def hidden(module: str, answers: str, *tests: str,
           about: str = "random shapes and seeds against an independent oracle") -> str:
    """The source of a hidden-test cell for the exercise whose answers are named.

    Its one visible line, ``<module>.require_written(<answers>)``, fails until the learner has
    replaced the release's ``raise NotImplementedError()``, so the cell scores 0 in a release
    run too; each ``<module>.<test>(<answers>)`` is hidden and runs only when graded.

    Args:
        module: the grading module, e.g. "nb04" (bpcourse.grading.nb04).
        answers: the learner's names the tests take, e.g. "linear_forward, linear_backward".
        tests: names of test functions in that module, e.g. "test_linear".
        about: what the hidden tests try, for the cell's comment.
    """
    calls = "\n".join(f"{module}.{name}({answers})" for name in tests)
    return (f"# Hidden tests (run when the notebook is graded): {about}; the message names the\n"
            f"# likely mistake.\nfrom bpcourse.grading import {module}\n"
            f"{module}.require_written({answers})\n"
            f"### BEGIN HIDDEN TESTS\n{calls}\n### END HIDDEN TESTS")


def written(grade_id: str, points: float, text: str):
    return new_markdown_cell(_clean(text), metadata=_meta(grade_id, grade=True, solution=True,
                                                           locked=False, points=points))


def write(name: str, cells: list, root: Path = ROOT) -> Path:
    """Write solutions/<name>/<name>.ipynb (no outputs, Python 3 kernel); return its path."""
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"},
    })
    for i, cell in enumerate(nb.cells):  # stable ids keep diffs small
        cell["id"] = f"{name[:2]}-{i:03d}"
    nbformat.validate(nb)
    path = root / "solutions" / name / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
