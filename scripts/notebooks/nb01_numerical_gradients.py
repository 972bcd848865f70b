"""Build solutions/01_numerical_gradients/01_numerical_gradients.ipynb.

Finite differences, the error-vs-h picture, what a numeric gradient costs, gradient checking.
Run: .venv/bin/python scripts/notebooks/nb01_numerical_gradients.py
The solution sources are module constants so that tests can run exactly the notebook's answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nbbuild import answer, code, glossary, hidden, md, test, write, written  # noqa: E402

NAME = "01_numerical_gradients"

NUMERICAL_GRADIENT = '''
def numerical_gradient(f, x, h=1e-5):
    """Central-difference estimate of the gradient of a scalar function.

    Args:
        f: maps an array shaped like x to a float.
        x: float array of any shape (D1, ..., Dk). Perturb it in place, one element at a
            time, and leave it unchanged on return.
        h: the step.

    Returns:
        grad: float array of shape (D1, ..., Dk), grad[i] ≈ df/dx[i].
    """
    ### BEGIN SOLUTION
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):      # every index of an array of any shape
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old                     # restore before moving on
        grad[i] = (f_plus - f_minus) / (2 * h)
    ### END SOLUTION
    return grad
'''

REL_ERROR = '''
def rel_error(a, b):
    """Largest elementwise relative error between two arrays of the same shape.

    Args:
        a, b: float arrays of the same shape (D1, ..., Dk).

    Returns:
        float: max over elements of |a - b| / max(1e-8, |a| + |b|).
    """
    ### BEGIN SOLUTION
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
    ### END SOLUTION
'''



CELLS = [
    md(r"""
    # 01 · Numerical gradients

    Training a network means nudging every parameter against the gradient (梯度) of the loss.
    Before we compute gradients cleverly with backpropagation (反向传播), we compute them the
    obvious way: wiggle each input a little and watch the output. That method is slow, but it
    is simple enough to trust, so it becomes the **oracle** every later gradient is checked
    against.

    **After this notebook you will be able to**

    - estimate a derivative with forward and central differences, and say which is better;
    - read a log-log plot of error against the step $h$, where truncation meets round-off;
    - write `numerical_gradient(f, x)` for arrays of any shape, and `rel_error(a, b)`;
    - say what a numeric gradient costs: two forward passes **per parameter**;
    - check an analytic gradient against a numeric one (gradient checking).
    """, zh=r"""
    # 01 · 数值梯度

    训练网络，就是让每个参数沿着损失的梯度反方向挪动一点。在用反向传播巧妙地计算梯度之前，
    我们先用最直接的办法来算：把每个输入轻轻扰动一下，看输出怎么变。这种方法很慢，但简单到
    足以信赖，于是它成了**标准答案**（oracle）：后面每一个梯度都要拿它来核对。

    **学完本笔记本，你将能够**

    - 用前向差分和中心差分估计导数，并说出哪一个更好；
    - 读懂误差随步长 $h$ 变化的双对数图，看出截断误差与舍入误差在哪里相遇；
    - 为任意形状的数组写出 `numerical_gradient(f, x)`，并写出 `rel_error(a, b)`；
    - 说出数值梯度的代价：**每个参数**两次前向传播；
    - 用数值梯度检验解析梯度（梯度检验）。
    """),
    code("""
    import os
    import time

    import matplotlib.pyplot as plt
    import numpy as np

    from bpcourse import plots
    from bpcourse.grading import expect

    rng = np.random.default_rng(0)
    np.set_printoptions(precision=6, suppress=True)
    """),
    md(r"""
    ## 1. The derivative as a slope

    The derivative of $f$ at $x$ is the slope of $f$ there:
    $f'(x) = \lim_{h \to 0} \dfrac{f(x+h) - f(x)}{h}$.
    A computer cannot take the limit, but it can pick a small $h$. Two recipes:

    $$\text{forward: } \frac{f(x+h) - f(x)}{h}
    \qquad\qquad \text{central: } \frac{f(x+h) - f(x-h)}{2h}$$

    Taylor's formula says how wrong each is. With
    $f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x) \pm \tfrac{h^3}{6} f'''(x) + \dots$

    - forward: $f'(x) + \tfrac{h}{2} f''(x) + \dots$ — an error of order $h$;
    - central: $f'(x) + \tfrac{h^2}{6} f'''(x) + \dots$ — the $h^2$ terms cancel, the error is
      of order $h^2$.

    Let us see it on $f(x) = e^x$ at $x = 1$, whose derivative is exactly $e$.
    """, zh=r"""
    ## 1. 导数就是斜率

    $f$ 在 $x$ 处的导数就是 $f$ 在该点的斜率：
    $f'(x) = \lim_{h \to 0} \dfrac{f(x+h) - f(x)}{h}$。
    计算机取不了极限，但可以取一个很小的 $h$。常用的算法有两种，前向差分（forward）和
    中心差分（central）：

    $$\text{forward: } \frac{f(x+h) - f(x)}{h}
    \qquad\qquad \text{central: } \frac{f(x+h) - f(x-h)}{2h}$$

    泰勒公式告诉我们两者各差多少。由
    $f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x) \pm \tfrac{h^3}{6} f'''(x) + \dots$
    可得：

    - 前向差分：$f'(x) + \tfrac{h}{2} f''(x) + \dots$，误差是 $h$ 阶的；
    - 中心差分：$f'(x) + \tfrac{h^2}{6} f'''(x) + \dots$，$h^2$ 项相互抵消，误差是 $h^2$ 阶的。

    我们在 $f(x) = e^x$、$x = 1$ 处验证一下，这里的导数恰好是 $e$。
    """),
    code("""
    f, x0, exact = np.exp, 1.0, np.e
    for h in [1e-1, 1e-2, 1e-3]:
        forward = (f(x0 + h) - f(x0)) / h
        central = (f(x0 + h) - f(x0 - h)) / (2 * h)
        print(f"h={h:.0e}   forward error {abs(forward - exact):.1e}"
              f"   central error {abs(central - exact):.1e}")
    """, zh="""
    f, x0, exact = np.exp, 1.0, np.e
    for h in [1e-1, 1e-2, 1e-3]:
        forward = (f(x0 + h) - f(x0)) / h
        central = (f(x0 + h) - f(x0 - h)) / (2 * h)
        print(f"h={h:.0e}   前向差分的误差 {abs(forward - exact):.1e}"
              f"   中心差分的误差 {abs(central - exact):.1e}")
    """),
    md(r"""
    Each tenfold smaller $h$ makes the forward error 10× smaller (order $h$) and the central
    error 100× smaller (order $h^2$). So should we take $h = 10^{-15}$?

    ## 2. How small should h be? Truncation meets round-off

    No. A float64 carries about 16 significant digits ($\varepsilon \approx 2.2\times
    10^{-16}$). $f(x+h)$ and $f(x)$ agree in almost all of them, and their difference keeps
    only the few that differ: the **round-off** error of the difference is about
    $\varepsilon\,|f(x)|$, and dividing by $h$ blows it up to $\varepsilon |f(x)| / h$.

    Total error ≈ truncation + round-off: $\;C h^p + \varepsilon |f| / h$. The first term wants
    a small $h$, the second a large one. The plot shows both, for $h$ from $10^{-16}$ to $1$.
    """, zh=r"""
    $h$ 每缩小到十分之一，前向差分的误差就缩小 10 倍（$h$ 阶），中心差分的误差缩小 100 倍
    （$h^2$ 阶）。那么，是不是该取 $h = 10^{-15}$ 呢？

    ## 2. h 该取多小？截断误差遇上舍入误差

    不该。一个 float64 只有大约 16 位有效数字（$\varepsilon \approx 2.2\times 10^{-16}$）。
    $f(x+h)$ 与 $f(x)$ 的绝大多数数位都相同，相减之后只剩下不同的那几位：差值的**舍入误差**
    约为 $\varepsilon\,|f(x)|$，再除以 $h$，就被放大成 $\varepsilon |f(x)| / h$。

    总误差 ≈ 截断误差 + 舍入误差：$\;C h^p + \varepsilon |f| / h$。第一项希望 $h$ 小，第二项
    希望 $h$ 大。下图画出了 $h$ 从 $10^{-16}$ 到 $1$ 时两种差分的误差。
    """),
    code("""
    hs = np.logspace(-16, 0, 81)
    forward_err = np.abs((f(x0 + hs) - f(x0)) / hs - exact)
    central_err = np.abs((f(x0 + hs) - f(x0 - hs)) / (2 * hs) - exact)

    ax = plots.step_size_errors(hs, {"forward  (error ∝ h)": forward_err,
                                     "central  (error ∝ h²)": central_err})
    ax.set_title("f(x) = exp(x) at x = 1")
    plt.show()
    """, zh="""
    hs = np.logspace(-16, 0, 81)
    forward_err = np.abs((f(x0 + hs) - f(x0)) / hs - exact)
    central_err = np.abs((f(x0 + hs) - f(x0 - hs)) / (2 * hs) - exact)

    ax = plots.step_size_errors(hs, {"前向差分（误差 ∝ h）": forward_err,
                                     "中心差分（误差 ∝ h²）": central_err})
    ax.set_title("f(x) = exp(x)，在 x = 1 处")
    plt.show()
    """),
    md(r"""
    Read the V shapes from right to left. On the right, truncation dominates: slope 1 for the
    forward difference, slope 2 for the central one. On the left, round-off dominates: slope
    $-1$, and the estimates become noise. The best $h$ balances the two:

    - forward: $h \approx \sqrt{\varepsilon} \approx 10^{-8}$, error $\approx 10^{-8}$;
    - central: $h \approx \varepsilon^{1/3} \approx 10^{-5}$, error $\approx 10^{-11}$.

    That is why `h=1e-5` is the default below, and why the central difference is the one we
    use: a thousand times more accurate at its best step.
    """, zh=r"""
    从右往左看这两个 V 形。右侧由截断误差主导：前向差分的斜率为 1，中心差分的斜率为 2。
    左侧由舍入误差主导：斜率为 $-1$，估计值变成了噪声。最佳的 $h$ 让两者达到平衡：

    - 前向差分：$h \approx \sqrt{\varepsilon} \approx 10^{-8}$，误差 $\approx 10^{-8}$；
    - 中心差分：$h \approx \varepsilon^{1/3} \approx 10^{-5}$，误差 $\approx 10^{-11}$。

    这就是下面默认取 `h=1e-5` 的原因，也是我们选用中心差分的原因：各取最佳步长时，它要
    精确一千倍。
    """),
    md(r"""
    ## 3. Gradients of functions of many numbers

    A loss depends on many parameters: $f: \mathbb{R}^{D_1 \times \dots \times D_k} \to
    \mathbb{R}$. Its gradient has one partial derivative per element, the same shape as $x$.
    Each partial is a one-dimensional derivative: move **one** element $x_i$ by $\pm h$,
    keep the others fixed.

    $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h\,e_i) - f(x - h\,e_i)}{2h}$$

    In code, for every index `i` of `x` (use `np.ndindex(x.shape)`, which walks the indices
    of an array of any shape):

    1. remember `old = x[i]`;
    2. set `x[i] = old + h`, evaluate `f(x)`; set `x[i] = old - h`, evaluate `f(x)`;
    3. **restore** `x[i] = old` — the next partial derivative needs the original point;
    4. store the central difference in `grad[i]`.

    Changing `x` in place (rather than copying it for every element) is what real gradient
    checkers do: `f` usually closes over the very array it reads, like a network's weights.
    """, zh=r"""
    ## 3. 多元函数的梯度

    损失依赖于许多参数：$f: \mathbb{R}^{D_1 \times \dots \times D_k} \to \mathbb{R}$。
    它的梯度对每个元素各有一个偏导数，形状与 $x$ 相同。每个偏导数都是一个一元导数：只把
    **一个**元素 $x_i$ 移动 $\pm h$，其余元素保持不变。

    $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h\,e_i) - f(x - h\,e_i)}{2h}$$

    写成代码：对 `x` 的每个下标 `i`（用 `np.ndindex(x.shape)`，它能遍历任意形状数组的全部
    下标），

    1. 记下 `old = x[i]`；
    2. 令 `x[i] = old + h`，计算 `f(x)`；令 `x[i] = old - h`，计算 `f(x)`；
    3. **恢复** `x[i] = old`——下一个偏导数需要原来的那个点；
    4. 把中心差分存入 `grad[i]`。

    原地修改 `x`（而不是为每个元素复制一份）正是实际的梯度检验工具的做法：`f` 往往直接读取
    它所引用的那个数组，比如网络的权重。
    """),
    md(r"""
    ### Exercise 1 — `numerical_gradient(f, x, h=1e-5)`

    Write the central-difference gradient. `f` maps an array shaped like `x` to a float;
    return an array shaped like `x`; leave `x` unchanged.
    """, zh=r"""
    ### 练习 1 — `numerical_gradient(f, x, h=1e-5)`

    用中心差分写出梯度。`f` 把一个与 `x` 形状相同的数组映射为一个浮点数；返回一个与 `x`
    形状相同的数组；调用结束时 `x` 保持不变。
    """),
    answer("numerical_gradient", NUMERICAL_GRADIENT),
    test("numerical_gradient_visible", 2, """
    # A curved f (a forward difference is visibly worse there), then the h argument.
    # 先用一个弯曲的 f（前向差分在这里明显更差），再检查参数 h。
    from bpcourse.grading import nb01
    from bpcourse.grading.toolkit import passed
    nb01.test_numerical_gradient(numerical_gradient, seeds=[0])
    nb01.test_numerical_gradient_step(numerical_gradient, seeds=[0])

    # f(x) = sum(x²) has gradient 2x. x is 2-D and not square; it must come back unchanged.
    # f(x) = sum(x²) 的梯度是 2x。x 是非方阵的二维数组，调用之后必须保持原样。
    x = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]])
    x_before = x.copy()
    grad = numerical_gradient(lambda v: np.sum(v ** 2), x)
    nb01.check_unchanged(x, x_before, "numerical_gradient")
    expect(grad, 2 * x_before, "numerical_gradient(sum(x²))")
    passed("numerical_gradient")
    """),
    test("numerical_gradient_hidden", 3, hidden(
        "nb01", "numerical_gradient", "test_numerical_gradient", "test_numerical_gradient_step",
        about="random shapes and seeds, non-square arrays")),
    md(r"""
    ## 4. Comparing two gradients: the relative error

    How close is close enough? An absolute difference of $10^{-6}$ is tiny for a gradient of
    size 100 and huge for one of size $10^{-7}$. So we compare **relative** to the size of
    the numbers, element by element, and report the worst element:

    $$\mathrm{rel\_error}(a, b) = \max_i \frac{|a_i - b_i|}{\max(10^{-8},\ |a_i| + |b_i|)}$$

    The floor $10^{-8}$ keeps $0/0$ away where both gradients are exactly zero (a ReLU that
    is off, a parameter that does not matter). Rules of thumb in float64: below $10^{-7}$ the
    two agree; around $10^{-4}$ be suspicious; above $10^{-2}$ something is wrong.
    """, zh=r"""
    ## 4. 比较两个梯度：相对误差

    多接近才算够近？绝对差 $10^{-6}$ 对大小为 100 的梯度来说微不足道，对大小为 $10^{-7}$ 的
    梯度来说却大得离谱。所以我们**相对于**数值本身的大小逐元素比较，并报告最差的那个元素：

    $$\mathrm{rel\_error}(a, b) = \max_i \frac{|a_i - b_i|}{\max(10^{-8},\ |a_i| + |b_i|)}$$

    下限 $10^{-8}$ 让两个梯度恰好都为零的地方（处于关闭状态的 ReLU、不起作用的参数）不会
    出现 $0/0$。float64 下的经验法则：低于 $10^{-7}$ 说明两者一致；$10^{-4}$ 左右就要起疑；
    高于 $10^{-2}$ 肯定有错。
    """),
    md(r"""
    ### Exercise 2 — `rel_error(a, b)`

    Vectorised, no loop: `np.abs`, `np.maximum` (elementwise; Python's `max` is not) and
    `np.max`. Return one float.
    """, zh=r"""
    ### 练习 2 — `rel_error(a, b)`

    向量化实现，不用循环：`np.abs`、`np.maximum`（逐元素取最大；Python 的 `max` 不行）和
    `np.max`。返回一个浮点数。
    """),
    answer("rel_error", REL_ERROR),
    test("rel_error_visible", 1, """
    from bpcourse.grading import nb01
    from bpcourse.grading.toolkit import passed
    a = np.array([1.0, 0.0, -2.0, 100.0])
    b = np.array([1.0, 0.0, -2.0, 101.0])
    got = rel_error(a, b)
    # One number; worst element: |100 - 101| / (100 + 101) = 1/201; the (0, 0) pair must not
    # give NaN. 应返回一个数；最差的元素是 1/201；(0, 0) 这一对不能得到 NaN。
    nb01.check_rel_error_example(got, a, b)
    passed("rel_error")
    """),
    test("rel_error_hidden", 2, hidden("nb01", "rel_error", "test_rel_error")),
    md(r"""
    ## 5. Gradient checking

    Now put the two together. Take a least-squares loss of a weight matrix $W$ of shape
    $(D, M)$ on data $X$ $(N, D)$ and targets $Y$ $(N, M)$:

    $$L(W) = \frac{1}{N} \sum_{n,m} \big((XW - Y)_{nm}\big)^2, \qquad
    \frac{\partial L}{\partial W} = \frac{2}{N} X^\top (XW - Y)$$

    The formula on the right is an **analytic** gradient, the kind backprop computes. Is it
    right? Compare it with your numeric gradient — and compare a classic slip (the factor 2
    forgotten) as well.
    """, zh=r"""
    ## 5. 梯度检验

    现在把两者结合起来。取一个关于权重矩阵 $W$（形状为 $(D, M)$）的最小二乘损失，数据为
    $X$ $(N, D)$，目标为 $Y$ $(N, M)$：

    $$L(W) = \frac{1}{N} \sum_{n,m} \big((XW - Y)_{nm}\big)^2, \qquad
    \frac{\partial L}{\partial W} = \frac{2}{N} X^\top (XW - Y)$$

    右边的公式是一个**解析**梯度，也就是反向传播算出的那种梯度。它对吗？把它和你的数值梯度
    比一比——顺便也比一比一个经典的笔误（漏掉了因子 2）。
    """),
    code("""
    N, D, M = 20, 4, 3
    X, Y = rng.standard_normal((N, D)), rng.standard_normal((N, M))
    W = rng.standard_normal((D, M))

    def loss(W):
        return np.sum((X @ W - Y) ** 2) / N

    numeric = numerical_gradient(loss, W)
    analytic = 2 / N * X.T @ (X @ W - Y)
    buggy = 1 / N * X.T @ (X @ W - Y)
    print(f"analytic vs numeric: rel_error = {rel_error(analytic, numeric):.1e}")
    print(f"buggy    vs numeric: rel_error = {rel_error(buggy, numeric):.1e}")
    """, zh="""
    N, D, M = 20, 4, 3
    X, Y = rng.standard_normal((N, D)), rng.standard_normal((N, M))
    W = rng.standard_normal((D, M))

    def loss(W):
        return np.sum((X @ W - Y) ** 2) / N

    numeric = numerical_gradient(loss, W)
    analytic = 2 / N * X.T @ (X @ W - Y)
    buggy = 1 / N * X.T @ (X @ W - Y)
    print(f"解析梯度   与数值梯度相比：rel_error = {rel_error(analytic, numeric):.1e}")
    print(f"有错的梯度 与数值梯度相比：rel_error = {rel_error(buggy, numeric):.1e}")
    """),
    md(r"""
    The correct formula agrees to better than $10^{-7}$; the buggy one is off by $1/3$ at every
    element ($|g - g/2| / (|g| + |g/2|)$). That is the whole method of gradient checking, and
    every notebook after this one uses it.

    ## 6. What a numeric gradient costs

    Your `numerical_gradient` calls `f` twice per element of `x`. When `f` is a network's loss
    and `x` its parameters, that is **two forward passes per parameter**: $2P$ forward passes
    for $P$ parameters. Let us count and time it on a small two-layer network
    $\tanh(XW_1)W_2$, growing the hidden width.
    """, zh=r"""
    正确的公式吻合到 $10^{-7}$ 以内；有错的那个在每个元素上都差了 $1/3$
    （$|g - g/2| / (|g| + |g/2|)$）。这就是梯度检验的全部方法，之后的每个笔记本都会用到它。

    ## 6. 数值梯度的代价

    你的 `numerical_gradient` 对 `x` 的每个元素调用 `f` 两次。当 `f` 是网络的损失、`x` 是它的
    参数时，这就是**每个参数两次前向传播**：$P$ 个参数需要 $2P$ 次前向传播。我们在一个小的
    两层网络 $\tanh(XW_1)W_2$ 上计数并计时，并逐步加大隐藏层的宽度。
    """),
    code("""
    def small_net_loss(sizes, seed=0):
        \"\"\"A 2-layer tanh net's loss on 32 examples, as a function of one flat parameter array.\"\"\"
        d_in, hidden, d_out = sizes
        r = np.random.default_rng(seed)
        X, Y = r.standard_normal((32, d_in)), r.standard_normal((32, d_out))
        n1 = d_in * hidden
        params = r.standard_normal(n1 + hidden * d_out) * 0.1
        calls = [0]

        def f(p):
            calls[0] += 1
            W1, W2 = p[:n1].reshape(d_in, hidden), p[n1:].reshape(hidden, d_out)
            return float(np.mean((np.tanh(X @ W1) @ W2 - Y) ** 2))

        return f, params, calls

    # Grading runs every notebook: keep the demo small there.
    widths = [4, 8, 16] if os.environ.get("NBGRADER_EXECUTION") else [4, 8, 16, 32, 64, 128]
    counts, seconds, one_pass = [], [], []
    for hidden in widths:
        f_net, params, calls = small_net_loss((10, hidden, 3))
        start = time.perf_counter()
        numerical_gradient(f_net, params)
        seconds.append(time.perf_counter() - start)
        counts.append(params.size)
        print(f"P = {params.size:4d} parameters -> {calls[0]:4d} forward passes")
        start = time.perf_counter()
        for _ in range(50):
            f_net(params)
        one_pass.append((time.perf_counter() - start) / 50)
    """, zh="""
    def small_net_loss(sizes, seed=0):
        \"\"\"一个两层 tanh 网络在 32 个样本上的损失，表示为一个扁平参数数组的函数。\"\"\"
        d_in, hidden, d_out = sizes
        r = np.random.default_rng(seed)
        X, Y = r.standard_normal((32, d_in)), r.standard_normal((32, d_out))
        n1 = d_in * hidden
        params = r.standard_normal(n1 + hidden * d_out) * 0.1
        calls = [0]

        def f(p):
            calls[0] += 1
            W1, W2 = p[:n1].reshape(d_in, hidden), p[n1:].reshape(hidden, d_out)
            return float(np.mean((np.tanh(X @ W1) @ W2 - Y) ** 2))

        return f, params, calls

    # 评分时会运行每个笔记本：那时把演示规模缩小。
    widths = [4, 8, 16] if os.environ.get("NBGRADER_EXECUTION") else [4, 8, 16, 32, 64, 128]
    counts, seconds, one_pass = [], [], []
    for hidden in widths:
        f_net, params, calls = small_net_loss((10, hidden, 3))
        start = time.perf_counter()
        numerical_gradient(f_net, params)
        seconds.append(time.perf_counter() - start)
        counts.append(params.size)
        print(f"P = {params.size:4d} 个参数 -> {calls[0]:4d} 次前向传播")
        start = time.perf_counter()
        for _ in range(50):
            f_net(params)
        one_pass.append((time.perf_counter() - start) / 50)
    """),
    code("""
    predicted = 2 * np.array(counts) * np.array(one_pass)
    ax = plots.cost_vs_params(counts, seconds, predicted)
    ax.set_title("numerical_gradient on a small net")
    plt.show()
    """, zh="""
    predicted = 2 * np.array(counts) * np.array(one_pass)
    ax = plots.cost_vs_params(counts, seconds, predicted)
    ax.set_title("小网络上的 numerical_gradient")
    plt.show()
    """),
    md(r"""
    The count is exactly $2P$, and the measured time follows the prediction
    "$2P$ × the time of one forward pass" (the exact seconds depend on your machine). It grows
    *faster* than $P$: there are $2P$ passes, and each pass gets more expensive as the network
    grows. A network with a million parameters would need two million forward passes for
    **one** gradient. Backpropagation gets the same gradient for the cost of about one forward
    and one backward pass — notebooks 02 and 03 show how, notebook 06 measures the difference.
    """, zh=r"""
    前向传播的次数恰好是 $2P$，实测时间也与预测“$2P$ × 一次前向传播的时间”相符（具体秒数
    取决于你的机器）。时间比 $P$ 增长得*更快*：一共 $2P$ 次前向传播，而网络越大，每一次也越
    贵。一个有一百万个参数的网络，为了得到**一个**梯度，就要做两百万次前向传播。反向传播只需
    大约一次前向传播加一次反向传播的代价就能得到同样的梯度——笔记本 02 和 03 讲怎么做，
    笔记本 06 测量两者的差距。
    """),
    md(r"""
    ### Question (written answer)

    In the plot of section 2, the error of the central difference **grows again** when $h$
    gets smaller than about $10^{-5}$. Explain why, in two or three sentences, and say what
    happens to the estimate if you take $h = 10^{-20}$ with $x_0 = 1$.
    """, zh=r"""
    ### 问题（书面回答）

    在第 2 节的图中，当 $h$ 小于约 $10^{-5}$ 时，中心差分的误差**反而又变大了**。用两三句话
    解释原因，并说明取 $h = 10^{-20}$、$x_0 = 1$ 时估计值会变成什么。
    """),
    written("written_step_size", 1, r"""
    ### BEGIN SOLUTION
    Below about $10^{-5}$ the error is dominated by round-off, not truncation: $f(x+h)$ and
    $f(x-h)$ agree in almost all of their ~16 significant digits, so their difference keeps
    only a few correct digits (an absolute error of about $\varepsilon |f|$), and dividing by
    $2h$ magnifies that error as $\varepsilon |f| / h$ — it grows as $h$ shrinks. With
    $h = 10^{-20}$, $1 + 10^{-20}$ rounds to exactly $1$ in float64, so
    $f(x+h) = f(x-h)$ and the estimate is $0$: completely wrong.
    ### END SOLUTION
    """, zh=r"""
    ### BEGIN SOLUTION
    当 $h$ 小于约 $10^{-5}$ 时，误差主要来自舍入，而不是截断：$f(x+h)$ 与 $f(x-h)$ 大约 16 位
    有效数字中几乎全都相同，相减之后只剩下少数几位正确的数字（绝对误差约为 $\varepsilon |f|$），
    再除以 $2h$，这个误差就被放大成 $\varepsilon |f| / h$——$h$ 越小，误差越大。取
    $h = 10^{-20}$ 时，$1 + 10^{-20}$ 在 float64 中恰好舍入为 $1$，于是 $f(x+h) = f(x-h)$，
    估计值为 $0$：完全错误。
    ### END SOLUTION
    """),
    glossary("numerical gradient", "gradient", "backpropagation, backward pass", "derivative",
             "forward difference", "central difference", "step size h", "truncation error",
             "round-off error", "partial derivative", "shape", "relative error",
             "analytic gradient", "gradient checking", "forward pass", "number of parameters, P",
             "chain rule", "computation graph"),
    md(r"""
    ## What you did

    - Forward differences have error $O(h)$, central differences $O(h^2)$; round-off adds
      $\varepsilon |f| / h$, so $h \approx 10^{-5}$ is the sweet spot for central differences.
    - `numerical_gradient` perturbs one element at a time and restores it: $2P$ evaluations.
    - `rel_error` compares gradients scale-free; gradient checking compares an analytic
      gradient with a numeric one.

    **Next, 02_chain_rule:** the chain rule (链式法则) on a computation graph (计算图) gives
    every partial derivative at once.
    """, zh=r"""
    ## 小结

    - 前向差分的误差为 $O(h)$，中心差分为 $O(h^2)$；舍入误差再加上 $\varepsilon |f| / h$，
      所以对中心差分来说，$h \approx 10^{-5}$ 是最佳点。
    - `numerical_gradient` 每次只扰动一个元素，并随即恢复：共 $2P$ 次求值。
    - `rel_error` 以与尺度无关的方式比较两个梯度；梯度检验就是拿解析梯度与数值梯度相比较。

    **下一个笔记本 02_chain_rule：** 在计算图上应用链式法则，一次得到所有的偏导数。
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
