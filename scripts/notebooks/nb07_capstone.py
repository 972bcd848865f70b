"""Build solutions/07_capstone/07_capstone.ipynb: backward passes nobody derived for you.

Run: .venv/bin/python scripts/notebooks/nb07_capstone.py
The solution sources are module constants so that tests can run exactly the notebook's answers.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nbbuild import answer, code, glossary, hidden, md, test, write, zh_variant  # noqa: E402

NAME = "07_capstone"
# What the hidden tests try, for the comment of each hidden-test cell.
ABOUT = "random shapes and seeds, a large and a tiny ε"
ABOUT_CONV = "random shapes and seeds, K = L and K = 1"

BATCHNORM = '''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Batch normalisation, training mode: each feature normalised over the batch. (Given.)

    Args:
        x: (N, D) inputs, one row per example.
        gamma: (D,) scale.
        beta: (D,) shift.
        eps: added to the variance, so that a constant feature does not divide by 0.

    Returns:
        out: (N, D).
        cache: (xc, var, x_hat, gamma, eps) for the backward pass.
    """
    N = x.shape[0]
    mu = x.sum(axis=0) / N              # (D,)  the batch mean
    xc = x - mu                         # (N, D)
    var = (xc ** 2).sum(axis=0) / N     # (D,)  the biased variance: divides by N
    std = np.sqrt(var + eps)            # (D,)
    x_hat = xc / std                    # (N, D)
    out = gamma * x_hat + beta          # (N, D)
    cache = (xc, var, x_hat, gamma, eps)
    return out, cache


def batchnorm_backward(dout, cache):
    """Gradients of batch normalisation.

    Args:
        dout: (N, D) upstream gradient.
        cache: from batchnorm_forward.

    Returns:
        dx: (N, D), dgamma: (D,), dbeta: (D,).
    """
    xc, var, x_hat, gamma, eps = cache
    ### BEGIN SOLUTION
    N = dout.shape[0]
    std = np.sqrt(var + eps)                      # (D,)
    dbeta = dout.sum(axis=0)                      # beta was added to every row: gradients add
    dgamma = (dout * x_hat).sum(axis=0)           # (D,)
    dx_hat = dout * gamma                         # (N, D)
    dxc = dx_hat / std                            # x_hat = xc / std: the direct path
    dstd = -(dx_hat * xc).sum(axis=0) / std ** 2  # every row used std: gradients add
    dvar = dstd / (2 * std)                       # d sqrt(var + eps) / dvar = 1 / (2 std)
    dxc += dvar * 2 * xc / N                      # var = sum(xc²) / N: xc's second use, add
    dmu = -dxc.sum(axis=0)                        # xc = x - mu, for every row
    dx = dxc + dmu / N                            # mu = sum(x) / N: x's second use, add
    ### END SOLUTION
    return dx, dgamma, dbeta
'''

LAYERNORM = '''
def layernorm_forward(x, gamma, beta, eps=1e-5):
    """Layer normalisation: each example normalised over its own features. (Given.)

    Args:
        x: (N, D) inputs, one row per example.
        gamma: (D,) scale, per feature.
        beta: (D,) shift, per feature.
        eps: added to the variance.

    Returns:
        out: (N, D).
        cache: (xc, var, x_hat, gamma, eps) for the backward pass.
    """
    D = x.shape[1]
    mu = x.sum(axis=1, keepdims=True) / D              # (N, 1)  each row's mean
    xc = x - mu                                        # (N, D)
    var = (xc ** 2).sum(axis=1, keepdims=True) / D     # (N, 1)  biased: divides by D
    std = np.sqrt(var + eps)                           # (N, 1)
    x_hat = xc / std                                   # (N, D)
    out = gamma * x_hat + beta                         # (N, D)
    cache = (xc, var, x_hat, gamma, eps)
    return out, cache


def layernorm_backward(dout, cache):
    """Gradients of layer normalisation.

    Args:
        dout: (N, D) upstream gradient.
        cache: from layernorm_forward.

    Returns:
        dx: (N, D), dgamma: (D,), dbeta: (D,).
    """
    xc, var, x_hat, gamma, eps = cache
    ### BEGIN SOLUTION
    D = dout.shape[1]
    std = np.sqrt(var + eps)                                     # (N, 1)
    dbeta = dout.sum(axis=0)                                     # (D,): per feature
    dgamma = (dout * x_hat).sum(axis=0)                          # (D,)
    dx_hat = dout * gamma                                        # (N, D)
    dxc = dx_hat / std
    dstd = -(dx_hat * xc).sum(axis=1, keepdims=True) / std ** 2  # (N, 1): a row's std
    dvar = dstd / (2 * std)
    dxc += dvar * 2 * xc / D
    dmu = -dxc.sum(axis=1, keepdims=True)
    dx = dxc + dmu / D
    ### END SOLUTION
    return dx, dgamma, dbeta
'''

CONV1D = '''
def conv1d_forward(x, w, b):
    """1-D convolution, stride 1, no padding: a linear layer applied at every position. (Given.)

        out[n, o, t] = sum over c, k of x[n, c, t + k] * w[o, c, k], plus b[o]

    Args:
        x: (N, C_in, L) inputs: N examples, C_in channels, L positions.
        w: (C_out, C_in, K) filters.
        b: (C_out,) bias.

    Returns:
        out: (N, C_out, T) with T = L - K + 1.
        cache: (x, w) for the backward pass.
    """
    N, C_in, L = x.shape
    C_out, _, K = w.shape
    T = L - K + 1
    W = w.reshape(C_out, C_in * K)               # one filter per row
    out = np.zeros((N, C_out, T))
    for t in range(T):
        window = x[:, :, t:t + K].reshape(N, C_in * K)   # (N, C_in*K)
        out[:, :, t] = window @ W.T + b                 # (N, C_out): notebook 04's layer
    cache = (x, w)
    return out, cache


def conv1d_backward(dout, cache):
    """Gradients of the 1-D convolution.

    Args:
        dout: (N, C_out, T) upstream gradient.
        cache: from conv1d_forward.

    Returns:
        dx: (N, C_in, L), dw: (C_out, C_in, K), db: (C_out,).
    """
    x, w = cache
    ### BEGIN SOLUTION
    N, C_in, L = x.shape
    C_out, _, K = w.shape
    T = dout.shape[2]
    W = w.reshape(C_out, C_in * K)
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    for t in range(T):
        window = x[:, :, t:t + K].reshape(N, C_in * K)
        d = dout[:, :, t]                                   # (N, C_out)
        dw += (d.T @ window).reshape(w.shape)               # w is used at every t: add
        dx[:, :, t:t + K] += (d @ W).reshape(N, C_in, K)    # x[s] is used by K positions: add
    db = dout.sum(axis=(0, 2))                              # b: every example, every position
    ### END SOLUTION
    return dx, dw, db
