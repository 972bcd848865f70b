"""Build solutions/03_scalar_autograd/03_scalar_autograd.ipynb.

The learner builds ``Value``, a scalar autograd engine with micrograd's API: local derivatives
as closures, an iterative topological order, += at forks; then draws graphs with their grads,
checks them against numeric gradients and trains one neuron.
Run: .venv/bin/python scripts/notebooks/nb03_scalar_autograd.py
The solution source is a module constant so that tests can run exactly the notebook's answer.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nbbuild import answer, code, md, test, write  # noqa: E402

NAME = "03_scalar_autograd"

VALUE = '''
class Value:
    """One scalar node of a computation graph (micrograd's API).

    Attributes:
        data: float, the number the forward pass computed.
        grad: float, dL/d(this node) after L.backward(); starts at 0.0.
        label: str, an optional name for pictures.
        _prev: tuple of the Values this one was computed from (empty for a leaf).
        _op: str, the operation that made it ("+", "*", "tanh", ...).
        _backward: function that adds this node's grad, times each local derivative, into
            its inputs' grads. A leaf's does nothing.
    """

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._prev = tuple(_children)
        self._op = _op
        self._backward = lambda: None

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # ----- primitive operations: forward value and local derivative side by side -----

    def __add__(self, other):
        ### BEGIN SOLUTION
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad              # d(a+b)/da = 1
            other.grad += out.grad             # d(a+b)/db = 1

        out._backward = _backward
        return out
        ### END SOLUTION

    def __mul__(self, other):
        ### BEGIN SOLUTION
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad  # d(ab)/da = b
            other.grad += self.data * out.grad  # d(ab)/db = a

        out._backward = _backward
        return out
        ### END SOLUTION

    def __pow__(self, exponent):
        """self ** exponent, for an int or float constant exponent."""
        ### BEGIN SOLUTION
        assert isinstance(exponent, (int, float)), "only int or float exponents"
        out = Value(self.data ** exponent, (self,), f"**{exponent}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    def exp(self):
        ### BEGIN SOLUTION
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad    # d(e^a)/da = e^a

        out._backward = _backward
        return out
        ### END SOLUTION

    def tanh(self):
        ### BEGIN SOLUTION
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1.0 - t * t) * out.grad  # d(tanh a)/da = 1 - tanh(a)²

        out._backward = _backward
        return out
        ### END SOLUTION

    def relu(self):
        ### BEGIN SOLUTION
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            self.grad += (out.data > 0) * out.grad  # 1 where a > 0, else 0

        out._backward = _backward
        return out
        ### END SOLUTION

    # ----- compound operations reuse the primitives: their gradients come for free -----

    def __neg__(self):          # -self
        ### BEGIN SOLUTION
        return self * -1
        ### END SOLUTION

    def __sub__(self, other):   # self - other
        ### BEGIN SOLUTION
        return self + (-other)
        ### END SOLUTION

    def __truediv__(self, other):  # self / other
        ### BEGIN SOLUTION
        return self * other ** -1
        ### END SOLUTION

    def __radd__(self, other):  # other + self, when other is a number
        ### BEGIN SOLUTION
        return self + other
        ### END SOLUTION

    def __rmul__(self, other):  # other * self
        ### BEGIN SOLUTION
        return self * other
        ### END SOLUTION

    def __rsub__(self, other):  # other - self
        ### BEGIN SOLUTION
        return (-self) + other
        ### END SOLUTION

    def __rtruediv__(self, other):  # other / self
        ### BEGIN SOLUTION
        return self ** -1 * other
        ### END SOLUTION

    # ----- the backward pass -----

    def backward(self):
        """Fill .grad of every node this one depends on with d(self)/d(node)."""
        ### BEGIN SOLUTION
        # Topological order with an explicit stack: a node is appended after all its inputs.
        order, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                for child in node._prev:
                    if child not in visited:
                        stack.append((child, False))
        self.grad = 1.0                  # dL/dL = 1
        for node in reversed(order):     # every use of a node adds its share before it runs
            node._backward()
        ### END SOLUTION
'''

CELLS = [
    md(r"""
    # 03 · A scalar autograd engine

    In notebook 02 you ran backward passes by hand. Every step was mechanical: a node
    multiplies the gradient arriving from above by its local derivative and hands the result
    to its inputs. Mechanical steps are what computers are for. In this notebook you write
    `Value`, a number that remembers how it was computed, so that one call,
    `loss.backward()`, fills in the gradient (梯度) of every number the loss depends on. It
    has the same API as Andrej Karpathy's *micrograd*; PyTorch's autograd is the same idea
    for arrays.

    **After this notebook you will be able to**

    - write an operation as a forward value plus a closure holding its local derivative;
    - explain why the backward pass needs a **topological order**, and build one without
      recursion;
    - explain why gradients are accumulated with `+=`, and what that means for a second
      `backward()`;
    - check an autograd engine against numeric gradients and train a neuron with it.
    """),
    code("""
    import math
    import os
    import sys

    import matplotlib.pyplot as plt
    import numpy as np

    from bpcourse import numerical_gradient, plots
    from bpcourse.grading import expect
    from bpcourse.graph import draw

    rng = np.random.default_rng(0)
    np.set_printoptions(precision=6, suppress=True)
    """),
    md(r"""
    ## 1. A number that remembers where it came from

    A `Value` holds `data` (the number) and `grad` (the derivative of the final output with
    respect to it, 0 until a backward pass). An operation on Values returns a **new** Value
    that also records its inputs (`_prev`) and the operation (`_op`): together they form the
    computation graph (计算图), built as a side effect of ordinary arithmetic.

    The new node also gets a small function, `_backward`, that knows the operation's local
    derivative. Here is multiplication; forward value and local derivative sit side by side:

    ```python
    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad   # d(ab)/da = b, times the upstream gradient
            other.grad += self.data * out.grad   # d(ab)/db = a

        out._backward = _backward
        return out
    ```

    `_backward` is a **closure**: it was defined inside `__mul__`, so it still sees `self`,
    `other` and `out` when it is called much later, during the backward pass. A tiny
    illustration of that:
    """),
    code("""
    def make_greeting(name):
        def greet():
            return f"hello, {name}"   # `name` is remembered after make_greeting returned
        return greet

    later = [make_greeting("x"), make_greeting("y")]
    print([f() for f in later])
    """),
    md(r"""
    ## 2. The local derivatives

    | operation | forward | local derivative(s) |
    |---|---|---|
    | `a + b` | $a + b$ | $1,\ 1$ |
    | `a * b` | $ab$ | $b,\ a$ |
    | `a ** n` ($n$ an int or float constant) | $a^n$ | $n\,a^{n-1}$ |
    | `a.exp()` | $e^a$ | $e^a$ (that is `out.data`) |
    | `a.tanh()` | $t = \tanh a$ | $1 - t^2$ |
    | `a.relu()` | $\max(0, a)$ | $1$ if $a > 0$ else $0$ |

    Everything else is built from these, so its gradient comes for free:
    $-a = a \cdot (-1)$, $\;a - b = a + (-b)$, $\;a / b = a \cdot b^{-1}$.

    **Numbers on either side.** `a + 1` calls `a.__add__(1)`: wrap a plain number in a
    `Value` first. `1 + a` first tries `int.__add__(1, a)`, which does not know Values, so
    Python then calls the *reflected* method `a.__radd__(1)`. Likewise `__rmul__`,
    `__rsub__` (`2 - a` is $2 - a$, not $a - 2$) and `__rtruediv__`.

    **Every local derivative is multiplied by `out.grad`** — the upstream gradient — and
    **added** (`+=`) into the input's `grad`. Where a Value is used twice, as in `a * a` or
    `b = a + a`, both uses add their share (notebook 02, section 4).
    """),
    md(r"""
    ## 3. The backward pass: a topological order

    `L.backward()` sets `L.grad = 1` ($\partial L/\partial L$) and calls every node's
    `_backward`. In which order? A node may pass its gradient on only when it is complete:
    after **every** node that uses it has added its share. Ordering the nodes so that each
    comes after all of its inputs is a **topological order**; the backward pass walks it in
    **reverse**, from the output to the leaves.

    The picture numbers the nodes in the order the course's engine runs them. `b` is used
    twice (by `tanh` and by `*`), so both of those nodes must run before `b` passes its
    gradient on to `a`.
    """),
    code("""
    from bpcourse import Value as CourseValue

    a = CourseValue(0.5, label="a")
    b = a * 2.0
    b.label = "b"
    L = b.tanh() * b + a
    L.label = "L"
    draw(L, show_order=True, show_grad=False)
    """),
    md(r"""
    The classic way to build the order is a recursive depth-first search. But graphs get
    deep — a recurrent network unrolled over a long sequence, or a loop of a few thousand
    updates — and Python stops a recursion at about a thousand nested calls:
    """),
    code("""
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)

    print("recursion limit:", sys.getrecursionlimit())
    try:
        depth(5000)
    except RecursionError as error:
        print("depth(5000) ->", type(error).__name__, error)
    """),
    md(r"""
    So build the order with an **explicit stack**, a list you push to and pop from. Each
    entry is a node and a flag "are its inputs done?":

    ```
    order, visited = [], set()
    stack = [(output, False)]
    while the stack is not empty:
        node, inputs_done = pop the last entry
        if inputs_done:   append node to order      # all its inputs are already in order
        elif node not in visited:
            mark node visited
            push (node, True)                       # come back to it after its inputs
            push (child, False) for every child in node._prev not yet visited
    ```

    Then set `self.grad = 1.0` and call `node._backward()` for `node in reversed(order)`.
    The tests build a chain thousands of operations deep.

    **A second `backward()`.** Gradients are accumulated (`+=`), so `backward()` does not
    clear them; like micrograd and PyTorch, you set every `grad` to `0` before a new pass
    (section 6 does that in its training loop). The tests check that, after every node's
    `grad` is set back to 0, a second `L.backward()` gives the same gradients as the first.
    """),
    md(r"""
    ### Exercise — `class Value`

    Fill in every method below. `__init__` and `__repr__` are given; keep the attribute
    names (`data`, `grad`, `_prev`, `_op`, `_backward`): the drawing and the tests rely on
    them. `math.exp` and `math.tanh` are imported.
    """),
    answer("value", VALUE),
    test("value_visible", 2, """
    # By hand: c = a*b + a, so dc/da = b + 1 = -2 and dc/db = a = 2 (a is used twice).
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a
    c.backward()
    expect(np.array([a.grad, b.grad]), np.array([-2.0, 2.0]), "[a.grad, b.grad] for c = a*b + a",
           mistakes=[("`=` instead of `+=`: a is used twice, both shares must add",
                      np.array([-3.0, 2.0]))])

    # Every operation against central differences, then forks, diamonds and the order.
    from bpcourse.grading import nb03
    nb03.test_value_ops(Value, seeds=[0])
    nb03.test_value_graph(Value, seeds=[0])
    print("Value: the visible tests pass")
    """),
    test("value_ops_hidden", 3, """
    # Hidden tests: every operation on random inputs against central differences.
    ### BEGIN HIDDEN TESTS
    from bpcourse.grading import nb03
    nb03.test_value_ops(Value)
    ### END HIDDEN TESTS
    """),
    test("value_graph_hidden", 3, """
    # Hidden tests: forks, diamonds, reuse, the order of the pass, a second backward().
    ### BEGIN HIDDEN TESTS
    from bpcourse.grading import nb03
    nb03.test_value_graph(Value)
    nb03.test_value_second_backward(Value)
    ### END HIDDEN TESTS
    """),
    test("value_deep", 1, """
    # A chain deeper than Python's recursion limit (section 3).
    from bpcourse.grading import nb03
    nb03.test_value_deep(Value, depth=1500, seed=0)
    ### BEGIN HIDDEN TESTS
    nb03.test_value_deep(Value, depth=3000, seed=52)
    ### END HIDDEN TESTS
    print("Value: a chain 1500 operations deep backpropagates")
    """),
    md(r"""
    ## 4. Your graph, with its gradients

    The course's drawing tool reads the fields your `Value` has (`data`, `grad`, `_prev`,
    `_op`, and `label` if you gave it one), so it can draw your own graph, gradients included.
    """),
    code("""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, bias = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + bias
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    draw(o)
    """),
    md(r"""
    That is micrograd's neuron: with $n \approx 0.881$, $o = \tanh n \approx 0.707$ and
    $\partial o/\partial n = 1 - o^2 = 0.5$; $w_2$'s gradient is $0$ because its input $x_2$
    is $0$.

    ## 5. Check against numeric gradients

    Trust, but verify: a random expression that uses every operation, differentiated by your
    engine and by notebook 01's central differences.
    """),
    code("""
    def expression(a, b, c):
        e = (a * b - c / 2).tanh() + (a ** 2).exp() * 0.1
        return (e * c + (b - 1.5).relu() - 3 / (1 + c * c)) ** 2

    point = rng.uniform(-1.5, 1.5, size=3)
    leaves = [Value(v) for v in point]
    expression(*leaves).backward()
    yours = np.array([leaf.grad for leaf in leaves])
    numeric = numerical_gradient(lambda v: expression(*(Value(t) for t in v)).data, point.copy())
    print("your engine:", yours)
    print("numeric:    ", numeric)
    print(f"largest relative difference: {np.max(np.abs(yours - numeric) / (np.abs(yours) + np.abs(numeric))):.1e}")
    """),
    md(r"""
    ## 6. Train one neuron

    A neuron $\hat y = \tanh(w_1 x_1 + w_2 x_2 + b)$ separates two clouds of points labelled
    $y = \pm 1$. The loss is the mean squared error; each step builds the graph afresh,
    **zeroes the parameters' gradients** (they accumulate, remember), calls `backward()` and
    moves every parameter a little against its gradient.
    """),
    code("""
    n_points = 20
    X = np.r_[rng.normal([-0.7, -0.4], 0.6, size=(n_points // 2, 2)),
              rng.normal([0.7, 0.5], 0.6, size=(n_points // 2, 2))]
    y = np.r_[-np.ones(n_points // 2), np.ones(n_points // 2)]

    w = [Value(0.1, label="w1"), Value(-0.1, label="w2")]
    b = Value(0.0, label="b")
    params = w + [b]

    def predict(x):
        return (w[0] * x[0] + w[1] * x[1] + b).tanh()

    steps = 30 if os.environ.get("NBGRADER_EXECUTION") else 60
    losses = []
    for step in range(steps):
        loss = sum((predict(x) - t) ** 2 for x, t in zip(X.tolist(), y.tolist())) / n_points
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= 0.2 * p.grad
        losses.append(loss.data)
        if step % 10 == 0:
            print(f"step {step:2d}  loss {loss.data:.4f}")
    accuracy = np.mean([np.sign(predict(x).data) == t for x, t in zip(X.tolist(), y.tolist())])
    print(f"final loss {losses[-1]:.4f}, accuracy {accuracy:.0%}")
    """),
    code("""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    plots.loss_curve(losses, ax=ax1)
    ax1.set_title("training loss")
    plots.decision_boundary(lambda P: np.array([predict(p).data > 0 for p in P], dtype=int),
                            X, (y > 0).astype(int), ax=ax2, resolution=60)
    ax2.set_title("what the neuron learned")
    plt.show()
    """),
    md(r"""
    ## What you did

    - Wrote `Value`: each operation stores a closure with its local derivative, multiplied by
      the upstream gradient and **added** into its inputs.
    - Built a topological order with an explicit stack, so depth is no limit, and ran the
      closures in reverse.
    - Checked the engine against central differences, then trained a neuron with it.

    **Next, 04_layers:** the same chain rule for whole arrays at once — a layer's backward
    pass is one matrix product instead of thousands of scalar closures.
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
