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
    """Number of parameters P of the MLP [D0, D1, ..., DL].

    Args:
        layer_sizes: list of ints, the input size first, then each layer's output size.

    Returns:
        P, an int: every Linear layer D -> M has D·M weights and M biases.
    """
    ### BEGIN SOLUTION
    return sum(d * m + m for d, m in zip(layer_sizes[:-1], layer_sizes[1:]))
    ### END SOLUTION
'''

PASSES = '''
def forward_flops(layer_sizes, n):
    """FLOPs of one forward pass over a batch of n examples, in the course's model.

    Args:
        layer_sizes: [D0, ..., DL]; n: batch size.

    Returns:
        An int: 2 FLOPs (one multiply-add) per parameter per example.
    """
    ### BEGIN SOLUTION
    return 2 * n * count_params(layer_sizes)
    ### END SOLUTION


def backward_flops(layer_sizes, n):
    """FLOPs of one backward pass over a batch of n examples, in the course's model.

    Args:
        layer_sizes: [D0, ..., DL]; n: batch size.

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
        layer_sizes: [D0, ..., DL]; n: batch size.

    Returns:
        An int: 2 forward passes per parameter.
    """
    ### BEGIN SOLUTION
    return 2 * count_params(layer_sizes) * forward_flops(layer_sizes, n)
    ### END SOLUTION
'''

QUESTION = """
### Exercise 4 — in your own words (written, graded by hand)

**Why does the backward pass cost about twice the forward pass, and why does numeric
differentiation fall further behind as the network grows?** Answer in the cell below (a few
sentences; replace its text).
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
    parameter.**

    **After this notebook you will be able to**

    - count the parameters and the FLOPs of an MLP's forward pass, backward pass and numeric
      gradient, and say exactly what the count includes;
    - explain why a backward pass costs about twice a forward pass;
    - measure both on your own machine and read the numeric-vs-backprop plot;
    - see the same machinery in PyTorch's `autograd`.
    """),
    code("""
    import os
    import numpy as np
    import matplotlib.pyplot as plt

    from bpcourse import cost, flops, plots

    rng = np.random.default_rng(0)
    QUICK = bool(os.environ.get("NBGRADER_EXECUTION"))  # smaller measurements while grading
    """),
    md(r"""
    ## What we count

    An MLP is given by its `layer_sizes` $[D_0, D_1, \dots, D_L]$: a Linear layer
    $D_{l-1} \to D_l$ for each $l$ (with a ReLU between layers), run on a batch of $n$
    examples. A **FLOP** is one floating-point addition or multiplication.

    For one Linear layer $D \to M$:

    - `x @ W`, $(n, D)\,(D, M)$: each of the $nM$ outputs is a sum of $D$ products, $D$
      multiplies and $D$ adds. **A multiply-add is 2 FLOPs**, so the product costs $2nDM$.
    - `+ b`, $(M,)$ added to every row: $nM$ adds.

    **The course's model** rounds this to one rule: *every parameter takes part in one
    multiply-add, 2 FLOPs, per example*. With $P = \sum_l (D_{l-1} D_l + D_l)$ parameters:

    $$\text{forward} = 2\,n\,P$$

    What the model leaves out, on purpose, because each is smaller by a factor of about $D$:
    the bias is really 1 FLOP per example, not 2 (the model counts $2nM$ where the code does
    $nM$); a sum of $D$ products needs $D-1$ adds, not $D$; the ReLU (one compare per element)
    and the loss (a few FLOPs per logit) are not counted at all.
    """),
    md(r"""
    ## The backward pass: every weight is used twice

    For each Linear layer, backward computes two matrix products of the same size as the
    forward one:

    $$dW = x^\top\,\text{dout} \quad (D, n)(n, M):\ 2nDM
    \qquad\qquad
    dx = \text{dout}\,W^\top \quad (n, M)(M, D):\ 2nDM$$

    plus $db$, a sum over the batch ($nM$ adds, counted as $2nM$ like the bias). So each
    weight takes part in **two** multiply-adds per example, one for its own gradient and one
    to pass the gradient on:

    $$\text{backward} = 4\,n\,P \approx 2 \times \text{forward}$$

    The model counts `dx` for **every** layer, the first one included. A real implementation
    skips the first layer's `dx` when $x$ is data (nobody needs $\partial L/\partial x$ of the
    inputs): `bpcourse.nn.Linear(..., input_grad=False)` does, and then backward costs less
    than twice the forward, noticeably so when the first layer is the widest.

    **Numeric gradients.** Central differences evaluate $L(\theta \pm h)$ for each parameter:
    $2P$ forward passes, $2P \cdot 2nP = 4nP^2$ FLOPs. Backprop needs one forward and one
    backward pass, $6nP$: numeric differentiation costs $\tfrac{2P}{3}$ times as much.
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
    $D-1$ adds per sum, 1 FLOP per bias, the ReLU, the loss, and — unless `input_grad=True` —
    no `dx` for the first layer. Compare with your model:
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
    runs. For a network big enough that the arithmetic, not Python, takes the time, the
    measured ratio should sit near the exact count's prediction.
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
    ## The same machine in PyTorch

    Everything you built has a counterpart in PyTorch's `autograd`:

    - `Value` remembered its inputs and its local derivative (03); in PyTorch every tensor
      with `requires_grad=True` records the operation that made it (`.grad_fn`).
    - Your `backward()` walked the graph in reverse topological order and added into
      `.grad` (03, 05); `loss.backward()` does the same on the recorded graph.
    - Your `*_backward(dout, cache)` (04) are PyTorch's per-operation backward formulas
      (`dx = dout @ W.T`, ...), written once in the library.
    - `zero_grad()` before each backward pass (05) is `optimizer.zero_grad()`.
    - `Linear(..., input_grad=False)` (06): data tensors have `requires_grad=False`, and no
      gradient is computed for them.

    ```python
    import torch
    W = torch.randn(784, 128, requires_grad=True)
    loss = torch.relu(x @ W).sum()   # the forward pass records the graph
    loss.backward()                  # reverse mode: W.grad, at about twice the forward's cost
    ```

    The cost rule you counted holds for *any* computation, not only MLPs: reverse-mode
    automatic differentiation (backprop) evaluates the gradient of a scalar function of $P$
    inputs for a small constant times the cost of evaluating the function, however large $P$
    is. That guarantee is why networks with billions of parameters can be trained at all.

    ## What you did

    - Counted an MLP: $P = \sum (D_{l-1}D_l + D_l)$; forward $2nP$; backward $4nP$ (every
      weight used twice, for `dW` and for `dx`); numeric $4nP^2$.
    - Measured backward/forward and the numeric-vs-backprop gap on your machine.

    That completes the course's idea: **backprop is the chain rule on a computation graph,
    and it gives every gradient for about three forward passes.**
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
