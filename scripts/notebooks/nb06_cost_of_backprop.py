"""Build solutions/06_cost_of_backprop/06_cost_of_backprop.ipynb: what backprop costs.

Run: .venv/bin/python scripts/notebooks/nb06_cost_of_backprop.py
The solution sources are module constants so that tests can run exactly the notebook's answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nbbuild import answer, code, hidden, md, test, write, written  # noqa: E402

NAME = "06_cost_of_backprop"
# What the hidden tests try, for the comment of each hidden-test cell.
ABOUT = "fixed and random MLPs and batch sizes"

COUNT_PARAMS = '''
def count_params(layer_sizes):
    """Number of parameters P of the MLP [m0, m1, ..., mL].

    Args:
        layer_sizes: list of ints, the widths: m0 inputs, then each layer's outputs.

    Returns:
        P, an int: every Linear layer m_in -> m_out has m_in·m_out weights and m_out biases.
    """
    ### BEGIN SOLUTION
    return sum(d * m + m for d, m in zip(layer_sizes[:-1], layer_sizes[1:]))
    ### END SOLUTION
'''

PASSES = '''
def forward_flops(layer_sizes, n):
    """FLOPs of one forward pass over a batch of n examples, in the course's model.

    Args:
        layer_sizes: [m0, ..., mL]; n: batch size.

    Returns:
        An int: 2 FLOPs (one multiply-add) per parameter per example.
    """
    ### BEGIN SOLUTION
    return 2 * n * count_params(layer_sizes)
    ### END SOLUTION


def backward_flops(layer_sizes, n):
    """FLOPs of one backward pass over a batch of n examples, in the course's model.

    Args:
        layer_sizes: [m0, ..., mL]; n: batch size.

    Returns:
        An int: 4 FLOPs (two multiply-adds, for dW and for dx) per parameter per example.
    """
    ### BEGIN SOLUTION
    return 4 * n * count_params(layer_sizes)
    ### END SOLUTION
'''

NUMERIC = '''
def numeric_gradient_flops(layer_sizes, n):
    """FLOPs of all P gradients by central differences over a batch of n examples.

    Args:
        layer_sizes: [m0, ..., mL]; n: batch size.

    Returns:
        An int: 2 forward passes per parameter.
    """
    ### BEGIN SOLUTION
    return 2 * count_params(layer_sizes) * forward_flops(layer_sizes, n)
    ### END SOLUTION
'''

DUAL = '''
class Dual:
    """A number that carries its derivative along: value + tangent·ε, where ε² = 0.

    Args:
        value: the number, a float.
        tangent: its derivative along the chosen input direction (0.0: a constant).
    """

    def __init__(self, value, tangent=0.0):
        self.value = float(value)
        self.tangent = float(tangent)

    # ----- primitive operations: value and tangent side by side -----

    def __add__(self, other):
        ### BEGIN SOLUTION
        other = other if isinstance(other, Dual) else Dual(other)
        return Dual(self.value + other.value, self.tangent + other.tangent)  # (a + b)' = a' + b'
        ### END SOLUTION

    def __mul__(self, other):
        ### BEGIN SOLUTION
        other = other if isinstance(other, Dual) else Dual(other)
        return Dual(self.value * other.value,                      # (a·b)' = a'·b + a·b'
                    self.tangent * other.value + self.value * other.tangent)
        ### END SOLUTION

    def __pow__(self, k):
        """self ** k for an int or float constant k."""
        ### BEGIN SOLUTION
        return Dual(self.value ** k, k * self.value ** (k - 1) * self.tangent)  # k·a^(k−1)·a'
        ### END SOLUTION

    def exp(self):
        ### BEGIN SOLUTION
        e = math.exp(self.value)
        return Dual(e, e * self.tangent)                           # (e^a)' = e^a·a'
        ### END SOLUTION

    def tanh(self):
        ### BEGIN SOLUTION
        t = math.tanh(self.value)
        return Dual(t, (1 - t * t) * self.tangent)                 # (tanh a)' = (1 − tanh² a)·a'
        ### END SOLUTION

    # ----- compound operations reuse the primitives -----

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __sub__(self, other):
        ### BEGIN SOLUTION
        return self + (-other)
        ### END SOLUTION

    def __rsub__(self, other):    # other - self
        ### BEGIN SOLUTION
        return (-self) + other
        ### END SOLUTION

    def __truediv__(self, other):
        ### BEGIN SOLUTION
        return self * other ** -1
        ### END SOLUTION

    def __rtruediv__(self, other):  # other / self
        ### BEGIN SOLUTION
        return self ** -1 * other
        ### END SOLUTION

    def __repr__(self):
        return f"Dual(value={self.value:.6g}, tangent={self.tangent:.6g})"
'''

FORWARD_MODE = '''
def forward_mode_gradient(f, x):
    """The gradient of a scalar f of P inputs by forward mode: one pass of f per input.

    Args:
        f: takes a list of P numbers (Duals) and returns one Dual.
        x: the point, a list or array of P floats (left unchanged).

    Returns:
        A float array of shape (P,): ∂f/∂x[i] in entry i.
    """
    ### BEGIN SOLUTION
    grad = np.zeros(len(x))
    for i in range(len(x)):
        # pass i: x[i] moves with speed 1, every other input stays put
        inputs = [Dual(v, 1.0 if j == i else 0.0) for j, v in enumerate(x)]
        grad[i] = f(inputs).tangent
    return grad
    ### END SOLUTION
'''

ACTIVATION_MEMORY = '''
def activation_memory(layer_sizes, n, bytes_per_number=8):
    """Bytes the forward pass of the MLP [m0, m1, ..., mL] keeps for its backward pass.

    Args:
        layer_sizes: list of ints, the widths: m0 inputs, then each layer's outputs.
        n: batch size.
        bytes_per_number: 8 for float64, 4 for float32.

    Returns:
        An int: every Linear caches its input (n × m_in) and every hidden ReLU its input
        (n × m), as bpcourse.layers does.
    """
    ### BEGIN SOLUTION
    linear_inputs = sum(layer_sizes[:-1])    # m0 (the data) and each hidden layer's output
    relu_inputs = sum(layer_sizes[1:-1])     # each hidden layer's pre-activation
    return bytes_per_number * n * (linear_inputs + relu_inputs)
    ### END SOLUTION
'''

QUESTION = """
### Exercise 4 — in your own words (written, graded by hand)

