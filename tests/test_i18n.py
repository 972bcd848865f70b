"""The learner's messages in every language: each message wrapped in _() has a translation in
each catalog, with the same placeholders, and the compiled .mo matches its .po (make i18n)."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

import bpcourse
from bpcourse import i18n
from bpcourse.check import GradientMismatch, check_gradient

babel_extract = pytest.importorskip("babel.messages.extract")
from babel.messages import mofile, pofile  # noqa: E402

CATALOGS = sorted(i18n.LOCALE_DIR.glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.po"))


pytestmark = pytest.mark.usefixtures("english_afterwards")


def _messages_in_the_code() -> set[str]:
    """Every message wrapped in _() in the package, extracted from the source as `make i18n`
    does, so a message wrapped but not yet in the catalogs fails too."""
    found = set()
    for _file, _line, message, _comments, _context in babel_extract.extract_from_dir(
            str(i18n.LOCALE_DIR.parent), method_map=[("**.py", "python")]):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _read(po_path):
    with open(po_path, "rb") as f:
        return pofile.read_po(f)


def test_there_is_a_chinese_catalog():
    assert [p.parent.parent.name for p in CATALOGS] == ["zh_CN"]
    assert i18n.available_languages() == ["en", "zh_CN"]


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_message_has_a_translation_with_the_same_placeholders(po_path):
    catalog = _read(po_path)
    wanted = _messages_in_the_code()
    assert wanted, "no message wrapped in _() found in bpcourse/"
    untranslated = sorted(m for m in wanted
                          if m not in catalog or not catalog[m].string or catalog[m].fuzzy)
    assert not untranslated, (
        f"{len(untranslated)} of {len(wanted)} messages have no translation in {po_path.name} "
        f"(run `make i18n`, then translate): {untranslated}")
    for message in wanted:
        placeholders = sorted(re.findall(r"\{[^}]*\}", message))
        assert sorted(re.findall(r"\{[^}]*\}", catalog[message].string)) == placeholders, message


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_the_compiled_catalog_matches_its_po_file(po_path):
    compiled = io.BytesIO()
    mofile.write_mo(compiled, _read(po_path))
    assert po_path.with_suffix(".mo").read_bytes() == compiled.getvalue(), (
        f"{po_path.with_suffix('.mo')} is older than its .po: run `make i18n`")


def test_a_wrong_gradient_gets_its_hint_in_the_chosen_language():
    expected = np.arange(12.0).reshape(3, 4)
    with pytest.raises(GradientMismatch, match="Likely mistake: transposed"):
        check_gradient(expected.T.copy(), expected, "dW")
    assert bpcourse.set_language("zh") == "zh_CN"
    with pytest.raises(GradientMismatch) as caught:
        check_gradient(expected.T.copy(), expected, "dW")
    assert str(caught.value) == ("dW：形状不对。应为 (3, 4)，实际为 (4, 3)。"
                                 "可能的错误：转置了：检查矩阵乘法的顺序（用维度分析可以确定形状）。")
    with pytest.raises(GradientMismatch, match=r"放大了 N=4 倍"):
        check_gradient(4 * expected, expected, "dW", batch_size=4)


def test_the_language_comes_from_set_language_then_bpcourse_lang_never_lang(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    monkeypatch.delenv("BPCOURSE_LANG", raising=False)
    i18n._current.update(language=None, translation=None)
    assert i18n.language() == "en"
    monkeypatch.setenv("BPCOURSE_LANG", "zh_CN")
    i18n._current.update(language=None, translation=None)
    assert i18n.language() == "zh_CN"
    assert i18n.set_language("en") == "en"
    with pytest.raises(ValueError, match="choose one of en, zh_CN"):
        i18n.set_language("fr")


def _not_written(x):
    raise NotImplementedError()


# One error a learner can meet in each module, and the Chinese it must come out in.
_LEARNER_ERRORS = {
    "grading.toolkit": (lambda: bpcourse.grading.toolkit.require_written(_not_written),
                        AssertionError,
                        "_not_written 还没有写：请把 `raise NotImplementedError()`"),
    "grading.toolkit (call)": (lambda: bpcourse.grading.toolkit.call(
        lambda a: (a, a), "relu_forward", np.zeros(2), returns=3), AssertionError,
        "relu_forward 必须返回含 3 个值的元组，实际为 含 2 个元素的元组。"),
    "numgrad": (lambda: bpcourse.numgrad.numerical_gradient(lambda v: v, np.zeros(3)),
                ValueError, "f 必须返回单个数，实际返回了形状为 (3,) 的数组"),
    "autograd": (lambda: bpcourse.Value(2.0) + "3", TypeError,
                 "Value + str：另一个操作数必须是 Value 或实数"),
    "layers": (lambda: bpcourse.layers.linear_forward(np.ones((2, 3)), np.ones((4, 5)),
                                                      np.ones(5)),
               ValueError, "x 是 (N, D) = (2, 3)，W 是 (D, M) = (4, 5)：两者的 D 不同。"),
    "nn": (lambda: bpcourse.nn.ReLU().backward(np.ones(2)), RuntimeError,
           "在 forward() 之前调用了 ReLU.backward()：请先做前向传播。"),
    "data": (lambda: bpcourse.data.spiral(0), ValueError,
             "n_per_class 必须是 >= 1 的整数，实际为 0。"),
    "graph": (lambda: bpcourse.graph.draw(3.0), TypeError, "root 必须是 Value"),
    "memory": (lambda: bpcourse.memory.activation_count([784], 8), ValueError,
               "layer_sizes 至少需要两个大小，即输入和输出"),
    "cost": (lambda: bpcourse.cost.sweep([]), ValueError, "sizes_list 是空的"),
    "flops": (lambda: bpcourse.flops.forward_flops([2, 3], 0), ValueError,
              "n（批量中的样本数）必须是正整数；实际为 0。"),
}


@pytest.mark.parametrize("module", sorted(_LEARNER_ERRORS))
def test_a_learner_facing_error_of_each_module_speaks_chinese(module):
    import bpcourse.cost
    import bpcourse.data
    import bpcourse.flops
    import bpcourse.grading.toolkit
    import bpcourse.layers
    import bpcourse.memory
    import bpcourse.nn
    import bpcourse.numgrad

    if module == "graph":
        pytest.importorskip("graphviz")
        import bpcourse.graph
    make_error, kind, chinese = _LEARNER_ERRORS[module]
    with pytest.raises(kind) as english:
        make_error()
    assert not any("\u4e00" <= c <= "\u9fff" for c in str(english.value)), english.value
    bpcourse.set_language("zh_CN")
    with pytest.raises(kind) as caught:
        make_error()
    assert chinese in str(caught.value)


def test_the_backward_pass_pictures_have_chinese_titles():
    pytest.importorskip("graphviz")
    from bpcourse.graph import backward_steps

    a, b = bpcourse.Value(2.0), bpcourse.Value(3.0)
    bpcourse.set_language("zh_CN")
    first, second = backward_steps(a * b)
    assert "第 0 步：在输出处设定起点 dL/dL = 1" in first.source
    assert "第 1/1 步：#1（*）把它的梯度 1.0000 传给它的输入" in second.source


def test_a_tool_speaks_one_language_inside_speaking_then_the_one_before():
    assert i18n.set_language("en") == "en"
    with i18n.speaking("zh") as chosen:
        assert chosen == "zh_CN" and i18n._("exercise") == "练习"
    assert i18n.language() == "en" and i18n._("exercise") == "exercise"


# --- the tools' own words: autograde's summary, report, feedback, NOT GRADED reasons ----------

def test_every_not_graded_reason_is_shown_translated_and_stays_english_as_data():
    from bpcourse.tools import outcome

    samples = {"error": "MemoryError", "notebooks": "02_chain_rule_zh", "notebook": "nb",
               "times": "3", "seconds": "600"}
    bpcourse.set_language("zh_CN")
    for template in outcome.REASONS:
        names = set(re.findall(r"\{(\w+)\}", template))
        stored = template.format(**{k: samples[k] for k in names})
        shown = outcome.reason_text(stored)
        assert shown == i18n._(template).format(**{k: samples[k] for k in names}), template
        assert shown != stored and any("\u4e00" <= c <= "\u9fff" for c in shown), shown
    assert outcome.reason_text("a reason no template made") == "a reason no template made"
    out = outcome.Outcome("ann", "04_layers_zh", False, reason=outcome.KERNEL_DIED)
    assert out.as_dict()["reason"] == "the kernel died (os._exit, a crash or out of memory)"


def test_autograde_summary_in_chinese_has_the_same_points_and_aligned_columns():
    from bpcourse.tools.outcome import KERNEL_DIED, Outcome, display_width, format_by_exercise
    from bpcourse.tools.scores import Points, Sheet

    order = ["grad_fork", "written_fork"]
    sheets = {"1001": Sheet("1001", {"grad_fork": Points(4, 4),
                                     "written_fork": Points(0, 1, pending=1)}, late_penalty=1)}
    outcomes = [Outcome("1001", "02_chain_rule_zh", True),
                Outcome("1004", "02_chain_rule_zh", False, reason=KERNEL_DIED)]
    english = format_by_exercise(outcomes, order, sheets).splitlines()
    bpcourse.set_language("zh_CN")
    chinese = format_by_exercise(outcomes, order, sheets).splitlines()
    assert english[:2] == ["student  grad_fork  written_fork  total",
                           "1001           4/4     pending/1  3/5 +1 pending (late: -1)"]
    assert chinese[:2] == ["学生  grad_fork  written_fork  总分",
                           "1001        4/4        待评/1  3/5 +1 待评（迟交：-1）"]
    assert [display_width(line.split("  ")[0]) for line in chinese[:2]] == [4, 4]
    assert chinese[2] == "1004  未评分（NOT GRADED）：内核崩溃了（os._exit、程序崩溃或内存不足）"
    assert "2 份提交中已批改 1 份；未评分（NOT GRADED）：1004" in chinese[4]


def test_the_class_report_names_chinese_mistakes_and_speaks_chinese(tmp_path):
    import warnings

    from bpcourse.tools.outcome import Outcome, TestResult
    from bpcourse.tools.report import class_report, format_report, mistake_of, plot_report

    hint = ("AssertionError: dW：形状不对。应为 (3, 4)，实际为 (4, 3)。可能的错误：转置了："
            "检查矩阵乘法的顺序（用维度分析可以确定形状）。")
    assert mistake_of(hint) == "转置了"
    outcomes = [Outcome(s, "04_layers_zh", True, results=[
        TestResult("t", "linear", 0.0, 2.0, hint)]) for s in ("ann", "bo")]
    report = class_report(outcomes, "04_layers_zh")
    assert report.mistakes == [("linear", "转置了", 2)]
    bpcourse.set_language("zh_CN")
    assert format_report(report).splitlines()[:6] == [
        "04_layers_zh：2 份提交中已批改 2 份", "", "练习    失分", "linear    2 / 2  （100%）", "",
        "错误，按犯错的学生人数排序："]
    pytest.importorskip("matplotlib")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a "Glyph ... missing" warning fails
        plot_report(report, tmp_path / "report.png")
    assert (tmp_path / "report.png").stat().st_size > 0


def test_a_zh_feedback_page_marks_pending_and_alt_texts_in_chinese():
    import nbformat

    from bpcourse.tools import feedback_html

    page = ('<h4>02_chain_rule_zh (Score: 10.0 / 11.0)</h4>'
            '<li><a href="#written_fork">Written response</a> (Score: 0.0 / 1.0)</li>'
            '<a name="written_fork"></a><div class="panel-heading"><span>answer</span>'
            '<span class="pull-right">Score: 0.0 / 1.0 <a href="#top">(Top)</a></span>')
    out = feedback_html.mark_pending(page, {"written_fork": 1.0}, "02_chain_rule_zh")
    assert "(Score: 10.0 / 11.0, 1 分等待人工评分)" in out
    assert "Written response</a> (Score: 待评 / 1.0)" in out
    assert "Score: 待评（人工评分） / 1.0" in out and "0.0 / 1.0" not in out
    assert "pending" in feedback_html.mark_pending(page, {"written_fork": 1.0}, "02_chain_rule")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("display_data", data={"image/png": "iVBOR",
                                                     "text/plain": "<Figure size 4x3>"})])])
    feedback_html.AltText().preprocess(nb, {"nbgrader": {"assignment": "02_chain_rule_zh"}})
    assert nb.cells[0].outputs[0].metadata["image/png"]["alt"] == "第 1 个单元格绘制的图"
    assert i18n.language() == "en", "a feedback page's language does not leak into the process"


def test_make_lab_zh_says_in_chinese_that_the_zh_edition_is_not_built(tmp_path):
    from bpcourse.tools.lab import make_work_copy

    release = tmp_path / "notebooks"
    (release / "01_toy").mkdir(parents=True)
    (release / "01_toy" / "01_toy.ipynb").write_text("{}")
    bpcourse.set_language("zh_CN")
    with pytest.raises(FileNotFoundError, match=r"zh 版本还没有构建：.* 中没有 NN_topic_zh 笔记本"):
        make_work_copy(release, tmp_path / "work", "zh")


def test_grade_lists_tampering_in_chinese_with_the_code_as_it_is():
    import nbformat

    from bpcourse.tools.outcome import Outcome, TestResult, format_outcome
    from bpcourse.tools.tamper import find_tampering
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\nnp.allclose = lambda *a, **k: True")])
    found = find_tampering(nb)
    assert found == ["cell 0, line 2: np.allclose = lambda *a, **k: True"]
    out = Outcome("self", "04_layers_zh", True, results=[TestResult("t", "linear", 2.0, 2.0)],
                  tampering=[f"04_layers_zh: {t}" for t in found])
    bpcourse.set_language("zh_CN")
    assert format_outcome(out).splitlines()[-2:] == [
        "疑似篡改（重新赋值了评分所依赖的对象）：",
        "  04_layers_zh: 单元格 0，第 2 行：np.allclose = lambda *a, **k: True"]
