"""Build solutions/04_layers/04_layers.ipynb: vectorised layers with forward, backward and caches.

Run: .venv/bin/python scripts/notebooks/nb04_layers.py
The solution sources are module constants so that tests can run exactly the notebook's answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nbbuild import answer, code, hidden, md, test, write  # noqa: E402

NAME = "04_layers"
# What the hidden tests try, for the comment of each hidden-test cell.
ABOUT = "random shapes and seeds, a square case, large values"

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
    """),
    md(r"""
    ## 1. The affine (linear) layer

    $$\text{out} = x\,W + b, \qquad x \in \mathbb{R}^{N\times D},\;
    W \in \mathbb{R}^{D\times M},\; b \in \mathbb{R}^{M},\; \text{out} \in \mathbb{R}^{N\times M}$$

    Each row of $x$ is one example; $b$ is added to every row (numpy broadcasting).
    Element by element, $\text{out}_{nm} = \sum_d x_{nd} W_{dm} + b_m$.
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
    """),
    code("""
    x_s, w_s, b_s = Value(2.0), Value(3.0), Value(1.0)
    out_s = x_s * w_s + b_s
    L_s = out_s * 0.5          # any L with dL/dout = 0.5
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
           mistakes=[("the bias b is not added", x @ W)])

    dout = np.random.default_rng(1).standard_normal((4, 3))
    dx, dW, db = linear_backward(dout, cache)
    expect(dx, numerical_gradient_array(lambda x_: x_ @ W + b, x, dout), "dx")
    expect(dW, numerical_gradient_array(lambda W_: x @ W_ + b, W, dout), "dW", batch_size=4)
    expect(db, numerical_gradient_array(lambda b_: x @ W + b_, b, dout), "db",
           batch_size=4, upstream=dout)
    print("linear layer: the visible tests pass")
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
    """),
    code("""
    def measured_derivative(f, h=1e-5):
        return lambda x: (f(x + h) - f(x - h)) / (2 * h)  # central differences, notebook 01


    relu = lambda x: np.maximum(x, 0)
    sig = lambda x: 1 / (1 + np.exp(-x))
    plots.activation_curves({"ReLU": (relu, measured_derivative(relu)),
                             "sigmoid σ": (sig, measured_derivative(sig))})
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
           mistakes=[("the mask is taken from dout; it must come from the input x",
                      dout * (dout > 0))])
    print("ReLU: the visible tests pass")
    """),
    test("relu_hidden", 2, hidden("nb04", "relu_forward, relu_backward", "test_relu", about=ABOUT)),
    md(r"""
    **Recap: ReLU.** $dx = \text{dout} \odot [x > 0]$, `dx = dout * (x > 0)`: the upstream
    gradient passes where the input was positive and is blocked elsewhere. The mask comes from
    the cached input.
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

    with np.errstate(over="raise", invalid="raise"):  # here an overflow is an error
        out, _ = sigmoid_forward(np.array([-1000.0, 1000.0]))
    expect(out, np.array([0.0, 1.0]), "sigmoid_forward at ±1000")
    print("sigmoid: the visible tests pass")
    """),
    test("sigmoid_hidden", 2, hidden(
        "nb04", "sigmoid_forward, sigmoid_backward", "test_sigmoid", about=ABOUT)),
    md(r"""
    **Recap: sigmoid.** $\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)$, so with the output
    `s` in the cache, `dx = dout * s * (1 - s)`. Its largest value is $\tfrac14$, at $x = 0$:
    notebook 05 shows what that does to a deep network.
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
    """),
    md(r"""
    ### Stable for logits of ±1000

    `np.exp(1000)` is `inf`, and `inf / inf` is `NaN`. Two facts fix it:

    1. Softmax does not change if you subtract a constant from a row: subtract **each row's**
       max, $\tilde z_{nc} = z_{nc} - \max_k z_{nk} \le 0$, so `exp` stays in $(0, 1]$.
    2. Never take `log` of a probability that may have underflowed to $0$: compute
       $\log p_{nc} = \tilde z_{nc} - \log\sum_k e^{\tilde z_{nk}}$ (log-sum-exp) directly.

    With labels as class indices, `p[np.arange(N), y]` picks each row's true-class entry.
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
    """),
    answer("softmax_cross_entropy", SOFTMAX),
    test("softmax_cross_entropy_visible", 2, """
    nb04.assert_own_answer(softmax_cross_entropy)  # not bpcourse.layers
    # Equal logits: every class has probability 1/C, so the loss is log(C).
    loss, dlogits = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    assert np.isclose(loss, np.log(4)), f"equal logits must give log(4) = 1.3863, got {loss}"

    # The gradient against central differences of your own loss.
    test_rng = np.random.default_rng(4)
    logits, y = test_rng.standard_normal((5, 3)), np.array([0, 2, 1, 2, 0])
    loss, dlogits = softmax_cross_entropy(logits, y)
    expect(dlogits, numerical_gradient(lambda z: softmax_cross_entropy(z, y)[0], logits),
           "dlogits", batch_size=5)

    # Logits of ±1000: no overflow, no NaN, the exact answer.
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss, dlogits = softmax_cross_entropy(np.array([[1000.0, -1000.0], [-1000.0, 1000.0]]),
                                              np.array([0, 0]))
    assert np.isclose(loss, 1000.0), f"loss at ±1000 must be 1000.0, got {loss}"
    expect(dlogits, np.array([[0.0, 0.0], [-0.5, 0.5]]), "dlogits at ±1000")
    print("softmax cross-entropy: the visible tests pass")
    """),
    test("softmax_cross_entropy_hidden", 3,
         hidden("nb04", "softmax_cross_entropy", "test_softmax_cross_entropy", about=ABOUT)),
    md(r"""
    **Recap: softmax cross-entropy.**

    $$\frac{\partial L}{\partial z_{nc}} = \frac{p_{nc} - [c = y_n]}{N}$$

    probabilities minus the one-hot label, over $N$: the gradient pushes the true class up and
    every other class down, each in proportion to how much probability it holds.
    """),
    md(r"""
    ## 5. Mean squared error

    For regression the loss compares a prediction with a target of the same shape, averaged
    over **all** $K$ elements (`pred.size`, not the number of rows):

    $$L = \frac{1}{K}\sum_i (\text{pred}_i - \text{target}_i)^2$$

    The method, once more: which terms of the sum depend on $\text{pred}_i$? Differentiate
    that one term, and keep the $\frac1K$. The shape rule says `dpred` is shaped like `pred`.
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
    """),
    answer("mse_loss", MSE),
    test("mse_loss_visible", 1, """
    nb04.assert_own_answer(mse_loss)  # not bpcourse.layers
    pred, target = np.array([[1.0, 2.0, 0.0], [3.0, 4.0, 0.0]]), np.zeros((2, 3))
    loss, dpred = mse_loss(pred, target)
    assert np.isclose(loss, 30 / 6), f"mse of {pred.tolist()} against 0 is 30/6 = 5.0, got {loss}"
    expect(dpred, numerical_gradient(lambda p: np.mean((p - target) ** 2), pred), "dpred",
           batch_size=6)
    print("mse: the visible tests pass")
    """),
    test("mse_loss_hidden", 2, hidden("nb04", "mse_loss", "test_mse_loss", about=ABOUT)),
    md(r"""
    **Recap: mean squared error.**
    $\dfrac{\partial L}{\partial\,\text{pred}_i} = \dfrac{2\,(\text{pred}_i - \text{target}_i)}{K}$,
    `dpred = 2 * (pred - target) / pred.size`.
    """),
    md(r"""
    ## Putting layers together

    A two-layer classifier is just the functions in order,
    `linear → relu → linear → softmax cross-entropy`, and its backward pass calls the backward
    functions in **reverse** order, each handing its `dx` to the layer before. Below, your
    layers train nothing yet: we only check that the composition is right, comparing every
    parameter's gradient with central differences of the whole network's loss.
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
    plots.gradient_errors(errors)
    plt.show()
    """),
    md(r"""
    Every bar should sit far below the tolerance line, around $10^{-9}$: the analytic
    gradients and two forward passes per parameter agree. Notice what the check cost:
    $2P$ evaluations of the whole network for $P$ parameters, where the backward pass cost
    about as much as two forward passes. Notebook 06 counts that difference.

    ## What you did

    - Five layers with forward, backward and a cache, each gradient-checked.
    - Dimension analysis: `dW = x.T @ dout`, `dx = dout @ W.T`, `db = dout.sum(axis=0)`.
    - Numerical stability: `exp` only of non-positive numbers; `log` only via log-sum-exp.

    **Next, 05_layered_backprop:** these layers, wrapped as modules with parameters, make a
    network that you train on the spiral data set.
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
