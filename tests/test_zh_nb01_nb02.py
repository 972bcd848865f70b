"""Notebooks 01 and 02 in the zh edition: a named wrong answer, graded through the grading module
with ``bpcourse.set_language("zh_CN")``, gets the verdict it gets in English and a Chinese hint
that names the same mistake, with no English sentence left in the words the module wrote."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from builders import load_builder

import bpcourse
from bpcourse.grading import nb01, nb02
from bpcourse.i18n import _

ROOT = Path(__file__).resolve().parent.parent
# Two ASCII words in a row ("Likely mistake", "the input"): an English phrase a zh learner
# would read. Code in a message (np.maximum(1e-8, |a| + |b|), for i in range) is not prose, so
# the cases below are chosen to hold none.
ENGLISH = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
# toolkit.expect's frame around a named mistake (bpcourse/grading/toolkit.py, translated there).
FRAME = "{name}: wrong. Likely mistake: {hint}."


pytestmark = pytest.mark.usefixtures("english_afterwards")


def _answer(builder: str, const: str, name: str, replacements=()):
    """The notebook's solution `const` of `builder`, with (old, new) replacements applied."""
    source = getattr(load_builder(ROOT / "scripts" / "notebooks" / f"{builder}.py"), const)
    for old, new in replacements:
        assert source.count(old) == 1, f"{old!r} is not exactly once in {const}"
        source = source.replace(old, new)
    scope = {"np": np, "math": __import__("math")}
    exec(compile(source, f"<{const}>", "exec"), scope)
    return scope[name]


def _verdict(grade, language: str):
    """(exception type or None, message) of `grade()` in `language`."""
    bpcourse.set_language(language)
    try:
        with np.errstate(all="ignore"):
            grade()
    except AssertionError as failure:
        return type(failure), str(failure)
    return None, ""


FORWARD_DIFFERENCE = _answer("nb01_numerical_gradients", "NUMERICAL_GRADIENT",
                             "numerical_gradient", [
                                 ("        x[i] = old - h\n", "        x[i] = old\n"),
                                 ("(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / h")])
NO_FLOOR = _answer("nb01_numerical_gradients", "REL_ERROR", "rel_error", [
    ("np.maximum(1e-8, np.abs(a) + np.abs(b))", "(np.abs(a) + np.abs(b))")])
ONE_PATH = _answer("nb02_chain_rule", "GRAD_FORK", "grad_fork", [
    ("df_dx += 1.0 * df_dq", "df_dx = 1.0 * df_dq")])

# (case, grading call, words of the English hint, words of the Chinese hint)
NAMED = [
    ("nb01 forward difference", lambda: nb01.test_numerical_gradient(FORWARD_DIFFERENCE),
     "a forward difference (f(x+h) - f(x)) / h", "用了前向差分 (f(x+h) - f(x)) / h"),
    ("nb02 one path of the fork", lambda: nb02.test_grad_fork(ONE_PATH),
     "this answer kept only the path through q", "这个答案只保留了经由 q 的路径"),
    ("nb02 visible: only the path through q", lambda: nb02.check_grad_fork_example((3.0, 3.0)),
     "only the path through q", "只算了经由 q 的路径"),
]


@pytest.mark.parametrize(("case", "grade", "english", "chinese"), NAMED, ids=[n[0] for n in NAMED])
def test_a_named_mistake_gets_the_english_verdict_and_a_chinese_hint(case, grade, english,
                                                                     chinese):
    en_type, en_message = _verdict(grade, "en")
    zh_type, zh_message = _verdict(grade, "zh_CN")
    assert en_type is not None and zh_type is en_type, (en_message, zh_message)
    assert english in en_message and not CJK.search(en_message), en_message
    assert chinese in zh_message, zh_message
    assert english not in zh_message, zh_message
    # Everything but toolkit's frame is this module's words: the name of the call and the hint.
    name, hint = _inside_the_frame(zh_message)
    assert chinese in hint and CJK.search(hint), zh_message
    for words in (name, hint):
        assert not ENGLISH.search(words), (words, zh_message)


