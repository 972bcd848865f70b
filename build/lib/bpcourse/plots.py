"""The course's figures (matplotlib), shared by the notebooks and the ``cost`` command.

matplotlib is imported inside each function, so ``import bpcourse`` stays numpy-only.
Every function takes an optional ``ax`` and returns the Axes it drew on.

:func:`use_course_fonts` (from :mod:`bpcourse.fonts`) is where the course sets matplotlib's
fonts: every figure here calls it, and so does a notebook that draws with ``plt`` itself (the zh
edition's set-up cell, through ``bpcourse.set_language``). It adds an installed CJK font behind
matplotlib's own, so that a Chinese label is drawn with real glyphs instead of boxes.

Every title, axis label and legend is English wrapped in ``_()`` and translated when the figure
is drawn, so the same call draws a Chinese figure in a kernel that speaks Chinese.
"""

from __future__ import annotations

from .fonts import CJK_FONTS, cjk_font, use_course_fonts
from .i18n import _

__all__ = ["CJK_FONTS", "cjk_font", "use_course_fonts", "activation_curves", "gradient_errors",
           "loss_curve", "decision_boundary", "step_size_errors", "cost_vs_params", "plot_cost",
           "plot_backward_ratio", "plot_passes", "plot_memory"]


def _axes(ax):
    import matplotlib.pyplot as plt

    use_course_fonts()
    return ax if ax is not None else plt.subplots(figsize=(5, 3.2))[1]


def activation_curves(functions: dict, x=None, ax=None):
    """Each activation and its derivative on one set of axes (notebook 04).

    Args:
        functions: {name: (f, df)}, f and df map a float array to one of the same shape.
        x: 1-D array of inputs to draw over (default: 400 points in [-5, 5]).
        ax: matplotlib Axes to draw on (default: a new figure).

    Returns:
        The Axes.
    """
    import numpy as np

    ax = _axes(ax)
    x = np.linspace(-5, 5, 400) if x is None else np.asarray(x, dtype=float)
    for i, (name, (f, df)) in enumerate(functions.items()):
        line, = ax.plot(x, f(x), color=f"C{i}", label=name)
        ax.plot(x, df(x), color=line.get_color(), linestyle="--",
                label=_("{name}'  (derivative)").format(name=name))
    ax.axhline(0, color="0.7", linewidth=0.8)
    ax.axvline(0, color="0.7", linewidth=0.8)
    ax.set_xlabel("x")
    ax.legend(frameon=False, fontsize="small")
    return ax


def gradient_errors(errors: dict, tol: float = 1e-7, ax=None):
    """Bar chart (log scale) of the relative error of each gradient against its numeric check.

    Args:
        errors: {name: relative error}, e.g. {"W1": 3e-10, "b1": 1e-11}.
        tol: the line that separates "agrees" from "wrong" (drawn dashed).
        ax: matplotlib Axes to draw on (default: a new figure).

    Returns:
        The Axes.
    """
    import numpy as np

    ax = _axes(ax)
    names = list(errors)
    values = np.maximum(np.array([errors[n] for n in names], dtype=float), 1e-16)
    colors = ["C2" if v < tol else "C3" for v in values]
    ax.bar(names, values, color=colors)
    ax.set_yscale("log")
    ax.axhline(tol, color="0.3", linestyle="--", linewidth=1,
               label=_("tolerance {tol}").format(tol=f"{tol:.0e}"))
    ax.set_ylabel(_("relative error vs. central differences"))
    ax.legend(frameon=False, fontsize="small")
    return ax


def loss_curve(losses, ax=None, label: str | None = None, smooth: int = 1):
    """Training loss against the step number (notebook 05).

    Args:
        losses: sequence of floats, one per step.
        ax: matplotlib Axes to draw on (default: a new figure).
        label: legend label, if any.
        smooth: width of a moving average drawn over the raw curve (1: none).

    Returns:
        The Axes.
    """
    import numpy as np

    ax = _axes(ax)
    losses = np.asarray(losses, dtype=float)
    steps = np.arange(len(losses))
    if smooth > 1 and len(losses) >= smooth:
        ax.plot(steps, losses, color="0.8", linewidth=0.8)
        kernel = np.ones(smooth) / smooth
        ax.plot(steps[smooth - 1:], np.convolve(losses, kernel, mode="valid"), label=label)
    else:
        ax.plot(steps, losses, label=label)
    ax.set_xlabel(_("step"))
    ax.set_ylabel(_("loss"))
    if label:
        ax.legend(frameon=False)
    return ax


