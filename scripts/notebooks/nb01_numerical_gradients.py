"""Build solutions/01_numerical_gradients/01_numerical_gradients.ipynb.

Finite differences, the error-vs-h picture, what a numeric gradient costs, gradient checking.
Run: .venv/bin/python scripts/notebooks/nb01_numerical_gradients.py
The solution sources are module constants so that tests can run exactly the notebook's answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nbbuild import answer, code, hidden, md, test, write, written  # noqa: E402

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
    """),
    code("""
    f, x0, exact = np.exp, 1.0, np.e
    for h in [1e-1, 1e-2, 1e-3]:
        forward = (f(x0 + h) - f(x0)) / h
        central = (f(x0 + h) - f(x0 - h)) / (2 * h)
        print(f"h={h:.0e}   forward error {abs(forward - exact):.1e}"
              f"   central error {abs(central - exact):.1e}")
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
    """),
    code("""
    hs = np.logspace(-16, 0, 81)
    forward_err = np.abs((f(x0 + hs) - f(x0)) / hs - exact)
    central_err = np.abs((f(x0 + hs) - f(x0 - hs)) / (2 * hs) - exact)

    ax = plots.step_size_errors(hs, {"forward  (error ∝ h)": forward_err,
                                     "central  (error ∝ h²)": central_err})
    ax.set_title("f(x) = exp(x) at x = 1")
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
    """),
    md(r"""
    ### Exercise 1 — `numerical_gradient(f, x, h=1e-5)`

    Write the central-difference gradient. `f` maps an array shaped like `x` to a float;
    return an array shaped like `x`; leave `x` unchanged.
    """),
    answer("numerical_gradient", NUMERICAL_GRADIENT),
    test("numerical_gradient_visible", 2, """
    # A curved f (a forward difference is visibly worse there), then the h argument.
    from bpcourse.grading import nb01
    nb01.test_numerical_gradient(numerical_gradient, seeds=[0])
    nb01.test_numerical_gradient_step(numerical_gradient, seeds=[0])

    # f(x) = sum(x²) has gradient 2x. x is 2-D and not square; it must come back unchanged.
    x = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]])
    x_before = x.copy()
    grad = numerical_gradient(lambda v: np.sum(v ** 2), x)
    assert np.array_equal(x, x_before), "x was changed: restore x[i] after perturbing it"
    expect(grad, 2 * x_before, "numerical_gradient of sum(x²)")
    print("numerical_gradient: the visible tests pass")
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
    """),
    md(r"""
    ### Exercise 2 — `rel_error(a, b)`

    Vectorised, no loop: `np.abs`, `np.maximum` (elementwise; Python's `max` is not) and
    `np.max`. Return one float.
    """),
    answer("rel_error", REL_ERROR),
    test("rel_error_visible", 1, """
    a = np.array([1.0, 0.0, -2.0, 100.0])
    b = np.array([1.0, 0.0, -2.0, 101.0])
    got = rel_error(a, b)
    assert np.ndim(got) == 0, f"rel_error must return one number, got shape {np.shape(got)}"
    # worst element: |100 - 101| / (100 + 101) = 1/201; the (0, 0) pair must not give NaN
    assert np.isfinite(got), "NaN: where a and b are both 0, divide by np.maximum(1e-8, |a|+|b|)"
    expect(np.array([float(got)]), np.array([1 / 201]), "rel_error", tol=1e-12, mistakes=[
        ("the mean over elements instead of the max", np.array([1 / 201 / 4]))])
    print("rel_error: the visible tests pass")
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
    """),
    code("""
    predicted = 2 * np.array(counts) * np.array(one_pass)
    ax = plots.cost_vs_params(counts, seconds, predicted)
    ax.set_title("numerical_gradient on a small net")
    plt.show()
    """),
    md(r"""
    The count is exactly $2P$, and the measured time follows the prediction
    "$2P$ × the time of one forward pass" (the exact seconds depend on your machine). It grows
    *faster* than $P$: there are $2P$ passes, and each pass gets more expensive as the network
    grows. A network with a million parameters would need two million forward passes for
    **one** gradient. Backpropagation gets the same gradient for the cost of about one forward
    and one backward pass — notebooks 02 and 03 show how, notebook 06 measures the difference.
    """),
    md(r"""
    ### Question (written answer)

    In the plot of section 2, the error of the central difference **grows again** when $h$
    gets smaller than about $10^{-5}$. Explain why, in two or three sentences, and say what
    happens to the estimate if you take $h = 10^{-20}$ with $x_0 = 1$.
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
    """),
    md(r"""
    ## What you did

    - Forward differences have error $O(h)$, central differences $O(h^2)$; round-off adds
      $\varepsilon |f| / h$, so $h \approx 10^{-5}$ is the sweet spot for central differences.
    - `numerical_gradient` perturbs one element at a time and restores it: $2P$ evaluations.
    - `rel_error` compares gradients scale-free; gradient checking compares an analytic
      gradient with a numeric one.

    **Next, 02_chain_rule:** the chain rule (链式法则) on a computation graph (计算图) gives
    every partial derivative at once.
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