**Why does the backward pass cost about twice the forward pass, and why does numeric
differentiation fall further behind as the network grows?** Answer in the cell below (a few
sentences; replace its text).
"""

TRADE_QUESTION = """
### Exercise 8 — the time–memory trade (written, graded by hand)

**A network of L equal layers does not fit in memory for training at the batch size you want.
Name two ways out that this notebook showed, and say for each what it costs.** Answer in the
cell below (a few sentences; replace its text).
"""

TRADE_ANSWER = """
*Model answer (full marks for both ways and their prices, in any words):*

1. **A smaller batch.** The activations grow linearly with n (the plot): half the batch, half
   the activation memory. The price is time and noise: each step sees fewer examples, so the
   gradient is noisier, an epoch takes more steps, and small matrix products run at a lower
   rate (FLOPs are not time).
2. **Checkpointing.** Keep every k-th layer's activations and recompute the others from the
   nearest checkpoint during the backward pass: about L/k + k arrays instead of L (2√L of them
   for k = √L), for the price of about one more forward pass, ≈ 2nP more FLOPs on top of the
   6nP of a step.

(Also right: inference needs no caches at all, and float32 halves every array: 4 bytes per
number instead of 8, at the price of precision.)
"""

WRITTEN = """
*Model answer (full marks for both points, in any words):*

1. In the forward pass each weight takes part in one multiply-add per example (in `x @ W`).
   In the backward pass it takes part in two: one to form its own gradient
   (`dW = x.T @ dout`) and one to pass the gradient back to the layer below
   (`dx = dout @ W.T`). Two matrix products of the same size as the forward one: 4nP against
   2nP, so backward ≈ 2 × forward, and all P gradients cost about 3 forward passes.
2. Central differences need 2 forward passes *per parameter*: 2P · 2nP = 4nP² FLOPs, a cost
   that grows with P², against 6nP for backprop. The ratio, 2P/3, grows linearly with P:
   a million parameters make numeric gradients hundreds of thousands of times slower.
