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
    matrix. This notebook writes the same chain rule for arrays.

    **After this notebook you will be able to**

    - write a layer as a pair `*_forward(x) -> (out, cache)` and `*_backward(dout, cache) -> dx`;
    - get the gradient (梯度) of a matrix product right with *dimension analysis*;
    - write ReLU, sigmoid, softmax cross-entropy and mean squared error with their gradients,
      numerically stable for very large inputs;
    - check every one of them against central differences, as in notebook 01.
    """),
    code("""
    import numpy as np
    import matplotlib.pyplot as plt

    from bpcourse import plots
    from bpcourse.check import compare, rel_error
    from bpcourse.grading import expect
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
    2. every gradient has the shape of the thing it differentiates: `dx` is shaped like `x`,
       `dW` like `W`.

    The backward pass is the chain rule (链式法则), one element at a time:
    $\dfrac{\partial L}{\partial x_i} = \sum_j \dfrac{\partial L}{\partial\,\text{out}_j}\,
    \dfrac{\partial\,\text{out}_j}{\partial x_i}$. Vectorising that sum is the whole exercise.
    """),
    md(r"""
    ## 1. The affine (linear) layer

    $$\text{out} = x\,W + b, \qquad x \in \mathbb{R}^{N\times D},\;
    W \in \mathbb{R}^{D\times M},\; b \in \mathbb{R}^{M},\; \text{out} \in \mathbb{R}^{N\times M}$$

    Each row of $x$ is one example; $b$ is added to every row (numpy broadcasting).
    Element by element, $\text{out}_{nm} = \sum_d x_{nd} W_{dm} + b_m$.
    """),
    md(r"""
    ### Dimension analysis for `dW`

    $\partial L / \partial W_{dm} = \sum_n \text{dout}_{nm}\, x_{nd}$: a sum over the batch.
    You do not have to derive it index by index; the shapes leave only one choice.

    | array | shape |
    |---|---|
    | `x` | $(N, D)$ |
    | `dout` | $(N, M)$ |
    | `dW` (shaped like `W`) | $(D, M)$ |

    The only product of `x` and `dout` that has shape $(D, M)$ is
    $x^\top\,\text{dout}$: $(D, N)\,(N, M) \to (D, M)$. The sum over $N$ happens inside the
    matrix product. Likewise `dx` $(N, D)$ can only be $\text{dout}\,W^\top$:
    $(N, M)\,(M, D)$.

    And `db`? $b_m$ was added to **every** row, so it received gradient from every example:
    $\partial L / \partial b_m = \sum_n \text{dout}_{nm}$, a sum over axis 0 — not a mean: the
    $1/N$ of an average belongs to the loss, not to the layer.
    """),
    md(r"""
    ### Exercise 1 — `linear_forward` and `linear_backward`

    Write both functions. Keep in `cache` what the backward pass needs. No loops: use `@`,
    `.T` and `.sum(axis=...)`.
    """),
    answer("linear", LINEAR),
    test("linear_visible", 2, """
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
    ## 2. ReLU

    $\text{ReLU}(x) = \max(0, x)$, elementwise. Its derivative is $1$ where $x > 0$ and $0$
    where $x < 0$ (at exactly $0$ we pick $0$, as PyTorch does). So the backward pass lets the
    upstream gradient through where the **input** was positive and blocks it elsewhere:

    $$dx = \text{dout} \odot [x > 0]$$

    The figure shows ReLU and the sigmoid of the next exercise, with their derivatives dashed.
    """),
    code("""
    sig = lambda x: 1 / (1 + np.exp(-x))
    plots.activation_curves({
        "ReLU": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float)),
        "sigmoid σ": (sig, lambda x: sig(x) * (1 - sig(x))),
    })
    plt.show()
    """),
    md("""
    ### Exercise 2 — `relu_forward` and `relu_backward`

    `x` may have any shape. Do not change `x` in place (`x[x < 0] = 0` would destroy the
    caller's array): make a new one.
    """),
    answer("relu", RELU),
    test("relu_visible", 1, """
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
    ## 3. Sigmoid

    $$\sigma(x) = \frac{1}{1 + e^{-x}}, \qquad \sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)$$

    The derivative is written with the output itself, so the natural cache is
    $\text{out} = \sigma(x)$ and the backward pass is $dx = \text{dout}\odot s\odot(1-s)$.

    **Overflow.** For $x = -1000$, `np.exp(-x)` is `exp(1000) = inf` and numpy warns. The
    answer $1/(1+\infty) = 0$ happens to be right, but a warning in a graded cell costs the
    cell. Compute `exp` only of $-|x|$ (a number in $(0, 1]$) and use
    $\sigma(x) = \dfrac{1}{1+e^{-|x|}}$ for $x \ge 0$ and
    $\sigma(x) = \dfrac{e^{-|x|}}{1+e^{-|x|}}$ for $x < 0$ (`np.where` picks per element).
    """),
    md("### Exercise 3 — `sigmoid_forward` and `sigmoid_backward`"),
    answer("sigmoid", SIGMOID),
    test("sigmoid_visible", 1, """
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
    ## 4. Softmax cross-entropy

    A classifier outputs one score (logit) per class, $z \in \mathbb{R}^{N\times C}$. Softmax
    turns each row into probabilities, and the loss is the mean negative log-probability of
    the true class $y_n$:

    $$p_{nc} = \frac{e^{z_{nc}}}{\sum_k e^{z_{nk}}}, \qquad
    L = -\frac{1}{N}\sum_n \log p_{n, y_n}$$

    Write $L_n = -z_{n,y_n} + \log\sum_k e^{z_{nk}}$ and differentiate: the first term gives
    $-1$ at the true class, the second gives $p_{nc}$. With the mean's $1/N$:

    $$\frac{\partial L}{\partial z_{nc}} = \frac{p_{nc} - [c = y_n]}{N}$$

    Probabilities minus the one-hot label: the gradient pushes the true class up and every
    other class down, each in proportion to how much probability it holds.
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
    md("### Exercise 4 — `softmax_cross_entropy`"),
    answer("softmax_cross_entropy", SOFTMAX),
    test("softmax_cross_entropy_visible", 2, """
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
    ## 5. Mean squared error

    For regression the loss compares a prediction with a target of the same shape, averaged
    over **all** $K$ elements (`pred.size`, not the number of rows):

    $$L = \frac{1}{K}\sum_i (\text{pred}_i - \text{target}_i)^2, \qquad
    \frac{\partial L}{\partial\,\text{pred}_i} = \frac{2\,(\text{pred}_i - \text{target}_i)}{K}$$
    """),
    md("### Exercise 5 — `mse_loss`"),
    answer("mse_loss", MSE),
    test("mse_loss_visible", 1, """
    pred, target = np.array([[1.0, 2.0, 0.0], [3.0, 4.0, 0.0]]), np.zeros((2, 3))
    loss, dpred = mse_loss(pred, target)
    assert np.isclose(loss, 30 / 6), f"mse of {pred.tolist()} against 0 is 30/6 = 5.0, got {loss}"
    expect(dpred, numerical_gradient(lambda p: np.mean((p - target) ** 2), pred), "dpred",
           batch_size=6)
    print("mse: the visible tests pass")
    """),
    test("mse_loss_hidden", 2, hidden("nb04", "mse_loss", "test_mse_loss", about=ABOUT)),
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
