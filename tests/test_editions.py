"""The two editions cannot drift: a builder writes both from one list of cells, and for every
notebook that has a zh edition, its answer cells, test cells, grade ids and points are those of
the English one. Only the prose (and a demo cell's figure labels) differs."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from bpcourse.tools.course import EDITIONS, ROOT, assignments, edition_of

sys.path.insert(0, str(ROOT / "scripts"))
import nbbuild  # noqa: E402

sys.path.remove(str(ROOT / "scripts"))


def graded_signature(nb) -> list[tuple]:
    """What grading depends on, cell by nbgrader cell: kind, grade id, flags, points, and the
    code of answer and test cells (a written answer's prose is per language)."""
    signature = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if not meta:
            continue
        code = cell.source if cell.cell_type == "code" else None
        signature.append((cell.cell_type, meta["grade_id"], meta["grade"], meta["solution"],
                          meta["locked"], meta.get("points"), code))
    return signature


def _pairs(folder: str) -> list[tuple[Path, Path]]:
    names = assignments(ROOT, folder, "zh")
    suffix = EDITIONS["zh"]
    return [(ROOT / folder / n[:-len(suffix)] / f"{n[:-len(suffix)]}.ipynb",
             ROOT / folder / n / f"{n}.ipynb") for n in names]


def _toy_cells(zh_for_every_markdown: bool = True):
    return [
        nbbuild.md("# Chain rule", zh="# 链式法则"),
        nbbuild.code("import bpcourse\nimport numpy as np"),
        nbbuild.md("Write the local gradient.", zh="写出局部梯度。" if zh_for_every_markdown
                   else None),
        nbbuild.answer("local", "def local(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                                "    ### END SOLUTION"),
        nbbuild.test("test_local", 3, "assert local(3) == 6"),
        nbbuild.code("plt.title('upstream gradient')", zh="plt.title('上游梯度')"),
        nbbuild.written("why", 2, "Why is ∂L/∂L = 1?", zh="为什么 ∂L/∂L = 1？"),
    ]


def test_a_builder_with_zh_prose_writes_both_editions_with_the_same_grading(tmp_path):
    en_path = nbbuild.write("02_toy", _toy_cells(), root=tmp_path)
    zh_path = tmp_path / "solutions" / "02_toy_zh" / "02_toy_zh.ipynb"
    en, zh = nbformat.read(en_path, 4), nbformat.read(zh_path, 4)

    assert graded_signature(zh) == graded_signature(en)
    assert len(graded_signature(en)) == 3
    assert zh.cells[0].source == nbbuild.ZH_LANGUAGE_CELL, "zh selects Chinese messages first"
    assert [c.source for c in zh.cells[1:]][::2] == ["# 链式法则", "写出局部梯度。",
                                                     "assert local(3) == 6", "为什么 ∂L/∂L = 1？"]
    assert "plt.title('上游梯度')" in [c.source for c in zh.cells]
    assert "plt.title('upstream gradient')" in [c.source for c in en.cells]
    assert not any(nbbuild._ZH in c.metadata for c in en.cells + zh.cells)
    assert [c.id for c in zh.cells[1:]] == [c.id for c in en.cells]
    assert edition_of(zh_path.parent.name) == "zh"


def test_without_zh_for_every_markdown_cell_only_english_is_written(tmp_path, capsys):
    nbbuild.write("02_toy", _toy_cells(zh_for_every_markdown=False), root=tmp_path)
    assert assignments(tmp_path) == ["02_toy"]
    assert "zh edition not written, 1 markdown cell(s)" in capsys.readouterr().err


def test_a_builder_without_zh_writes_what_it_always_wrote(tmp_path):
    cells = [nbbuild.md("# Title"), nbbuild.test("t", 1, "assert True")]
    path = nbbuild.write("03_plain", cells, root=tmp_path)
    nb = nbformat.read(path, 4)
    assert [c.id for c in nb.cells] == ["03-000", "03-001"]
    assert assignments(tmp_path) == ["03_plain"]


@pytest.mark.parametrize("folder", ["solutions", "notebooks"])
def test_every_zh_notebook_grades_exactly_like_its_english_one(folder):
    for en_path, zh_path in _pairs(folder):
        assert en_path.is_file(), f"{zh_path} has no English notebook {en_path}"
        en, zh = nbformat.read(en_path, 4), nbformat.read(zh_path, 4)
        assert graded_signature(zh) == graded_signature(en), (
            f"{zh_path.name} and {en_path.name} differ in answer or test cells, grade ids or "
            "points: both are written by one builder, rebuild with scripts/build_solutions.py")
