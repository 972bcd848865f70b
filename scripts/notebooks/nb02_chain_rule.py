"""Build solutions/02_chain_rule/02_chain_rule.ipynb.

Computation graphs, the forward pass, the backward pass from dL/dL = 1 with local gradients,
the chain rule, and gradients adding where a variable is used twice.
Run: .venv/bin/python scripts/notebooks/nb02_chain_rule.py
The solution sources are module constants so that tests can run exactly the notebook's answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nbbuild import answer, code, hidden, md, test, write, written  # noqa: E402

NAME = "02_chain_rule"
# What the hidden tests try, for the comment of each hidden-test cell.
ABOUT = "random inputs, checked against central differences"

GRAD_ADD_MUL = '''
def grad_add_mul(x, y, z):
    """Gradient of f = (x + y) * z, staged through q = x + y.

    Args:
        x, y, z: floats.

    Returns:
        (df/dx, df/dy, df/dz): a tuple of three floats.
    """
    ### BEGIN SOLUTION
    q = x + y                  # forward pass
    df_df = 1.0                # backward pass, from the output
    df_dq = z * df_df          # f = q * z: the local gradient w.r.t. q is the other factor
    df_dz = q * df_df
    df_dx = 1.0 * df_dq        # q = x + y: the local gradient of + is 1
    df_dy = 1.0 * df_dq
    ### END SOLUTION
    return df_dx, df_dy, df_dz
'''

GRAD_SIGMOID_NEURON = '''
def grad_sigmoid_neuron(w0, x0, w1, x1, w2):
    """Gradient of a sigmoid neuron f = σ(w0·x0 + w1·x1 + w2), σ(z) = 1 / (1 + e^(−z)).

    Args:
        w0, x0, w1, x1, w2: floats (two weights, two inputs, a bias).

    Returns:
        (df/dw0, df/dx0, df/dw1, df/dx1, df/dw2): a tuple of five floats.
    """
    ### BEGIN SOLUTION
    z = w0 * x0 + w1 * x1 + w2           # forward pass
    s = 1.0 / (1.0 + math.exp(-z))
    dz = s * (1.0 - s) * 1.0             # dσ/dz times the upstream df/df = 1
    dw0, dx0 = x0 * dz, w0 * dz          # a product sends each factor the other one
    dw1, dx1 = x1 * dz, w1 * dz
    dw2 = 1.0 * dz                       # a sum sends the upstream gradient unchanged
    ### END SOLUTION
    return dw0, dx0, dw1, dx1, dw2
'''

GRAD_FORK = '''
def grad_fork(x, y):
    """Gradient of f = (x + y) · x, where x is used twice.

    Args:
        x, y: floats.

    Returns:
        (df/dx, df/dy): a tuple of two floats.
    """
    ### BEGIN SOLUTION
    q = x + y                  # forward pass
    df_dq = x                  # f = q · x: each factor gets the other one
    df_dx = q                  # the direct use of x ...
    df_dx += 1.0 * df_dq       # ... plus the path through q: gradients add at a fork
    df_dy = 1.0 * df_dq
    ### END SOLUTION
    return df_dx, df_dy
'''



CELLS = [
    md(r"""
    # 02 · The chain rule on a computation graph

    Notebook 01 paid two evaluations of $f$ per input to get a gradient (梯度). This notebook
    gets **all** the partial derivatives of an expression in one sweep backwards through it.
    The tool is the chain rule (链式法则), applied node by node on a computation graph (计算图).

    **After this notebook you will be able to**

    - draw an expression as a computation graph and run its forward pass;
    - run the backward pass by hand: start from $\partial f/\partial f = 1$ and multiply by
      each node's **local gradient**;
    - name the local gradients of $+$, $\times$ and the sigmoid;
    - write the chain rule for a chain of three and say why the method is called
      back-propagation;
    - explain why gradients **add** where a variable is used twice.
    """),
    code("""
    import math

    import matplotlib.pyplot as plt
    import numpy as np
    from IPython.display import display

    from bpcourse import Value, numerical_gradient
    from bpcourse.grading import expect
    from bpcourse.graph import backward_steps, draw

    rng = np.random.default_rng(0)
    np.set_printoptions(precision=6, suppress=True)
    """),
    md(r"""
    ## 1. An expression is a graph

    Take $f(x, y, z) = (x + y)\,z$. Give the intermediate result a name, $q = x + y$, so
    that $f = q\,z$. Each operation is a node (a small circle); each value is a box with its
    name and its number. Computing the boxes from left to right is the **forward pass**.

    Below, the course's `Value` (you will build your own in notebook 03) records the graph
    while it computes, and `draw` shows it.
    """),
    code("""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    draw(f, show_grad=False)
    """),
    md(r"""
    ## 2. The backward pass: local gradients times the upstream gradient

    We want $\partial f/\partial x$, $\partial f/\partial y$, $\partial f/\partial z$. Walk
    the graph **backwards**, from the output:

    1. $\dfrac{\partial f}{\partial f} = 1$ — the seed.
    2. At the $\times$ node, $f = q\,z$. Its **local gradients** are
       $\dfrac{\partial f}{\partial q} = z = -4$ and $\dfrac{\partial f}{\partial z} = q = 3$:
       a product sends each input the *other* factor.
    3. At the $+$ node, $q = x + y$: local gradients $\dfrac{\partial q}{\partial x} =
       \dfrac{\partial q}{\partial y} = 1$. The **chain rule** multiplies the gradient
       arriving from above (the *upstream* gradient) by the local one:

    $$\frac{\partial f}{\partial x} = \underbrace{\frac{\partial f}{\partial q}}_{\text{upstream}}
    \cdot \underbrace{\frac{\partial q}{\partial x}}_{\text{local}} = -4 \cdot 1 = -4$$

    Each node needs only its own inputs and the one number coming from above; it never needs
    to know the rest of the graph. The pictures show the pass one node at a time: the node in
    gold passes its gradient to the inputs in blue.
    """),
    code("""
    for picture in backward_steps(f):
        display(picture)
    """),
    md(r"""
    ### A chain of three, and where the name comes from

    Stack three functions: $y = g(x)$, $z = h(y)$, $L = k(z)$. The chain rule multiplies
    one local gradient per link:

    $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial z} \cdot
    \frac{\partial z}{\partial y} \cdot \frac{\partial y}{\partial x}$$

    **Worked example.** $x = 0.3$, $y = 3x$, $z = y^2$, $L = \tanh z$.

    | link | forward pass (input → output) | local gradient |
    |---|---|---|
    | $y = 3x$ | $y = 0.9$ | $\partial y/\partial x = 3$ |
    | $z = y^2$ | $z = 0.81$ | $\partial z/\partial y = 2y = 1.8$ |
    | $L = \tanh z$ | $L = 0.6696$ | $\partial L/\partial z = 1 - \tanh^2 z = 0.5516$ |

    The backward pass (output → input), upstream × local at each link:

    1. $\partial L/\partial L = 1$, the seed;
    2. $\partial L/\partial z = 1 \cdot 0.5516 = 0.5516$;
    3. $\partial L/\partial y = 0.5516 \cdot 1.8 = 0.9930$;
    4. $\partial L/\partial x = 0.9930 \cdot 3 = 2.9789$ (to four digits, carrying the
       unrounded numbers).

    The product has no preferred order mathematically, but computing it **from the output
    end** means every step multiplies one number that has arrived from above (the *upstream*
    gradient) by one local gradient — and the number that arrives at $y$ is reused for every
    input below $y$. That is the whole algorithm, and it gives it its name:
    **back-propagation** (反向传播). The forward pass carries values from the input to the
    output; then the *error signal*, $\partial L/\partial(\cdot)$, starting as
    $\partial L/\partial L = 1$, **propagates backwards**, from the output to the input, one
    layer (one node) at a time.
    """),
    code("""
    x = 0.3
    y = 3 * x                          # forward pass, input to output
    z = y ** 2
    L = math.tanh(z)
    dL_dz = (1 - L ** 2) * 1.0         # backward pass, output to input: local × upstream
    dL_dy = (2 * y) * dL_dz
    dL_dx = 3 * dL_dy
    print(f"by hand: dL/dz = {dL_dz:.4f}, dL/dy = {dL_dy:.4f}, dL/dx = {dL_dx:.4f}")

    xv = Value(x, label="x")           # the same chain on the course's Value
    Lv = ((3 * xv) ** 2).tanh()
    Lv.backward()
    numeric = numerical_gradient(lambda v: np.tanh((3 * v[0]) ** 2), np.array([x]))[0]
    print(f"Value:   dL/dx = {xv.grad:.4f};  central differences: {numeric:.4f}")
    """),
    md(r"""
    ### Exercise 1 — `grad_add_mul(x, y, z)`

    Return $(\partial f/\partial x,\ \partial f/\partial y,\ \partial f/\partial z)$ for
    $f = (x + y)\,z$, as a tuple of floats. Stage it like the pictures: forward pass first,
    then one line per local gradient. (With $x=-2, y=5, z=-4$ you should get
    $(-4, -4, 3)$.)
    """),
    answer("grad_add_mul", GRAD_ADD_MUL),
    test("grad_add_mul_visible", 1, """
    got = grad_add_mul(-2.0, 5.0, -4.0)
    assert isinstance(got, tuple) and len(got) == 3, "return a tuple (df/dx, df/dy, df/dz)"
    expect(np.array(got, dtype=float), np.array([-4.0, -4.0, 3.0]), "grad_add_mul(-2, 5, -4)",
           mistakes=[("df/dz is the other factor q = x + y = 3", np.array([-4.0, -4.0, -4.0]))])
    print("grad_add_mul: the visible tests pass")
    """),
    test("grad_add_mul_hidden", 1, hidden(
        "nb02", "grad_add_mul", "test_grad_add_mul", about=ABOUT)),
    md(r"""
    ## 3. A sigmoid neuron

    A neuron weighs its inputs, adds a bias and squashes the sum:
    $f = \sigma(w_0 x_0 + w_1 x_1 + w_2)$ with $\sigma(z) = \dfrac{1}{1 + e^{-z}}$.

    The sigmoid has a famously tidy local gradient:
    $$\frac{d\sigma}{dz} = \frac{e^{-z}}{(1 + e^{-z})^2} = \sigma(z)\,\big(1 - \sigma(z)\big)$$
    so once the forward pass has computed $\sigma(z)$, the backward pass needs no new
    exponential. Here is the graph with the forward values (the classic CS231n numbers):
    """),
    code("""
    w0, x0 = Value(2.0, label="w0"), Value(-1.0, label="x0")
    w1, x1 = Value(-3.0, label="w1"), Value(-2.0, label="x1")
    w2 = Value(-3.0, label="w2")
    neuron = (w0 * x0 + w1 * x1 + w2).sigmoid()
    neuron.label = "f"
    draw(neuron, show_grad=False)
    """),
    md(r"""
    Work backwards: the sigmoid node turns the seed $1$ into
    $\partial f/\partial z = \sigma(z)(1-\sigma(z))$; the $+$ nodes pass it on unchanged; each
    $\times$ node sends a weight its input and an input its weight.

    ### Exercise 2 — `grad_sigmoid_neuron(w0, x0, w1, x1, w2)`

    Return the five partial derivatives in the order of the arguments. (`math.exp` is
    imported; with the numbers above you should get about
    $(-0.197, 0.393, -0.393, -0.590, 0.197)$.)
    """),
    answer("grad_sigmoid_neuron", GRAD_SIGMOID_NEURON),
    test("grad_sigmoid_neuron_visible", 2, """
    got = grad_sigmoid_neuron(2.0, -1.0, -3.0, -2.0, -3.0)
    assert isinstance(got, tuple) and len(got) == 5, "return a tuple of five partials"
    s = 1 / (1 + math.exp(-1.0))  # σ(z) at z = 2·(-1) + (-3)·(-2) - 3 = 1
    ds = s * (1 - s)
    expect(np.array(got, dtype=float), np.array([-1.0, 2.0, -2.0, -3.0, 1.0]) * ds,
           "grad_sigmoid_neuron(2, -1, -3, -2, -3)",
           mistakes=[("dσ/dz is σ(z)·(1 − σ(z)), not σ(z)",
                      np.array([-1.0, 2.0, -2.0, -3.0, 1.0]) * s),
                     ("weights get their INPUT, inputs get their WEIGHT: swapped",
                      np.array([2.0, -1.0, -3.0, -2.0, 1.0]) * ds)])
    print("grad_sigmoid_neuron: the visible tests pass")
    """),
    test("grad_sigmoid_neuron_hidden", 2, hidden(
        "nb02", "grad_sigmoid_neuron", "test_grad_sigmoid_neuron", about=ABOUT)),
    md(r"""
    Compare with the graph after a real backward pass: each box now shows its gradient.
    """),
    code("""
    neuron.backward()
    print("yours: ", np.round(grad_sigmoid_neuron(2.0, -1.0, -3.0, -2.0, -3.0), 6))
    print("Value: ", np.round([w0.grad, x0.grad, w1.grad, x1.grad, w2.grad], 6))
    draw(neuron)
    """),
    md(r"""
    ## 4. A variable used twice: gradients add

    Now $f = (x + y)\,x$. The variable $x$ feeds **two** nodes: the $+$ and the $\times$.
    Nudge $x$ by a small $\delta$ and *both* uses move: $f$ changes by (the effect through the
    first use) **plus** (the effect through the second use). That is the multivariable chain
    rule: sum over every path from $x$ to $f$.

    $$\frac{\partial f}{\partial x} = \underbrace{\frac{\partial f}{\partial q}\,
    \frac{\partial q}{\partial x}}_{\text{through } q} + \underbrace{q}_{\text{direct}}$$

    In a backward pass this is one rule: **each use adds its share** into $x$'s gradient
    (`+=`, never `=`). The graph shows the two edges leaving $x$.
    """),
    code("""
    x, y = Value(3.0, label="x"), Value(-1.0, label="y")
    q = x + y
    q.label = "q"
    fork = q * x
    fork.label = "f"
    draw(fork, show_grad=False)
    """),
    md(r"""
    ### Exercise 3 — `grad_fork(x, y)`

    Return $(\partial f/\partial x,\ \partial f/\partial y)$ for $f = (x + y)\,x$, staged
    through $q = x + y$ (no algebra first: let the two paths add up).
    """),
    answer("grad_fork", GRAD_FORK),
    test("grad_fork_visible", 2, """
    got = grad_fork(3.0, -1.0)   # q = 2: df/dx = q + x = 5, df/dy = x = 3
    assert isinstance(got, tuple) and len(got) == 2, "return a tuple (df/dx, df/dy)"
    expect(np.array(got, dtype=float), np.array([5.0, 3.0]), "grad_fork(3, -1)", mistakes=[
        ("only the path through q: add the direct use of x too", np.array([3.0, 3.0])),
        ("only the direct use of x: add the path through q too", np.array([2.0, 3.0]))])
    print("grad_fork: the visible tests pass")
    """),
    test("grad_fork_hidden", 2, hidden("nb02", "grad_fork", "test_grad_fork", about=ABOUT)),
    md(r"""
    Watch it happen: in the backward pass below, $x$ is coloured blue **twice** — once when
    the $\times$ node runs, once when the $+$ node does — and its gradient grows each time.
    """),
    code("""
    for picture in backward_steps(fork):
        display(picture)
    """),
    md(r"""
    ## 5. Check against numeric gradients

    Notebook 01's oracle agrees with all three of your functions on random inputs:
    """),
    code("""
    cases = {
        "grad_add_mul": (grad_add_mul, lambda v: (v[0] + v[1]) * v[2], 3),
        "grad_sigmoid_neuron": (grad_sigmoid_neuron,
                                lambda v: 1 / (1 + np.exp(-(v[0] * v[1] + v[2] * v[3] + v[4]))), 5),
        "grad_fork": (grad_fork, lambda v: (v[0] + v[1]) * v[0], 2),
    }
    for name, (by_hand, expression, n) in cases.items():
        point = rng.uniform(-2, 2, size=n)
        numeric = numerical_gradient(expression, point.copy())
        error = np.max(np.abs(np.array(by_hand(*point)) - numeric))
        print(f"{name:20s} largest difference from central differences: {error:.1e}")
    """),
    md(r"""
    ### Question (written answer)

    Using $f = x \cdot x$ as the example, explain in two or three sentences why the backward
    pass must **add** (`+=`) the gradients arriving at a variable that is used twice, and what
    a backward pass that *overwrites* (`=`) would return for $\partial f/\partial x$.
    """),
    written("written_fork", 1, r"""
    ### BEGIN SOLUTION
    $x \cdot x$ uses $x$ twice: a $\times$ node with both inputs equal to $x$. Nudging $x$
    moves both factors, so $f$ changes through both uses and the total effect is the sum of
    the two paths: $\partial f/\partial x = x + x = 2x$ (the multivariable chain rule sums
    over paths). The $\times$ node sends "the other factor", $x$, to each input; with `+=`
    the two shares add up to $2x$, while with `=` the second write replaces the first and the
    answer is $x$, half the true gradient.
    ### END SOLUTION
    """),
    md(r"""
    ## What you did

    - Drew expressions as computation graphs and ran their forward pass.
    - Ran the backward pass by hand: seed $1$, then upstream × local at each node; $+$ passes
      the gradient on, $\times$ sends each input the other factor, $\sigma$ multiplies by
      $\sigma(1-\sigma)$.
    - Wrote the chain rule for a chain of three,
      $\partial L/\partial x = \partial L/\partial z \cdot \partial z/\partial y \cdot
      \partial y/\partial x$, and computed it from the output end: the error signal travels
      from the output back to the input, which is why the method is called back-propagation.
    - Saw gradients add where a variable is used twice.

    **Next, 03_scalar_autograd:** you automate exactly this — a `Value` class whose every
    operation knows its local gradient, and a `backward()` that walks the graph for you.
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