"""



CELLS = [
    md(r"""
    # 06 · The cost of backprop

    The course's one idea has two halves. The first — backpropagation (反向传播) is the chain
    rule (链式法则) applied to a computation graph (计算图) — you have built, from scalars to
    layers. This notebook is the second: **backprop gives every gradient (梯度) for the price of
    about three forward passes, where numeric differentiation pays two forward passes per
    parameter.** And it asks what that speed costs in memory.

    **After this notebook you will be able to**

    - count the parameters and the FLOPs of an MLP's forward pass, backward pass and numeric
      gradient, and say exactly what the count includes;
    - explain why a backward pass costs about twice a forward pass, and why a stopwatch can
      disagree with the count;
    - differentiate in **forward mode** with dual numbers, and say why training uses reverse
      mode (backprop) instead;
    - count and measure the memory backprop needs for its cached activations (激活值);
    - use PyTorch's `autograd` on a network you also differentiated yourself.
    """),
    code("""
    import math
    import os
    import time

    import matplotlib.pyplot as plt
    import numpy as np

    from bpcourse import Value, cost, flops, memory, plots

    rng = np.random.default_rng(0)
    QUICK = bool(os.environ.get("NBGRADER_EXECUTION"))  # smaller measurements while grading
    """),
    md(r"""
    ## What we count

    An MLP is given by its `layer_sizes` $[m_0, m_1, \dots, m_L]$, the **widths**: $m_0$
    inputs, then a Linear layer $m_{l-1} \to m_l$ for each $l$ (with a ReLU between layers),
    run on a batch of $n$ examples. A **FLOP** is one floating-point addition or
    multiplication.

    For one Linear layer $m_\text{in} \to m_\text{out}$:

    - `x @ W`, $(n, m_\text{in})\,(m_\text{in}, m_\text{out})$: each of the $n\,m_\text{out}$
      outputs is a sum of $m_\text{in}$ products, $m_\text{in}$ multiplies and $m_\text{in}$
      adds. **A multiply-add is 2 FLOPs**, so the product costs
      $2\,n\,m_\text{in} m_\text{out}$.
    - `+ b`, $(m_\text{out},)$ added to every row: $n\,m_\text{out}$ adds.

    **The course's model** rounds this to one rule: *every parameter takes part in one
    multiply-add, 2 FLOPs, per example*. With
    $P = \sum_l (m_{l-1} m_l + m_l)$ parameters (参数量):

    $$\text{forward} = 2\,n\,P$$

    > **Reading the seed note?** It writes forward ≈ **2PD** and backward ≈ **4PD**, with
    > P = the number of parameters and **D = the amount of data**. That is this course's
    > **2nP** and **4nP**: the seed's D is our $n$, the number of examples. (Other texts use D
    > for a layer's width; this notebook writes widths as $m$, so D never means two things.)

    What the model leaves out, on purpose, because each is smaller by a factor of about the
    width: the bias is really 1 FLOP per example, not 2; a sum of $m_\text{in}$ products
    needs $m_\text{in} - 1$ adds, not $m_\text{in}$; the ReLU (one compare per element) and
    the loss (a few FLOPs per logit) are not counted at all.
    """),
    md(r"""
    ## The backward pass: every weight is used twice

    For each Linear layer, backward computes two matrix products of the same size as the
    forward one:

    $$dW = x^\top\,\text{dout} \quad (m_\text{in}, n)(n, m_\text{out}):\
    2\,n\,m_\text{in} m_\text{out}
    \qquad
    dx = \text{dout}\,W^\top \quad (n, m_\text{out})(m_\text{out}, m_\text{in}):\
    2\,n\,m_\text{in} m_\text{out}$$

    plus $db$, a sum over the batch ($n\,m_\text{out}$ adds, counted as $2\,n\,m_\text{out}$
    like the bias). So each weight takes part in **two** multiply-adds per example, one for
    its own gradient and one to pass the gradient on:

    $$\text{backward} = 4\,n\,P \approx 2 \times \text{forward}$$

    The model counts `dx` for **every** layer, the first one included. A real implementation
    skips the first layer's `dx` when $x$ is data (nobody needs $\partial L/\partial x$ of the
    inputs): `bpcourse.nn.Linear(..., input_grad=False)` does, and then backward costs less
    than twice the forward, noticeably so when the first layer is the widest.

    **Numeric gradients.** Central differences evaluate $L(\theta \pm h)$ for each parameter:
    $2P$ forward passes, $2P \cdot 2nP = 4nP^2$ FLOPs. Backprop needs one forward and one
    backward pass, $6nP$: numeric differentiation costs $\tfrac{2P}{3}$ times as much.

    **Where the rule holds beyond dense layers, exactly.** The rule is about *multiply-adds of
    a weight with an activation*: each costs 2 FLOPs forward and 4 backward (one multiply-add
    for the weight's gradient, one for the input's). That holds for any layer built of them,
    convolutions and attention included. What does **not** carry over is "per parameter": in
    a dense layer each weight is used exactly once per example, so multiply-adds = $P$ per
    example; with **weight sharing** (a convolution slides the same kernel over every
    position, a recurrent net reuses its weights at every time step) a weight takes part in
    many multiply-adds per example, and the cost is $2n \times$ (multiply-adds per example),
    far more than $2nP$ — backward ≈ 2 × forward still holds. And the rule says nothing
    about **memory** (below): that grows with the activations, $n$ times the widths, not with
    $P$.
    """),
    md("""
    ### Exercise 1 — `count_params(layer_sizes)`

    `[2, 3, 1]` is a Linear 2 → 3 (6 weights, 3 biases) and a Linear 3 → 1 (3 weights, 1 bias):
    13 parameters.
    """),
    answer("count_params", COUNT_PARAMS),
    test("count_params_visible", 1, """
    got = count_params([2, 3, 1])
    assert got == 13, f"count_params([2, 3, 1]) = {got}, expected 13 (2·3 + 3 + 3·1 + 1)"
    assert count_params([784, 128, 10]) == 101_770, (
        f"count_params([784, 128, 10]) = {count_params([784, 128, 10])}, expected 101,770 "
        "(784·128 + 128 + 128·10 + 10)")
    print("count_params: the visible test passes")
    """),
    test("count_params_hidden", 1, hidden(
        "nb06", "count_params", "test_count_params", about=ABOUT)),
    md("""
    ### Exercise 2 — `forward_flops(layer_sizes, n)` and `backward_flops(layer_sizes, n)`

    The course's model, exactly: 2 FLOPs per parameter per example forward, 4 backward. You
    may call your `count_params`.
    """),
    answer("passes", PASSES),
    test("passes_visible", 1, """
    got = forward_flops([2, 3, 1], 4)
    assert got == 104, f"forward_flops([2, 3, 1], 4) = {got}, expected 2·4·13 = 104"
    got = backward_flops([2, 3, 1], 4)
    assert got == 208, f"backward_flops([2, 3, 1], 4) = {got}, expected 4·4·13 = 208"
    print("forward_flops, backward_flops: the visible test passes")
    """),
    test("passes_hidden", 2, hidden(
        "nb06", "forward_flops, backward_flops", "test_forward_backward_flops", about=ABOUT)),
    md("""
    ### Exercise 3 — `numeric_gradient_flops(layer_sizes, n)`

    Two forward passes per parameter (central differences), each of `forward_flops` FLOPs.
    """),
    answer("numeric_gradient_flops", NUMERIC),
    test("numeric_gradient_flops_visible", 1, """
    got = numeric_gradient_flops([2, 3, 1], 4)
    assert got == 2 * 13 * 104, (
        f"numeric_gradient_flops([2, 3, 1], 4) = {got}, expected 2·13·104 = 2,704")
    print("numeric_gradient_flops: the visible test passes")
    """),
    test("numeric_gradient_flops_hidden", 1,
         hidden("nb06", "numeric_gradient_flops", "test_numeric_gradient_flops", about=ABOUT)),
    md(r"""
    ## The model against the exact count

    `bpcourse.flops.mlp_flops` counts what `bpcourse.nn` really does, operation by operation:
    $m_\text{in} - 1$ adds per sum, 1 FLOP per bias, the ReLU, the loss, and — unless
    `input_grad=True` — no `dx` for the first layer. Compare with your model:
    """),
    code("""
    print(f"{'MLP':>19} {'n':>4} {'P':>9} | {'forward':>12} {'exact':>12} | "
          f"{'backward':>12} {'exact':>12} {'exact, no 1st dx':>17} | ratio")
    for sizes, n in [([2, 64, 3], 300), ([32, 256, 256, 10], 64), ([784, 128, 10], 64),
                     ([1024, 1024, 1024, 1024], 32)]:
        exact_all = flops.mlp_flops(sizes, n, input_grad=True)
        exact = flops.mlp_flops(sizes, n)
        print(f"{'-'.join(map(str, sizes)):>19} {n:>4} {count_params(sizes):>9,} | "
              f"{forward_flops(sizes, n):>12,} {exact_all['forward']:>12,} | "
              f"{backward_flops(sizes, n):>12,} {exact_all['backward']:>12,} "
              f"{exact['backward']:>17,} | {exact['backward'] / exact['forward']:.2f}")
    """),
    md(r"""
    The model and the exact count agree to a few percent once the layers are wide; where they
    differ, it is the terms the model leaves out. The last column, backward/forward of the
    exact count without the first layer's `dx`, is what you can hope to measure. With $L$
    equal layers it is $(2L-1)/L$: `1024-1024-1024-1024` has three, so five matrix products
    backward against three forward, $5/3 \approx 1.67$, approaching 2 as the network deepens.
    For `784-128-10` it is about 1: the first layer holds almost all the weights and needs
    only its `dW`.
    """),
    md(QUESTION),
    written("why_twice", 2, WRITTEN),
    md(r"""
    ## Measured on your machine: backward / forward

    Counting is a prediction; now the stopwatch. `bpcourse.cost.measure` times the forward
    pass (with the loss), the backward pass, and both together, each the median of several
    runs, with one BLAS thread (why, below). For a network big enough that the arithmetic,
    not Python, takes the time, the measured ratio should sit near the exact count's
    prediction.
    """),
    code("""
    sizes, n = ([64, 128, 128, 10], 64) if QUICK else ([128, 384, 384, 10], 128)
    row = cost.measure(sizes, n, repeats=3 if QUICK else 5, numeric_sample=2)
    print(f"MLP {row['layer_sizes']}, n = {n}, P = {row['params']:,}")
    print(f"forward  {row['t_forward'] * 1e3:7.2f} ms")
    print(f"backward {row['t_backward'] * 1e3:7.2f} ms")
    print(f"backward / forward: measured {row['ratio_backward_forward']:.2f}, "
          f"exact count {row['ratio_backward_forward_predicted']:.2f}, model 2")
    """),
    md(r"""
    ## FLOPs are not time

    A FLOP count predicts time only if every FLOP takes the same time. Two things break that:

    1. **Not every matrix product runs at the same rate.** The forward `x @ W` has inner
       dimension $m_\text{in}$; backward's `x.T @ dout` has inner dimension $n$, the batch: a
       *skinny* product, a sum of only $n$ terms per output. A BLAS library splits a product
       across CPU threads; for a skinny one that split pays little, and on a busy machine
       (other programs on the other core) it can cost more than it saves. On the machine this
       notebook was written on, `python -m bpcourse cost` measured backward/forward at
       **2.84 and 2.71** for the two largest networks, where the exact count says 1.89 and
       1.91; there `x.T @ dout` ran at 18–30 GFLOP/s while `x @ W` ran at 47–56.
    2. **Not all the time is in FLOPs.** The bias, the ReLU, the loss, the input checks and
       Python's own bookkeeping take a fixed time per operation, however few FLOPs they do.
       For small layers that fixed time dominates, and the ratio drifts towards 1.

    `bpcourse.cost` therefore times with **one BLAS thread** (`threads=1`, the default; it
    records what it used), so that every product runs at about the same rate — what a FLOP
    count assumes. Copying `x.T` into a contiguous array, the other obvious suspect, changes
    nothing measurable: BLAS reads the transposed view directly. Below, each product of the
    network above is timed twice — alone, and where it happens inside a replay of the passes
    (there the other arrays of the pass compete for the CPU's caches) — with its GFLOP/s, and
    how much of each measured pass the products explain.
    """),
    code("""
    rates = cost.matmul_rates(sizes, n, repeats=5 if QUICK else 21)
    print(cost.format_rates(rates, row))
    """),
    md(r"""
    How to read it: if every GFLOP/s in the table is about the same, the products' time ratio
    matches their FLOP ratio, and whatever gap remains between the measured ratio and the
    count is "the rest" — work the count leaves out. (If "the rest" is large and changes
    from run to run, other programs took the CPU during the passes: a pass lasts
    milliseconds, long enough to be interrupted, a single product rarely is. Run the cell
    again, or on a quieter machine.) To see the threading effect yourself,
    run `cost.matmul_rates(sizes, n, threads=None)` (BLAS's default) and compare the rate of
    `x.T @ dout` with that of `x @ W`. The lesson stands, with its condition stated: backward
    costs about twice the forward *in arithmetic*; the stopwatch agrees when the arithmetic
    runs at one rate and dominates.
    """),
    md(r"""
    ## Numeric gradients against backprop

    Now all $P$ gradients, both ways, for MLPs $[32, w, w, 10]$ of growing width $w$.
    Backprop is timed in full; the numeric gradient is timed on a random sample of parameters
    and scaled up to all $P$ (every parameter costs the same two forward passes), because the
    full thing would take minutes. The lines are the FLOP counts divided by the rate your
    machine reached on the largest backprop.
    """),
    code("""
    max_params = 3_000 if QUICK else 25_000  # python -m bpcourse cost: up to 10⁵
    rows = cost.sweep(cost.default_sizes(max_params=max_params), n=64,
                      repeats=1 if QUICK else 3, numeric_sample=10 if QUICK else 20)
    print(cost.format_table(rows))
    fig, (ax_cost, ax_ratio) = plt.subplots(1, 2, figsize=(12, 4.5))
    plots.plot_cost(rows, ax=ax_cost)
    plots.plot_backward_ratio(rows, ax=ax_ratio)
    plt.show()
    """),
    md(r"""
    How to read it:

    - On log-log axes a cost $\propto P$ is a line of slope 1 and a cost $\propto P^2$ a line
      of slope 2. For tiny networks Python's fixed overhead per layer dominates, so backprop's
      points lie flat and the numeric ones rise with slope 1 (2P passes of a fixed cost); as
      the arithmetic takes over, they bend towards the theory lines, slope 1 and slope 2.
      Single points can jump when another program takes the CPU: run the cell again.
    - The vertical gap between them is the speed-up, about $2P/3$: it widens by a factor of
      10 for every factor of 10 in $P$. At a million parameters, one numeric gradient would
      take as long as several hundred thousand steps of backprop.
    - The right panel is backward/forward measured at each size. For small networks the
      constant overheads blur it; for big ones it approaches the exact count's prediction.

    To make the full plot, with larger networks, from a terminal:
    `python -m bpcourse cost --out cost.png`.
    """),
    md(r"""
    ## Why reverse mode? Forward mode, by you

    The chain rule can be applied in either direction. Backprop applies it from the output
    back: one backward pass gives $\partial L/\partial\theta$ for every parameter. **Forward
    mode** applies it from the inputs forward: along with every value it carries that
    value's derivative with respect to *one* chosen input, its **tangent**, and it needs no
    graph and no backward pass at all.

    The tool is the **dual number** $a + a'\varepsilon$ with the rule $\varepsilon^2 = 0$.
    Arithmetic on dual numbers *is* the chain rule:

    $$(a + a'\varepsilon)(b + b'\varepsilon) = ab + (a'b + ab')\,\varepsilon
    \qquad\qquad f(a + a'\varepsilon) = f(a) + f'(a)\,a'\,\varepsilon$$

    The first is the product rule, the second the chain rule for any one-input function
    ($e^a$, $\tanh a$, $a^k$). Start with $x = $ `Dual(x, 1.0)` (it moves with speed 1) and
    every constant at tangent 0; the result's tangent is $df/dx$.

    ### Exercise 5 — `class Dual(value, tangent=0.0)`

    Fill in the primitive operations (`+`, `*`, `**` with a constant exponent, `exp`,
    `tanh`), then the compound ones, which reuse them as in your `Value` of notebook 03
    (`a - b` is `a + (-b)`, `a / b` is `a * b ** -1`). Each returns a **new** `Dual`; a plain
    number on either side is a constant, `Dual(number)`.
    """),
    answer("dual", DUAL),
    test("dual_visible", 1, """
    a, b = Dual(3.0, 1.0), Dual(2.0, 0.0)   # a moves with speed 1, b is held still
    p = a * b
    assert (p.value, p.tangent) == (6.0, 2.0), (
        f"Dual(3, 1) * Dual(2, 0) = Dual({p.value}, {p.tangent}), expected Dual(6, 2). "
        + ("Likely mistake: the tangent a'·b' = 1·0 = 0; multiplication needs the product "
           "rule, a'·b + a·b' = 1·2 + 3·0" if p.tangent == 0 else
           "The product rule: a'·b + a·b' = 1·2 + 3·0 = 2"))
    x = Dual(0.5, 2.0)          # tangent 2: the chain rule multiplies f'(x) by it
    for name, got, value, slope in [
            ("x + 1", x + 1, 1.5, 1.0), ("1 - x", 1 - x, 0.5, -1.0), ("x / 2", x / 2, 0.25, 0.5),
            ("2 / x", 2 / x, 4.0, -8.0), ("x ** 3", x ** 3, 0.125, 0.75),
            ("x.exp()", x.exp(), math.exp(0.5), math.exp(0.5)),
            ("x.tanh()", x.tanh(), math.tanh(0.5), 1 - math.tanh(0.5) ** 2)]:
        want = slope * 2.0      # f'(x) · x's tangent
        assert abs(got.value - value) < 1e-12 and abs(got.tangent - want) < 1e-12, (
            f"{name} with x = Dual(0.5, 2.0): got Dual({got.value:.6g}, {got.tangent:.6g}), "
            f"expected Dual({value:.6g}, {want:.6g})" + (
                ". Likely mistake: f'(x) must be multiplied by x's tangent, 2 (the chain rule)"
                if abs(got.tangent - slope) < 1e-12 else ""))
    print("Dual: the visible test passes")
    """),
    test("dual_hidden", 2, hidden(
        "nb06", "Dual", "test_dual",
        about="every operation at random points and tangents against central differences")),
    md(r"""
    ### Exercise 6 — `forward_mode_gradient(f, x)`

    One forward-mode pass gives the derivative along one direction. For the gradient of a
    scalar $f$ of $P$ inputs, make **$P$ passes**: in pass $i$, input $i$ gets tangent 1 and
    every other input tangent 0; the result's tangent is $\partial f/\partial x_i$. `f` takes
    a list of $P$ numbers and returns one `Dual`.
    """),
    answer("forward_mode_gradient", FORWARD_MODE),
    test("forward_mode_gradient_visible", 1, """
    passes = []

    def f(xs):                      # f = x0·x1 + 3·x2: ∇f = (x1, x0, 3)
        passes.append(1)
        return xs[0] * xs[1] + 3.0 * xs[2]

    got = forward_mode_gradient(f, [1.0, 2.0, 3.0])
    assert np.ndim(got) == 1 and len(got) == 3, (
        f"forward_mode_gradient returned {got!r}, expected 3 partial derivatives [2, 1, 3]. "
        "Likely mistake, if it is the single number 6: it seeds every tangent at once, which "
        "gives the SUM of the partials; seed one input per pass.")
    got = np.asarray(got, dtype=float)
    assert np.allclose(got, [2.0, 1.0, 3.0]), (
        f"forward_mode_gradient(f, [1, 2, 3]) = {got}, expected [2, 1, 3]"
        + (". Likely mistake: it seeds every tangent at once (6 = 2 + 1 + 3 is the sum of the "
           "partials); in pass i only x[i] has tangent 1" if np.allclose(got, 6.0) else ""))
    assert len(passes) == 3, f"f was called {len(passes)} times; forward mode: one pass per input"
    print("forward_mode_gradient: the visible test passes")
    """),
    test("forward_mode_gradient_hidden", 2, hidden(
        "nb06", "forward_mode_gradient", "test_forward_mode_gradient",
        about="random smooth functions of 2 to 8 inputs against central differences, passes "
              "counted")),
    md(r"""
    ## Forward, reverse and numeric, side by side

    The same gradient of $f(x) = \sum_i x_i\,x_{i+1} / (1 + x_i^2)$, a function of $P$ inputs
    whose evaluation costs about $P$ operations, three ways: your forward mode, reverse mode
    (the course's `Value`: one forward pass that records the graph, one backward pass), and
    central differences. Each method gets a copy of $f$ that counts how often it is called.
    """),
    code("""
    from bpcourse import numerical_gradient


    def chain_sum(xs):
        total = 0.0
        for i in range(len(xs) - 1):
            total = total + xs[i] * xs[i + 1] / (1.0 + xs[i] ** 2)
        return total


    def reverse_mode_gradient(f, x):
        xs = [Value(float(v)) for v in x]
        f(xs).backward()                 # one forward pass, one backward pass
        return np.array([v.grad for v in xs])


    methods = {"forward mode (your Dual)": forward_mode_gradient,
               "reverse mode (Value)": reverse_mode_gradient,
               "central differences": lambda f, x: numerical_gradient(f, np.array(x))}
    sizes_p = [2, 4, 8, 16] if QUICK else [2, 4, 8, 16, 32, 64, 128]
    passes = {name: [] for name in methods}
    seconds = {name: [] for name in methods}
    for p in sizes_p:
        x = list(rng.uniform(-1, 1, size=p))
        grads = []
        for name, method in methods.items():
            calls = []
            counted = lambda xs: calls.append(1) or chain_sum(xs)  # noqa: E731
            times = []
            for _ in range(1 if QUICK else 3):  # the best of three: less noise
                calls.clear()
                start = time.perf_counter()
                grad = method(counted, x)
                times.append(time.perf_counter() - start)
            grads.append(grad)
            seconds[name].append(min(times))
            passes[name].append(len(calls))
        assert np.allclose(grads[0], grads[1]) and np.allclose(grads[0], grads[2], atol=1e-6)
    print(f"{'P':>5}" + "".join(f"{name:>27}" for name in methods) + "   (calls of f, ms)")
    for k, p in enumerate(sizes_p):
        print(f"{p:>5}" + "".join(f"{passes[m][k]:>12} {seconds[m][k] * 1e3:>12.2f}ms"
                                  for m in methods))
    plots.plot_passes(sizes_p, passes, seconds)
    plt.show()
    """),
    md(r"""
    Forward mode calls $f$ $P$ times, central differences $2P$ times; reverse mode calls it
    **once**, whatever $P$ — its backward pass costs about two more, as you counted above. With
    each pass costing about $P$, forward mode's and numeric's times grow like $P^2$ and
    reverse mode's like $P$. All three agree on the gradient (the `assert`), and forward
    mode's is exact, like backprop's: it is the *number of passes* that separates them.

    **When forward mode wins: few inputs, many outputs.** For $f:\mathbb{R}^P \to
    \mathbb{R}^K$, one forward pass gives the derivatives of *all $K$ outputs* with respect
    to one input (a column of the Jacobian); one backward pass gives the derivatives of *one
    output* with respect to all $P$ inputs (a row). So forward mode needs $P$ passes,
    reverse mode $K$. Training a network is the extreme case for reverse mode: $P$ in the
    millions, $K = 1$ (the loss). Forward mode is the right tool the other way round — the
    sensitivity of a whole simulated trajectory to one physical constant, a curve's
    dependence on one knob — and it keeps no graph and no cached activations, which brings us
    to what reverse mode's speed costs.
    """),
    md(r"""
    ## Memory: what backward needs from forward

    To compute `dW = x.T @ dout`, the backward pass needs `x`, the activation the forward pass
    saw. So the forward pass of training **keeps** what `bpcourse.layers` puts in its caches:

    - every `linear_forward` caches its input `x`: $n \times m_\text{in}$ numbers (for the
      first layer, the data itself) — and `W`, which exists anyway: a parameter, not an
      activation;
    - every `relu_forward` caches its input: $n \times m$ for each hidden layer. Its output is
      a new array, the next Linear's input, so **a hidden layer keeps two arrays**.

    That is the definition this notebook uses: $n\,(m_0 + 2\sum_{l=1}^{L-1} m_l)$ numbers,
    8 bytes each in float64. Inference keeps none of them: each layer's output can be dropped
    as soon as the next has read it.

    ### Exercise 7 — `activation_memory(layer_sizes, n, bytes_per_number=8)`

    For `[2, 3, 1]` and $n = 4$: the first Linear caches $x$ ($4 \times 2$), the ReLU its input
    ($4 \times 3$), the second Linear the ReLU's output ($4 \times 3$): $4 \cdot 8 = 32$
    numbers, 256 bytes.
    """),
    answer("activation_memory", ACTIVATION_MEMORY),
    test("activation_memory_visible", 1, """
    got = activation_memory([2, 3, 1], 4)
    likely = {104: "104 = 8 · 13 counts the 13 parameters, not the activations",
              192: "192 leaves out the input x, which the first Linear caches for its dW",
              64: "64 leaves out the batch: every cached array has n = 4 rows",
              160: "160 counts the hidden layer once: the ReLU caches its input and the next "
                   "Linear caches the ReLU's output",
              32: "32 is the count of numbers; multiply by bytes_per_number"}
    assert got == 256, (f"activation_memory([2, 3, 1], 4) = {got}, expected 8 bytes · 4 · "
                        f"(2 + 3 + 3) = 256. " + likely.get(got, ""))
    got = activation_memory([2, 3, 1], 4, bytes_per_number=4)
    assert got == 128, f"with bytes_per_number=4 (float32): got {got}, expected 128"
    print("activation_memory: the visible test passes")
    """),
    test("activation_memory_hidden", 2, hidden(
        "nb06", "activation_memory", "test_activation_memory",
        about="fixed and random MLPs, batch sizes, 4 or 8 bytes per number")),
    md(r"""
    ### Counted and measured

    `bpcourse.memory.measure_memory` runs one training step (forward with caches, loss,
    backward) and one inference on a batch of $n$, watching every allocation with Python's
    `tracemalloc` (numpy reports its arrays to it). It reports what the forward pass still
    holds when it ends, the peak of the whole step, and the peak of inference.
    """),
    code("""
    mem_sizes = [64, 256, 256, 10]
    batches = [8, 32, 128, 256] if QUICK else [8, 32, 128, 256, 512, 1024]
    rows = [memory.measure_memory(mem_sizes, b) for b in batches]
    counted = [activation_memory(mem_sizes, b) for b in batches]
    print(f"MLP {mem_sizes}, P = {count_params(mem_sizes):,} "
          f"({8 * count_params(mem_sizes) / 2**20:.2f} MiB of weights, for every batch size)")
    print(f"{'n':>5} {'counted':>10} {'held after forward':>19} {'peak, training':>15} "
          f"{'peak, inference':>16}   (MiB)")
    for b, c, r in zip(batches, counted, rows):
        print(f"{b:>5} {c / 2**20:>10.2f} {r['kept'] / 2**20:>19.2f} "
              f"{r['peak_train'] / 2**20:>15.2f} {r['peak_inference'] / 2**20:>16.2f}")
    plots.plot_memory(batches, counted, rows)
    plt.show()
    """),
    md(r"""
    The count and what the forward pass holds agree (the small excess is the loss's
    `dlogits`, $n \times m_L$). Both grow **linearly with the batch**, and with the depth: each
    hidden layer adds $2n\,m$ numbers. The peak of a training step is higher still: while
    backward runs, the gradients `dout` of the layers and each `dW` exist for a moment too.
    Inference stays low: it only ever holds a layer's input and output.

    **Checkpointing** trades that memory back for time. Keep the activations of only every
    $k$-th layer (the checkpoints) in the forward pass. In the backward pass, when a segment
    between two checkpoints is reached, recompute its activations with a forward pass from the
    checkpoint at its start, backpropagate through it, and drop them again. For $L$ layers the
    memory falls from $L$ layers' activations to about $L/k$ checkpoints plus $k$ layers of
    the current segment — least at $k \approx \sqrt{L}$, so $2\sqrt{L}$ instead of $L$ — and
    the price is one more forward pass: about $8nP$ FLOPs per step instead of $6nP$.
    """),
    md(TRADE_QUESTION),
    written("time_memory_trade", 2, TRADE_ANSWER),
    md(r"""
    ## The same machine in PyTorch, hands-on

    Everything you built has a counterpart in PyTorch's `autograd`:

    - `Value` remembered its inputs and its local derivative (03); in PyTorch every tensor
      with `requires_grad=True` records the operation that made it (`.grad_fn`).
    - Your `backward()` walked the graph in reverse topological order and added into
      `.grad` (03, 05); `loss.backward()` does the same on the recorded graph.
    - Your `*_backward(dout, cache)` (04) are PyTorch's per-operation backward formulas
      (`dx = dout @ W.T`, ...), written once in the library; its caches are the activation
      memory you just counted.
    - `zero_grad()` before each backward pass (05) is `optimizer.zero_grad()`.

    Below, one small network — 2 inputs, 3 tanh units, 1 output, a mean squared error over
    4 examples, $P = 13$ — is differentiated three ways: by **your forward mode** (13 passes),
    by reverse mode on the course's `Value`, and by **PyTorch**: build the same network from
    the same 13 numbers, call `.backward()`, and read `.grad`. (PyTorch is not a dependency
    of the course: without it the cell says so and skips its part.) Change the network in
    both places — another width, `relu` — and compare again.
    """),
    code("""
    X = rng.standard_normal((4, 2)).tolist()           # plain floats: they mix with Duals
    Y = rng.standard_normal(4).tolist()
    theta = (0.5 * rng.standard_normal(13)).tolist()   # W1 (2, 3), b1 (3,), W2 (3,), b2


    def mse_of(t):
        \"\"\"The loss as a function of the 13 parameters: works on Duals and on Values.\"\"\"
        loss = 0.0
        for (x0, x1), y in zip(X, Y):
            hidden = [(x0 * t[j] + x1 * t[3 + j] + t[6 + j]).tanh() for j in range(3)]
            out = hidden[0] * t[9] + hidden[1] * t[10] + hidden[2] * t[11] + t[12]
            loss = loss + (out - y) ** 2
        return loss / len(X)


    yours = forward_mode_gradient(mse_of, theta)
    params = [Value(v) for v in theta]
    mse_of(params).backward()
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    print("your forward mode:", yours)
    print("reverse, Value:   ", np.array([p.grad for p in params]))

    try:
        if QUICK:
            raise ImportError("skipped while the notebook is graded (importing it is slow)")
        import torch
    except ImportError as why:
        torch = None
        print(f"PyTorch's part is skipped: {why}. To try it, pip install torch; the course "
              "does not need it.")
    if torch is not None:
        t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
        W1, b1, W2, b2 = t[:6].view(2, 3), t[6:9], t[9:12], t[12]
        out = torch.tanh(torch.tensor(X, dtype=torch.float64) @ W1 + b1) @ W2 + b2
        loss = ((out - torch.tensor(Y, dtype=torch.float64)) ** 2).mean()
        loss.backward()                                  # reverse mode fills t.grad
        print("PyTorch .grad:    ", t.grad.numpy())
        print(f"largest difference, yours vs PyTorch: {np.abs(yours - t.grad.numpy()).max():.1e}")
    """),
    md(r"""
    The guarantee behind all of it: reverse-mode automatic differentiation (backprop)
    evaluates the gradient of a scalar function of $P$ inputs for a small constant times the
    cost of evaluating the function, however large $P$ is — for any computation, not only
    MLPs — and pays for it in memory, the intermediate values it must keep. (That constant
    is a bound, stated per operation; the sharper "backward = 2 × forward, 2nP and 4nP" is
    the count per multiply-add of a weight, and "per parameter" only without weight sharing,
    as above.) That is why networks with billions of parameters can be trained at all, and
    why their training needs so much more memory than their inference.

    ## What you did

    - Counted an MLP: $P = \sum_l (m_{l-1}m_l + m_l)$; forward $2nP$; backward $4nP$ (every
      weight used twice, for `dW` and for `dx`); numeric $4nP^2$. In the seed note's letters,
      $2PD$ and $4PD$ with $D = n$.
    - Measured backward/forward, found where the time goes product by product, and saw why
      FLOPs are not time.
    - Built forward mode with dual numbers: exact, but $P$ passes for $P$ inputs; reverse mode
      needs one.
    - Counted and measured the activations backprop keeps: linear in the batch, the price of
      its speed; checkpointing buys memory back with time.

    That completes the course's idea: **backprop is the chain rule on a computation graph,
    and it gives every gradient for about three forward passes.**
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