def decision_boundary(predict, X, y, ax=None, resolution: int = 200, margin: float = 0.25):
    """The classes a model predicts over the plane, with the data points on top.

    Args:
        predict: maps points (K, 2) to class indices (K,).
        X: (N, 2) data points.
        y: (N,) integer labels.
        ax: matplotlib Axes to draw on (default: a new figure).
        resolution: grid points along each axis.
        margin: extra room around the data, as a fraction of its range.

    Returns:
        The Axes.
    """
    import numpy as np

    ax = _axes(ax)
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = (hi - lo) * margin
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    classes = np.asarray(predict(np.c_[gx.ravel(), gy.ravel()])).reshape(gx.shape)
    n_classes = int(max(classes.max(), y.max())) + 1
    levels = np.arange(n_classes + 1) - 0.5
    ax.contourf(gx, gy, classes, levels=levels, cmap="tab10", vmin=-0.5, vmax=9.5, alpha=0.25)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="tab10", vmin=-0.5, vmax=9.5, s=12,
               edgecolors="k", linewidths=0.3)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def step_size_errors(hs, errors: dict, ax=None):
    """Error of finite-difference estimates against the step h, log-log (notebook 01).

    Truncation error falls with h (slope 1 for a forward difference, 2 for a central one);
    round-off error grows as h shrinks (slope −1): the curves are V-shaped.

    Args:
        hs: (K,) positive step sizes.
        errors: {name: (K,) absolute errors}, e.g. {"forward": ..., "central": ...}.
        ax: matplotlib Axes to draw on (default: a new figure).

    Returns:
        The Axes.
    """
    import numpy as np

    ax = _axes(ax)
    hs = np.asarray(hs, dtype=float)
    for name, err in errors.items():
        err = np.maximum(np.asarray(err, dtype=float), 1e-17)  # an exact 0 has no logarithm
        best = int(np.argmin(err))
        line, = ax.loglog(hs, err, marker=".", markersize=3,
                          label=_("{name}; best h ≈ {h}").format(name=name, h=f"{hs[best]:.0e}"))
        ax.plot(hs[best], err[best], marker="o", markersize=7, markerfacecolor="none",
                color=line.get_color())
    ax.set_xlabel(_("step h"))
    ax.set_ylabel(_("|estimate − exact derivative|"))
    ax.legend(frameon=False, fontsize="small")
    return ax


def cost_vs_params(params, seconds, predicted=None, ax=None, label: str | None = None):
    """Measured time against the number of parameters P, log-log.

    Args:
        params: (K,) parameter counts.
        seconds: (K,) measured times.
        predicted: optional (K,) times a model predicts (e.g. 2P × one forward pass), drawn
            dashed; without it a slope-1 guide (∝ P) is drawn.
        ax: matplotlib Axes to draw on (default: a new figure).
        label: legend label of the measurements (default: "numeric gradient", translated).

    Returns:
        The Axes.
    """
    import numpy as np

    ax = _axes(ax)
    params, seconds = np.asarray(params, dtype=float), np.asarray(seconds, dtype=float)
    ax.loglog(params, seconds, marker="o", label=_("numeric gradient") if label is None else label)
    if predicted is not None:
        ax.loglog(params, np.asarray(predicted, dtype=float), color="0.4", linestyle="--",
                  marker="x", label=_("2P × one forward pass"))
    else:
        ax.loglog(params, seconds[-1] * params / params[-1], color="0.6", linestyle="--",
                  linewidth=1, label=_("∝ P (slope 1)"))
    ax.set_xlabel(_("parameters P"))
    ax.set_ylabel(_("seconds"))
    ax.legend(frameon=False, fontsize="small")
    return ax


def plot_cost(rows, ax=None):
    """Time of all P gradients against P, log-log: numeric gradient vs backprop, with theory.

    The markers are measurements (``bpcourse.cost.sweep`` rows); hollow squares are numeric
    times extrapolated from a sample of parameters. The theory lines are the FLOP counts of
    ``bpcourse.flops`` (backprop 2nP + 4nP, numeric 2P · 2nP) divided by one FLOP rate, the
    best rate backprop reached on any of the MLPs: the time the arithmetic alone would take.
    The data follow the lines where the arithmetic, not Python's overhead, takes the time.

    Args:
        rows: list of dicts from ``bpcourse.cost.measure`` / ``sweep`` / ``read_csv``.
        ax: matplotlib Axes to draw on (default: a new figure).

    Returns:
        The Axes.
    """
    import numpy as np

    if not rows:
        raise ValueError(_("plot_cost: rows is empty; measure some MLPs first "
                           "(bpcourse.cost.sweep(bpcourse.cost.default_sizes())).")
                         )
    ax = _axes(ax)
    rows = sorted(rows, key=lambda r: r["params"])
    p = np.array([r["params"] for r in rows], dtype=float)
    t_bp = np.array([r["t_backprop"] for r in rows], dtype=float)
    t_num = np.array([r["t_numeric"] for r in rows], dtype=float)
    extrapolated = np.array([bool(r["numeric_extrapolated"]) for r in rows])
    fl_bp = np.array([r["flops_forward"] + r["flops_backward"] for r in rows], dtype=float)
    fl_num = np.array([r["flops_numeric"] for r in rows], dtype=float)
    rate = float(np.max(fl_bp / t_bp))

    ax.loglog(p, t_bp, "o", color="C0", label=_("backprop (measured)"))
    ax.loglog(p, fl_bp / rate, "-", color="C0", alpha=0.5, label=_("theory: 6nP FLOPs ≈ 3 forward"))
    ax.loglog(p[~extrapolated], t_num[~extrapolated], "s", color="C3",
              label=_("numeric (measured)"))
    if extrapolated.any():
        ax.loglog(p[extrapolated], t_num[extrapolated], "s", markerfacecolor="none",
                  color="C3", label=_("numeric (extrapolated from a sample)"))
    ax.loglog(p, fl_num / rate, "-", color="C3", alpha=0.5,
              label=_("theory: 2P forward passes, 4nP² FLOPs"))
    ax.set_xlabel(_("parameters P"))
    ax.set_ylabel(_("seconds for all P gradients"))
    ax.set_title(_("numeric gradient vs backprop (batch n = {n})").format(n=rows[0]["n"]),
                 fontsize="medium")
    ax.text(0.98, 0.02, _("theory lines at {rate} GFLOP/s, backprop's best rate").format(
                rate=f"{rate / 1e9:.2f}"),
            transform=ax.transAxes, ha="right", va="bottom", fontsize="small", color="0.4")
    ax.legend(frameon=False, fontsize="small")
    return ax


