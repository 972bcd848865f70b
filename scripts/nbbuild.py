"""Write a course notebook with nbformat, with the nbgrader metadata (schema 3) on each cell.

The notebook builders in scripts/notebooks/ describe each notebook as a list of cells made by
the functions here, then call ``write(name, cells)``, which writes
``solutions/<name>/<name>.ipynb``. ``solutions/`` stays the single source of truth for
nbgrader; the builders are how we author it without hand-editing JSON.

Editions (docs/editions.md): prose may come in Chinese too, ``md(en, zh=...)``. When every
markdown cell of a notebook has its zh text, ``write`` also writes the zh edition,
``solutions/<name>_zh/<name>_zh.ipynb``: the same cells, the same code, grade ids, points and
tests, the Chinese prose, and a first cell that selects Chinese for the test messages
(``bpcourse.set_language("zh_CN")``). A notebook without zh text is written in English only, as
before.

Cell kinds:
    md(text, zh=None)           prose (read-only for nothing: learners may annotate)
    code(src, zh=None)          a demo cell the learner runs (zh: its Chinese variant, for a
                                figure's labels; never for answer or test cells)
    answer(grade_id, src)       an autograded answer: the solution between
                                ### BEGIN SOLUTION / ### END SOLUTION
    test(grade_id, points, src) a locked test cell; hidden parts between
                                ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS
    written(grade_id, points, text, zh=None)  a written answer graded by hand (markdown)
    hidden(module, answers, *tests)  the source of a hidden-test cell that calls
                                bpcourse.grading.<module>.<test>(answers) when graded
    glossary(*terms)            the notebook's glossary (术语表): the terms it uses, English
                                keys of scripts/glossary.py, as a table in each edition
"""

from __future__ import annotations

import copy
import re
import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
ZH_SUFFIX = "_zh"  # the zh edition's assignment id: 04_layers_zh (bpcourse.tools.course.EDITIONS)
_ZH = "bpcourse_zh"  # where md()/code()/written() keep the zh text until write() uses it
# The zh edition's first cell: its kernel speaks Chinese (visible and hidden tests, Validate).
ZH_LANGUAGE_CELL = ("# 中文版: 本笔记本中测试给出的提示均为中文\n"
                    "import bpcourse\n"
                    'bpcourse.set_language("zh_CN");')


def _clean(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


_WIDE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # CJK and full-width marks
_PUNCT = re.compile(r"[\u3000-\u303f\uff00-\uffef]")
_BLOCK = re.compile(r"\s*([-*] |[|#<>]|\d+\. |```|\$\$)")  # a line that starts a block


def unwrap_cjk(text: str) -> str:
    """Chinese markdown written over several source lines, as one line per paragraph.

    A line break inside a paragraph renders as a space, which is right between English words
    but a stray gap between Chinese characters. So a break is dropped where Chinese text meets
    Chinese text or full-width punctuation, and kept as one space where Chinese meets code,
    math or a Latin word (d2l's spacing). Lists, tables, headings, HTML, code blocks and $$
    blocks keep their lines.
    """
    out: list[str] = []
    fenced = in_math = False
    for line in _clean(text).split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        prev = out[-1] if out else ""
        joinable = (prev.strip() and line.strip() and not fenced and not in_math
                    and not line.lstrip().startswith("```") and not _BLOCK.match(line)
                    and not prev.lstrip().startswith(("|", "#", "```", "<"))
                    and not prev.rstrip().endswith("$$"))
        if line.count("$$") % 2:
            in_math = not in_math
        if not joinable:
            out.append(line)
            continue
        before, after = prev.rstrip()[-1], line.lstrip()[0]
        tight = (_WIDE.match(before) and _WIDE.match(after)) or _PUNCT.match(before) \
            or _PUNCT.match(after)
        out[-1] = prev.rstrip() + ("" if tight else " ") + line.lstrip()
    return "\n".join(out)


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float = 0):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _with_zh(cell, zh: str | None):
    if zh is not None:
        cell.metadata[_ZH] = unwrap_cjk(zh) if cell.cell_type == "markdown" else _clean(zh)
    return cell


