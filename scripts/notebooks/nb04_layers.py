"""Build solutions/04_layers/04_layers.ipynb: vectorised layers with forward, backward and caches.

Run: .venv/bin/python scripts/notebooks/nb04_layers.py
The solution sources are module constants so that tests can run exactly the notebook's answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nbbuild import answer, code, glossary, hidden, md, test, write  # noqa: E402

NAME = "04_layers"
# What the hidden tests try, for the comment of each hidden-test cell.
ABOUT = "random shapes and seeds, a square case, large values"
# The glossary cell's terms (keys of scripts/glossary.py), in the order the notebook uses them.
TERMS = ("backpropagation, backward pass", "scalar", "computation graph", "batch", "weight",
         "matrix", "chain rule", "gradient", "dimension analysis", "softmax",
         "cross-entropy loss", "mean squared error (MSE)", "numerical stability",
         "central difference", "hint", "forward pass", "upstream gradient", "loss function",
         "shape", "local gradient", "broadcasting", "bias", "overflow", "logits",
         "relative error", "number of parameters, P")

LINEAR = '''
def linear_forward(x, W, b):
    """Affine layer: out = x @ W + b.

    Args:
        x: (N, D) inputs, one row per example.
        W: (D, M) weights.
        b: (M,) bias.

    Returns:
        out: (N, M).
        cache: whatever linear_backward needs.
    """
    ### BEGIN SOLUTION
    out = x @ W + b
    cache = (x, W)
    ### END SOLUTION
    return out, cache


def linear_backward(dout, cache):
    """Gradients of the affine layer.

    Args:
        dout: (N, M) upstream gradient dL/dout.
        cache: from linear_forward.

    Returns:
        dx: (N, D), dW: (D, M), db: (M,).
    """
    ### BEGIN SOLUTION
    x, W = cache
    dx = dout @ W.T      # (N, M) @ (M, D) -> (N, D)
    dW = x.T @ dout      # (D, N) @ (N, M) -> (D, M)
    db = dout.sum(axis=0)  # b was added to every row: its gradients add up
    ### END SOLUTION
    return dx, dW, db
'''

RELU = '''
def relu_forward(x):
    """out = max(0, x), elementwise.

    Args:
        x: float array of any shape.

    Returns:
        out: shape of x.
        cache: whatever relu_backward needs.
    """
    ### BEGIN SOLUTION
    out = np.maximum(x, 0)
    cache = x
    ### END SOLUTION
    return out, cache


def relu_backward(dout, cache):
    """Gradient of ReLU.

    Args:
        dout: upstream gradient, shape of x.
        cache: from relu_forward.

    Returns:
        dx: shape of x.
    """
    ### BEGIN SOLUTION
    x = cache
    dx = dout * (x > 0)
    ### END SOLUTION
    return dx
'''

SIGMOID = '''
def sigmoid_forward(x):
    """out = σ(x) = 1 / (1 + exp(−x)), elementwise, without overflow for large |x|.

    Args:
        x: float array of any shape.

    Returns:
        out: shape of x, values in [0, 1].
        cache: whatever sigmoid_backward needs.
    """
    ### BEGIN SOLUTION
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    cache = out
    ### END SOLUTION
    return out, cache


def sigmoid_backward(dout, cache):
    """Gradient of the sigmoid.

    Args:
        dout: upstream gradient, shape of x.
        cache: from sigmoid_forward.

    Returns:
        dx: shape of x.
    """
    ### BEGIN SOLUTION
    s = cache
    dx = dout * s * (1 - s)
    ### END SOLUTION
    return dx
'''

SOFTMAX = '''
def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    Args:
        logits: (N, C) float scores, one row per example.
        y: (N,) int class indices in [0, C).

    Returns:
        loss: float, the mean over the batch of −log p[n, y[n]].
        dlogits: (N, C), dloss/dlogits.
    """
    ### BEGIN SOLUTION
    N = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(N), y].mean()
    dlogits = np.exp(log_p)
    dlogits[np.arange(N), y] -= 1
    dlogits /= N
    ### END SOLUTION
    return float(loss), dlogits
'''

MSE = '''
def mse_loss(pred, target):
    """Mean squared error over all elements, and its gradient.

    Args:
        pred: float array of any shape.
        target: same shape as pred.

    Returns:
        loss: float, the mean of (pred − target)² over all elements.
        dpred: shape of pred, dloss/dpred.
    """
    ### BEGIN SOLUTION
    diff = pred - target
    loss = np.mean(diff ** 2)
    dpred = 2 * diff / diff.size
    ### END SOLUTION
    return float(loss), dpred