def plot_backward_ratio(rows, ax=None):
    """Measured backward/forward time ratio against P, beside the ratio of exact FLOP counts.

    Args:
        rows: list of dicts from ``bpcourse.cost.measure`` / ``sweep`` / ``read_csv``
            (keys "params", "ratio_backward_forward", "ratio_backward_forward_predicted").
        ax: matplotlib Axes to draw on (default: a new figure).

    Returns:
        The Axes.
    """
    import numpy as np

    if not rows:
        raise ValueError(_("plot_backward_ratio: rows is empty; measure some MLPs first."))
    ax = _axes(ax)
    rows = sorted(rows, key=lambda r: r["params"])
    p = np.array([r["params"] for r in rows], dtype=float)
    ax.semilogx(p, [r["ratio_backward_forward"] for r in rows], "o-", label=_("measured (time)"))
    ax.semilogx(p, [r["ratio_backward_forward_predicted"] for r in rows], "k--", linewidth=1,
                label=_("predicted (exact FLOPs)"))
    ax.axhline(2, color="0.7", linewidth=0.8, label=_("the model's 4nP / 2nP = 2"))
    ax.set_xlabel(_("parameters P"))
    ax.set_ylabel(_("backward time / forward time"))
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize="small")
    return ax


def plot_passes(p_values, passes: dict, seconds: dict, axes=None):
    """Forward mode, reverse mode, numeric: calls of f (left) and time (right) against P.

    Args:
        p_values: the numbers of inputs P measured.
        passes: method name -> calls of f at each P.
        seconds: method name -> seconds at each P.
        axes: two matplotlib Axes (default: a new figure with two).

    Returns:
        The two Axes.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        axes = plt.subplots(1, 2, figsize=(12, 4.2))[1]
    ax_passes, ax_time = axes
    for name in passes:
        ax_passes.loglog(p_values, passes[name], "o-", label=name)
        ax_time.loglog(p_values, seconds[name], "o-", label=name)
    ax_passes.set_xlabel(_("inputs P"))
    ax_passes.set_ylabel(_("calls of f (passes)"))
    ax_passes.set_title(_("passes: forward P, numeric 2P, reverse 1"))
    ax_time.set_xlabel(_("inputs P"))
    ax_time.set_ylabel(_("seconds"))
    ax_time.set_title(_("time for the whole gradient"))
    for ax in axes:
        ax.legend(frameon=False, fontsize="small")
    return axes


def plot_memory(batches, counted, rows, ax=None):
    """Activation memory against the batch size: the count beside ``tracemalloc``'s numbers.

    Args:
        batches: batch sizes n.
        counted: bytes counted at each n (e.g. the learner's ``activation_memory``).
        rows: dicts from ``bpcourse.memory.measure_memory`` at each n ("kept",
            "peak_train", "peak_inference").
        ax: matplotlib Axes (default: a new figure).

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    mib = 2 ** 20
    ax.plot(batches, [c / mib for c in counted], "k--", label=_("counted: cached activations"))
    ax.plot(batches, [r["kept"] / mib for r in rows], "o", label=_("measured: held after forward"))
    ax.plot(batches, [r["peak_train"] / mib for r in rows], "s-",
            label=_("measured: peak of a training step"))
    ax.plot(batches, [r["peak_inference"] / mib for r in rows], "^-",
            label=_("measured: peak of inference"))
    ax.set_xlabel(_("batch size n"))
    ax.set_ylabel("MiB")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize="small")
    return ax
