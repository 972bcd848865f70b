"""Notebook 05 in the zh edition: a named wrong answer gets the same verdict as in English and
its hint in Chinese, from the hidden tests (bpcourse.grading.nb05) and from the helpers the
shared visible test cells call. Points never depend on the language, only words do."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from builders import load_builder

import bpcourse
from bpcourse import i18n

ROOT = Path(__file__).resolve().parent.parent

# Three or more English words in a row, outside `code`: a sentence left untranslated.
_ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def english_sentences(message: str) -> list[str]:
    return _ENGLISH_SENTENCE.findall(re.sub(r"`[^`]*`", "", message))


pytestmark = pytest.mark.usefixtures("english_afterwards")


def _answer(consts: tuple[str, ...], name: str, mutations=()):
    """The notebook's own answer (its builder's constants), with `mutations` applied to the
    last one, run in a scope like the notebook's (np, nn, layers)."""
    from bpcourse import layers, nn

    builder = load_builder(ROOT / "scripts" / "notebooks" / "nb05_layered_backprop.py")
    *before, own = (getattr(builder, c) for c in consts)
    for old, new in mutations:
        assert own.count(old) == 1, f"{old!r} is not exactly once in {consts[-1]}"
        own = own.replace(old, new)
    scope = {"np": np, "nn": nn, "layers": layers}
    for source in (*before, own):
        exec(compile(source, "<answer cell>", "exec"), scope)
    return scope[name]


def _failure(test, answer, language: str) -> AssertionError:
    from bpcourse.grading import nb05

    bpcourse.set_language(language)
    with pytest.raises(AssertionError) as caught:
        getattr(nb05, test)(answer)
    return caught.value


# (constants, graded name, hidden test, mutation, English hint, Chinese hint)
_REVERSED = "for layer in reversed(self.layers):"
MISTAKES = [
    (("SEQUENTIAL",), "Sequential", "test_sequential", [(_REVERSED, "for layer in self.layers:")],
     "backward in forward order", "按前向的顺序调用了 backward"),
    (("SGD",), "sgd_step", "test_sgd_step",
     [("p.data -= lr * p.grad\n", "p.data -= lr * p.grad\n        p.grad[...] = 0\n")],
     "p.grad was changed", "p.grad 被改动了"),
    (("SEQUENTIAL",), "Sequential", "test_sequential",
     [("            p.grad[...] = 0", "            p.data[...] = 0")],
     "never the weights p.data", "绝不改动权重 p.data"),
]


@pytest.mark.parametrize(("consts", "name", "test", "mutations", "english", "chinese"), MISTAKES,
                         ids=[m[4] for m in MISTAKES])
def test_a_named_mistake_gets_the_same_verdict_and_a_chinese_hint(consts, name, test,
                                                                  mutations, english, chinese):
    answer = _answer(consts, name, mutations)
    in_english = _failure(test, answer, "en")
    in_chinese = _failure(test, answer, "zh_CN")
    assert type(in_chinese) is type(in_english)
    assert english in str(in_english) and chinese not in str(in_english)
    message = str(in_chinese)
    assert chinese in message and english not in message, message
    assert not english_sentences(message), (english_sentences(message), message)


def test_a_hint_through_expect_is_chinese_and_the_verdict_is_the_same():
    """`=` instead of `+=` in Linear.backward: the hint comes through the toolkit's expect."""
    answer = _answer(("LINEAR",), "Linear", [("self.W.grad += dW", "self.W.grad = dW"),
                                             ("self.b.grad += db", "self.b.grad = db")])
    in_english = _failure("test_linear_module", answer, "en")
    in_chinese = _failure("test_linear_module", answer, "zh_CN")
    assert type(in_chinese) is type(in_english)
    assert "`=` instead of `+=`" in str(in_english)
    assert "用了 `=` 而不是 `+=`：第二次反向传播必须累加到 W.grad 上" in str(in_chinese)
    assert "instead of" not in str(in_chinese)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_solutions_pass_in_either_language(language):
    from bpcourse.grading import nb05

    bpcourse.set_language(language)
    nb05.test_sequential(_answer(("SEQUENTIAL",), "Sequential"))
    nb05.test_sgd_step(_answer(("SGD",), "sgd_step"))


def test_the_visible_tests_speak_chinese_too(capsys):
    """The shared visible test cells hold no English: their checks and hints come from nb05."""
    from bpcourse import nn
    from bpcourse.grading import nb05

    p = nn.Parameter(np.ones(3), "p")
    p.grad[:] = 1.0
    bpcourse.set_language("en")
    with pytest.raises(AssertionError, match="zero_grad must zero every .grad"):
        nb05.check_zero_grad([p])
    bpcourse.set_language("zh_CN")
    with pytest.raises(AssertionError) as caught:
        nb05.check_zero_grad([p])
    assert str(caught.value) == "zero_grad 必须把每个 .grad 清零"
    assert _CHINESE.search(nb05.hint("uphill")) and not english_sentences(nb05.hint("uphill"))
    assert nb05.label("grad_after_two", p="W") == "两次反向传播之后的 W.grad"
    nb05.passed("Linear")
    assert capsys.readouterr().out == "Linear：可见测试全部通过\n"
    assert i18n.language() == "zh_CN"