'''


def _hints(*hints: str, label: str = "Hint") -> str:
    """Collapsed hints, weakest first: a learner opens only as many as they need.
    ``label`` names each one ("Hint 1"; the zh edition's "提示 1")."""
    return "\n\n".join(f"<details><summary>{label} {i}</summary>\n\n"
                       f"{textwrap.dedent(h).strip()}\n\n</details>"
                       for i, h in enumerate(hints, start=1))


def _zh_hints(*hints: str) -> str:
    """The zh edition's hints: the same collapsed list, labelled 提示."""
    return _hints(*hints, label="提示")


def _with_hints(prose: str, hints: str) -> str:
    """Markdown: the prose (dedented here, since the hints start at column 0), then hints."""
    return textwrap.dedent(prose).strip("\n") + "\n\n" + hints


BATCHNORM_HINTS = _hints(
    r"""
    Work node by node down the graph above, from `out` back to `x`, keeping one gradient
    variable per node: `dbeta`, `dgamma`, `dx_hat`, then `dxc`, `dstd`, `dvar`, `dmu`, `dx`.
    Each line multiplies the gradient arriving at a node by that node's local derivative.
    """,
    r"""
    Two values are used twice, and their gradients **add**: `xc` feeds both `x_hat` and
    `var`; `x` feeds both `xc` and `mu`. So `dxc` gets a contribution from `x_hat` *and* one
    from `var`; `dx` gets one from `xc` *and* one from `mu`. Forgetting one of them is the
    classic bug, and the gradient checker catches it.
    """,
    r"""
    Local derivatives: a mean $m = \frac1N\sum_n v_n$ sends $\partial L/\partial m \cdot \frac1N$
    to **every** $v_n$; $\;\partial (v^2)/\partial v = 2v$; $\;\partial \sqrt{v+\varepsilon}/
    \partial v = 1/(2\sqrt{v+\varepsilon})$; $\;\partial (a/s)/\partial s = -a/s^2$, summed over
    the rows, because every row used the same $s$. Shapes: `dstd`, `dvar` and `dmu` are `(D,)`,
    like `std`, `var` and `mu`.
    """,
    r"""
    In order: `dx_hat = dout * gamma`; `dxc = dx_hat / std`;
    `dstd = -(dx_hat * xc).sum(axis=0) / std**2`; `dvar = dstd / (2 * std)`;
    `dxc += dvar * 2 * xc / N`; `dmu = -dxc.sum(axis=0)`; `dx = dxc + dmu / N`.
    """,
)

BATCHNORM_HINTS_ZH = _zh_hints(
    r"""
    沿着上面的计算图，从 `out` 逐个节点走回 `x`，每个节点保存一个梯度变量：`dbeta`、
    `dgamma`、`dx_hat`，然后是 `dxc`、`dstd`、`dvar`、`dmu`、`dx`。每一行都把到达该节点的
    梯度乘以该节点的局部梯度。
    """,
    r"""
    有两个值被使用了两次，它们的梯度要**相加**：`xc` 既流向 `x_hat` 又流向 `var`；`x` 既流向
    `xc` 又流向 `mu`。所以 `dxc` 既有来自 `x_hat` 的一份，*也*有来自 `var` 的一份；`dx` 既有
    来自 `xc` 的一份，*也*有来自 `mu` 的一份。漏掉其中一份是经典的错误，梯度检验会发现它。
    """,
    r"""
    局部梯度：均值 $m = \frac1N\sum_n v_n$ 把 $\partial L/\partial m \cdot \frac1N$ 传给**每一个**
    $v_n$；$\;\partial (v^2)/\partial v = 2v$；$\;\partial \sqrt{v+\varepsilon}/
    \partial v = 1/(2\sqrt{v+\varepsilon})$；$\;\partial (a/s)/\partial s = -a/s^2$，并对各行
    求和，因为每一行用的都是同一个 $s$。形状：`dstd`、`dvar` 和 `dmu` 都是 `(D,)`，与 `std`、
    `var` 和 `mu` 相同。
    """,
    r"""
    依次是：`dx_hat = dout * gamma`；`dxc = dx_hat / std`；
    `dstd = -(dx_hat * xc).sum(axis=0) / std**2`；`dvar = dstd / (2 * std)`；
    `dxc += dvar * 2 * xc / N`；`dmu = -dxc.sum(axis=0)`；`dx = dxc + dmu / N`。
    """,
)

LAYERNORM_HINTS = _hints(
    r"""
    Write the forward pass's graph next to batch norm's: every node is the same, only the
    axis of the two means changed. Which of your batch-norm lines sum over the *statistics'*
    axis, and which over the batch because `gamma` and `beta` are per feature?
    """,
    r"""
    `mu`, `var` and `std` are now `(N, 1)`: one per row. So `dstd`, `dvar` and `dmu` are
    `(N, 1)` too: sum over `axis=1` with `keepdims=True`, and divide by `D`, the count of the
    means. `dgamma` and `dbeta` stay `(D,)`, summed over `axis=0`.
    """,
)

LAYERNORM_HINTS_ZH = _zh_hints(
    r"""
    把前向传播的计算图画在批量规范化的旁边：每个节点都一样，只是两个均值的轴变了。你的批量
    规范化代码中，哪几行是沿*统计量*的轴求和，哪几行是因为 `gamma` 和 `beta` 每个特征一个
    而沿批量求和？
    """,
    r"""
    `mu`、`var` 和 `std` 现在是 `(N, 1)`：每行一个。所以 `dstd`、`dvar` 和 `dmu` 也是
    `(N, 1)`：沿 `axis=1` 求和并加上 `keepdims=True`，再除以 `D`，即求均值时的元素个数。
    `dgamma` 和 `dbeta` 仍然是 `(D,)`，沿 `axis=0` 求和。
    """,
)

CONV1D_HINTS = _hints(
    r"""
    At one position `t`, the forward pass is notebook 04's linear layer:
    `out[:, :, t] = window @ W.T + b` with `window` `(N, C_in*K)` and `W` `(C_out, C_in*K)`.
    You know that layer's backward pass. What is different is that the *same* `W` and `b` are
    used at every `t`.
    """,
    r"""
    Used at every `t` means gradients **add** over `t`: `dw += ...` inside the loop, `db` a sum
    over the positions as well as the batch. And each input `x[n, c, s]` is in up to `K`
    windows (one per `t = s - k`): its gradient adds too, `dx[:, :, t:t + K] += ...`.
    """,
    r"""
    Inside the loop: `d = dout[:, :, t]` is `(N, C_out)`; `dW_t = d.T @ window` is
    `(C_out, C_in*K)`, reshape it to `w.shape`; `dwindow = d @ W` is `(N, C_in*K)`, reshape it
    to `(N, C_in, K)` and add it into `dx[:, :, t:t + K]`. Check: `dx.shape == x.shape`.
    """,
)

CONV1D_HINTS_ZH = _zh_hints(
    r"""
    在一个位置 `t` 上，前向传播就是笔记本 04 的线性层：`out[:, :, t] = window @ W.T + b`，
    其中 `window` 是 `(N, C_in*K)`，`W` 是 `(C_out, C_in*K)`。这一层的反向传播你已经会了。
    不同之处在于，*同一个* `W` 和 `b` 在每个 `t` 上都被使用。
    """,
    r"""
    在每个 `t` 上都被使用，意味着梯度要对 `t` **累加**：在循环内写 `dw += ...`，`db` 既要对
    批量求和，也要对位置求和。而每个输入 `x[n, c, s]` 最多出现在 `K` 个窗口中（每个
    `t = s - k` 一个）：它的梯度也要累加，`dx[:, :, t:t + K] += ...`。
    """,
    r"""
    在循环内：`d = dout[:, :, t]` 是 `(N, C_out)`；`dW_t = d.T @ window` 是
    `(C_out, C_in*K)`，把它 reshape 成 `w.shape`；`dwindow = d @ W` 是 `(N, C_in*K)`，把它
    reshape 成 `(N, C_in, K)` 后加到 `dx[:, :, t:t + K]` 上。检查：`dx.shape == x.shape`。
    """,
)


IMPORTS = """
    import os
    import numpy as np
    import matplotlib.pyplot as plt

    from bpcourse import data, graph, nn, plots
    from bpcourse.autograd import Value
    from bpcourse.check import compare, rel_error
    from bpcourse.grading import expect, nb07
    from bpcourse.numgrad import numerical_gradient, numerical_gradient_array

    rng = np.random.default_rng(0)
    np.set_printoptions(precision=4, suppress=True)
    QUICK = bool(os.environ.get("NBGRADER_EXECUTION"))  # shorter demos while grading
    """

VALUE_DEMO = """
    def batchnorm_values(xs, gamma, beta, eps=1e-5, mean_is_constant=False):
        \"\"\"Batch norm of one feature, node by node, on Values; returns (inputs, outputs).\"\"\"
        x = [Value(v, label=f"x{i}") for i, v in enumerate(xs)]
        n = len(x)
        mu = sum(x) / n
        if mean_is_constant:
            mu = Value(mu.data, label="mu (cut)")  # same number, but no path back to x
        xc = [xi - mu for xi in x]
        var = sum(c ** 2 for c in xc) / n
        std = (var + eps) ** 0.5
        mu.label, var.label, std.label = "mu", "var", "std"  # names for the picture
        for i, c in enumerate(xc):
            c.label = f"xc{i}"
        return x, [gamma * (c / std) + beta for c in xc]


    xs, upstream = [1.0, 2.5, -0.5], [0.3, -1.0, 0.2]


    def bn_loss(v):  # L = Σ out · upstream, the same graph on plain numbers
        out = 1.5 * (v - v.mean()) / np.sqrt(v.var() + 1e-5) + 0.2
        return np.sum(out * upstream)


    numeric = numerical_gradient(bn_loss, np.array(xs))
    for cut in (False, True):
        x, out = batchnorm_values(xs, 1.5, 0.2, mean_is_constant=cut)
        L = sum(o * u for o, u in zip(out, upstream))
        L.backward()
        engine = np.array([xi.grad for xi in x])
        print(f"mean {'cut  ' if cut else 'kept '}", compare("dx", engine, numeric))
    """

GRAPH_DEMO = """
    x, out = batchnorm_values([1.0, -0.5, 2.0], 1.5, 0.2)
    L = out[0] * 0.3 + out[1] * -1.0 + out[2] * 0.2
    L.backward()
    graph.draw(L)
    """

CHECK_DEMO = """
    check_rng = np.random.default_rng(7)
    x_check = check_rng.standard_normal((4, 3)) * 2 + 1
    gamma_check, beta_check = np.array([1.0, 0.5, 2.0]), np.array([0.0, -1.0, 0.5])
    dout_check = check_rng.standard_normal((4, 3))
    numeric = {
        "dx": numerical_gradient_array(lambda v: batchnorm_forward(v, gamma_check, beta_check)[0],
                                       x_check.copy(), dout_check),
        "dgamma": numerical_gradient_array(lambda v: batchnorm_forward(x_check, v, beta_check)[0],
                                           gamma_check.copy(), dout_check),
        "dbeta": numerical_gradient_array(lambda v: batchnorm_forward(x_check, gamma_check, v)[0],
                                          beta_check.copy(), dout_check),
    }
    print("numeric dx, the target:\\n", numeric["dx"])
    print("dx sums to zero over the batch:", numeric["dx"].sum(axis=0))
    try:
        _, cache_check = batchnorm_forward(x_check, gamma_check, beta_check)
        yours = dict(zip(["dx", "dgamma", "dbeta"], batchnorm_backward(dout_check, cache_check)))
        for name in numeric:
            print(compare(name, yours[name], numeric[name]))
    except NotImplementedError:
        print("batchnorm_backward is not written yet: write it, run its cell, then this one.")
    """

DEEP_DEMO = """
    X, y = data.spiral(n_per_class=100, n_classes=3, seed=0)


    def deep_network(batchnorm, depth=8, width=32):
        \"\"\"depth × (Linear → [BatchNorm1d] → Sigmoid), then Linear to 3 classes.\"\"\"
        layer_rng, layers, sizes = np.random.default_rng(1), [], [2] + [width] * depth
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            norm = [nn.BatchNorm1d(n_out)] if batchnorm else []
            layers += [nn.Linear(n_in, n_out, rng=layer_rng), *norm, nn.Sigmoid()]
        return nn.Sequential(*layers, nn.Linear(width, 3, rng=layer_rng))


    def gradient_norms(model):
        \"\"\"‖dL/dW‖ of every linear layer, first to last, after one backward pass.\"\"\"
        loss_fn = nn.SoftmaxCrossEntropy()
        model.zero_grad()
        loss = loss_fn(model.forward(X), y)
        model.backward(loss_fn.backward())
        return [np.linalg.norm(layer.W.grad) for layer in model.layers
                if isinstance(layer, nn.Linear)], loss


    def train(model, steps, lr=0.2):
        loss_fn, optimizer = nn.SoftmaxCrossEntropy(), nn.SGD(model.params, lr)
        losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            losses.append(loss_fn(model.forward(X), y))
            model.backward(loss_fn.backward())
            optimizer.step()
        return losses


    steps = 100 if QUICK else 400
    results = {}
    for label, bn in (("plain", False), ("with batch norm", True)):
        model = deep_network(bn)
        at_init, _ = gradient_norms(model)
        losses = train(model, steps)
        after, _ = gradient_norms(model)
        results[label] = (at_init, after, losses)
        print(f"{label:>16}: first/last layer gradient norm at init "
              f"{at_init[0] / at_init[-1]:.2e}; loss {losses[0]:.3f} -> {losses[-1]:.3f}")
    """

PLOT_DEMO = """
    fig, (ax_norms, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
    for (label, (at_init, after, losses)), colour in zip(results.items(), ["C0", "C1"]):
        layer_index = np.arange(1, len(at_init) + 1)
        ax_norms.semilogy(layer_index, at_init, "o-", color=colour, label=f"{label}, at init")
        ax_norms.semilogy(layer_index, after, "s--", color=colour, alpha=0.6,
                          label=f"{label}, after {steps} steps")
        plots.loss_curve(losses, ax=ax_loss, label=label)
    ax_norms.set_xlabel("linear layer (1 = next to the input)")
    ax_norms.set_ylabel("‖dL/dW‖")
    ax_norms.set_title("per-layer gradient norms")
    ax_norms.legend(fontsize=8)
    ax_loss.set_yscale("log")
    ax_loss.set_title("training loss")
    ax_loss.legend()
    plt.show()
    """

# The zh edition's demo cells: the same code, with what a learner reads in Chinese.
IMPORTS_ZH = zh_variant(IMPORTS, ("# shorter demos while grading", "# 评分时缩短演示"))
VALUE_DEMO_ZH = zh_variant(
    VALUE_DEMO,
    ("Batch norm of one feature, node by node, on Values; returns (inputs, outputs).",
     "一个特征的批量规范化，用 Value 逐节点计算；返回 (inputs, outputs)。"),
    ("# same number, but no path back to x", "# 数值相同，但没有回到 x 的路径"),
    ("# names for the picture", "# 图中显示的名字"),
    ("# L = Σ out · upstream, the same graph on plain numbers",
     "# L = Σ out · upstream，同一张计算图，用普通的数计算"),
    ("f\"mean {'cut  ' if cut else 'kept '}\"", "'切断均值' if cut else '保留均值'"),
)
CHECK_DEMO_ZH = zh_variant(
    CHECK_DEMO,
    ('"numeric dx, the target:', '"数值梯度 dx（目标）：'),
    ('"dx sums to zero over the batch:"', '"dx 在批量上的和为零："'),
    ('"batchnorm_backward is not written yet: write it, run its cell, then this one."',
     '"batchnorm_backward 还没有写：写好后先运行它所在的单元格，再运行这个单元格。"'),
)
DEEP_DEMO_ZH = zh_variant(
    DEEP_DEMO,
    ("then Linear to 3 classes.", "最后一个 Linear 输出 3 个类别。"),
    ("‖dL/dW‖ of every linear layer, first to last, after one backward pass.",
     "一次反向传播之后每个线性层的 ‖dL/dW‖，从第一层到最后一层。"),
    ('(("plain", False), ("with batch norm", True))',
     '(("无批量规范化", False), ("有批量规范化", True))'),
    ('f"{label:>16}: first/last layer gradient norm at init "',
     'f"{label}：初始化时第一层与最后一层的梯度范数之比 "'),
    ('f"{at_init[0] / at_init[-1]:.2e}; loss {losses[0]:.3f}',
     'f"{at_init[0] / at_init[-1]:.2e}；损失 {losses[0]:.3f}'),
)
PLOT_DEMO_ZH = zh_variant(
    PLOT_DEMO,
    ('f"{label}, at init"', 'f"{label}，初始化时"'),
    ('f"{label}, after {steps} steps"', 'f"{label}，训练 {steps} 步后"'),
    ('"linear layer (1 = next to the input)"', '"线性层（1 = 紧挨输入的一层）"'),
    ('"per-layer gradient norms"', '"各层的梯度范数"'),
    ('"training loss"', '"训练损失"'),
)

CELLS = [
    md(r"""
    # 07 · Capstone: backward passes nobody derived for you

    Every layer so far came with its gradient (梯度) worked out in the text. That is how one
    learns; whether one *has* learned shows when a layer arrives without it. This notebook
    gives you three layers used in real networks, each with its forward pass written, and
    asks for the backward pass (反向传播). No formula is given before you try; the method is.

    **After this notebook you will be able to**

    - derive the backward pass of an unfamiliar layer with the course's five steps;
    - backpropagate through a mean and a variance (batch normalisation, the classic trap);
    - see that the *method* carries over when the formula does not (layer normalisation);
    - handle weight sharing: gradients add over every place a weight was used (convolution);
    - show what batch normalisation does to a deep network's per-layer gradient norms.
    """, zh=r"""
    # 07 · 综合练习：没人替你推导的反向传播

    到目前为止，每一层的梯度都在正文中推导好了。学习时就该这样；而是否真的*学会*了，要等到
    某一层没有现成的推导时才看得出来。本笔记本给出实际网络中用到的三种层，前向传播都已写好，
    请你写出它们的反向传播。动手之前不给公式，只给方法。

    **学完本笔记本，你将能够**

    - 用本课程的五个步骤推导一个陌生层的反向传播；
    - 让梯度反向穿过均值和方差（批量规范化，经典的陷阱）；
    - 体会到公式不能照搬时，*方法*依然适用（层规范化）；
    - 处理权重共享：一个权重在哪些地方被使用，梯度就在这些地方累加（卷积）；
    - 展示批量规范化对深层网络各层梯度范数的影响。
    """),
    code(IMPORTS, zh=IMPORTS_ZH),
    md(r"""
    ## The method

    The course taught one procedure. It works for any layer:

    1. **Draw the graph** (计算图) of the forward pass in small nodes, one operation each.
    2. **Write the local derivative** (局部梯度) of each node: how its output moves with each
       input, ignoring everything else.
    3. **Walk the graph backward**: each node's gradient is the upstream gradient (上游梯度)
       times the local derivative (链式法则). Where a value is **used twice**, its gradients
       **add**.
    4. **Check the shapes**: every gradient has the shape of the thing it differentiates.
    5. **Check numerically** (数值梯度): compare with central differences before you trust it.

    Step 5 is your main tool here. You cannot look the answer up in the text, but you can
    always ask the forward pass what the answer is, one element at a time, for the price of
    two forward passes per element.
    """, zh=r"""
    ## 方法

    本课程只教了一套流程，它适用于任何层：

    1. **画出前向传播的计算图**，拆成小节点，每个节点只做一个运算。
    2. **写出每个节点的局部梯度**：只看这个节点，它的输出如何随每个输入变化。
    3. **沿计算图反向走**：每个节点的梯度等于上游梯度乘以局部梯度（链式法则）。一个值如果
       **被使用了两次**，它的梯度要**相加**。
    4. **检查形状**：每个梯度的形状都与被求导的量相同。
    5. **数值检验**（数值梯度）：在相信结果之前，先与中心差分比较。

    第 5 步是本笔记本的主要工具。答案在正文里查不到，但你随时可以向前向传播询问答案：一次
    一个元素，每个元素的代价是两次前向传播。
    """),
    md(r"""
    ## 1. Batch normalisation

    A deep network trains badly when the inputs of its layers drift in scale as the weights
    change. **Batch normalisation** (Ioffe & Szegedy, 2015) rescales each feature over the
    batch to mean 0 and variance 1, then lets the network pick the scale and shift it wants,
    $\gamma$ and $\beta$. In training mode, for $x \in \mathbb{R}^{N\times D}$:

    $$\mu = \frac1N\sum_n x_n, \qquad \sigma^2 = \frac1N\sum_n (x_n - \mu)^2, \qquad
    \hat x_n = \frac{x_n - \mu}{\sqrt{\sigma^2 + \varepsilon}}, \qquad
    \text{out}_n = \gamma\,\hat x_n + \beta$$

    The variance divides by $N$ (the *biased* variance, what PyTorch uses in training), and
    $\varepsilon = 10^{-5}$ keeps a constant feature from dividing by zero.

    ### Step 1: the graph, in small nodes

    For one feature (one column), the forward pass is this graph. Read it as code: every arrow
    is a use of a value.

    ```
    x ──┬──────────────► xc = x − mu ──┬──────────────────────► x_hat = xc / std ──► out = γ·x_hat + β
        └─► mu = mean(x) ──┘           └─► var = mean(xc²) ──► std = sqrt(var + ε) ──┘
    ```

    Two values are used twice: `x` (by `xc` and by `mu`) and `xc` (by `x_hat` and by `var`).
    And `mu`, `var`, `std` are each used by **every row**. That is where the trap is: $x_1$
    changes $\mu$, which changes $\hat x_2, \dots, \hat x_N$ too.
    """, zh=r"""
    ## 1. 批量规范化

    如果各层输入的尺度随着权重的变化而漂移，深层网络就很难训练。**批量规范化**
    （Ioffe & Szegedy, 2015）在批量上把每个特征重新缩放为均值 0、方差 1，再让网络自己选择
    想要的缩放和平移 $\gamma$ 与 $\beta$。在训练模式下，对 $x \in \mathbb{R}^{N\times D}$：

    $$\mu = \frac1N\sum_n x_n, \qquad \sigma^2 = \frac1N\sum_n (x_n - \mu)^2, \qquad
    \hat x_n = \frac{x_n - \mu}{\sqrt{\sigma^2 + \varepsilon}}, \qquad
    \text{out}_n = \gamma\,\hat x_n + \beta$$

    方差除以的是 $N$（即*有偏*方差，PyTorch 在训练时用的就是它），$\varepsilon = 10^{-5}$
    防止常数特征除以零。

    ### 第 1 步：计算图，拆成小节点

    对一个特征（一列）来说，前向传播就是下面这张图。把它当作代码来读：每个箭头都是对一个值的
    一次使用。

    ```
    x ──┬──────────────► xc = x − mu ──┬──────────────────────► x_hat = xc / std ──► out = γ·x_hat + β
        └─► mu = mean(x) ──┘           └─► var = mean(xc²) ──► std = sqrt(var + ε) ──┘
    ```

    有两个值被使用了两次：`x`（被 `xc` 和 `mu` 使用）和 `xc`（被 `x_hat` 和 `var` 使用）。
    而且 `mu`、`var`、`std` 都被**每一行**使用。陷阱就在这里：$x_1$ 改变 $\mu$，而 $\mu$ 又
    改变了 $\hat x_2, \dots, \hat x_N$。
    """),
    md(r"""
    ### A first backward pass with no algebra at all

    Your `Value` engine of notebook 03 knows every local derivative and adds at every fork. On
    a batch of three numbers (one feature), build the graph above out of `Value`s, call
    `backward()`, and compare with central differences. Then do the same with `mu` treated as
    a constant (a new leaf holding the same number): the gradient is wrong, and the check says
    so. That is the mistake to avoid in your own code.
    """, zh=r"""
    ### 第一次反向传播：完全不用代数

    你在笔记本 03 中写的 `Value` 引擎知道每个局部梯度，并且在每个分叉处都会累加梯度。在一个
    只有三个数的批量（一个特征）上，用 `Value` 搭出上面的计算图，调用 `backward()`，再与
    中心差分比较。然后把 `mu` 当作常数（一个保存同样数值的新叶节点）再做一遍：梯度错了，
    检验也会指出来。这正是你自己的代码中要避免的错误。
    """),
    code(VALUE_DEMO, zh=VALUE_DEMO_ZH),
    md(r"""
    The engine with the full graph agrees with the numeric gradient; with the mean cut off it
    does not. Here is the graph for three examples, with every gradient the engine computed:
    find where `x0` and `xc0` each send gradient back along two arrows, and how `mu`, `var`
    and `std` collect gradient from every row. (Why not two examples? With $N = 2$,
    $\hat x = \pm 1$ whatever $x$ is, and every gradient to $x$ is zero: try it.)
    """, zh=r"""
    计算图完整时，引擎的结果与数值梯度一致；切断均值后就不一致了。下面是三个样本的计算图，
    标出了引擎算出的每个梯度：找一找 `x0` 和 `xc0` 是怎样各自沿两个箭头把梯度传回去的，以及
    `mu`、`var` 和 `std` 是怎样从每一行收集梯度的。（为什么不用两个样本？当 $N = 2$ 时，无论
    $x$ 是多少都有 $\hat x = \pm 1$，传到 $x$ 的梯度全都是零：试试看。）
    """),
    code(GRAPH_DEMO),
    md(r"""
    ### Your tool: the gradient checker on the given forward pass

    The cell with the exercise below defines `batchnorm_forward` for you. Before writing any
    backward pass you can already compute what it must return: `numerical_gradient_array(f,
    x, dout)` differentiates $L = \sum \text{out}\cdot\text{dout}$, which is exactly what
    `dx` is. Run the exercise cell once (the backward pass is not written yet, which is fine),
    then the cell after it: it prints the numeric `dx`, `dgamma`, `dbeta` on a small batch,
    and compares them with yours once you have written it.
    """, zh=r"""
    ### 你的工具：在给定的前向传播上做梯度检验

    下面练习所在的单元格已经为你定义好了 `batchnorm_forward`。在写任何反向传播之前，你就已经
    能算出它应该返回什么：`numerical_gradient_array(f, x, dout)` 对
    $L = \sum \text{out}\cdot\text{dout}$ 求导，而这正是 `dx`。先运行一次练习所在的单元格
    （反向传播还没有写，没关系），再运行它后面的单元格：它会在一个小批量上打印数值计算的
    `dx`、`dgamma`、`dbeta`，等你写好之后，再把它们与你的结果比较。
    """),
    md(_with_hints(r"""
    ### Exercise 1 — `batchnorm_backward`

    Steps 2 and 3 are yours: walk the graph from `out` back to `x`, one line per node, in the
    cell below. `dgamma` and `dbeta` come first and are short (notebook 04's bias, once more).
    Do not look for a formula: derive it node by node, then let the checker judge.

    """, BATCHNORM_HINTS), zh=_with_hints(r"""
    ### 练习 1 — `batchnorm_backward`

    第 2 步和第 3 步由你完成：在下面的单元格中，从 `out` 沿计算图走回 `x`，每个节点一行。
    `dgamma` 和 `dbeta` 先算，而且很短（又是笔记本 04 中的偏置）。不要去找公式：逐个节点
    推导，然后让梯度检验来评判。

    """, BATCHNORM_HINTS_ZH)),
    answer("batchnorm", BATCHNORM),
    code(CHECK_DEMO, zh=CHECK_DEMO_ZH),
    md(r"""
    Why does `dx` sum to zero over the batch? Adding the same number to every $x_n$ of a
    feature moves $\mu$ by that number and leaves $\hat x$ unchanged: the loss cannot feel it,
    so the gradient has no component along "all rows together". A `dx` that does not sum to
    zero ignored the mean's dependence on $x$.
    """, zh=r"""
    为什么 `dx` 在批量上的和为零？给一个特征的每个 $x_n$ 都加上同一个数，$\mu$ 也随之移动
    同样的量，而 $\hat x$ 不变：损失感觉不到这种变化，所以梯度在“所有行一起移动”这个方向上
    没有分量。如果 `dx` 的和不为零，说明忽略了均值对 $x$ 的依赖。
    """),
    test("batchnorm_visible", 2, """
    # Each gradient against central differences of the given forward pass, with the default ε
    # and with a large one (0.5), where forgetting ε in the backward pass shows. A wrong dx is
    # matched against known mistakes (nb07.normalisation_mistakes) to name yours.
    # 每个梯度都与给定前向传播的中心差分比较，ε 取默认值和较大的 0.5（反向传播漏了 ε 时会暴露）；
    # dx 不对时，与已知的错误（nb07.normalisation_mistakes）比对，指出你的错误。
    test_rng = np.random.default_rng(71)
    x = test_rng.standard_normal((5, 3)) * 2 + 1
    gamma, beta = np.array([1.0, 0.5, 2.0]), np.array([0.0, -1.0, 0.5])
    dout = test_rng.standard_normal((5, 3))
    for eps in (1e-5, 0.5):
        out, cache = batchnorm_forward(x, gamma, beta, eps)
        dx, dgamma, dbeta = batchnorm_backward(dout, cache)
        expect(dbeta, numerical_gradient_array(lambda v: batchnorm_forward(x, gamma, v, eps)[0],
                                               beta.copy(), dout),
               f"dbeta (eps={eps})", batch_size=5, upstream=dout)
        expect(dgamma, numerical_gradient_array(lambda v: batchnorm_forward(x, v, beta, eps)[0],
                                                gamma.copy(), dout), f"dgamma (eps={eps})")
        expect(dx, numerical_gradient_array(lambda v: batchnorm_forward(v, gamma, beta, eps)[0],
                                            x.copy(), dout), f"dx (eps={eps})", batch_size=5,
               mistakes=nb07.normalisation_mistakes(x, gamma, dout, eps, axis=0))
    nb07.passed("batchnorm_backward")
    """),
    test("batchnorm_hidden", 4, hidden(
        "nb07", "batchnorm_forward, batchnorm_backward", "test_batchnorm", about=ABOUT)),
    md(r"""
    ### Recap: the compact formula

    Now that your node-by-node backward pass passes, the algebra can be collected. With
    $g = \text{dout}\cdot\gamma$ (the gradient arriving at $\hat x$) and
    $s = \sqrt{\sigma^2+\varepsilon}$, the three paths from $x$ to $\hat x$ give

    $$\frac{\partial L}{\partial x_n} = \frac{1}{s}\Bigl(\;g_n
    \;-\; \underbrace{\tfrac1N\textstyle\sum_m g_m}_{\text{through } \mu}
    \;-\; \underbrace{\hat x_n\,\tfrac1N\textstyle\sum_m g_m \hat x_m}_{\text{through }
    \sigma^2}\Bigr)$$

    one line of numpy: `dx = (g - g.mean(0) - x_hat * (g * x_hat).mean(0)) / std`. Each term is
    a path of the graph: drop the second and you have ignored the mean, drop the third and you
    have dropped the variance. It is also faster (one pass over the data instead of several),
    which is why libraries use it, and why nobody can read it without the graph.
    """, zh=r"""
    ### 回顾：紧凑的公式

    既然逐节点的反向传播已经通过了测试，就可以把代数式整理一下了。记
    $g = \text{dout}\cdot\gamma$（到达 $\hat x$ 的梯度），$s = \sqrt{\sigma^2+\varepsilon}$，
    从 $x$ 到 $\hat x$ 的三条路径给出

    $$\frac{\partial L}{\partial x_n} = \frac{1}{s}\Bigl(\;g_n
    \;-\; \underbrace{\tfrac1N\textstyle\sum_m g_m}_{\text{through } \mu}
    \;-\; \underbrace{\hat x_n\,\tfrac1N\textstyle\sum_m g_m \hat x_m}_{\text{through }
    \sigma^2}\Bigr)$$

    写成 numpy 只要一行：`dx = (g - g.mean(0) - x_hat * (g * x_hat).mean(0)) / std`。每一项
    都是计算图中的一条路径：去掉第二项，就忽略了均值；去掉第三项，就丢掉了方差。它还更快
    （只需遍历一次数据，而不是好几次），所以各个库都用它；也正因如此，离开计算图，谁也读不懂它。
    """),
    md(_with_hints(r"""
    ## 2. Layer normalisation

    Batch norm's statistics depend on the other examples in the batch, which is awkward for a
    batch of one or for sequences. **Layer normalisation** (Ba, Kiros & Hinton, 2016; in every
    transformer) normalises each **example** over its own features instead: the same
    algebra, with the means over axis 1. $\gamma$ and $\beta$ are still one per feature.

    $$\mu_n = \frac1D\sum_d x_{nd}, \qquad \sigma^2_n = \frac1D\sum_d (x_{nd}-\mu_n)^2,
    \qquad \text{out}_{nd} = \gamma_d\,\frac{x_{nd}-\mu_n}{\sqrt{\sigma_n^2+\varepsilon}}
    + \beta_d$$

    Copying batch norm's formula with `axis=0` changed to `axis=1` everywhere is *almost*
    right, and the checker will tell you where not. Redo steps 1–4 instead: the graph is the
    same, the shapes are not.

    ### Exercise 2 — `layernorm_backward`

    """, LAYERNORM_HINTS), zh=_with_hints(r"""
    ## 2. 层规范化

    批量规范化的统计量依赖于批量中的其他样本，这对只有一个样本的批量或对序列来说都不方便。
    **层规范化**（Ba, Kiros & Hinton, 2016；每个 Transformer 中都有）改为在每个**样本**自己
    的特征上做规范化：代数完全相同，只是均值沿 axis 1 计算。$\gamma$ 和 $\beta$ 仍然是每个
    特征一个。

    $$\mu_n = \frac1D\sum_d x_{nd}, \qquad \sigma^2_n = \frac1D\sum_d (x_{nd}-\mu_n)^2,
    \qquad \text{out}_{nd} = \gamma_d\,\frac{x_{nd}-\mu_n}{\sqrt{\sigma_n^2+\varepsilon}}
    + \beta_d$$

    把批量规范化的公式照抄过来，把所有的 `axis=0` 都改成 `axis=1`，*几乎*是对的，梯度检验会
    告诉你哪里不对。不如重新走一遍第 1–4 步：计算图相同，形状不同。

    ### 练习 2 — `layernorm_backward`

    """, LAYERNORM_HINTS_ZH)),
    answer("layernorm", LAYERNORM),
    test("layernorm_visible", 1, """
    test_rng = np.random.default_rng(81)
    x = test_rng.standard_normal((4, 6)) * 2 + 1      # N ≠ D, so that a wrong axis shows
                                                      # N ≠ D：轴用错了才会暴露
    gamma, beta = 1 + 0.5 * test_rng.standard_normal(6), test_rng.standard_normal(6)
    dout = test_rng.standard_normal((4, 6))
    for eps in (1e-5, 0.5):
        out, cache = layernorm_forward(x, gamma, beta, eps)
        dx, dgamma, dbeta = layernorm_backward(dout, cache)
        expect(dbeta, numerical_gradient_array(lambda v: layernorm_forward(x, gamma, v, eps)[0],
                                               beta.copy(), dout),
               f"dbeta (eps={eps})", batch_size=4, upstream=dout)
        expect(dgamma, numerical_gradient_array(lambda v: layernorm_forward(x, v, beta, eps)[0],
                                                gamma.copy(), dout), f"dgamma (eps={eps})")
        expect(dx, numerical_gradient_array(lambda v: layernorm_forward(v, gamma, beta, eps)[0],
                                            x.copy(), dout), f"dx (eps={eps})",
               mistakes=nb07.normalisation_mistakes(x, gamma, dout, eps, axis=1))
    nb07.passed("layernorm_backward")
    """),
    test("layernorm_hidden", 3, hidden(
        "nb07", "layernorm_forward, layernorm_backward", "test_layernorm", about=ABOUT)),
    md(_with_hints(r"""
    ## 3. A 1-D convolution

    A sequence (a sound, a sentence of word vectors, a time series) has positions, and a
    pattern means the same thing wherever it occurs. A **1-D convolution** slides one small
    filter along the positions: with $x \in \mathbb{R}^{N\times C_{in}\times L}$ and
    $w \in \mathbb{R}^{C_{out}\times C_{in}\times K}$, stride 1 and no padding,

    $$\text{out}_{n,o,t} = \sum_{c,k} x_{n,c,t+k}\,w_{o,c,k} + b_o, \qquad
    t = 0,\dots,T-1,\quad T = L-K+1$$

    (strictly a cross-correlation, as in PyTorch). The given forward pass shows what it is:
    at each position $t$, the window $x_{:,:,t:t+K}$ flattened to $(N, C_{in}K)$ goes through
    notebook 04's linear layer with the **same** weights. Two uses-many-times follow: each
    weight is used at every position (**weight sharing**), and each input is in up to $K$
    windows.

    ### Exercise 3 — `conv1d_backward`

    Return `dx` `(N, C_in, L)`, `dw` `(C_out, C_in, K)` and `db` `(C_out,)`. A loop over the
    $T$ positions is fine.

    """, CONV1D_HINTS), zh=_with_hints(r"""
    ## 3. 一维卷积

    序列（一段声音、一句由词向量组成的句子、一条时间序列）有位置之分，而一个模式无论出现在
    哪里，含义都相同。**一维卷积**让一个小的卷积核沿着位置滑动：对
    $x \in \mathbb{R}^{N\times C_{in}\times L}$ 和 $w \in \mathbb{R}^{C_{out}\times C_{in}\times K}$，
    步幅为 1、无填充，

    $$\text{out}_{n,o,t} = \sum_{c,k} x_{n,c,t+k}\,w_{o,c,k} + b_o, \qquad
    t = 0,\dots,T-1,\quad T = L-K+1$$

    （严格地说这是互相关，与 PyTorch 相同。）给定的前向传播说明了它是什么：在每个位置 $t$，
    窗口 $x_{:,:,t:t+K}$ 展平为 $(N, C_{in}K)$，再以**同一组**权重通过笔记本 04 的线性层。
    由此有两处“一个值被多次使用”：每个权重在每个位置都被使用（**权重共享**），每个输入最多
    出现在 $K$ 个窗口中。

    ### 练习 3 — `conv1d_backward`

    返回 `dx` `(N, C_in, L)`、`dw` `(C_out, C_in, K)` 和 `db` `(C_out,)`。对 $T$ 个位置写一个
    循环就可以。

    """, CONV1D_HINTS_ZH)),
    answer("conv1d", CONV1D),
    test("conv1d_visible", 2, """
    test_rng = np.random.default_rng(91)
    x = test_rng.standard_normal((2, 3, 7))            # N=2, C_in=3, L=7
    w, b = test_rng.standard_normal((4, 3, 3)), test_rng.standard_normal(4)   # C_out=4, K=3
    out, cache = conv1d_forward(x, w, b)
    dout = test_rng.standard_normal(out.shape)
    dx, dw, db = conv1d_backward(dout, cache)
    # known mistakes, to name yours · 已知的错误，用来指出你的错误
    dw_mistakes, dx_mistakes, db_mistakes = nb07.conv1d_mistakes(x, w, dout)
    expect(db, numerical_gradient_array(lambda v: conv1d_forward(x, w, v)[0], b.copy(), dout),
           "db", mistakes=db_mistakes)
    expect(dw, numerical_gradient_array(lambda v: conv1d_forward(x, v, b)[0], w.copy(), dout),
           "dw", mistakes=dw_mistakes)
    expect(dx, numerical_gradient_array(lambda v: conv1d_forward(v, w, b)[0], x.copy(), dout),
           "dx", mistakes=dx_mistakes)
    nb07.passed("conv1d_backward")
    """),
    test("conv1d_hidden", 4, hidden(
        "nb07", "conv1d_forward, conv1d_backward", "test_conv1d", about=ABOUT_CONV)),
    md(r"""
    The shape of `dx` explains the "flip" in textbooks: $x_{s}$ met $w_k$ at output position
    $t = s - k$, so $\partial L/\partial x_s = \sum_k \text{dout}_{s-k}\,w_k$: a convolution
    of `dout` with the filter *reversed*. Your loop never needed the word: it added each
    window's gradient back where the window came from.

    ## 4. A use: batch norm in a deep network

    Notebook 05's spiral network had one hidden layer. Stack eight, with the sigmoid of
    notebook 04, and the gradient that reaches the first layers is a tiny fraction of the
    last layer's: every sigmoid multiplies the backward signal by $\sigma'(x) \le 1/4$, and
    inputs of the wrong scale push it further down (vanishing gradients). Batch norm before
    each sigmoid puts its inputs back at mean 0 and variance 1, where the sigmoid is
    steepest, in every layer. Below, the package's
    `nn.BatchNorm1d` (the reference version of what you just wrote) goes into such a network,
    and we compare the norm of each linear layer's weight gradient, $\lVert \partial L /
    \partial W_\ell \rVert$, at initialisation and after some training.
    """, zh=r"""
    `dx` 的形状解释了教科书中所说的“翻转”：$x_{s}$ 在输出位置 $t = s - k$ 处遇到了 $w_k$，所以
    $\partial L/\partial x_s = \sum_k \text{dout}_{s-k}\,w_k$：这是 `dout` 与*反转后*的卷积核
    做卷积。你的循环从来不需要这个词：它只是把每个窗口的梯度加回到这个窗口原来所在的地方。

    ## 4. 应用：深层网络中的批量规范化

    笔记本 05 中螺旋数据集上的网络只有一个隐藏层。叠上八层、用笔记本 04 的 sigmoid，到达前几层
    的梯度就只剩最后一层的极小一部分：每个 sigmoid 都把反向传播的信号乘以
    $\sigma'(x) \le 1/4$，而尺度不对的输入会让它变得更小（梯度消失）。在每个 sigmoid 之前加上
    批量规范化，就能在每一层都把 sigmoid 的输入拉回到均值 0、方差 1，也就是 sigmoid 最陡的
    地方。下面把本课程包中的 `nn.BatchNorm1d`（你刚写的内容的参考实现）放进这样的网络，比较
    初始化时和训练一段时间后每个线性层权重梯度的范数
    $\lVert \partial L / \partial W_\ell \rVert$。
    """),
    code(DEEP_DEMO, zh=DEEP_DEMO_ZH),
    code(PLOT_DEMO, zh=PLOT_DEMO_ZH),
    md(r"""
    Without batch norm the first layer's gradient is about four orders of magnitude smaller
    than the last layer's: one learning rate cannot suit both, the first layers barely move,
    and the loss stays near $\ln 3 \approx 1.099$, the loss of a guess. With batch norm the
    norms stay within a small factor of each other across depth, and the loss falls (with
    a few spikes: full-batch steps of one learning rate overshoot now and then). Nothing
    here needed a new idea: the gradient that batch norm passes back is the one you derived,
    and its $1/s$ factor rescales the backward signal just as the forward pass rescaled the
    activations.
    """, zh=r"""
    没有批量规范化时，第一层的梯度比最后一层小大约四个数量级：同一个学习率无法同时适合两者，
    前几层几乎不动，损失停留在 $\ln 3 \approx 1.099$ 附近，也就是瞎猜时的损失。有了批量
    规范化，各层的梯度范数在整个深度上只相差不大的倍数，损失也在下降（偶有尖峰：用同一个学习率
    做全批量更新，时不时会冲过头）。这里不需要任何新思想：批量规范化传回的梯度正是你推导出的
    那个，其中的 $1/s$ 因子重新缩放了反向传播的信号，就像前向传播重新缩放了激活值一样。
    """),
    glossary("gradient", "forward pass", "backpropagation, backward pass", "batch normalization",
             "layer normalization", "convolution", "computation graph", "node",
             "local gradient", "upstream gradient", "chain rule", "shape", "numerical gradient",
             "central difference", "batch", "leaf node", "gradient checking", "bias",
             "linear layer", "weight", "hidden layer", "learning rate", "activation", "mean",
             "variance", "biased variance", "vanishing gradients", "initialization",
             "cross-correlation", "kernel (filter)", "stride", "padding", "weight sharing"),
    md(r"""
    ## What you did

    - Three backward passes of layers nobody derived for you, each checked numerically.
    - Batch norm: gradients through a mean and a variance, every row coupled to every other;
      the compact formula read off the graph afterwards.
    - Layer norm: the same graph with other shapes; the method carried over where the
      formula did not.
    - Convolution: weight sharing means gradients add over every use, as at every fork since
      notebook 02.

    That is the course: a graph, local derivatives, additions at the forks, shapes, and a
    numeric check. With those, no layer needs to be derived for you again.
    """, zh=r"""
    ## 小结

    - 推导了三个没人替你推导过的层的反向传播，每一个都经过了数值检验。
    - 批量规范化：梯度穿过均值和方差，每一行都与其他各行耦合；事后再从计算图中读出紧凑的公式。
    - 层规范化：计算图相同，形状不同；公式不能照搬时，方法依然适用。
    - 卷积：权重共享意味着梯度要在每一次使用上累加，与笔记本 02 以来每个分叉处的做法相同。

    这就是整个课程：一张计算图、局部梯度、分叉处的相加、形状，再加一次数值检验。有了这些，
    再也不需要别人替你推导任何一层了。
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