def zh_variant(src: str, *words: tuple[str, str]) -> str:
    """A demo cell's zh variant: ``src`` with only its words swapped (what it prints, its labels,
    its comments), each (English, 中文) pair found exactly once, so that the code of the two
    editions cannot drift apart.

    Raises:
        ValueError naming an English text that is not exactly once in ``src``.
    """
    for english, chinese in words:
        if src.count(english) != 1:
            raise ValueError(f"zh_variant: {english!r} occurs {src.count(english)} times in the "
                             f"cell {src.strip()[:60]!r}; expected exactly once")
        src = src.replace(english, chinese)
    return src


def md(text: str, zh: str | None = None):
    return _with_zh(new_markdown_cell(_clean(text)), zh)


def code(src: str, zh: str | tuple[tuple[str, str], ...] | None = None):
    """A demo cell; ``zh``: its Chinese variant, or the (English, 中文) pairs that make it from
    ``src`` (:func:`zh_variant`)."""
    if isinstance(zh, tuple):
        zh = zh_variant(src, *zh)
    return _with_zh(new_code_cell(_clean(src)), zh)


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
            f"# likely mistake.\n# 隐藏测试：评分时运行，出错时的提示会指出可能的错误。\n"
            f"from bpcourse.grading import {module}\n"
            f"{module}.require_written({answers})\n"
            f"### BEGIN HIDDEN TESTS\n{calls}\n### END HIDDEN TESTS")


def written(grade_id: str, points: float, text: str, zh: str | None = None):
    return _with_zh(new_markdown_cell(_clean(text), metadata=_meta(
        grade_id, grade=True, solution=True, locked=False, points=points)), zh)


def glossary(*terms: str):
    """A markdown cell: the glossary (术语表) of the terms this notebook uses, both editions.

    Args:
        terms: English keys of ``scripts/glossary.py``'s TERMS, in the order to list them.
    """
    from glossary import table  # scripts/glossary.py, beside this file

    return md("### Glossary · 术语表\n\nThe terms of this notebook in the course's Chinese "
              "edition (中文版).\n\n" + table(list(terms), "en"),
              zh="### 术语表 (glossary)\n\n本笔记本用到的术语及其英文对照。\n\n"
                 + table(list(terms), "zh"))


def edition(cells: list, lang: str) -> list | None:
    """The cells of the ``lang`` edition ("en" or "zh"), without the zh texts they carry.

    For "zh": each cell's zh text replaces its English one, and the language cell comes first;
    None while a markdown cell has no zh text (the zh edition is not complete).
    """
    if lang == "zh" and any(c.cell_type == "markdown" and _ZH not in c.metadata for c in cells):
        return None
    out = []
    for cell in cells:
        cell = copy.deepcopy(cell)
        zh = cell.metadata.pop(_ZH, None)
        if lang == "zh" and zh is not None:
            cell.source = zh
        out.append(cell)
    return [new_code_cell(ZH_LANGUAGE_CELL), *out] if lang == "zh" else out


def _write_notebook(name: str, cells: list, ids: list[str], root: Path) -> Path:
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"},
    })
    for cell, cell_id in zip(nb.cells, ids, strict=True):  # stable ids keep diffs small
        cell["id"] = cell_id
    nbformat.validate(nb)
    path = root / "solutions" / name / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def write(name: str, cells: list, root: Path = ROOT) -> Path:
    """Write solutions/<name>/<name>.ipynb (no outputs, Python 3 kernel); return its path.

    When every markdown cell has zh text, also write the zh edition
    solutions/<name>_zh/<name>_zh.ipynb (same cell ids, plus ``NN-zh0`` for the language cell);
    when only some have, say on stderr how many lack it.
    """
    ids = [f"{name[:2]}-{i:03d}" for i in range(len(cells))]
    path = _write_notebook(name, edition(cells, "en"), ids, root)
    zh_cells = edition(cells, "zh")
    if zh_cells is not None:
        _write_notebook(name + ZH_SUFFIX, zh_cells, [f"{name[:2]}-zh0", *ids], root)
    elif any(_ZH in c.metadata for c in cells):
        lacking = sum(c.cell_type == "markdown" and _ZH not in c.metadata for c in cells)
        print(f"nbbuild: {name}: zh edition not written, {lacking} markdown cell(s) have no zh "
              "text yet", file=sys.stderr)
    return path
