"""Notebook 06 in Chinese: a named wrong answer gets the same verdict in both languages and, in
the zh edition, a Chinese hint that names the same mistake; the zh demo cells run the same code
as the English ones (only their words differ)."""

from __future__ import annotations

import ast
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import bpcourse
from bpcourse.grading import nb06

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "scripts" / "notebooks")]
import nb06_cost_of_backprop as builder  # noqa: E402

# Words of the English messages that a Chinese message must not contain (code such as
# `Dual(x[i], 1.0)` or `m_in -> m_out` has none of them).
ENGLISH = re.compile(r"\b(the|is|are|of|expected|got|Likely|mistake|missing|wrong|must|"
                     r"each|every|pass|counts?|leaves)\b")


pytestmark = pytest.mark.usefixtures("english_afterwards")


def _answers(**edits: list[tuple[str, str]]) -> dict:
    """The notebook's solutions, run as the notebook runs them, with `edits` (answer name ->
    (old, new) source replacements, each found exactly once) turning one into a named mistake."""
    sources = {"count_params": builder.COUNT_PARAMS, "passes": builder.PASSES,
               "numeric": builder.NUMERIC, "dual": builder.DUAL,
               "forward_mode": builder.FORWARD_MODE, "memory": builder.ACTIVATION_MEMORY}
    scope = {"math": math, "np": np}
    for name, source in sources.items():
        for old, new in edits.get(name, []):
            assert source.count(old) == 1, (name, old)
            source = source.replace(old, new)
        exec(source, scope)  # noqa: S102 (the notebook's own answer cells)
    return scope


# (what is wrong, the check and the answers it takes, the edit, English and Chinese words of
# the hint that names the mistake)
CASES = [
    ("count_params without biases", nb06.test_count_params, ["count_params"],
     {"count_params": [("d * m + m", "d * m")]},
     "the biases are missing", "漏掉了偏置"),
    ("forward_flops without the factor 2", nb06.test_forward_backward_flops,
     ["forward_flops", "backward_flops"],
     {"passes": [("return 2 * n * count_params", "return n * count_params")]},
     "the factor 2 is missing", "漏掉了因子 2"),
    ("Dual's product without the product rule", nb06.test_dual, ["Dual"],
     {"dual": [("self.tangent * other.value + self.value * other.tangent)",
                "self.tangent * other.tangent)")]},
     "needs the product rule", "乘法的切向量需要乘积法则"),
    ("forward mode seeding every tangent at once", nb06.test_forward_mode_gradient,
     ["forward_mode_gradient"],
     {"forward_mode": [("Dual(v, 1.0 if j == i else 0.0)", "Dual(v, 1.0)")]},
     "seeds every tangent at once", "一次就给所有输入都设了切向量"),
    ("activation memory counting a hidden layer once", nb06.test_activation_memory,
     ["activation_memory"], {"memory": [("relu_inputs = sum(layer_sizes[1:-1])",
                                         "relu_inputs = 0")]},
     "each hidden layer keeps two arrays", "每个隐藏层保留两个数组"),
    ("the visible test: activation memory counting the parameters",
     nb06.check_activation_memory, ["activation_memory"],
     {"memory": [("    return bytes_per_number * n * (linear_inputs + relu_inputs)",
                  "    return bytes_per_number * 13")]},
     "counts the 13 parameters", "数的是 13 个参数"),
    ("the visible test: Dual's product without the product rule", nb06.check_dual, ["Dual"],
     {"dual": [("self.tangent * other.value + self.value * other.tangent)",
                "self.tangent * other.tangent)")]},
     "multiplication needs the product rule", "乘法需要乘积法则"),
]


def _message(check, answers: list, scope: dict, language: str) -> str | None:
    bpcourse.set_language(language)
    try:
        check(*(scope[name] for name in answers))
    except AssertionError as failure:
        return str(failure)
    return None


@pytest.mark.parametrize("what, check, answers, edits, english, chinese", CASES,
                         ids=[c[0] for c in CASES])
def test_a_named_mistake_gets_the_same_verdict_and_a_chinese_hint(what, check, answers, edits,
                                                                   english, chinese):
    scope = _answers(**edits)
    in_english = _message(check, answers, scope, "en")
    in_chinese = _message(check, answers, scope, "zh_CN")
    assert in_english is not None and in_chinese is not None, (
        f"{what}: must fail in both languages; English: {in_english!r}, Chinese: {in_chinese!r}")
    assert english in in_english, in_english
    assert chinese in in_chinese, in_chinese
    assert not ENGLISH.findall(in_chinese), (
        f"{what}: English words {ENGLISH.findall(in_chinese)} left in {in_chinese!r}")


@pytest.mark.parametrize("check, answers", [
    (nb06.test_count_params, ["count_params"]),
    (nb06.test_forward_backward_flops, ["forward_flops", "backward_flops"]),
    (nb06.test_numeric_gradient_flops, ["numeric_gradient_flops"]),
    (nb06.test_dual, ["Dual"]), (nb06.test_forward_mode_gradient, ["forward_mode_gradient"]),
    (nb06.test_activation_memory, ["activation_memory"]),
    (nb06.check_count_params, ["count_params"]),
    (nb06.check_passes, ["forward_flops", "backward_flops"]),
    (nb06.check_numeric_gradient_flops, ["numeric_gradient_flops"]),
    (nb06.check_dual, ["Dual"]), (nb06.check_forward_mode_gradient, ["forward_mode_gradient"]),
    (nb06.check_activation_memory, ["activation_memory"]),
], ids=lambda v: getattr(v, "__name__", "-"))
def test_the_solution_passes_in_both_languages(check, answers):
    scope = _answers()
    for language in ("en", "zh_CN"):
        assert _message(check, answers, scope, language) is None


def test_the_visible_pass_line_is_chinese_in_the_zh_edition(capsys):
    bpcourse.set_language("zh_CN")
    nb06.passed("activation_memory")
    assert capsys.readouterr().out == "activation_memory：可见测试全部通过\n"


class _OnlyCode(ast.NodeTransformer):
    """Blank every string (and f-string format) so that two cells compare by their code."""

    def visit_Constant(self, node):
        return ast.Constant("") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node):
        return ast.Constant("")


def _code(source: str) -> str:
    return ast.dump(_OnlyCode().visit(ast.parse(source)))


def test_the_zh_demo_cells_run_the_same_code_only_their_words_differ():
    demos = [c for c in builder.CELLS if c.cell_type == "code" and "bpcourse_zh" in c.metadata]
    assert len(demos) == 5, "the five demo cells that print words or draw legends"
    for cell in demos:
        zh = cell.metadata["bpcourse_zh"]
        assert zh != cell.source
        assert re.search(r"[\u4e00-\u9fff]", zh), zh[:80]
        assert _code(zh) == _code(cell.source), f"the zh variant's code differs:\n{zh[:300]}"