def _inside_the_frame(message: str) -> tuple[str, str]:
    """(name, hint) that toolkit.expect put into its frame, in the current language's frame."""
    bpcourse.set_language("zh_CN")
    before, rest = _(FRAME).split("{name}")
    middle, after = rest.split("{hint}")
    assert message.startswith(before) and message.endswith(after), message
    name, hint = message[len(before):len(message) - len(after)].split(middle)
    return name, hint


@pytest.mark.parametrize(("case", "grade", "english", "chinese"), NAMED, ids=[n[0] for n in NAMED])
def test_a_named_mistake_leaves_no_english_sentence_in_the_zh_message(case, grade, english,
                                                                      chinese):
    bpcourse.set_language("zh_CN")
    if _(FRAME) == FRAME:
        pytest.skip("toolkit.expect's frame has no Chinese yet (its translation comes with the "
                    "zhtools branch); this module's words are checked above")
    zh_message = _verdict(grade, "zh_CN")[1]
    assert chinese in zh_message and not ENGLISH.search(zh_message), zh_message


# Messages written whole by nb01/nb02 (no toolkit frame): strict in every branch.
OWN = [
    ("nb01 no 1e-8 floor: 0/0", lambda: nb01.test_rel_error(NO_FLOOR),
     "0/0 where a and b are both 0", "a 与 b 都为 0 的地方出现了 0/0"),
    ("nb01 visible: NaN from 0/0",
     lambda: nb01.check_rel_error_example(NO_FLOOR(np.zeros(2), np.zeros(2)), np.zeros(2),
                                          np.zeros(2)),
     "0/0 where a and b are both 0", "a 与 b 都为 0 的地方出现了 0/0"),
    ("nb01 visible: x changed",
     lambda: nb01.check_unchanged(np.ones(3), np.zeros(3), "numerical_gradient"),
     "the input is not restored", "没有恢复输入"),
    ("nb02 visible: a list, not a tuple",
     lambda: nb02.check_grad_add_mul_example([-4.0, -4.0, 3.0]),
     "return a tuple of 3 numbers", "应返回由 3 个数组成的元组"),
]


@pytest.mark.parametrize(("case", "grade", "english", "chinese"), OWN, ids=[n[0] for n in OWN])
def test_a_message_of_the_module_is_chinese_through_and_through(case, grade, english, chinese):
    en_type, en_message = _verdict(grade, "en")
    zh_type, zh_message = _verdict(grade, "zh_CN")
    assert en_type is AssertionError and zh_type is en_type, (en_message, zh_message)
    assert english in en_message, en_message
    assert chinese in zh_message and not ENGLISH.search(zh_message), zh_message


def test_the_solutions_pass_in_both_languages():
    """The language changes words only: the notebook's own answers pass in either."""
    answers = {
        "numerical_gradient": _answer("nb01_numerical_gradients", "NUMERICAL_GRADIENT",
                                      "numerical_gradient"),
        "rel_error": _answer("nb01_numerical_gradients", "REL_ERROR", "rel_error"),
        "grad_add_mul": _answer("nb02_chain_rule", "GRAD_ADD_MUL", "grad_add_mul"),
        "grad_sigmoid_neuron": _answer("nb02_chain_rule", "GRAD_SIGMOID_NEURON",
                                       "grad_sigmoid_neuron"),
        "grad_fork": _answer("nb02_chain_rule", "GRAD_FORK", "grad_fork"),
    }
    a, b = np.array([1.0, 0.0, -2.0, 100.0]), np.array([1.0, 0.0, -2.0, 101.0])
    for language in ("en", "zh_CN"):
        bpcourse.set_language(language)
        nb01.test_numerical_gradient(answers["numerical_gradient"], seeds=[1])
        nb01.test_rel_error(answers["rel_error"], seeds=[21])
        nb01.check_rel_error_example(answers["rel_error"](a, b), a, b)
        nb02.test_grad_add_mul(answers["grad_add_mul"], seeds=[71])
        nb02.check_grad_add_mul_example(answers["grad_add_mul"](-2.0, 5.0, -4.0))
        nb02.check_grad_sigmoid_neuron_example(
            answers["grad_sigmoid_neuron"](2.0, -1.0, -3.0, -2.0, -3.0))
        nb02.check_grad_fork_example(answers["grad_fork"](3.0, -1.0))
