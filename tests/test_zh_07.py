"""07_capstone in Chinese: a named wrong answer graded in the zh edition gets the verdict it gets
in English, with the hint in Chinese; the zh notebook's prose is Chinese throughout.

The wrong answers are edits of the notebook's own solutions (the builder's constants), graded by
``bpcourse.grading.nb07``, the hidden tests nbgrader runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from builders import load_builder

import bpcourse
from bpcourse.grading import nb07

ROOT = Path(__file__).resolve().parent.parent
BUILDER = load_builder(ROOT / "scripts" / "notebooks" / "nb07_capstone.py")
SOLUTION = re.compile(r"### BEGIN SOLUTION\n.*?### END SOLUTION\n", re.S)
CJK = re.compile(r"[\u4e00-\u9fff]")
# Three English words in a row, e.g. "is ignored: mu" does not count but "the mean's dependence"
# does: what a sentence left in English looks like. Code such as `dout.sum(axis=0)` is no match.
ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z']{2,}(?: [A-Za-z']{2,}){2,}\b")

EXERCISES = {
    "batchnorm": ("BATCHNORM", nb07.test_batchnorm),
    "layernorm": ("LAYERNORM", nb07.test_layernorm),
    "conv1d": ("CONV1D", nb07.test_conv1d),
}

# (exercise, edits of the solution, what the English hint says, what the Chinese hint says)
WRONG_ANSWERS = [
    ("batchnorm", [("dx = dxc + dmu / N", "dx = dxc")],
     "the mean's dependence on x is ignored", "忽略了均值对 x 的依赖：mu 是批量中每个 x 的函数"),
    ("batchnorm", [("std = np.sqrt(var + eps) ", "std = np.sqrt(var) ")],
     "ε is forgotten in the backward pass", "反向传播中漏了 ε"),
    ("batchnorm", [("dbeta = dout.sum(axis=0)", "dbeta = dout.mean(axis=0)")],
     "dbeta averaged over the batch", "dbeta 对批量取了平均"),
    ("layernorm", [("dxc += dvar * 2 * xc / D", "dxc += dvar * 2 * xc / (D - 1)")],
     "D−1 in the variance's derivative", "方差的导数中用了 D−1，而前向传播除以的是 D"),
    ("layernorm", [("dx = dxc + dmu / D", "dx = dxc")],
     "mu is a function of every x in the row", "mu 是这一行中每个 x 的函数"),
    ("conv1d", [("(d @ W).reshape(N, C_in, K)", "(d @ W).reshape(N, C_in, K)[:, :, ::-1]")],
     "the kernel is flipped", "卷积核被翻转了"),
    ("conv1d", [("dx[:, :, t:t + K] += ", "dx[:, :, t:t + K] = ")],
     "the input gradient is overwritten, not added", "输入的梯度被覆盖了，而不是累加"),
    ("conv1d", [("dw += (d.T @ window)", "dw = (d.T @ window)")],
     "not summed over positions", "权重的梯度没有在各个位置上求和"),
]


pytestmark = pytest.mark.usefixtures("english_afterwards")


def _answers(exercise: str, edits):
    """The notebook's answer cell for `exercise` with `edits` made to its solution; returns the
    functions it defines (forward, backward) and the grading module's test for them."""
    const, grading_test = EXERCISES[exercise]
    source = getattr(BUILDER, const)
    region = SOLUTION.search(source).group(0)
    for old, new in edits:
        assert region.count(old) == 1, f"{old!r} is not exactly once in the {const} solution"
        region = region.replace(old, new)
    scope = {"np": np}
    exec(compile(SOLUTION.sub(lambda _: region, source), f"<{exercise} answer>", "exec"), scope)
    return [scope[f"{exercise}_forward"], scope[f"{exercise}_backward"]], grading_test


def _failure(grading_test, answers, language: str) -> AssertionError:
    bpcourse.set_language(language)
    with pytest.raises(AssertionError) as caught:
        grading_test(*answers)
    return caught.value


