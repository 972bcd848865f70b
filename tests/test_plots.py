"""The course's figures draw what they say: each returns its Axes with the data on it.

The notebooks run these in their kernels (and the browser test sees the images); here each one
is checked in-process, on the Agg backend, for what ends up on the axes.
"""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bpcourse import plots  # noqa: E402
from bpcourse.data import spiral  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_activation_curves_draw_each_function_and_its_derivative():
    x = np.linspace(-3, 3, 50)
    ax = plots.activation_curves({"relu": (lambda v: np.maximum(v, 0), lambda v: v > 0)}, x=x)
    relu, drelu = ax.get_lines()[:2]
    np.testing.assert_array_equal(relu.get_ydata(), np.maximum(x, 0))
    np.testing.assert_array_equal(drelu.get_ydata(), x > 0)
    assert relu.get_color() == drelu.get_color() and drelu.get_linestyle() == "--"


def test_gradient_errors_colour_what_passes_and_what_fails():
    ax = plots.gradient_errors({"W1": 1e-10, "b1": 0.0, "W2": 1e-3}, tol=1e-7)
    bars = ax.patches
    assert [b.get_height() for b in bars] == pytest.approx([1e-10, 1e-16, 1e-3])
    green, red = matplotlib.colors.to_rgba("C2"), matplotlib.colors.to_rgba("C3")
    assert [b.get_facecolor() for b in bars] == [green, green, red]
    assert ax.get_yscale() == "log"


def test_loss_curve_smooths_with_a_moving_average():
    losses = np.arange(10.0)
    ax = plots.loss_curve(losses, smooth=3, label="train")
    raw, smoothed = ax.get_lines()
    np.testing.assert_array_equal(raw.get_ydata(), losses)
    np.testing.assert_allclose(smoothed.get_ydata(), np.arange(1.0, 9.0))
    assert ax.get_legend() is not None


def test_decision_boundary_colours_the_plane_by_predicted_class():
    X, y = spiral(20, 3, seed=1)
    seen = []

    def predict(points):
        seen.append(points.shape)
        return (points[:, 0] > 0).astype(int)

    ax = plots.decision_boundary(predict, X, y, resolution=30)
    assert seen == [(900, 2)]
    assert len(ax.collections) >= 2  # the filled regions and the scattered points
    np.testing.assert_array_equal(ax.collections[-1].get_offsets(), X)


def test_step_size_errors_mark_the_best_step():
    hs = np.logspace(-10, -1, 10)
    err = np.abs(np.log10(hs) + 5) + 1e-12  # smallest at h = 1e-5
    ax = plots.step_size_errors(hs, {"central": err})
    curve, best = ax.get_lines()[:2]
    np.testing.assert_array_equal(curve.get_xdata(), hs)
    assert best.get_xdata()[0] == pytest.approx(1e-5)
    assert "best h ≈ 1e-05" in ax.get_legend().get_texts()[0].get_text()


def test_cost_vs_params_draws_the_prediction_or_a_slope_one_guide():
    p, t = np.array([10.0, 100.0, 1000.0]), np.array([1e-3, 1e-2, 1e-1])
    guide = plots.cost_vs_params(p, t).get_lines()[1]
    np.testing.assert_allclose(guide.get_ydata(), t[-1] * p / p[-1])
    predicted = plots.cost_vs_params(p, t, predicted=2 * t).get_lines()[1]
    np.testing.assert_allclose(predicted.get_ydata(), 2 * t)


def test_plot_passes_draws_calls_and_seconds_per_method():
    p = [2, 4, 8]
    passes = {"forward mode": [2, 4, 8], "reverse mode": [1, 1, 1], "central": [4, 8, 16]}
    seconds = {name: [0.1 * v for v in calls] for name, calls in passes.items()}
    ax_passes, ax_time = plots.plot_passes(p, passes, seconds)
    for ax, data in ((ax_passes, passes), (ax_time, seconds)):
        lines = {line.get_label(): line for line in ax.get_lines()}
        assert set(lines) == set(data)
        for name, values in data.items():
            np.testing.assert_array_equal(lines[name].get_xdata(), p)
            np.testing.assert_array_equal(lines[name].get_ydata(), values)
        assert ax.get_xscale() == ax.get_yscale() == "log"


def test_plot_memory_draws_the_count_and_the_three_measurements_in_mib():
    batches = [8, 16]
    rows = [{"kept": 2 ** 20, "peak_train": 2 ** 21, "peak_inference": 2 ** 19},
            {"kept": 2 ** 21, "peak_train": 2 ** 22, "peak_inference": 2 ** 20}]
    ax = plots.plot_memory(batches, [2 ** 20, 2 ** 21], rows)
    ys = [list(line.get_ydata()) for line in ax.get_lines()]
    assert ys == [[1, 2], [1, 2], [2, 4], [0.5, 1]]


# --- Chinese labels (the zh edition) ------------------------------------------------------------