'''



CELLS = [
    md(r"""
    # 04 · Layers: forward, backward and a cache

    In notebook 03 every number was its own `Value` and backprop (反向传播) walked a graph of
    scalars. Real networks move whole arrays at once: a batch of $N$ examples times a weight
    matrix. This notebook writes the same chain rule for arrays, and you **derive** every
    gradient yourself: the text gives the method, the formulas come after each exercise, as a
    recap.

    **After this notebook you will be able to**

    - write a layer as a pair `*_forward(x) -> (out, cache)` and `*_backward(dout, cache) -> dx`;
    - derive the gradient (梯度) of a matrix product with *dimension analysis*, and check a
      guess entry by entry with the scalar engine of notebook 03;
    - write ReLU, sigmoid, softmax cross-entropy and mean squared error with their gradients,
      numerically stable for very large inputs;
    - check every one of them against central differences, as in notebook 01.

    **How to use the hints.** Each exercise has hints in collapsed blocks, weakest first.
    Try without them; when stuck, open one, think, try again, and only then open the next.
    """, zh=r"""
    # 04 · 层：前向、反向与缓存

    在笔记本 03 中，每个数都是一个独立的 `Value`，反向传播在一张由标量构成的计算图上进行。
    真实的网络则一次处理整个数组：由 $N$ 个样本组成的批量乘以一个权重矩阵。本笔记本把同样的
    链式法则写成数组的形式，而且每个梯度都由你自己**推导**：正文给出方法，公式放在每个练习之后，
    作为回顾。

    **学完本笔记本，你将能够**

    - 把一个层写成一对函数 `*_forward(x) -> (out, cache)` 和 `*_backward(dout, cache) -> dx`；
    - 用*维度分析*推导矩阵乘积的梯度，并借助笔记本 03 的标量引擎逐个元素地检验自己的猜想；
    - 写出 ReLU、sigmoid、softmax 交叉熵和均方误差及其梯度，而且在输入非常大时仍然数值稳定；
    - 像笔记本 01 那样，用中心差分检验它们中的每一个。

    **如何使用提示。** 每个练习都附有折叠起来的提示，由弱到强排列。先试着不看提示；卡住时
    打开一个，想一想，再试一次，然后才打开下一个。
    """),
    code("""
    import numpy as np
    import matplotlib.pyplot as plt

    from bpcourse import plots
    from bpcourse.autograd import Value
    from bpcourse.check import compare, rel_error
    from bpcourse.grading import expect, nb04
    from bpcourse.numgrad import numerical_gradient, numerical_gradient_array

    rng = np.random.default_rng(0)
    np.set_printoptions(precision=4, suppress=True)
    """),
    md(r"""
    ## One pattern for every layer

    A layer is two functions.

    - `out, cache = layer_forward(x, ...)` computes the output and keeps in `cache` what the
      backward pass will need (usually the inputs).
    - `dx = layer_backward(dout, cache)` receives the **upstream gradient**
      $\text{dout} = \partial L / \partial\,\text{out}$ — how the final scalar loss $L$ changes
      with each output element — and returns $\partial L / \partial x$.

    Two rules hold for every layer and catch most bugs before any number is computed:

    1. `dout` has the shape of `out`;
    2. **a gradient has the shape of the thing it differentiates**: `dx` is shaped like `x`,
       `dW` like `W`. $\partial L/\partial W_{dm}$ is one number for each entry $W_{dm}$.

    The backward pass is the chain rule (链式法则), one element at a time: every output that
    an input $x_i$ influences contributes, and the contributions add up,
    $\dfrac{\partial L}{\partial x_i} = \sum_j \dfrac{\partial L}{\partial\,\text{out}_j}\,
    \dfrac{\partial\,\text{out}_j}{\partial x_i}$ (local gradient 局部梯度 times upstream
    gradient 上游梯度). Vectorising that sum is the whole exercise.
    """, zh=r"""
    ## 所有层的同一种写法

    一个层就是两个函数。

    - `out, cache = layer_forward(x, ...)` 计算输出，并在 `cache` 中保存反向传播要用到的东西
      （通常是输入）。
    - `dx = layer_backward(dout, cache)` 接收**上游梯度**
      $\text{dout} = \partial L / \partial\,\text{out}$（最终的标量损失 $L$ 随每个输出元素
      如何变化），返回 $\partial L / \partial x$。

    有两条规则对每个层都成立，在算出任何数之前就能发现大多数错误：

    1. `dout` 的形状与 `out` 相同；
    2. **梯度的形状与被求导的对象相同**：`dx` 的形状与 `x` 相同，`dW` 与 `W` 相同。
       对每个元素 $W_{dm}$，$\partial L/\partial W_{dm}$ 都是一个数。

    反向传播就是逐个元素地应用链式法则：输入 $x_i$ 所影响的每个输出都贡献一项，这些贡献相加，
    $\dfrac{\partial L}{\partial x_i} = \sum_j \dfrac{\partial L}{\partial\,\text{out}_j}\,
    \dfrac{\partial\,\text{out}_j}{\partial x_i}$（局部梯度乘以上游梯度）。把这个求和向量化，
    就是整个练习要做的事。
    """),
    md(r"""
    ## 1. The affine (linear) layer

    $$\text{out} = x\,W + b, \qquad x \in \mathbb{R}^{N\times D},\;
    W \in \mathbb{R}^{D\times M},\; b \in \mathbb{R}^{M},\; \text{out} \in \mathbb{R}^{N\times M}$$

    Each row of $x$ is one example; $b$ is added to every row (numpy broadcasting).
    Element by element, $\text{out}_{nm} = \sum_d x_{nd} W_{dm} + b_m$.
    """, zh=r"""
    ## 1. 仿射（线性）层

    $$\text{out} = x\,W + b, \qquad x \in \mathbb{R}^{N\times D},\;
    W \in \mathbb{R}^{D\times M},\; b \in \mathbb{R}^{M},\; \text{out} \in \mathbb{R}^{N\times M}$$

    $x$ 的每一行是一个样本；$b$ 被加到每一行上（numpy 的广播）。
    逐个元素地写，$\text{out}_{nm} = \sum_d x_{nd} W_{dm} + b_m$。
    """),
    md(r"""
    ### The method, step 1: a worked scalar case

    Take one example with one input and one output, $N = D = M = 1$: $\text{out} = x\,w + b$,
    three plain numbers. Say $x = 2$, $w = 3$, $b = 1$, so $\text{out} = 7$, and say the rest of
    the network hands back $\text{dout} = \partial L/\partial\,\text{out} = 0.5$. The chain rule,
    one factor per edge of the graph:

    | | local derivative | times dout |
    |---|---|---|
    | $\partial L/\partial w$ | $\partial\,\text{out}/\partial w = x = 2$ | $0.5 \cdot 2 = 1.0$ |
    | $\partial L/\partial x$ | $\partial\,\text{out}/\partial x = w = 3$ | $0.5 \cdot 3 = 1.5$ |
    | $\partial L/\partial b$ | $\partial\,\text{out}/\partial b = 1$ | $0.5 \cdot 1 = 0.5$ |

    The engine of notebook 03 agrees:
    """, zh=r"""
    ### 方法，第 1 步：一个标量算例

    取一个样本、一个输入、一个输出，即 $N = D = M = 1$：$\text{out} = x\,w + b$，三个普通的数。
    设 $x = 2$，$w = 3$，$b = 1$，于是 $\text{out} = 7$；再设网络的其余部分传回
    $\text{dout} = \partial L/\partial\,\text{out} = 0.5$。按照链式法则，计算图的每条边贡献一个因子：

    | | 局部导数 | 乘以 dout |
    |---|---|---|
    | $\partial L/\partial w$ | $\partial\,\text{out}/\partial w = x = 2$ | $0.5 \cdot 2 = 1.0$ |
    | $\partial L/\partial x$ | $\partial\,\text{out}/\partial x = w = 3$ | $0.5 \cdot 3 = 1.5$ |
    | $\partial L/\partial b$ | $\partial\,\text{out}/\partial b = 1$ | $0.5 \cdot 1 = 0.5$ |

    笔记本 03 的引擎给出同样的结果：
    """),
    code("""
    x_s, w_s, b_s = Value(2.0), Value(3.0), Value(1.0)
    out_s = x_s * w_s + b_s
    L_s = out_s * 0.5          # any L with dL/dout = 0.5
    L_s.backward()
    print(f"out = {out_s.data}   dL/dw = {w_s.grad}   dL/dx = {x_s.grad}   dL/db = {b_s.grad}")
    """, zh="""
    x_s, w_s, b_s = Value(2.0), Value(3.0), Value(1.0)
    out_s = x_s * w_s + b_s
    L_s = out_s * 0.5          # 任意一个满足 dL/dout = 0.5 的 L
    L_s.backward()
    print(f"out = {out_s.data}   dL/dw = {w_s.grad}   dL/dx = {x_s.grad}   dL/db = {b_s.grad}")
    """),
    md(r"""
    ### The method, step 2: dimension analysis

    With arrays, each of those products becomes a matrix expression, and the shapes leave
    almost no choice. Fill in the last column for yourself:

    | array | shape | its gradient must have the shape |
    |---|---|---|
    | `x` | $(N, D)$ | $(N, D)$ |
    | `W` | $(D, M)$ | ? |
    | `b` | $(M,)$ | ? |
    | `dout` | $(N, M)$ | (given) |

    In the scalar case `dW` was "dout times x". Which product of the arrays `x` and `dout`
    (transposed or not) has the shape of `W`? A matrix product sums over the index its two
    factors share: which index must disappear?

    ### The method, step 3: check a guess entry by entry

    The cell below builds a tiny affine layer ($N = 2$, $D = 3$, $M = 4$: no two sizes equal,
    so a wrong transpose cannot hide) out of `Value`s, one per number, sets
    $L = \sum_{n,m} \text{out}_{nm}\,\text{dout}_{nm}$ (so that $\partial L/\partial\,\text{out}
    = \text{dout}$), runs one backward pass and reads `dW` off the weights' `.grad`, entry by
    entry. Type **your** matrix expression for `dW` in the last line and run the cell until
    they agree. (The first guess there is deliberately wrong.)
    """, zh=r"""
    ### 方法，第 2 步：维度分析

    换成数组以后，上面的每个乘积都变成一个矩阵表达式，而形状几乎不给你留选择的余地。
    请自己填好最后一列：

    | 数组 | 形状 | 它的梯度必须具有的形状 |
    |---|---|---|
    | `x` | $(N, D)$ | $(N, D)$ |
    | `W` | $(D, M)$ | ? |
    | `b` | $(M,)$ | ? |
    | `dout` | $(N, M)$ | （已给定） |

    在标量情形中，`dW` 是“dout 乘以 x”。数组 `x` 与 `dout`（转置或不转置）的哪个乘积
    具有 `W` 的形状？矩阵乘积会对两个因子共有的下标求和：哪个下标必须消失？

    ### 方法，第 3 步：逐个元素地检验猜想

    下面的单元格用 `Value`（每个数一个）搭出一个很小的仿射层（$N = 2$，$D = 3$，$M = 4$：
    没有两个尺寸相等，错误的转置无处藏身），令 $L = \sum_{n,m} \text{out}_{nm}\,\text{dout}_{nm}$
    （这样 $\partial L/\partial\,\text{out} = \text{dout}$），运行一次反向传播，再从权重的 `.grad`
    中逐个元素读出 `dW`。在最后一行写下**你的** `dW` 矩阵表达式，反复运行这个单元格，直到两者
    一致。（那里的第一个猜测是故意写错的。）
    """),
    code("""
    def dW_by_value(x, W, dout):
        \"\"\"dL/dW of out = x @ W + b with L = sum(out * dout), every number a Value.\"\"\"
        N, D = x.shape
        M = W.shape[1]
        W_values = [[Value(float(W[d, m])) for m in range(M)] for d in range(D)]
        L = Value(0.0)
        for n in range(N):
            for m in range(M):
                out_nm = sum((W_values[d][m] * float(x[n, d]) for d in range(D)), Value(0.0))
                L = L + out_nm * float(dout[n, m])
        L.backward()
        return np.array([[w.grad for w in row] for row in W_values])


    def check_dW(expression, N=2, D=3, M=4, seed=0):
        \"\"\"Compare expression(x, W, dout), your formula for dW, with dW_by_value.\"\"\"
        r = np.random.default_rng(seed)
        x, W, dout = (r.standard_normal(shape) for shape in [(N, D), (D, M), (N, M)])
        by_value = dW_by_value(x, W, dout)
        yours = np.asarray(expression(x, W, dout), dtype=float)
        print(f"x {x.shape}, W {W.shape}, dout {dout.shape}; dW entry by entry with Value:")
        print(by_value)
        if yours.shape != by_value.shape:
            print(f"your expression has shape {yours.shape}; dW must have the shape of W, "
                  f"{W.shape}: disagree")
        else:
            print("your expression:\\n", yours)
            print("agree" if np.allclose(yours, by_value) else
                  f"disagree: largest difference {np.abs(yours - by_value).max():.3g}")


    check_dW(lambda x, W, dout: dout.T @ x)  # <- type your candidate for dW here, run again
    """, zh="""
    def dW_by_value(x, W, dout):
        \"\"\"out = x @ W + b、L = sum(out * dout) 时的 dL/dW，每个数都是一个 Value。\"\"\"
        N, D = x.shape
        M = W.shape[1]
        W_values = [[Value(float(W[d, m])) for m in range(M)] for d in range(D)]
        L = Value(0.0)
        for n in range(N):
            for m in range(M):
                out_nm = sum((W_values[d][m] * float(x[n, d]) for d in range(D)), Value(0.0))
                L = L + out_nm * float(dout[n, m])
        L.backward()
        return np.array([[w.grad for w in row] for row in W_values])


    def check_dW(expression, N=2, D=3, M=4, seed=0):
        \"\"\"把 expression(x, W, dout)（你的 dW 公式）与 dW_by_value 进行比较。\"\"\"
        r = np.random.default_rng(seed)
        x, W, dout = (r.standard_normal(shape) for shape in [(N, D), (D, M), (N, M)])
        by_value = dW_by_value(x, W, dout)
        yours = np.asarray(expression(x, W, dout), dtype=float)
        print(f"x {x.shape}，W {W.shape}，dout {dout.shape}；用 Value 逐个元素算出的 dW：")
        print(by_value)
        if yours.shape != by_value.shape:
            print(f"你的表达式的形状是 {yours.shape}；dW 必须与 W 的形状相同，即 {W.shape}："
                  "不一致")
        else:
            print("你的表达式：\\n", yours)
            print("一致" if np.allclose(yours, by_value) else
                  f"不一致：最大差值为 {np.abs(yours - by_value).max():.3g}")


    check_dW(lambda x, W, dout: dout.T @ x)  # <- 在这里写下你猜的 dW，然后再运行一次
    """),
    md(r"""
    ### Exercise 1 — `linear_forward` and `linear_backward`

    Write both functions. Keep in `cache` what the backward pass needs. No loops: use `@`,
    `.T` and `.sum(axis=...)`. Derive `dx` the way you derived `dW`, and `db` from the scalar
    case: what changes when $b$ is added to $N$ rows instead of one?

    <details><summary>Hint 1 (shapes)</summary>

    `dW` is $(D, M)$, `x` is $(N, D)$, `dout` is $(N, M)$. The index they share is $N$,
    the batch: it must be summed away. A product $A\,B$ sums over the columns of $A$ and the
    rows of $B$, so the batch index must be the columns of the first factor.
    </details>

    <details><summary>Hint 2 (dx)</summary>

    In the scalar case $\partial L/\partial x = \text{dout}\cdot w$. `dx` is $(N, D)$; the
    factors are `dout` $(N, M)$ and `W` $(D, M)$. Which index must disappear now, and how do you
    put it between the two factors?
    </details>

    <details><summary>Hint 3 (db)</summary>

    $b_m$ is added to $\text{out}_{nm}$ for **every** $n$: $b$ is used $N$ times. In notebook
    03, what happened to the gradient of a value used twice? (And: the $1/N$ of an average
    belongs to the loss, not to the layer.)
    </details>

    <details><summary>Hint 4 (index form, the strongest)</summary>

    $\partial L/\partial W_{dm} = \sum_n \text{dout}_{nm}\,x_{nd}$,
    $\partial L/\partial x_{nd} = \sum_m \text{dout}_{nm}\,W_{dm}$,
    $\partial L/\partial b_m = \sum_n \text{dout}_{nm}$. Write each as a matrix product or a
    sum over one axis, and check the first with `check_dW`.
    </details>
    """, zh=r"""
    ### 练习 1 — `linear_forward` 和 `linear_backward`

    写出这两个函数。在 `cache` 中保存反向传播要用到的东西。不要用循环：用 `@`、`.T` 和
    `.sum(axis=...)`。像推导 `dW` 那样推导 `dx`；`db` 则从标量情形出发：当 $b$ 被加到 $N$ 行
    而不是一行上时，有什么变化？

    <details><summary>提示 1（形状）</summary>

    `dW` 是 $(D, M)$，`x` 是 $(N, D)$，`dout` 是 $(N, M)$。它们共有的下标是 $N$，即批量：
    它必须被求和消去。乘积 $A\,B$ 对 $A$ 的列和 $B$ 的行求和，所以批量下标必须是第一个因子的列。
    </details>

    <details><summary>提示 2（dx）</summary>

    在标量情形中 $\partial L/\partial x = \text{dout}\cdot w$。`dx` 是 $(N, D)$；两个因子是
    `dout` $(N, M)$ 和 `W` $(D, M)$。这一次哪个下标必须消失？怎样把它放到两个因子之间？
    </details>

    <details><summary>提示 3（db）</summary>

    对**每个** $n$，$b_m$ 都被加到 $\text{out}_{nm}$ 上：$b$ 被使用了 $N$ 次。在笔记本 03 中，
    一个被使用两次的值，它的梯度是怎样得到的？（另外：平均值中的 $1/N$ 属于损失，不属于这个层。）
    </details>

    <details><summary>提示 4（下标形式，最强的提示）</summary>

    $\partial L/\partial W_{dm} = \sum_n \text{dout}_{nm}\,x_{nd}$，
    $\partial L/\partial x_{nd} = \sum_m \text{dout}_{nm}\,W_{dm}$，
    $\partial L/\partial b_m = \sum_n \text{dout}_{nm}$。把每一个写成矩阵乘积或沿一个轴的求和，
    并用 `check_dW` 检验第一个。
    </details>
    """),
    answer("linear", LINEAR),
    test("linear_visible", 2, """
    nb04.assert_own_answer(linear_forward, linear_backward)  # not bpcourse.layers
    # A case you can check by hand (N=4, D=2, M=3: nothing square), then every gradient
    # against central differences of out = x @ W + b.
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [-1.0, 0.5]])
    W = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]])
    b = np.array([0.1, 0.2, 0.3])
    out, cache = linear_forward(x, W, b)
    expect(out, np.array([[2.1, 4.2, -0.7], [5.1, 8.2, -2.7], [8.1, 12.2, -4.7],
                          [-0.65, 1.2, 1.3]]), "linear_forward: out",
           mistakes=[(nb04.hint("bias_not_added"), x @ W)])

    dout = np.random.default_rng(1).standard_normal((4, 3))
    dx, dW, db = linear_backward(dout, cache)
    expect(dx, numerical_gradient_array(lambda x_: x_ @ W + b, x, dout), "dx")
    expect(dW, numerical_gradient_array(lambda W_: x @ W_ + b, W, dout), "dW", batch_size=4)
    expect(db, numerical_gradient_array(lambda b_: x @ W + b_, b, dout), "db",
           batch_size=4, upstream=dout)
    nb04.passed("linear_forward, linear_backward")
    """),
    test("linear_hidden", 3, hidden(
        "nb04", "linear_forward, linear_backward", "test_linear", about=ABOUT)),
    md(r"""
    **Recap: the affine layer** (what you derived)

    | | | shapes |
    |---|---|---|
    | `dW = x.T @ dout` | the sum over the batch happens inside the product | $(D, N)\,(N, M) \to (D, M)$ |
    | `dx = dout @ W.T` | | $(N, M)\,(M, D) \to (N, D)$ |
    | `db = dout.sum(axis=0)` | $b$ was used by every row: its gradients add (a sum, not a mean) | $(N, M) \to (M,)$ |

    The bridge agrees:
    """, zh=r"""
    **回顾：仿射层**（你推导出的结果）

    | | | 形状 |
    |---|---|---|
    | `dW = x.T @ dout` | 对批量的求和在乘积内部完成 | $(D, N)\,(N, M) \to (D, M)$ |
    | `dx = dout @ W.T` | | $(N, M)\,(M, D) \to (N, D)$ |
    | `db = dout.sum(axis=0)` | 每一行都用到了 $b$：它的梯度相加（是求和，不是平均） | $(N, M) \to (M,)$ |

    用标量引擎逐个元素算出的结果也一致：
    """),
    code("""
    check_dW(lambda x, W, dout: x.T @ dout)
    """),
    md(r"""
    ## 2. ReLU

    $\text{ReLU}(x) = \max(0, x)$, elementwise. An elementwise layer is the simplest case of the
    chain rule: $\text{out}_i$ depends on $x_i$ only, so the sum over $j$ has one term,
    $\partial L/\partial x_i = \text{dout}_i \cdot f'(x_i)$. Your job is $f'$ for
    $f(x) = \max(0, x)$, and deciding what the cache must hold to compute it. At exactly
    $x = 0$ the derivative is a choice; pick $0$, as PyTorch does.

    The figure shows ReLU and the sigmoid of the next exercise, with their derivatives dashed,
    *measured* with central differences: read off what your backward pass must compute.
    """, zh=r"""
    ## 2. ReLU

    $\text{ReLU}(x) = \max(0, x)$，逐元素计算。逐元素的层是链式法则最简单的情形：
    $\text{out}_i$ 只依赖于 $x_i$，所以对 $j$ 的求和只有一项，
    $\partial L/\partial x_i = \text{dout}_i \cdot f'(x_i)$。你的任务是求出 $f(x) = \max(0, x)$
    的 $f'$，并决定缓存中必须保存什么才能算出它。恰好在 $x = 0$ 处，导数取什么值是一种约定；
    和 PyTorch 一样，取 $0$。

    下图画出了 ReLU 和下一个练习中的 sigmoid，虚线是它们的导数，是用中心差分*测量*出来的：
    从图中读出你的反向传播必须计算什么。
    """),
    code("""
    def measured_derivative(f, h=1e-5):
        return lambda x: (f(x + h) - f(x - h)) / (2 * h)  # central differences, notebook 01


    relu = lambda x: np.maximum(x, 0)
    sig = lambda x: 1 / (1 + np.exp(-x))
    ax = plots.activation_curves({"ReLU": (relu, measured_derivative(relu)),
                                  "sigmoid σ": (sig, measured_derivative(sig))})
    ax.set_title("ReLU and sigmoid; dashed: their derivatives by central differences")
    plt.show()
    """, zh="""
    def measured_derivative(f, h=1e-5):
        return lambda x: (f(x + h) - f(x - h)) / (2 * h)  # 中心差分，见笔记本 01


    relu = lambda x: np.maximum(x, 0)
    sig = lambda x: 1 / (1 + np.exp(-x))
    ax = plots.activation_curves({"ReLU": (relu, measured_derivative(relu)),
                                  "sigmoid σ": (sig, measured_derivative(sig))})
    ax.set_title("ReLU 与 sigmoid；虚线：用中心差分测得的导数")
    plt.show()
    """),
    md("""
    ### Exercise 2 — `relu_forward` and `relu_backward`

    `x` may have any shape. Do not change `x` in place (`x[x < 0] = 0` would destroy the
    caller's array): make a new one.

    <details><summary>Hint 1</summary>

    Read the dashed line: what is the derivative where $x > 0$, and where $x < 0$?
    </details>

    <details><summary>Hint 2</summary>

    Whether the gradient passes depends on the sign of the **input** `x` of the forward pass,
    not on `dout`: that is what the cache must keep.
    </details>

    <details><summary>Hint 3</summary>

    A boolean array such as `(x > 0)` acts as 1 and 0 in a product with a float array.
    </details>
    """, zh=r"""
    ### 练习 2 — `relu_forward` 和 `relu_backward`

    `x` 可以是任意形状。不要原地修改 `x`（`x[x < 0] = 0` 会破坏调用者的数组）：新建一个数组。

    <details><summary>提示 1</summary>

    看那条虚线：$x > 0$ 处的导数是多少？$x < 0$ 处呢？
    </details>

    <details><summary>提示 2</summary>

    梯度能否通过，取决于前向传播的**输入** `x` 的符号，而不是 `dout` 的符号：这正是缓存必须
    保存的东西。
    </details>

    <details><summary>提示 3</summary>

    像 `(x > 0)` 这样的布尔数组与浮点数组相乘时，相当于 1 和 0。
    </details>
    """),
    answer("relu", RELU),
    test("relu_visible", 1, """
    nb04.assert_own_answer(relu_forward, relu_backward)  # not bpcourse.layers
    x = np.array([[-2.0, -0.5, 0.5, 2.0], [1.0, -1.0, 3.0, -3.0]])
    out, cache = relu_forward(x)
    expect(out, np.array([[0.0, 0.0, 0.5, 2.0], [1.0, 0.0, 3.0, 0.0]]), "relu_forward: out")

    dout = np.random.default_rng(2).standard_normal(x.shape)
    dx = relu_backward(dout, cache)
    expect(dx, numerical_gradient_array(lambda x_: np.maximum(x_, 0), x, dout),
           "relu_backward: dx",
           mistakes=[(nb04.hint("relu_mask_from_dout"), dout * (dout > 0))])
    nb04.passed("relu_forward, relu_backward")
    """),
    test("relu_hidden", 2, hidden("nb04", "relu_forward, relu_backward", "test_relu", about=ABOUT)),
    md(r"""
    **Recap: ReLU.** $dx = \text{dout} \odot [x > 0]$, `dx = dout * (x > 0)`: the upstream
    gradient passes where the input was positive and is blocked elsewhere. The mask comes from
    the cached input.
    """, zh=r"""
    **回顾：ReLU。** $dx = \text{dout} \odot [x > 0]$，即 `dx = dout * (x > 0)`：在输入为正的
    地方，上游梯度原样通过，其他地方被挡住。掩码来自缓存中的输入。
    """),
    md(r"""
    ## 3. Sigmoid

    $$\sigma(x) = \frac{1}{1 + e^{-x}}$$

    Elementwise again, so $\partial L/\partial x_i = \text{dout}_i\,\sigma'(x_i)$. Differentiate
    $\sigma(x) = (1 + e^{-x})^{-1}$ with the chain rule, then try to write the result **using
    $\sigma(x)$ itself**: if you can, the natural cache is the forward output, and the backward
    pass needs no `exp` at all. The dashed sigmoid curve in the figure above is what your
    formula must draw (its top value is a good check).

    **Overflow.** For $x = -1000$, `np.exp(-x)` is `exp(1000) = inf` and numpy warns. The
    answer $1/(1+\infty) = 0$ happens to be right, but a warning in a graded cell costs the
    cell. Compute `exp` only of $-|x|$ (a number in $(0, 1]$) and use
    $\sigma(x) = \dfrac{1}{1+e^{-|x|}}$ for $x \ge 0$ and
    $\sigma(x) = \dfrac{e^{-|x|}}{1+e^{-|x|}}$ for $x < 0$ (`np.where` picks per element).
    """, zh=r"""
    ## 3. Sigmoid

    $$\sigma(x) = \frac{1}{1 + e^{-x}}$$

    同样是逐元素计算，所以 $\partial L/\partial x_i = \text{dout}_i\,\sigma'(x_i)$。用链式法则对
    $\sigma(x) = (1 + e^{-x})^{-1}$ 求导，然后试着**用 $\sigma(x)$ 本身**写出结果：如果能做到，
    最自然的缓存就是前向传播的输出，反向传播根本不需要 `exp`。上图中 sigmoid 的虚线就是你的公式
    必须画出的曲线（它的最大值是一个很好的检验）。

    **上溢。** 当 $x = -1000$ 时，`np.exp(-x)` 就是 `exp(1000) = inf`，numpy 会发出警告。
    结果 $1/(1+\infty) = 0$ 碰巧是对的，但评分单元格中的一个警告就会让这个单元格失分。
    只对 $-|x|$ 计算 `exp`（它落在 $(0, 1]$ 之内），在 $x \ge 0$ 时用
    $\sigma(x) = \dfrac{1}{1+e^{-|x|}}$，在 $x < 0$ 时用
    $\sigma(x) = \dfrac{e^{-|x|}}{1+e^{-|x|}}$（`np.where` 逐元素地选择）。
    """),
    md(r"""
    ### Exercise 3 — `sigmoid_forward` and `sigmoid_backward`

    <details><summary>Hint 1</summary>

    $\dfrac{d}{dx}(1 + e^{-x})^{-1} = -(1 + e^{-x})^{-2}\cdot\dfrac{d}{dx}(1 + e^{-x})$.
    </details>

    <details><summary>Hint 2</summary>

    You should reach $\dfrac{e^{-x}}{(1 + e^{-x})^2} = \dfrac{1}{1 + e^{-x}}\cdot
    \dfrac{e^{-x}}{1 + e^{-x}}$. The first factor is $\sigma(x)$. What is $1 - \sigma(x)$?
    </details>

    <details><summary>Hint 3</summary>

    If the cache holds `s = σ(x)` (the output), do not apply σ to it again in backward.
    </details>
    """, zh=r"""
    ### 练习 3 — `sigmoid_forward` 和 `sigmoid_backward`

    <details><summary>提示 1</summary>

    $\dfrac{d}{dx}(1 + e^{-x})^{-1} = -(1 + e^{-x})^{-2}\cdot\dfrac{d}{dx}(1 + e^{-x})$。
    </details>

    <details><summary>提示 2</summary>

    你应当得到 $\dfrac{e^{-x}}{(1 + e^{-x})^2} = \dfrac{1}{1 + e^{-x}}\cdot
    \dfrac{e^{-x}}{1 + e^{-x}}$。第一个因子就是 $\sigma(x)$。$1 - \sigma(x)$ 又是什么？
    </details>

    <details><summary>提示 3</summary>

    如果缓存中保存的是 `s = σ(x)`（输出），在反向传播中就不要再对它应用一次 σ。
    </details>
    """),
    answer("sigmoid", SIGMOID),
    test("sigmoid_visible", 1, """
    nb04.assert_own_answer(sigmoid_forward, sigmoid_backward)  # not bpcourse.layers
    x = np.array([[-2.0, 0.0, 3.0], [1.0, -1.0, 0.5]])
    out, cache = sigmoid_forward(x)
    expect(out, 1 / (1 + np.exp(-x)), "sigmoid_forward: out")

    dout = np.random.default_rng(3).standard_normal(x.shape)
    dx = sigmoid_backward(dout, cache)
    expect(dx, numerical_gradient_array(lambda x_: 1 / (1 + np.exp(-x_)), x, dout),
           "sigmoid_backward: dx")

    # Here an overflow is an error, not a warning.
    out, _ = nb04.call_without_overflow(sigmoid_forward, "sigmoid_forward",
                                        np.array([-1000.0, 1000.0]), errors=("over", "invalid"))
    expect(out, np.array([0.0, 1.0]), nb04.at_pm1000("sigmoid_forward"))
    nb04.passed("sigmoid_forward, sigmoid_backward")
    """),
    test("sigmoid_hidden", 2, hidden(
        "nb04", "sigmoid_forward, sigmoid_backward", "test_sigmoid", about=ABOUT)),
    md(r"""
    **Recap: sigmoid.** $\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)$, so with the output
    `s` in the cache, `dx = dout * s * (1 - s)`. Its largest value is $\tfrac14$, at $x = 0$:
    notebook 05 shows what that does to a deep network.
    """, zh=r"""
    **回顾：sigmoid。** $\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)$，所以缓存中保存
    输出 `s` 时，`dx = dout * s * (1 - s)`。它的最大值是 $\tfrac14$，在 $x = 0$ 处取得：
    笔记本 05 会展示这对深层网络意味着什么。
    """),
    md(r"""
    ## 4. Softmax cross-entropy

    A classifier outputs one score (logit) per class, $z \in \mathbb{R}^{N\times C}$. Softmax
    turns each row into probabilities, and the loss is the mean negative log-probability of
    the true class $y_n$:

    $$p_{nc} = \frac{e^{z_{nc}}}{\sum_k e^{z_{nk}}}, \qquad
    L = -\frac{1}{N}\sum_n \log p_{n, y_n}
      = \frac{1}{N}\sum_n \Bigl(-z_{n,y_n} + \log\sum_k e^{z_{nk}}\Bigr)$$

    The method: the loss is the last node, so there is no upstream gradient to multiply by;
    `dlogits` $(N, C)$ is $\partial L/\partial z_{nc}$ directly. Fix one example $n$ and one
    class $c$. Only the $n$-th term of the sum depends on $z_{nc}$. Differentiate its two
    parts separately, with two cases for the first: $c = y_n$ and $c \ne y_n$. Then remember
    the $\frac1N$.

    A worked check, $N = 1$, $C = 2$: for $z = (0, 0)$ and $y = 0$, both classes have
    $p = \tfrac12$ and $L = \ln 2$. Raising $z_0$ (the true class) must lower $L$, raising $z_1$
    must raise it, by the same amount: your formula should give $(-\tfrac12, +\tfrac12)$.
    """, zh=r"""
    ## 4. Softmax 交叉熵

    分类器为每个类别输出一个分数（logit），$z \in \mathbb{R}^{N\times C}$。softmax 把每一行
    变成概率，损失则是真实类别 $y_n$ 的负对数概率的平均值：

    $$p_{nc} = \frac{e^{z_{nc}}}{\sum_k e^{z_{nk}}}, \qquad
    L = -\frac{1}{N}\sum_n \log p_{n, y_n}
      = \frac{1}{N}\sum_n \Bigl(-z_{n,y_n} + \log\sum_k e^{z_{nk}}\Bigr)$$

    方法：损失是最后一个节点，所以没有需要乘上的上游梯度；`dlogits` $(N, C)$ 直接就是
    $\partial L/\partial z_{nc}$。固定一个样本 $n$ 和一个类别 $c$。求和中只有第 $n$ 项依赖于
    $z_{nc}$。对它的两部分分别求导，其中第一部分分两种情况：$c = y_n$ 和 $c \ne y_n$。
    最后别忘了 $\frac1N$。

    一个算例，$N = 1$，$C = 2$：当 $z = (0, 0)$、$y = 0$ 时，两个类别的 $p$ 都是 $\tfrac12$，
    $L = \ln 2$。增大 $z_0$（真实类别）必然减小 $L$，增大 $z_1$ 必然增大 $L$，而且变化量相同：
    你的公式应当给出 $(-\tfrac12, +\tfrac12)$。
    """),
    md(r"""
    ### Stable for logits of ±1000

    `np.exp(1000)` is `inf`, and `inf / inf` is `NaN`. Two facts fix it:

    1. Softmax does not change if you subtract a constant from a row: subtract **each row's**
       max, $\tilde z_{nc} = z_{nc} - \max_k z_{nk} \le 0$, so `exp` stays in $(0, 1]$.
    2. Never take `log` of a probability that may have underflowed to $0$: compute
       $\log p_{nc} = \tilde z_{nc} - \log\sum_k e^{\tilde z_{nk}}$ (log-sum-exp) directly.

    With labels as class indices, `p[np.arange(N), y]` picks each row's true-class entry.
    """, zh=r"""
    ### 对 ±1000 的 logits 保持稳定

    `np.exp(1000)` 是 `inf`，而 `inf / inf` 是 `NaN`。两个事实可以解决这个问题：

    1. 一行减去同一个常数，softmax 不变：减去**每一行自己的**最大值，
       $\tilde z_{nc} = z_{nc} - \max_k z_{nk} \le 0$，这样 `exp` 的值就留在 $(0, 1]$ 之内。
    2. 永远不要对一个可能已经下溢为 $0$ 的概率取 `log`：直接计算
       $\log p_{nc} = \tilde z_{nc} - \log\sum_k e^{\tilde z_{nk}}$（log-sum-exp）。

    标签以类别下标给出时，`p[np.arange(N), y]` 取出每一行中真实类别的那一项。
    """),
    md(r"""
    ### Exercise 4 — `softmax_cross_entropy`

    <details><summary>Hint 1</summary>

    $\dfrac{\partial}{\partial z_{nc}} \log\sum_k e^{z_{nk}} = \dfrac{e^{z_{nc}}}{\sum_k e^{z_{nk}}}$.
    You have seen that fraction above.
    </details>

    <details><summary>Hint 2</summary>

    $\dfrac{\partial}{\partial z_{nc}}(-z_{n,y_n})$ is $-1$ when $c = y_n$ and $0$ otherwise:
    it touches one entry per row, the true class.
    </details>

    <details><summary>Hint 3</summary>

    In numpy: start from the probabilities, subtract 1 at `[np.arange(N), y]` (not at
    `[:, y]`, which hits every row at every label), and divide by $N$.
    </details>
    """, zh=r"""
    ### 练习 4 — `softmax_cross_entropy`

    <details><summary>提示 1</summary>

    $\dfrac{\partial}{\partial z_{nc}} \log\sum_k e^{z_{nk}} = \dfrac{e^{z_{nc}}}{\sum_k e^{z_{nk}}}$。
    这个分式你在上面见过。
    </details>

    <details><summary>提示 2</summary>

    $\dfrac{\partial}{\partial z_{nc}}(-z_{n,y_n})$ 在 $c = y_n$ 时为 $-1$，否则为 $0$：
    它在每一行只涉及一项，即真实类别那一项。
    </details>

    <details><summary>提示 3</summary>

    用 numpy：从概率出发，在 `[np.arange(N), y]` 处减去 1（不是 `[:, y]`，那样会在每一行的
    每个标签处都减 1），再除以 $N$。
    </details>
    """),
    answer("softmax_cross_entropy", SOFTMAX),
    test("softmax_cross_entropy_visible", 2, """
    nb04.assert_own_answer(softmax_cross_entropy)  # not bpcourse.layers
    # Equal logits: every class has probability 1/C, so the loss is log(C).
    loss, dlogits = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    nb04.check_loss(loss, np.log(4), "equal_logits", classes=4)

    # The gradient against central differences of your own loss.
    test_rng = np.random.default_rng(4)
    logits, y = test_rng.standard_normal((5, 3)), np.array([0, 2, 1, 2, 0])
    loss, dlogits = softmax_cross_entropy(logits, y)
    expect(dlogits, numerical_gradient(lambda z: softmax_cross_entropy(z, y)[0], logits),
           "dlogits", batch_size=5)

    # Logits of ±1000: no overflow, no NaN, the exact answer.
    loss, dlogits = nb04.call_without_overflow(
        softmax_cross_entropy, "softmax_cross_entropy",
        np.array([[1000.0, -1000.0], [-1000.0, 1000.0]]), np.array([0, 0]),
        errors=("over", "divide", "invalid"))
    nb04.check_loss(loss, 1000.0, "logits_pm1000")
    expect(dlogits, np.array([[0.0, 0.0], [-0.5, 0.5]]), nb04.at_pm1000("dlogits"))
    nb04.passed("softmax_cross_entropy")
    """),
    test("softmax_cross_entropy_hidden", 3,
         hidden("nb04", "softmax_cross_entropy", "test_softmax_cross_entropy", about=ABOUT)),
    md(r"""
    **Recap: softmax cross-entropy.**

    $$\frac{\partial L}{\partial z_{nc}} = \frac{p_{nc} - [c = y_n]}{N}$$

    probabilities minus the one-hot label, over $N$: the gradient pushes the true class up and
    every other class down, each in proportion to how much probability it holds.
    """, zh=r"""
    **回顾：softmax 交叉熵。**

    $$\frac{\partial L}{\partial z_{nc}} = \frac{p_{nc} - [c = y_n]}{N}$$

    即概率减去独热（one-hot）标签，再除以 $N$：梯度把真实类别往上推，把其他每个类别往下推，
    推的力度与该类别占有的概率成正比。
    """),
    md(r"""
    ## 5. Mean squared error

    For regression the loss compares a prediction with a target of the same shape, averaged
    over **all** $K$ elements (`pred.size`, not the number of rows):

    $$L = \frac{1}{K}\sum_i (\text{pred}_i - \text{target}_i)^2$$

    The method, once more: which terms of the sum depend on $\text{pred}_i$? Differentiate
    that one term, and keep the $\frac1K$. The shape rule says `dpred` is shaped like `pred`.
    """, zh=r"""
    ## 5. 均方误差

    在回归问题中，损失把预测值与形状相同的目标值进行比较，并对**全部** $K$ 个元素取平均
    （`pred.size`，而不是行数）：

    $$L = \frac{1}{K}\sum_i (\text{pred}_i - \text{target}_i)^2$$

    再用一次同样的方法：求和中哪些项依赖于 $\text{pred}_i$？对那一项求导，并保留 $\frac1K$。
    按照形状规则，`dpred` 的形状与 `pred` 相同。
    """),
    md(r"""
    ### Exercise 5 — `mse_loss`

    <details><summary>Hint 1</summary>

    Only the $i$-th term depends on $\text{pred}_i$; $\frac{d}{du}u^2 = 2u$.
    </details>

    <details><summary>Hint 2</summary>

    $K$ is `pred.size`: for a $(2, 3)$ array the mean is over 6 numbers, not over 2 rows.
    </details>

    <details><summary>Hint 3</summary>

    Mind the sign: the inner derivative of $\text{pred}_i - \text{target}_i$ with respect to
    $\text{pred}_i$ is $+1$.
    </details>
    """, zh=r"""
    ### 练习 5 — `mse_loss`

    <details><summary>提示 1</summary>

    只有第 $i$ 项依赖于 $\text{pred}_i$；$\frac{d}{du}u^2 = 2u$。
    </details>

    <details><summary>提示 2</summary>

    $K$ 就是 `pred.size`：对一个 $(2, 3)$ 的数组，平均是对 6 个数取的，而不是对 2 行。
    </details>

    <details><summary>提示 3</summary>

    注意符号：$\text{pred}_i - \text{target}_i$ 对 $\text{pred}_i$ 的内层导数是 $+1$。
    </details>
    """),
    answer("mse_loss", MSE),
    test("mse_loss_visible", 1, """
    nb04.assert_own_answer(mse_loss)  # not bpcourse.layers
    pred, target = np.array([[1.0, 2.0, 0.0], [3.0, 4.0, 0.0]]), np.zeros((2, 3))
    loss, dpred = mse_loss(pred, target)
    nb04.check_loss(loss, 30 / 6, "mse_example", pred=pred.tolist())
    expect(dpred, numerical_gradient(lambda p: np.mean((p - target) ** 2), pred), "dpred",
           batch_size=6)
    nb04.passed("mse_loss")
    """),
    test("mse_loss_hidden", 2, hidden("nb04", "mse_loss", "test_mse_loss", about=ABOUT)),
    md(r"""
    **Recap: mean squared error.**
    $\dfrac{\partial L}{\partial\,\text{pred}_i} = \dfrac{2\,(\text{pred}_i - \text{target}_i)}{K}$,
    `dpred = 2 * (pred - target) / pred.size`.
    """, zh=r"""
    **回顾：均方误差。**
    $\dfrac{\partial L}{\partial\,\text{pred}_i} = \dfrac{2\,(\text{pred}_i - \text{target}_i)}{K}$，
    即 `dpred = 2 * (pred - target) / pred.size`。
    """),
    md(r"""
    ## Putting layers together

    A two-layer classifier is just the functions in order,
    `linear → relu → linear → softmax cross-entropy`, and its backward pass calls the backward
    functions in **reverse** order, each handing its `dx` to the layer before. Below, your
    layers train nothing yet: we only check that the composition is right, comparing every
    parameter's gradient with central differences of the whole network's loss.
    """, zh=r"""
    ## 把层组合起来

    一个两层分类器就是按顺序调用这些函数，`linear → relu → linear → softmax cross-entropy`；
    它的反向传播则按**相反**的顺序调用各个反向函数，每个函数把自己的 `dx` 交给前一层。下面，
    你写的层还不训练任何东西：我们只检查组合得对不对，把每个参数的梯度与整个网络损失的中心差分
    进行比较。
    """),
    code("""
    N, D, H, C = 8, 5, 7, 3
    x, y = rng.standard_normal((N, D)), rng.integers(0, C, size=N)
    params = {"W1": rng.standard_normal((D, H)), "b1": rng.standard_normal(H),
              "W2": rng.standard_normal((H, C)), "b2": rng.standard_normal(C)}

    def network_loss(p):
        hidden, cache1 = linear_forward(x, p["W1"], p["b1"])
        active, cache_relu = relu_forward(hidden)
        logits, cache2 = linear_forward(active, p["W2"], p["b2"])
        loss, dlogits = softmax_cross_entropy(logits, y)
        return loss, (dlogits, cache1, cache_relu, cache2)

    loss, (dlogits, cache1, cache_relu, cache2) = network_loss(params)
    dactive, dW2, db2 = linear_backward(dlogits, cache2)         # reverse order ...
    dhidden = relu_backward(dactive, cache_relu)
    _, dW1, db1 = linear_backward(dhidden, cache1)               # ... down to the first layer
    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    errors = {}
    for name, value in params.items():
        numeric = numerical_gradient(lambda v: network_loss({**params, name: v})[0], value)
        errors[name] = rel_error(grads[name], numeric)
        print(compare(name, grads[name], numeric))
    ax = plots.gradient_errors(errors)
    ax.set_title("each parameter's gradient: backprop against central differences")
    plt.show()
    """, zh="""
    N, D, H, C = 8, 5, 7, 3
    x, y = rng.standard_normal((N, D)), rng.integers(0, C, size=N)
    params = {"W1": rng.standard_normal((D, H)), "b1": rng.standard_normal(H),
              "W2": rng.standard_normal((H, C)), "b2": rng.standard_normal(C)}

    def network_loss(p):
        hidden, cache1 = linear_forward(x, p["W1"], p["b1"])
        active, cache_relu = relu_forward(hidden)
        logits, cache2 = linear_forward(active, p["W2"], p["b2"])
        loss, dlogits = softmax_cross_entropy(logits, y)
        return loss, (dlogits, cache1, cache_relu, cache2)

    loss, (dlogits, cache1, cache_relu, cache2) = network_loss(params)
    dactive, dW2, db2 = linear_backward(dlogits, cache2)         # 逆序……
    dhidden = relu_backward(dactive, cache_relu)
    _, dW1, db1 = linear_backward(dhidden, cache1)               # ……直到第一层
    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    errors = {}
    for name, value in params.items():
        numeric = numerical_gradient(lambda v: network_loss({**params, name: v})[0], value)
        errors[name] = rel_error(grads[name], numeric)
        print(compare(name, grads[name], numeric))
    ax = plots.gradient_errors(errors)
    ax.set_title("每个参数的梯度：反向传播与中心差分的比较")
    plt.show()
    """),
    md(r"""
    Every bar should sit far below the tolerance line, around $10^{-9}$: the analytic
    gradients and two forward passes per parameter agree. Notice what the check cost:
    $2P$ evaluations of the whole network for $P$ parameters, where the backward pass cost
    about as much as two forward passes. Notebook 06 counts that difference.
    """, zh=r"""
    每根柱子都应远低于容差线，大约在 $10^{-9}$ 附近：解析梯度与每个参数两次前向传播得到的
    数值梯度一致。注意这次检验的代价：参数量为 $P$ 时，要对整个网络求值 $2P$ 次，而反向传播的
    代价只相当于大约两次前向传播。笔记本 06 会细数这个差距。
    """),
    glossary(*TERMS),
    md(r"""
    ## What you did

    - Five layers with forward, backward and a cache, each gradient-checked.
    - Dimension analysis: `dW = x.T @ dout`, `dx = dout @ W.T`, `db = dout.sum(axis=0)`.
    - Numerical stability: `exp` only of non-positive numbers; `log` only via log-sum-exp.

    **Next, 05_layered_backprop:** these layers, wrapped as modules with parameters, make a
    network that you train on the spiral data set.
    """, zh=r"""
    ## 你做了什么

    - 五个带有前向、反向和缓存的层，每一个都做了梯度检验。
    - 维度分析：`dW = x.T @ dout`，`dx = dout @ W.T`，`db = dout.sum(axis=0)`。
    - 数值稳定性：`exp` 只作用于非正数；`log` 只通过 log-sum-exp 计算。

    **下一步，05_layered_backprop：** 把这些层包装成带参数的模块，组成一个网络，并在螺旋
    （spiral）数据集上训练它。
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