@pytest.mark.parametrize(("exercise", "edits", "english", "chinese"), WRONG_ANSWERS,
                         ids=[f"{e}-{en[:30]}" for e, _, en, _ in WRONG_ANSWERS])
def test_a_named_mistake_gets_the_same_verdict_and_a_chinese_hint(exercise, edits, english,
                                                                  chinese):
    answers, grading_test = _answers(exercise, edits)
    in_english = _failure(grading_test, answers, "en")
    in_chinese = _failure(grading_test, answers, "zh_CN")

    assert type(in_chinese) is type(in_english)  # the same verdict: this exercise fails
    en_text, zh_text = str(in_english), str(in_chinese)
    # The same case fails (the part before the first colon names the function and array).
    assert zh_text.split(":")[0] == en_text.split(":")[0], (en_text, zh_text)
    assert english in en_text, en_text
    assert chinese in zh_text, zh_text
    assert english not in zh_text, zh_text
    assert ENGLISH_SENTENCE.search(en_text), "the English-sentence check must see English"
    assert not ENGLISH_SENTENCE.search(zh_text), (
        f"English left in the zh hint: {ENGLISH_SENTENCE.search(zh_text).group(0)!r} in "
        f"{zh_text}")


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_the_solution_passes_in_chinese_too(exercise):
    answers, grading_test = _answers(exercise, [])
    bpcourse.set_language("zh_CN")
    grading_test(*answers)  # raises on any failure


def test_every_hint_of_nb07_has_chinese_words_in_chinese():
    """Every mistake model's hint, for both normalisation axes and the convolution, comes out
    with Chinese words and without an English sentence once the language is Chinese."""
    r = np.random.default_rng(0)
    x, gamma, dout = r.standard_normal((4, 5)), r.standard_normal(5), r.standard_normal((4, 5))
    xc, w = r.standard_normal((2, 3, 7)), r.standard_normal((4, 3, 3))
    dout_c = r.standard_normal((2, 4, 5))

    def hints():
        found = [h for axis in (0, 1)
                 for h, _ in nb07.normalisation_mistakes(x, gamma, dout, 1e-5, axis)]
        return found + [h for group in nb07.conv1d_mistakes(xc, w, dout_c) for h, _ in group]

    english = hints()
    bpcourse.set_language("zh_CN")
    chinese = hints()
    assert len(chinese) == len(english) == 30  # 8 per normalisation axis, 14 for conv1d
    for en, zh in zip(english, chinese, strict=True):
        assert ENGLISH_SENTENCE.search(en), en
        assert CJK.search(zh) and not ENGLISH_SENTENCE.search(zh), zh


def test_the_visible_tests_say_they_pass_in_chinese(capsys):
    bpcourse.set_language("zh_CN")
    nb07.passed("batchnorm_backward")
    said = capsys.readouterr().out
    assert said.startswith("batchnorm_backward") and CJK.search(said), said


def test_the_zh_notebook_prose_is_chinese_in_every_markdown_cell():
    en = nbformat.read(ROOT / "solutions" / "07_capstone" / "07_capstone.ipynb", 4)
    zh = nbformat.read(ROOT / "solutions" / "07_capstone_zh" / "07_capstone_zh.ipynb", 4)
    en_md = [c.source for c in en.cells if c.cell_type == "markdown"]
    zh_md = [c.source for c in zh.cells if c.cell_type == "markdown"]
    assert len(zh_md) == len(en_md) > 10
    for english, chinese in zip(en_md, zh_md, strict=True):
        assert CJK.search(chinese) and chinese != english, chinese[:80]
    assert sum(c.count("<summary>提示") for c in zh_md) == 9  # every hint of the three exercises
    assert not any("<summary>Hint" in c for c in zh_md)
    assert any(c.startswith("### 术语表") for c in zh_md)
