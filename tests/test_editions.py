"""The two editions cannot drift: a builder writes both from one list of cells, and for every
notebook that has a zh edition, its answer cells, test cells, grade ids and points are those of
the English one. Only the prose (and a demo cell's figure labels) differs."""

from __future__ import annotations

import re
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


# --- both editions in one gradebook -------------------------------------------------------------

def _grading_cells():
    answer_src = ("def grad_W(x, dout):\n    ### BEGIN SOLUTION\n    return x.T @ dout\n"
                  "    ### END SOLUTION")
    test_src = ("import numpy as np\nfrom bpcourse import check_gradient\n"
                "x, dout = np.arange(6.0).reshape(3, 2), np.ones((3, 4))\n"
                "check_gradient(grad_W(x, dout), x.T @ dout, 'dW')")
    return [nbbuild.md("# dW", zh="# 权重的梯度 dW"),
            nbbuild.answer("grad_W", answer_src),
            nbbuild.test("test_grad_W", 4, test_src)]


@pytest.mark.slow
def test_one_gradebook_grades_both_editions_alike_with_hints_in_each_language(tmp_path):
    from bpcourse.tools.autograde import autograde, make_course
    from bpcourse.tools.nbgrader_run import run_nbgrader

    source = tmp_path / "source"
    (source / "solutions").mkdir(parents=True)
    (source / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    nbbuild.write("01_toy", _grading_cells(), root=source)
    names = ["01_toy", "01_toy_zh"]
    course = make_course(tmp_path / "course", names, root=source)
    db_url = f"sqlite:///{course / 'gradebook.db'}"  # one gradebook for both editions
    for name in names:
        done = run_nbgrader(["generate_assignment", name, f"--CourseDirectory.db_url={db_url}"],
                            course)
        assert done.returncode == 0, done.stdout + done.stderr
        release = nbformat.read(course / "notebooks" / name / f"{name}.ipynb", 4)
        for cell in release.cells:  # the classic mistake: dout @ x.T's shape, transposed
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "grad_W":
                cell.source = "def grad_W(x, dout):\n    return (x.T @ dout).T"
        target = course / "submitted" / "ana" / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(release, target)

    (en,), _ = autograde(course, "01_toy", students=["ana"], db_url=db_url)
    (zh,), _ = autograde(course, "01_toy_zh", students=["ana"], db_url=db_url)
    assert (en.graded, en.score, en.max_score) == (zh.graded, zh.score, zh.max_score) == (
        True, 0.0, 4.0)
    assert "Likely mistake: transposed" in en.results[0].message
    assert "可能的错误：转置了" in zh.results[0].message


def test_bpcourse_grade_tells_the_editions_apart_by_file_name(tmp_path):
    from bpcourse.tools.autograde import assignment_of
    from bpcourse.tools.outcome import Outcome, TestResult

    for name in ("04_layers", "04_layers_zh", "05_mlp"):
        nbbuild.write(name, [nbbuild.md("x")], root=tmp_path)
    downloads = tmp_path / "Downloads"
    assert assignment_of(downloads / "04_layers_zh-Copy1.ipynb", tmp_path) == "04_layers_zh"
    assert assignment_of(downloads / "04_layers-Copy1.ipynb", tmp_path) == "04_layers"
    assert assignment_of(downloads / "04_layers_zh.ipynb", tmp_path) == "04_layers_zh"
    out = Outcome("self", "04_layers_zh", True, results=[
        TestResult("t1", "linear", 0, 2, "AssertionError: dW：形状不对。"),
        TestResult("t2", "linear", 0, 3, "AssertionError: dW：形状不对。可能的错误：转置了。")])
    assert out.exercises()["linear"][2].endswith("可能的错误：转置了。")


@pytest.mark.slow
def test_bpcourse_grade_of_a_zh_notebook_prints_its_table_in_chinese_with_the_same_points(
        tmp_path):
    from bpcourse import i18n
    from bpcourse.tools.autograde import grade_notebook, grade_text, prepared_course

    source = tmp_path / "source"
    (source / "solutions").mkdir(parents=True)
    (source / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    nbbuild.write("01_toy", _grading_cells(), root=source)
    outcomes, texts = {}, {}
    for name in ("01_toy", "01_toy_zh"):
        release = nbformat.read(prepared_course(name, source) / "notebooks" / name
                                / f"{name}.ipynb", 4)
        for cell in release.cells:  # the same wrong answer in both editions: transposed
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "grad_W":
                cell.source = "def grad_W(x, dout):\n    return (x.T @ dout).T"
        learner = tmp_path / "work" / f"{name}-Copy1.ipynb"
        learner.parent.mkdir(exist_ok=True)
        nbformat.write(release, learner)
        outcomes[name] = grade_notebook(learner, root=source, cell_timeout=30)
        texts[name] = grade_text(outcomes[name])
    en, zh = outcomes["01_toy"], outcomes["01_toy_zh"]

    assert en.graded and zh.graded
    assert en.exercises()["grad_W"][:2] == zh.exercises()["grad_W"][:2] == (0.0, 4.0)
    assert (en.score, en.max_score) == (zh.score, zh.max_score) == (0.0, 4.0)
    assert texts["01_toy"].splitlines()[:4] == [
        "01_toy: 0 / 4 points", "", "exercise     points  what failed",
        "grad_W          0/4  dW: wrong shape. Expected (2, 4), got (4, 2). Likely mistake: "
        "transposed: check"], texts["01_toy"]
    zh_lines = texts["01_toy_zh"].splitlines()
    # a Chinese character takes two columns: 得分 ends where 0/4 ends
    assert zh_lines[:3] == ["01_toy_zh：0 / 4 分", "", "练习         得分  未通过的原因"], zh_lines
    assert zh_lines[3].startswith("grad_W        0/4  dW：形状不对。应为 (2, 4)，实际为 (4, 2)。"
                                  "可能的错误：转置了"), zh_lines
    assert i18n.language() == "en", "grade_text speaks the edition's language only for its table"


def _glossary_table(markdown: str) -> list[tuple[str, str]]:
    """(English, 中文) rows of the table under a README's 术语表 heading."""
    section = markdown.split("## 术语表", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in section.splitlines() if line.startswith("|")]
    header, rows = rows[0], [r for r in rows[1:] if not set("".join(r)) <= set("-: ")]
    english, chinese = header.index("English"), header.index("中文")
    return [(r[english], r[chinese]) for r in rows]


@pytest.mark.parametrize("readme", ["README.md", "README.zh-CN.md"])
def test_the_readmes_glossary_is_scripts_glossary(readme):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import glossary
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert _glossary_table((ROOT / readme).read_text(encoding="utf-8")) == glossary.TERMS, (
        f"{readme}'s 术语表 differs from scripts/glossary.py: regenerate it with "
        "`.venv/bin/python scripts/readme_glossary.py`")


def _week(readme: str) -> dict[str, list[str]]:
    """The `python -m bpcourse ...` lines of a README's week block (its first ```bash block
    after the heading), by command."""
    import shlex

    text = (ROOT / readme).read_text(encoding="utf-8")
    heading = "### The week" if readme == "README.md" else "### 一周的流程"
    block = text.split(heading, 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = [shlex.split(line.split("  #", 1)[0]) for line in block.splitlines()
             if line.startswith("python -m bpcourse ")]
    return {words[3]: words[3:] for words in lines}


def test_the_zh_readme_teaches_the_same_week_with_the_zh_assignment_ids():
    english, chinese = _week("README.md"), _week("README.zh-CN.md")
    assert list(chinese) == list(english) == ["release", "collect", "autograde", "manual-grade",
                                              "feedback", "export"]
    free = {"--comment", "--column"}  # words a teacher writes in their own language

    def fixed(words: list[str]) -> list[str]:
        words = [w for w in words if w != "--lang" and w not in EDITIONS]
        return [w for i, w in enumerate(words) if i == 0 or words[i - 1] not in free]

    for command, words in english.items():
        assignment = words[1]
        expected = [w.replace(assignment, assignment + EDITIONS["zh"]) for w in fixed(words)]
        assert fixed(chinese[command]) == expected, command


def test_chinese_prose_is_unwrapped_where_a_line_break_would_show_as_a_space():
    """A break between two Chinese characters renders as a stray space: the builders' zh prose
    is joined there, kept as one space next to code or Latin words, and blocks keep their lines."""
    zh = nbbuild.unwrap_cjk("""
        反向传播从损失开始，
        沿计算图逆向走。每个节点
        把上游梯度乘以
        `local` 梯度。

        - 第一项，
          接着写。
        - 第二项

        $$
        \\frac{\\partial L}{\\partial x}
        $$
        公式之后。
        ```
        代码行一
        代码行二
        ```
        """)
    assert zh.split("\n") == [
        "反向传播从损失开始，沿计算图逆向走。每个节点把上游梯度乘以 `local` 梯度。", "",
        "- 第一项，接着写。", "- 第二项", "",
        "$$", "\\frac{\\partial L}{\\partial x}", "$$", "公式之后。",
        "```", "代码行一", "代码行二", "```"]
    cell = nbbuild.md("The chain rule\nin English.", zh="链式\n法则")
    assert cell.source == "The chain rule\nin English."  # English keeps its lines
    assert cell.metadata["bpcourse_zh"] == "链式法则"


def test_a_demo_cells_zh_variant_swaps_words_found_exactly_once():
    """`code(src, zh=pairs)` makes the zh variant from the English code, so the two editions
    cannot compute different things; a text not found exactly once is an error naming it."""
    src = 'print("loss")\nax.set_title("loss curve")'
    pairs = (('print("loss")', 'print("损失")'), ('"loss curve"', '"损失曲线"'))
    cell = nbbuild.code(src, zh=pairs)
    assert cell.metadata["bpcourse_zh"] == 'print("损失")\nax.set_title("损失曲线")'
    with pytest.raises(ValueError, match="'loss' occurs 2 times"):
        nbbuild.zh_variant(src, ("loss", "损失"))
    with pytest.raises(ValueError, match="'accuracy' occurs 0 times"):
        nbbuild.zh_variant(src, ("accuracy", "准确率"))


@pytest.mark.parametrize("tree", ["solutions", "notebooks"])
def test_no_notebook_mentions_a_seed_note_the_learner_has_never_seen(tree):
    """The course's terms come from a note behind the course; the learner never sees that note,
    so no notebook of either edition may send them to it."""
    mentions = [str(path.relative_to(ROOT)) for path in sorted((ROOT / tree).rglob("*.ipynb"))
                if re.search(r"seed note|the seed's|种子笔记", path.read_text(encoding="utf-8"),
                             re.IGNORECASE)]
    assert not mentions, f"these notebooks mention the seed note: {mentions}"
