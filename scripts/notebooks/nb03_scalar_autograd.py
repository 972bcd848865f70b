"""Build solutions/03_scalar_autograd/03_scalar_autograd.ipynb.

The learner builds ``Value``, a scalar autograd engine with micrograd's API, in three graded
stages (``+``, ``*`` and ``backward()``; then ``**``, ``exp``, ``tanh``, ``relu``; then what is
left), each attached to the same class; then ``Neuron``, ``Layer`` and ``MLP`` on it, and trains
the MLP on the two moons with a progress bar, a loss curve and a decision boundary.
Run: .venv/bin/python scripts/notebooks/nb03_scalar_autograd.py
The solution sources are module constants so that tests can run exactly the notebook's answers
(``VALUE`` is the three stages together).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nbbuild import answer, code, hidden, md, test, write  # noqa: E402

NAME = "03_scalar_autograd"

VALUE_BASICS = '''
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

    def __add__(self, other):   # self + other
        ### BEGIN SOLUTION
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad              # d(a+b)/da = 1
            other.grad += out.grad             # d(a+b)/db = 1

        out._backward = _backward
        return out
        ### END SOLUTION

    def __mul__(self, other):   # self * other
        ### BEGIN SOLUTION
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad  # d(ab)/da = b
            other.grad += self.data * out.grad  # d(ab)/db = a

        out._backward = _backward
        return out
        ### END SOLUTION

    def __radd__(self, other):  # other + self, when other is a number
        ### BEGIN SOLUTION
        return self + other
        ### END SOLUTION

    def __rmul__(self, other):  # other * self
        ### BEGIN SOLUTION
        return self * other
        ### END SOLUTION

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

VALUE_OPS = '''
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


Value.__pow__ = __pow__   # attach them to the class of stage 1
Value.exp = exp
Value.tanh = tanh
Value.relu = relu
'''

VALUE_REST = '''
def __neg__(self):             # -self
    ### BEGIN SOLUTION
    return self * -1
    ### END SOLUTION


def __sub__(self, other):      # self - other
    ### BEGIN SOLUTION
    return self + (-other)
    ### END SOLUTION


def __truediv__(self, other):  # self / other
    ### BEGIN SOLUTION
    return self * other ** -1
    ### END SOLUTION


def __rsub__(self, other):     # other - self, when other is a number
    ### BEGIN SOLUTION
    return (-self) + other
    ### END SOLUTION


def __rtruediv__(self, other):  # other / self
    ### BEGIN SOLUTION
    return self ** -1 * other
    ### END SOLUTION


Value.__neg__ = __neg__
Value.__sub__ = __sub__
Value.__truediv__ = __truediv__
Value.__rsub__ = __rsub__
Value.__rtruediv__ = __rtruediv__
'''

VALUE = VALUE_BASICS + VALUE_OPS + VALUE_REST

NETWORK = '''
class Neuron:
    """act(w · x + b) for inputs x (a list of nin numbers or Values); act = tanh, or none
    when nonlin=False. w: list of nin weight Values, b: the bias Value."""

    def __init__(self, nin, nonlin=True):
        ### BEGIN SOLUTION
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin
        ### END SOLUTION

    def __call__(self, x):
        ### BEGIN SOLUTION
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act
        ### END SOLUTION

    def parameters(self):
        ### BEGIN SOLUTION
        return self.w + [self.b]
        ### END SOLUTION


class Layer:
    """nout neurons that all see the same inputs. neurons: list of nout Neurons."""

    def __init__(self, nin, nout, **kwargs):
        ### BEGIN SOLUTION
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]
        ### END SOLUTION

    def __call__(self, x):
        ### BEGIN SOLUTION
        out = [neuron(x) for neuron in self.neurons]
        return out[0] if len(out) == 1 else out
        ### END SOLUTION

    def parameters(self):
        ### BEGIN SOLUTION
        return [p for neuron in self.neurons for p in neuron.parameters()]
        ### END SOLUTION


class MLP:
    """Layers of sizes nin -> nouts[0] -> ... -> nouts[-1]; every layer but the last is
    nonlinear. layers: list of Layers."""

    def __init__(self, nin, nouts):
        ### BEGIN SOLUTION
        sizes = [nin] + list(nouts)
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]
        ### END SOLUTION

    def __call__(self, x):
        ### BEGIN SOLUTION
        for layer in self.layers:
            x = layer(x)
        return x
        ### END SOLUTION

    def parameters(self):
        ### BEGIN SOLUTION
        return [p for layer in self.layers for p in layer.parameters()]
        ### END SOLUTION
'''

def _md(text: str, hints: str):
    """A markdown cell whose text ends with hint blocks."""
    return md(textwrap.dedent(text).strip("\n") + "\n\n" + hints)


def _hints(*hints: str) -> str:
    """Collapsed hint blocks, weakest first: a stuck learner opens one at a time."""
    return "\n\n".join(f"<details><summary>Hint {k} ({strength})</summary>\n\n{text}\n\n"
                       "</details>"
                       for k, (strength, text) in enumerate(
                           zip(("a nudge", "the method", "almost the answer"), hints,
                               strict=False), 1))


CELLS = [
    md(r"""
    # 03 · A scalar autograd engine

    In notebook 02 you ran backward passes by hand. Every step was mechanical: a node
    multiplies the gradient arriving from above by its local derivative and hands the result
    to its inputs. Mechanical steps are what computers are for. In this notebook you write
    `Value`, a number that remembers how it was computed, so that one call,
    `loss.backward()`, fills in the gradient (梯度) of every number the loss depends on. It
    has the same API as Andrej Karpathy's *micrograd*; PyTorch's autograd is the same idea
    for arrays. Then you build a small neural network on your own engine and train it.

    You write the engine in three stages, each with its own test and its own points:

    1. `+`, `*` and `backward()`: the whole idea, on the two simplest operations;
    2. `**`, `exp`, `tanh`, `relu`: more local derivatives;
    3. `-`, `/` and numbers on the left: built from what you have, gradients for free.

    **After this notebook you will be able to**

    - write an operation as a forward value plus a closure holding its local derivative;
    - explain why the backward pass needs a **topological order**, and build one without
      recursion;
    - explain why gradients are accumulated with `+=`, and what that means for a second
      `backward()`;
    - build `Neuron`, `Layer` and `MLP` on your engine, check them against numeric gradients
      and train them.
    """),
    code("""
    import math
    import os
    import random
    import sys

    import matplotlib.pyplot as plt
    import numpy as np
    from tqdm.auto import trange

    from bpcourse import data, numerical_gradient, plots
    from bpcourse.grading import expect
    from bpcourse.graph import draw

    rng = np.random.default_rng(0)
    np.set_printoptions(precision=6, suppress=True)
    QUICK = bool(os.environ.get("NBGRADER_EXECUTION"))  # shorter training while grading
    """),
    md(r"""
    ## 1. A number that remembers where it came from

    A `Value` holds `data` (the number) and `grad` (the derivative of the final output with
    respect to it, 0 until a backward pass). An operation on Values returns a **new** Value
    that also records its inputs (`_prev`) and the operation (`_op`): together they form the
    computation graph (计算图), built as a side effect of ordinary arithmetic.

    The new node also gets a small function, `_backward`, that knows the operation's local
    derivative. Here is an operation you will *not* write, $\sin$, to show the pattern: the
    forward value and the local derivative sit side by side.

    ```python
    def sin(self):
        out = Value(math.sin(self.data), (self,), "sin")

        def _backward():
            # d(sin a)/da = cos a (the local derivative), times out.grad (the upstream
            # gradient dL/d(out)): the chain rule. += because `self` may feed other nodes too.
            self.grad += math.cos(self.data) * out.grad

        out._backward = _backward
        return out
    ```

    `_backward` is a **closure**: it was defined inside `sin`, so it still sees `self` and
    `out` when it is called much later, during the backward pass. A tiny illustration:
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
    ## 2. The backward pass needs an order

    `L.backward()` sets `L.grad = 1` ($\partial L/\partial L$) and calls every node's
    `_backward`. In which order? A node may pass its gradient on only when it is complete:
    after **every** node that uses it has added its share. Ordering the nodes so that each
    comes after all of its inputs is a **topological order** (拓扑排序); the backward pass
    walks it in **reverse**, from the output to the leaves.

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
    deep (a recurrent network unrolled over a long sequence, a loop of a few thousand
    updates) and Python stops a recursion at about a thousand nested calls:
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
    _md(r"""
    So build the order with an **explicit stack**: a list you push to and pop from, that
    plays the part of Python's call stack. The tests build a chain thousands of operations
    deep.

    ## 3. Stage 1: `+`, `*` and `backward()`

    **A worked case, by hand first.** Take $a = 2$, $b = -3$ and $c = a \cdot b + a$. Name the
    product $p = a \cdot b = -6$, so $c = p + a = -4$.

    - $\partial c/\partial c = 1$: the seed.
    - $c = p + a$: a sum passes its upstream gradient unchanged to both inputs, so
      $\partial c/\partial p = 1$ and the *direct* path gives $a$ a share of $1$.
    - $p = a \cdot b$: nudge $a$ by $\varepsilon$ and $p$ moves by $b\,\varepsilon$, so $a$ gets
      $b \cdot \partial c/\partial p = -3$, and $b$ gets $a \cdot 1 = 2$.
    - $a$ is used twice, so its two shares **add**: $\partial c/\partial a = 1 + (-3) = -2$.

    **The check to run.** Your engine must give `a.grad == -2.0` and `b.grad == 2.0` after
    `c.backward()`; the visible test below starts with exactly that, then tries random
    numbers, forks (`c = a + a`), diamonds and a deep chain against central differences.

    **Numbers on either side.** `a + 1` calls `a.__add__(1)`: wrap a plain number in a
    `Value` first. `1 + a` first tries `int.__add__(1, a)`, which does not know Values, so
    Python then calls the *reflected* method `a.__radd__(1)`; likewise `2 * a` calls
    `a.__rmul__(2)`.
    """, _hints(
        "Copy the pattern of `sin` above. What is the local derivative of `a + b` with "
        "respect to `a`? Of `a * b` with respect to `a`? (Nudge one input, watch the output.)",
        "In `backward()`: build a list `order` of every node, each after its inputs, with a "
        "stack of `(node, inputs_done)` pairs and a `visited` set; then `self.grad = 1.0` and "
        "call `node._backward()` for `node in reversed(order)`. Inside every closure use `+=`: "
        "a node used twice must receive both shares.",
        "The order, as pseudo-code:\n\n"
        "```\norder, visited = [], set()\nstack = [(output, False)]\n"
        "while the stack is not empty:\n    node, inputs_done = pop the last entry\n"
        "    if inputs_done:   append node to order   # all its inputs are already in order\n"
        "    elif node not in visited:\n        mark node visited\n"
        "        push (node, True)                    # come back to it after its inputs\n"
        "        push (child, False) for every child in node._prev not yet visited\n```")),
    md(r"""
    ### Exercise 1 — `class Value` with `+`, `*` and `backward()`

    Fill in the methods below. `__init__` and `__repr__` are given; keep the attribute names
    (`data`, `grad`, `_prev`, `_op`, `_backward`): the drawing and the tests rely on them.
    The next stages add methods to this same class.
    """),
    answer("value_basics", VALUE_BASICS),
    test("value_basics_visible", 2, """
    # The worked case: c = a*b + a, so dc/da = b + 1 = -2 and dc/db = a = 2 (a is used twice).
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a
    c.backward()
    expect(np.array([a.grad, b.grad]), np.array([-2.0, 2.0]), "[a.grad, b.grad] for c = a*b + a",
           mistakes=[("`=` instead of `+=`: a is used twice, both shares must add",
                      np.array([-3.0, 2.0])),
                     ("grad not seeded: backward() must set the output's grad to 1.0 first",
                      np.array([0.0, 0.0]))])

    # + and * on random numbers against central differences, forks, diamonds, the order.
    from bpcourse.grading import nb03
    nb03.test_value_basics(Value, seeds=[0])
    print("Value, stage 1: the visible tests pass")
    """),
    test("value_basics_hidden", 2, hidden(
        "nb03", "Value", "test_value_basics", "test_value_second_backward",
        about="+ and * on random numbers and graphs, a second backward()")),
    test("value_deep", 1, """
    # A chain deeper than Python's recursion limit (section 2).
    from bpcourse.grading import nb03
    nb03.test_value_deep(Value, depth=1500, seed=0)
    ### BEGIN HIDDEN TESTS
    nb03.test_value_deep(Value, depth=3000, seed=52)
    ### END HIDDEN TESTS
    print("Value: a chain 1500 operations deep backpropagates")
    """),
    md(r"""
    **Recap of stage 1.** For `out = a + b`: `a.grad += out.grad`, `b.grad += out.grad`
    (local derivatives $1, 1$). For `out = a * b`: `a.grad += b.data * out.grad`,
    `b.grad += a.data * out.grad` (local derivatives $b, a$). `backward()`: a topological
    order, `self.grad = 1.0`, then every `_backward` in reverse order.

    **A second `backward()`.** Gradients are accumulated (`+=`), so `backward()` does not
    clear them; like micrograd and PyTorch, you set every `grad` to `0` before a new pass
    (the training loop of section 7 does that).

    ## 4. Stage 2: `**`, `exp`, `tanh`, `relu`

    Each is one input, one output: find its local derivative, write the closure as in `sin`.

    **The method.** Work the derivative out with calculus, then *check it with numbers*
    before you code it: a central difference $\frac{f(x+h) - f(x-h)}{2h}$ (notebook 01) at a
    point or two. For example, $\tanh$ at $x = 0.5$:
    """),
    code("""
    def slope(f, x, h=1e-6):
        # central difference of a function of one number
        return (f(x + h) - f(x - h)) / (2 * h)

    x = 0.5
    print("numeric slope of tanh at 0.5:", slope(math.tanh, x))
    print("your formula at 0.5:          ", "...")   # write your candidate and compare
    """),
    _md(r"""
    `**` takes a constant exponent $n$ (an int or a float, not a Value). `relu` is
    $\max(0, a)$; at $a = 0$ exactly, use the derivative $0$. `math.exp` and `math.tanh` are
    imported. Each function below takes `self`, like a method; the cell's last lines attach
    them to your class.
    """, _hints(
        "`exp` is its own derivative, and you already computed it: `out.data`. For `tanh`, "
        "write the derivative in terms of $t = \\tanh a$.",
        "Power rule: $\\frac{d}{da} a^n = n\\,a^{n-1}$. $\\frac{d}{da}\\tanh a = 1 - \\tanh^2 a$, "
        "i.e. `1 - t * t` with `t = out.data`, *not* `1 - a**2`. relu passes the gradient "
        "where its input is positive: multiply by `(out.data > 0)`.",
        "Every closure has the same shape: `self.grad += <local derivative> * out.grad`. For "
        "`exp`: `self.grad += out.data * out.grad`.")),
    md(r"""
    ### Exercise 2 — `**`, `exp()`, `tanh()`, `relu()`
    """),
    answer("value_ops", VALUE_OPS),
    test("value_ops_visible", 1, """
    # tanh at 0.5: d(tanh a)/da = 1 - tanh(0.5)**2 = 0.786448...
    a = Value(0.5)
    a.tanh().backward()
    expect(np.array([a.grad]), np.array([1 - math.tanh(0.5) ** 2]), "a.grad for tanh(a) at 0.5",
           mistakes=[("tanh: use 1 - tanh(a)**2 (1 - out.data**2), not 1 - a**2",
                      np.array([1 - 0.5 ** 2]))])

    # Every operation of stage 2, alone and in graphs, against central differences.
    from bpcourse.grading import nb03
    nb03.test_value_ops(Value, seeds=[0])
    print("Value, stage 2: the visible tests pass")
    """),
    test("value_ops_hidden", 2, hidden(
        "nb03", "Value", "test_value_ops",
        about="**, exp, tanh, relu on random numbers and graphs")),
    _md(r"""
    **Recap of stage 2: the local derivatives.**

    | operation | forward | local derivative |
    |---|---|---|
    | `a ** n` ($n$ a constant) | $a^n$ | $n\,a^{n-1}$ |
    | `a.exp()` | $e^a$ | $e^a$ (that is `out.data`) |
    | `a.tanh()` | $t = \tanh a$ | $1 - t^2$ |
    | `a.relu()` | $\max(0, a)$ | $1$ if $a > 0$ else $0$ |

    ## 5. Stage 3: what is left, for free

    Subtraction, negation and division need no new derivative: write each with the
    operations you already have, and its gradient comes out of theirs. `2 - a` calls
    `a.__rsub__(2)` (it must compute $2 - a$, not $a - 2$); `2 / a` calls `a.__rtruediv__(2)`.
    """, _hints(
        "$-a$ is a product, and $a - b$ is a sum.",
        "$-a = a \\cdot (-1)$; $a - b = a + (-b)$; $a / b = a \\cdot b^{-1}$.",
        "`__rsub__(self, other)` computes `other - self`: `(-self) + other`. "
        "`__rtruediv__(self, other)` computes `other / self`: `self ** -1 * other`.")),
    md(r"""
    ### Exercise 3 — unary `-`, `-`, `/`, and numbers on the left
    """),
    answer("value_rest", VALUE_REST),
    test("value_rest_visible", 1, """
    # 2 - a at a = 0.5 is 1.5, and its slope is -1.
    a = Value(0.5)
    c = 2 - a
    c.backward()
    expect(np.array([c.data, a.grad]), np.array([1.5, -1.0]), "[c.data, a.grad] for c = 2 - a",
           mistakes=[("__rsub__ computes other - self (2 - a), not self - other",
                      np.array([-1.5, 1.0]))])

    from bpcourse.grading import nb03
    nb03.test_value_rest(Value, seeds=[0])
    print("Value, stage 3: the visible tests pass")
    """),
    test("value_rest_hidden", 1, hidden(
        "nb03", "Value", "test_value_rest",
        about="-, /, reflected - and / on random numbers, a graph that uses everything")),
    md(r"""
    **Recap of stage 3.** $-a = a \cdot (-1)$, $\;a - b = a + (-b)$, $\;a / b = a \cdot b^{-1}$:
    compound operations reuse the primitive ones, so their gradients come for free.

    ## 6. Your graph, with its gradients — and a check against numeric gradients

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
    _md(r"""
    ## 7. A neural network on your engine

    A **neuron** with `nin` inputs holds `nin` weights and a bias, all Values, and computes
    $\tanh(w \cdot x + b)$. A **layer** is `nout` neurons that all read the same inputs. An
    **MLP** (multi-layer perceptron) is layers in a row, each reading the previous one's
    outputs; every layer but the last is nonlinear, the last is linear (its outputs are
    scores, any real number). Because each is made of your Values, `loss.backward()` reaches
    every weight: backpropagation through a network is nothing but your engine at work.

    **A worked case.** `MLP(2, [3, 1])` has a layer of 3 neurons with 2 weights and a bias
    each ($3 \cdot (2 + 1) = 9$ Values) and a last layer of 1 neuron with 3 weights and a
    bias ($4$): `parameters()` must list all $13$. On input `[x1, x2]` it returns one Value,
    $v_1 h_1 + v_2 h_2 + v_3 h_3 + c$ with $h_j = \tanh(w_{j1} x_1 + w_{j2} x_2 + b_j)$.

    **The API (micrograd's)**, which the tests use:

    | | |
    |---|---|
    | `Neuron(nin, nonlin=True)` | `.w` a list of `nin` Values (random in $[-1, 1]$: `random.uniform(-1, 1)`), `.b` a Value (0); calling it on `x` (a list of numbers or Values) returns one Value |
    | `Layer(nin, nout, **kwargs)` | `.neurons` a list of `nout` Neurons (`kwargs` go to each); calling it returns a list of Values, or the Value itself when `nout == 1` |
    | `MLP(nin, nouts)` | `.layers` a list of Layers of sizes `nin -> nouts[0] -> ... -> nouts[-1]`, the last with `nonlin=False`; calling it runs them in turn |
    | `.parameters()` | on each: a flat list of every weight and bias Value below it, each once |

    **The check to run.** `len(MLP(3, [4, 4, 1]).parameters())` is $4 \cdot 4 + 4 \cdot 5 +
    1 \cdot 5 = 41$; the visible test then compares your outputs and every gradient with a
    numpy forward pass and central differences.
    """, _hints(
        "A neuron's `__call__` is a sum of products: start from the bias and add `wi * xi` "
        "for each pair (`zip(self.w, x)`). Python's `sum(items, start)` takes a start value.",
        "Each layer needs its *own* neurons: `[Neuron(nin, **kwargs) for _ in range(nout)]` "
        "(`[Neuron(nin)] * nout` repeats one object). In `MLP`, `sizes = [nin] + nouts`, and "
        "layer `i` is `Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1)`.",
        "`parameters()`: `self.w + [self.b]` for a neuron (do not forget the bias); "
        "`[p for n in self.neurons for p in n.parameters()]` for a layer, the same over "
        "`self.layers` for the MLP.")),
    md(r"""
    ### Exercise 4 — `Neuron`, `Layer`, `MLP`
    """),
    answer("network", NETWORK),
    test("network_visible", 2, """
    random.seed(1)
    net = MLP(3, [4, 4, 1])
    count = len(net.parameters())
    assert count == 41, (f"MLP(3, [4, 4, 1]).parameters() lists {count} Values, expected 41 "
                         "= 4·(3+1) + 4·(4+1) + 1·(4+1)"
                         + (". Likely mistake: parameters() misses the biases" if count == 32 else ""))
    out = net([1.0, -2.0, 0.5])
    assert hasattr(out, "data"), f"MLP(3, [4, 4, 1]) must return one Value, got {type(out).__name__}"

    # Structure, parameters, outputs and every gradient of a loss against central differences.
    from bpcourse.grading import nb03
    nb03.test_mlp(Neuron, Layer, MLP, seeds=[0])
    print("Neuron, Layer, MLP: the visible tests pass")
    """),
    test("network_hidden", 3, hidden(
        "nb03", "Neuron, Layer, MLP", "test_mlp",
        about="MLPs of random sizes: parameters, outputs, gradients by central differences")),
    md(r"""
    ## 8. Train the MLP on the two moons

    Two interleaving half circles, labelled $y = \pm 1$: no straight line separates them, so
    one neuron cannot; an MLP with two hidden layers can. The loss is the mean squared error
    between the MLP's score and the label. Each step builds the graph afresh, **zeroes the
    parameters' gradients** (they accumulate, remember), calls `backward()` and moves every
    parameter a little against its gradient: gradient descent. Forty steps keep this
    notebook quick: the boundary starts to bend around the moons; run more steps (say 200)
    and watch it separate them completely.

    **Why `gc.set_threshold`.** Each of your Values and its `_backward` closure refer to each
    other (a reference cycle), so a graph is freed by Python's cycle collector, not the moment
    it is dropped. By default that collector runs every 700 new objects and now and then
    rescans everything alive, here tens of thousands of Values per step: letting it wait for
    100,000 new objects makes this training several times faster. micrograd has the same
    cycles; the setting is put back after the plots.
    """),
    code("""
    import gc

    default_thresholds = gc.get_threshold()
    gc.set_threshold(100_000)                   # see above: the collector waits longer
    X, y = data.moons(n=50, noise=0.1, seed=0)
    targets = 2.0 * y - 1.0                     # labels 0/1 -> -1/+1
    random.seed(0)                              # the initial weights (random.uniform)
    model = MLP(2, [8, 8, 1])
    params = model.parameters()
    print(f"{len(params)} parameters, {len(X)} points")

    def loss_of(model):
        scores = [model(x) for x in X.tolist()]
        return sum((s - t) ** 2 for s, t in zip(scores, targets.tolist())) / len(X)

    steps = 5 if QUICK else 40
    losses = []
    progress = trange(steps, desc="training", bar_format="{desc}: {n}/{total} {bar} {postfix}")
    for step in progress:
        loss = loss_of(model)
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= 0.15 * p.grad             # the learning rate: 0.15
        losses.append(loss.data)
        progress.set_postfix_str(f"loss {loss.data:.4f}")
    accuracy = np.mean([np.sign(model(x).data) == t for x, t in zip(X.tolist(), targets)])
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f}, accuracy {accuracy:.0%}")
    """),
    code("""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    plots.loss_curve(losses, ax=ax1)
    ax1.set_title("training loss (mean squared error)")
    plots.decision_boundary(lambda P: np.array([model(p).data > 0 for p in P.tolist()], dtype=int),
                            X, y, ax=ax2, resolution=15 if QUICK else 20)
    ax2.set_title("what the MLP learned")
    plt.show()
    gc.set_threshold(*default_thresholds)
    """),
    md(r"""
    ## What you did

    - Wrote `Value` in three stages: each operation stores a closure with its local
      derivative, multiplied by the upstream gradient and **added** into its inputs.
    - Built a topological order with an explicit stack, so depth is no limit, and ran the
      closures in reverse.
    - Built `Neuron`, `Layer` and `MLP` on your engine, checked their gradients against
      central differences, and trained the MLP to separate the moons.

    **Next, 04_layers:** the same chain rule for whole arrays at once: a layer's backward
    pass is one matrix product instead of thousands of scalar closures.
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
