"""Notebook 04 in Chinese: a named mistake graded through ``bpcourse.grading.nb04`` under
``set_language("zh_CN")`` fails exactly as in English, and what nb04 says is Chinese.

The frame around a hint ("{name}: wrong. Likely mistake: {hint}.") is the toolkit's
(``bpcourse.grading.toolkit.expect``); these tests find it with a sentinel and check the name and
the hint that nb04 puts into it, so they hold whatever language the frame is in.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from builders import load_builder

import bpcourse
from bpcourse.grading import nb04
from bpcourse.grading.toolkit import expect, expect_array

ROOT = Path(__file__).resolve().parent.parent
BUILDER = load_builder(ROOT / "scripts" / "notebooks" / "nb04_layers.py")
# Three ASCII words in a row ("the mask is"): an English sentence, where code has operators.
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")
HAN = re.compile(r"[\u4e00-\u9fff]")


pytestmark = pytest.mark.usefixtures("english_afterwards")


def _relu_with(old: str, new: str):
    source = BUILDER.RELU
    assert source.count(old) == 1, old
    scope = {"np": np}
    exec(source.replace(old, new), scope)
    return scope["relu_forward"], scope["relu_backward"]


def _failure(grading_test, *answers) -> AssertionError:
    with pytest.raises(AssertionError) as failure:
        grading_test(*answers)
    return failure.value


def _name_and_hint(message: str, nonfinite: bool = False) -> tuple[str, str]:
    """Split a failure of the toolkit's expect into the name and the hint nb04 gave it: the
    frame is found by failing the same way with the sentinels NAME and HINT."""
    with pytest.raises(AssertionError) as sentinel:
        if nonfinite:
            expect_array(np.array([np.nan]), np.zeros(1), "NAME", nonfinite_hint="HINT")
        else:
            expect(np.ones(2), np.zeros(2), "NAME", mistakes=[("HINT", np.ones(2))])
    pattern = (re.escape(str(sentinel.value)).replace("NAME", "(?P<name>.+?)")
               .replace("HINT", "(?P<hint>.+)"))
    match = re.fullmatch(pattern, message, flags=re.DOTALL)
    assert match, f"not the toolkit's message {str(sentinel.value)!r}: {message!r}"
    return match["name"], match["hint"]


def test_a_relu_mask_from_dout_fails_alike_with_a_chinese_hint():
    wrong = _relu_with("dx = dout * (x > 0)", "dx = dout * (dout > 0)")
    english = _failure(nb04.test_relu, *wrong)
    assert "the mask is taken from dout; it must come from the input x" in str(english)

    bpcourse.set_language("zh_CN")
    chinese = _failure(nb04.test_relu, *wrong)
    assert type(chinese) is type(english)
    name, hint = _name_and_hint(str(chinese))
    assert re.fullmatch(r"relu_backward: dx \(x \([\d, ]+\)\)", name), name
    assert hint == "掩码取自 dout，但它必须来自输入 x：dx = dout * (x > 0)", hint
    assert not ENGLISH.search(hint), hint


def test_relu_changing_its_input_in_place_is_named_in_chinese():
    wrong = _relu_with("out = np.maximum(x, 0)", "x[x < 0] = 0\n    out = x")
    english = str(_failure(nb04.test_relu, *wrong))
    assert english.startswith("relu_forward changed its input x in place")

    bpcourse.set_language("zh_CN")
    message = str(_failure(nb04.test_relu, *wrong))
    assert message.startswith("relu_forward 原地修改了它的输入 x"), message
    assert HAN.search(message) and not ENGLISH.search(message), message


def test_softmax_at_logits_of_1000_names_its_case_and_mistake_in_chinese():
    scope = {"np": np}
    exec(BUILDER.SOFTMAX.replace("logits.max(axis=1, keepdims=True)", "logits.max()"), scope)
    global_max = scope["softmax_cross_entropy"]
    english = _failure(nb04.test_softmax_cross_entropy, global_max)
    name, hint = _name_and_hint(str(english), nonfinite=True)
    assert name == "softmax_cross_entropy: dlogits (logits of ±1000, logits (4, 3))"
    assert hint.startswith("exp overflowed or a row underflowed to 0")

    bpcourse.set_language("zh_CN")
    chinese = _failure(nb04.test_softmax_cross_entropy, global_max)
    assert type(chinese) is type(english)
    name, hint = _name_and_hint(str(chinese), nonfinite=True)
    assert name == "softmax_cross_entropy: dlogits (±1000 的 logits, logits (4, 3))"
    assert hint.startswith("exp 上溢，或者某一行下溢为 0：在 exp 之前减去每一行的最大值"), hint
    assert not ENGLISH.search(name + hint), name + hint


def test_the_visible_checks_speak_chinese():
    bpcourse.set_language("zh_CN")
    with pytest.raises(AssertionError) as loss:
        nb04.check_loss(1.0, np.log(4), "equal_logits", classes=4)
    assert str(loss.value) == "logits 全部相等时，损失必须是 log(4) = 1.3863，实际为 1.0"
    nb04.check_loss(np.log(4), np.log(4), "equal_logits", classes=4)  # right: silent

    def overflowing_sigmoid(x):
        return np.exp(x) / (1 + np.exp(x)), None

    with pytest.raises(AssertionError) as unstable:
        nb04.call_without_overflow(overflowing_sigmoid, "sigmoid_forward",
                                   np.array([-1000.0, 1000.0]))
    message = str(unstable.value)
    assert message.startswith("sigmoid_forward 在 ±1000 处数值不稳定：exp 上溢"), message
    assert not ENGLISH.search(message), message
    assert nb04.at_pm1000("dlogits") == "±1000 处的 dlogits"
    assert nb04.hint("bias_not_added").startswith("没有加上偏置 b")