def test_figures_fall_back_to_a_cjk_font_behind_the_default_one():
    font = plots.use_course_fonts()
    assert font is not None, ("no CJK font installed: run `scripts/system-deps.sh fonts` (Debian: "
                              "apt-get install fonts-noto-cjk; conda: font-ttf-noto-cjk)")
    families = matplotlib.rcParams["font.family"]
    assert families.index(font) >= 1, "Latin text keeps the default font; CJK falls back"
    plots.use_course_fonts()
    assert matplotlib.rcParams["font.family"].count(font) == 1


def test_a_figure_with_chinese_labels_renders_real_glyphs():
    import warnings

    ax = plots.loss_curve(np.linspace(2.0, 0.1, 20), label="训练损失 (loss)")
    ax.set_title("反向传播: 梯度沿计算图反向流动, ∂L/∂L = 1")
    ax.set_xlabel("迭代次数")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax.figure.canvas.draw()
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not missing, f"tofu boxes instead of Chinese: {missing[:3]}"


def _cost_rows():
    return [{"params": p, "n": 64, "t_backprop": 1e-4 * p / 100, "t_numeric": 1e-4 * p * p / 100,
             "numeric_extrapolated": p > 1000, "flops_forward": 128 * p,
             "flops_backward": 256 * p, "flops_numeric": 256 * p * p,
             "ratio_backward_forward": 2.1, "ratio_backward_forward_predicted": 2.0}
            for p in (100, 1000, 10000)]


# Each course figure, drawn on small data, and words its Chinese version must show.
_FIGURES = {
    "activation_curves": (lambda: plots.activation_curves(
        {"relu": (lambda v: np.maximum(v, 0), lambda v: (v > 0) * 1.0)}), ["relu'（导数）"]),
    "gradient_errors": (lambda: plots.gradient_errors({"W1": 1e-10, "b1": 1e-3}),
                        ["与中心差分相比的相对误差", "容差 1e-07"]),
    "loss_curve": (lambda: plots.loss_curve(np.linspace(2, 0.1, 20)), ["步数", "损失"]),
    "decision_boundary": (lambda: plots.decision_boundary(
        lambda pts: (pts[:, 0] > 0).astype(int), *spiral(10, 2, seed=0), resolution=20), []),
    "step_size_errors": (lambda: plots.step_size_errors(
        np.logspace(-8, -1, 8), {"central": np.logspace(-8, -1, 8)}),
        ["步长 h", "|估计值 − 精确导数|", "central；最佳 h ≈ 1e-08"]),
    "cost_vs_params": (lambda: plots.cost_vs_params([10, 100], [1e-3, 1e-2]),
                       ["参数量 P", "秒", "数值梯度", "∝ P（斜率 1）"]),
    "plot_cost": (lambda: plots.plot_cost(_cost_rows()),
                  ["数值梯度与反向传播（批量 n = 64）", "反向传播（实测）",
                   "全部 P 个梯度所需的秒数", "数值梯度（由抽样外推）"]),
    "plot_backward_ratio": (lambda: plots.plot_backward_ratio(_cost_rows()),
                            ["反向传播时间 / 前向传播时间", "实测（时间）"]),
    "plot_passes": (lambda: plots.plot_passes([2, 4], {"reverse": [1, 1]},
                                              {"reverse": [0.1, 0.1]}),
                    ["输入个数 P", "f 的调用次数（遍数）", "计算整个梯度所需的时间"]),
    "plot_memory": (lambda: plots.plot_memory(
        [8, 16], [1, 2], [{"kept": 1, "peak_train": 2, "peak_inference": 1}] * 2),
        ["批量大小 n", "计算值：缓存的激活值", "实测：一个训练步的峰值"]),
}


def _words(fig) -> list[str]:
    """Every text a figure shows: titles, axis labels, legends, free text (not tick labels)."""
    texts = []
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                  *(t.get_text() for t in ax.texts)]
        if ax.get_legend() is not None:
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
    return [t for t in texts if t]


def test_every_course_figure_is_listed_here():
    drawing = {name for name in plots.__all__ if name not in ("CJK_FONTS", "cjk_font",
                                                              "use_course_fonts")}
    assert set(_FIGURES) == drawing, "a new figure in bpcourse.plots: add it to _FIGURES"


@pytest.mark.parametrize("name", sorted(_FIGURES))
def test_a_course_figure_in_chinese_has_chinese_words_drawn_with_real_glyphs(name):
    import warnings

    from bpcourse import i18n

    draw, chinese = _FIGURES[name]
    english = _words(np.atleast_1d(draw())[0].figure)
    i18n.set_language("zh_CN")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph ... missing from font(s)" fails the test
            fig = np.atleast_1d(draw())[0].figure
            fig.canvas.draw()
    finally:
        i18n.set_language("en")
    words = _words(fig)
    assert len(words) == len(english), (words, english)
    for text in chinese:
        assert text in words, f"{name}: {text!r} not among {words}"
    untranslated = [w for w in words if w in english and any(c.isalpha() and c.isascii()
                                                            for c in w) and w not in chinese]
    assert all(w in ("x", "MiB", "relu", "reverse") for w in untranslated), untranslated
