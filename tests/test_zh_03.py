"""Notebook 03 in the zh edition: a named wrong answer, graded through bpcourse.grading.nb03 with
Chinese selected, fails exactly as in English and its message names the mistake in Chinese.

The language changes words only (bpcourse.i18n): each case runs the same answer in both
languages and compares the verdicts, then reads the Chinese message.
"""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import pytest
from builders import load_builder
from corpus.nb03 import RECURSIVE_TOPO

import bpcourse
from bpcourse.grading import nb03

ROOT = Path(__file__).resolve().parent.parent
BUILDER = load_builder(ROOT / "scripts" / "notebooks" / "nb03_scalar_autograd.py")
# Two English words in a row: what an untranslated sentence (or a fragment of one) leaves.
ENGLISH = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]{2,})+")
# Code a message quotes (a list comprehension in brackets, a name in backquotes) is not prose.
QUOTED_CODE = re.compile(r"\[[^\]]*\]|`[^`]*`")



pytestmark = pytest.mark.usefixtures("english_afterwards")


def _answers(mutations=(), names=("Value",)):
    """The notebook's Value (and network) cells, each (old, new) replaced exactly once."""
    source = BUILDER.VALUE + BUILDER.NETWORK
    for old, new in mutations:
        assert source.count(old) == 1, f"{old!r} is not exactly once in the solution"
        source = source.replace(old, new)
    scope = {"math": math, "random": random, "__name__": "learner"}
    exec(compile(source, "<answer cells>", "exec"), scope)
    return tuple(scope[name] for name in names)


def _recursive_order():
    body_start = BUILDER.VALUE.index("# Topological order with an explicit stack")
    body_end = BUILDER.VALUE.index("        ### END SOLUTION", body_start)
    return [(BUILDER.VALUE[body_start - 8:body_end], RECURSIVE_TOPO.lstrip("\n"))]


def _message(language, check, *answers) -> str:
    bpcourse.set_language(language)
    with pytest.raises(AssertionError) as failure:
        check(*answers)
    return str(failure.value)


# (label, mutations, names, the check, words of the English hint, words of the Chinese hint)
# Each message is raised by nb03 itself, so every word of it is the course's to translate.
CASES = [
    ("recursive topological sort", _recursive_order(), ("Value",),
     lambda Value: nb03.test_value_deep(Value, depth=1500, seed=0),
     "recursion limit", "递归的拓扑排序触到了 Python 的递归深度上限"),
    ("__rsub__ as self - other", [("return (-self) + other", "return self - other")],
     ("Value",), lambda Value: nb03.test_value_rest(Value, seeds=[0]),
     "__rsub__ computes other - self (2.5 - a), not self - other",
     "__rsub__ 计算的是 other - self（2.5 - a），而不是 self - other"),
    ("parameters without biases", [("return self.w + [self.b]", "return self.w")],
     ("Neuron", "Layer", "MLP"), lambda *net: nb03.test_mlp(*net, seeds=[0]),
     "misses the biases", "parameters() 漏掉了偏置：一个神经元的参数是 self.w + [self.b]"),
    ("a network of one reused neuron",
     [("[Neuron(nin, **kwargs) for _ in range(nout)]", "[Neuron(nin, **kwargs)] * nout")],
     ("Neuron", "Layer", "MLP"), lambda *net: nb03.test_mlp(*net, seeds=[0]),
     "reuses one neuron", "层重复使用了同一个神经元"),
]


@pytest.mark.parametrize(("label", "mutations", "names", "check", "english", "chinese"), CASES,
                         ids=[case[0] for case in CASES])
def test_a_named_mistake_fails_alike_with_its_hint_in_chinese(label, mutations, names, check,
                                                              english, chinese):
    answers = _answers(mutations, names)
    in_english = _message("en", check, *answers)
    in_chinese = _message("zh_CN", check, *_answers(mutations, names))
    assert english in in_english, in_english
    assert chinese in in_chinese, in_chinese
    assert "可能的错误：" in in_chinese, in_chinese
    assert english not in in_chinese, in_chinese
    prose = QUOTED_CODE.sub("", in_chinese)
    assert not ENGLISH.search(prose), (ENGLISH.search(prose), in_chinese)


def test_the_visible_worked_case_names_its_mistake_in_chinese():
    """The first check of stage 1's visible test, `=` instead of `+=`, through toolkit.expect:
    the name of what is compared, the hint and expect's frame around them are Chinese."""
    mutations = [("self.grad += out.grad              #", "self.grad = out.grad  #"),
                 ("other.grad += out.grad             #", "other.grad = out.grad  #"),
                 ("self.grad += other.data * out.grad", "self.grad = other.data * out.grad"),
                 ("other.grad += self.data * out.grad", "other.grad = self.data * out.grad")]
    in_english = _message("en", nb03.check_worked_case, *_answers(mutations))
    in_chinese = _message("zh_CN", nb03.check_worked_case, *_answers(mutations))
    assert "`=` instead of `+=`: a is used twice" in in_english
    assert "c = a*b + a 的 [a.grad, b.grad]" in in_chinese, in_chinese
    assert "用了 `=` 而不是 `+=`：a 被用了两次，两份梯度必须相加" in in_chinese, in_chinese
    assert "a is used twice" not in in_chinese
    assert not ENGLISH.search(QUOTED_CODE.sub("", in_chinese)), in_chinese


def test_the_solution_passes_in_chinese_too():
    bpcourse.set_language("zh_CN")
    (Value,) = _answers()
    nb03.check_worked_case(Value)
    nb03.check_tanh_at_half(Value)
    nb03.check_rsub_at_half(Value)
    for test in (nb03.test_value_basics, nb03.test_value_ops, nb03.test_value_rest):
        test(Value, seeds=[0])
    nb03.test_value_deep(Value, depth=1500, seed=0)
    Neuron, Layer, MLP = _answers(names=("Neuron", "Layer", "MLP"))
    random.seed(1)
    nb03.check_parameter_count(MLP)
    nb03.test_mlp(Neuron, Layer, MLP, seeds=[0])
