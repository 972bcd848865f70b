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
from nbbuild import answer, code, glossary, hidden, md, test, write, zh_variant  # noqa: E402

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

def _md(text: str, hints: str, zh: str, zh_hints: str):
    """A markdown cell whose text ends with hint blocks, in both editions."""
    return md(textwrap.dedent(text).strip("\n") + "\n\n" + hints,
              zh=(zh) + "\n\n" + zh_hints)


_HINT_TITLES = {
    "en": ("Hint {k} (a nudge)", "Hint {k} (the method)", "Hint {k} (almost the answer)"),
    "zh": ("提示 {k}（点拨）", "提示 {k}（方法）", "提示 {k}（接近答案）"),
}


def _hints(*hints: str, lang: str = "en") -> str:
    """Collapsed hint blocks, weakest first: a stuck learner opens one at a time."""
    return "\n\n".join(f"<details><summary>{title.format(k=k)}</summary>\n\n{text}\n\n"
                       "</details>"
                       for k, (title, text) in enumerate(
                           zip(_HINT_TITLES[lang], hints, strict=False), 1))


TRAINING = """
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
"""

PLOTS = """
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
plots.loss_curve(losses, ax=ax1)
ax1.set_xlabel("step")
ax1.set_ylabel("loss")
ax1.set_title("training loss (mean squared error)")
plots.decision_boundary(lambda P: np.array([model(p).data > 0 for p in P.tolist()], dtype=int),
                        X, y, ax=ax2, resolution=15 if QUICK else 20)
ax2.set_title("what the MLP learned")
plt.show()
gc.set_threshold(*default_thresholds)
"""


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
    """, zh=(r"""
    # 03 · 标量自动微分引擎

    在笔记本 02 中，你手动完成了反向传播。每一步都是机械的：一个节点把从上游传来的梯度乘以
    自己的局部导数，再把结果交给它的输入。机械的步骤正适合交给计算机。本笔记本中，你将编写
    `Value`：一个记得自己是如何算出来的数。这样只需调用一次 `loss.backward()`，就能求出损失
    所依赖的每个数的梯度。它的 API 与 Andrej Karpathy 的 *micrograd* 相同；PyTorch 的
    autograd 则是同一思想在数组上的实现。随后，你将在自己的引擎上搭建一个小型神经网络并训练它。

    引擎分三个阶段完成，每个阶段都有自己的测试和分数：

    1. `+`、`*` 和 `backward()`：在两个最简单的运算上实现全部核心思想；
    2. `**`、`exp`、`tanh`、`relu`：更多的局部导数；
    3. `-`、`/` 以及数字在左侧的情形：用已有的运算组合而成，梯度不用另外推导。

    **学完本笔记本，你将能够**

    - 把一个运算写成前向的值，加上一个保存其局部导数的闭包；
    - 解释反向传播为什么需要**拓扑排序**，并且不用递归地构建它；
    - 解释梯度为什么用 `+=` 累加，以及这对第二次调用 `backward()` 意味着什么；
    - 在自己的引擎上搭建 `Neuron`、`Layer` 和 `MLP`，用数值梯度检验它们，并训练它们。
    """)),
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
    """, zh=(r"""
    ## 1. 记得自己从哪里来的数

    一个 `Value` 保存 `data`（这个数本身）和 `grad`（最终输出对它的导数，在反向传播之前为
    0）。对 Value 做运算会返回一个**新的** Value，它还记录了自己的输入（`_prev`）和所做的运算
    （`_op`）：这些记录合在一起就是计算图，它在普通的算术运算中顺带就构建出来了。

    新节点还会得到一个小函数 `_backward`，它知道这个运算的局部导数（标量情形下的局部梯度）。
    下面用一个你*不需要*写的运算 $\sin$ 来展示这个模式：前向的值和局部导数紧挨在一起。

    ```python
    def sin(self):
        out = Value(math.sin(self.data), (self,), "sin")

        def _backward():
            # d(sin a)/da = cos a（局部导数），乘以 out.grad（上游梯度 dL/d(out)）：
            # 这就是链式法则。用 += 是因为 `self` 可能还是其他节点的输入。
            self.grad += math.cos(self.data) * out.grad

        out._backward = _backward
        return out
    ```

    `_backward` 是一个**闭包**：它定义在 `sin` 内部，所以很久以后在反向传播中被调用时，仍然
    能看到 `self` 和 `out`。一个小例子：
    """)),
    code("""
    def make_greeting(name):
        def greet():
            return f"hello, {name}"   # `name` is remembered after make_greeting returned
        return greet

    later = [make_greeting("x"), make_greeting("y")]
    print([f() for f in later])
    """, zh="""
    def make_greeting(name):
        def greet():
            return f"你好，{name}"   # make_greeting 返回之后，`name` 仍被记住
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
    """, zh=(r"""
    ## 2. 反向传播需要一个顺序

    `L.backward()` 先令 `L.grad = 1`（即 $\partial L/\partial L$），再调用每个节点的
    `_backward`。按什么顺序调用？一个节点只有在“完整”之后才能把梯度继续往下传，也就是说，
    **所有**用到它的节点都已经把各自的那一份加给了它。把节点排成每个节点都位于其所有输入之后
    的顺序，就是**拓扑排序**；反向传播按**逆序**遍历它，从输出一直走到叶节点。

    下图按课程引擎的实际运行顺序给节点编号。`b` 被用了两次（`tanh` 和 `*` 各用一次），所以
    这两个节点都必须在 `b` 把梯度传给 `a` 之前运行。
    """)),
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
    """, zh=(r"""
    构建这个顺序的经典方法是递归的深度优先搜索。但计算图可能很深（在长序列上展开的循环神经
    网络，由几千次更新组成的循环），而 Python 的递归大约在一千层嵌套调用时就会停止：
    """)),
    code("""
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)

    print("recursion limit:", sys.getrecursionlimit())
    try:
        depth(5000)
    except RecursionError as error:
        print("depth(5000) ->", type(error).__name__, error)
    """, zh="""
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)

    print("递归深度上限：", sys.getrecursionlimit())
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
        "        push (child, False) for every child in node._prev not yet visited\n```"),
        zh=(r"""
    所以要用一个**显式栈**来构建这个顺序：一个由你自己压入、弹出的列表，扮演 Python 调用栈的
    角色。测试会构建一条几千个运算深的链。

    ## 3. 第一阶段：`+`、`*` 和 `backward()`

    **先手算一个例子。** 取 $a = 2$，$b = -3$，$c = a \cdot b + a$。把乘积记作
    $p = a \cdot b = -6$，于是 $c = p + a = -4$。

    - $\partial c/\partial c = 1$：反向传播的起点。
    - $c = p + a$：加法把上游梯度原样传给两个输入，所以 $\partial c/\partial p = 1$，而 $a$
      经*直接*路径得到的一份是 $1$。
    - $p = a \cdot b$：把 $a$ 改变 $\varepsilon$，$p$ 就改变 $b\,\varepsilon$，所以 $a$ 得到
      $b \cdot \partial c/\partial p = -3$，$b$ 得到 $a \cdot 1 = 2$。
    - $a$ 被用了两次，所以它的两份梯度要**相加**：$\partial c/\partial a = 1 + (-3) = -2$。

    **要做的检验。** 调用 `c.backward()` 之后，你的引擎必须给出 `a.grad == -2.0` 和
    `b.grad == 2.0`；下面的可见测试正是从这个例子开始，接着在随机数、分叉（`c = a + a`）、
    菱形图和一条很深的链上与中心差分进行比较。

    **数字在任意一侧。** `a + 1` 调用的是 `a.__add__(1)`：先把普通的数包装成 `Value`。
    `1 + a` 会先尝试 `int.__add__(1, a)`，而它不认识 Value，于是 Python 接着调用*反射*方法
    `a.__radd__(1)`；同理，`2 * a` 调用的是 `a.__rmul__(2)`。
    """), zh_hints=_hints(
        "照着上面 `sin` 的模式写。`a + b` 对 `a` 的局部导数是多少？`a * b` 对 `a` 的呢？"
        "（改变一个输入，观察输出如何变化。）",
        "在 `backward()` 中：用一个由 `(node, inputs_done)` 对组成的栈和一个 `visited` 集合，"
        "构建列表 `order`，其中每个节点都排在它的输入之后；然后令 `self.grad = 1.0`，并对 "
        "`node in reversed(order)` 依次调用 `node._backward()`。每个闭包里都要用 `+=`："
        "被用了两次的节点必须收到两份梯度。",
        "构建顺序的伪代码：\n\n"
        "```\norder, visited = [], set()\nstack = [(output, False)]\n"
        "当栈不为空时：\n    node, inputs_done = 弹出最后一项\n"
        "    如果 inputs_done：把 node 追加到 order    # 它的输入都已在 order 中\n"
        "    否则，如果 node 不在 visited 中：\n        把 node 标记为已访问\n"
        "        压入 (node, True)                    # 处理完它的输入后再回到它\n"
        "        对 node._prev 中每个尚未访问的 child，压入 (child, False)\n```",
        lang="zh")),
    md(r"""
    ### Exercise 1 — `class Value` with `+`, `*` and `backward()`

    Fill in the methods below. `__init__` and `__repr__` are given; keep the attribute names
    (`data`, `grad`, `_prev`, `_op`, `_backward`): the drawing and the tests rely on them.
    The next stages add methods to this same class.
    """, zh=(r"""
    ### 练习 1：带 `+`、`*` 和 `backward()` 的 `class Value`

    补全下面的方法。`__init__` 和 `__repr__` 已经给出；请保留属性名（`data`、`grad`、
    `_prev`、`_op`、`_backward`）：画图工具和测试都依赖它们。后面的阶段会往同一个类里添加方法。
    """)),
    answer("value_basics", VALUE_BASICS),
    test("value_basics_visible", 2, """
    # The worked case: c = a*b + a, so dc/da = b + 1 = -2 and dc/db = a = 2 (a is used twice).
    # 示例：c = a*b + a，a 被用了两次，所以 dc/da = b + 1 = -2，dc/db = a = 2。
    from bpcourse.grading import nb03
    from bpcourse.grading.toolkit import passed
    nb03.check_worked_case(Value)

    # + and * on random numbers against central differences, forks, diamonds, the order.
    # 随机数上的 + 和 *（与中心差分比较）、分叉、菱形图，以及反向传播的顺序。
    nb03.test_value_basics(Value, seeds=[0])
    passed("Value: +, *, backward()")
    """),
    test("value_basics_hidden", 2, hidden(
        "nb03", "Value", "test_value_basics", "test_value_second_backward",
        about="+ and * on random numbers and graphs, a second backward()")),
    test("value_deep", 1, """
    # A chain deeper than Python's recursion limit (section 2).
    # 一条比 Python 递归深度上限还深的链（第 2 节）。
    from bpcourse.grading import nb03
    from bpcourse.grading.toolkit import passed
    nb03.test_value_deep(Value, depth=1500, seed=0)
    ### BEGIN HIDDEN TESTS
    nb03.test_value_deep(Value, depth=3000, seed=52)
    ### END HIDDEN TESTS
    passed("Value.backward(), depth=1500")
    """),
    md(r"""
    **Recap of stage 1.** For `out = a + b`: `a.grad += out.grad`, `b.grad += out.grad`
    (local derivatives $1, 1$). For `out = a * b`: `a.grad += b.data * out.grad`,
    `b.grad += a.data * out.grad` (local derivatives $b, a$). `backward()`: a topological
    order, `self.grad = 1.0`, then every `_backward` in reverse order.

    **A second `backward()`.** Gradients are accumulated (`+=`), so `backward()` does not
    clear them; like micrograd and PyTorch, you set every `grad` to `0` before a new pass
    (the training loop of section 8 does that).

    ## 4. Stage 2: `**`, `exp`, `tanh`, `relu`

    Each is one input, one output: find its local derivative, write the closure as in `sin`.

    **The method.** Work the derivative out with calculus, then *check it with numbers*
    before you code it: a central difference $\frac{f(x+h) - f(x-h)}{2h}$ (notebook 01) at a
    point or two. For example, $\tanh$ at $x = 0.5$:
    """, zh=(r"""
    **第一阶段回顾。** 对于 `out = a + b`：`a.grad += out.grad`，`b.grad += out.grad`（局部
    导数为 $1, 1$）。对于 `out = a * b`：`a.grad += b.data * out.grad`，
    `b.grad += a.data * out.grad`（局部导数为 $b, a$）。`backward()`：求出拓扑排序，令
    `self.grad = 1.0`，然后按逆序调用每个 `_backward`。

    **第二次调用 `backward()`。** 梯度是累加的（`+=`），所以 `backward()` 不会清空它们；与
    micrograd 和 PyTorch 一样，在新一轮反向传播之前，要先把每个 `grad` 设为 `0`（第 8 节的
    训练循环就是这样做的）。

    ## 4. 第二阶段：`**`、`exp`、`tanh`、`relu`

    它们都只有一个输入、一个输出：求出局部导数，再仿照 `sin` 写出闭包。

    **方法。** 先用微积分推出导数，然后在写代码之前*用数值检验它*：在一两个点上计算中心差分
    $\frac{f(x+h) - f(x-h)}{2h}$（笔记本 01）。例如 $\tanh$ 在 $x = 0.5$ 处：
    """)),
    code("""
    def slope(f, x, h=1e-6):
        # central difference of a function of one number
        return (f(x + h) - f(x - h)) / (2 * h)

    x = 0.5
    print("numeric slope of tanh at 0.5:", slope(math.tanh, x))
    print("your formula at 0.5:          ", "...")   # write your candidate and compare
    """, zh="""
    def slope(f, x, h=1e-6):
        # 一元函数的中心差分
        return (f(x + h) - f(x - h)) / (2 * h)

    x = 0.5
    print("tanh 在 0.5 处的数值斜率：", slope(math.tanh, x))
    print("你的公式在 0.5 处的值：   ", "...")   # 写出你猜的公式，再比较
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
        "`exp`: `self.grad += out.data * out.grad`."),
        zh=(r"""
    `**` 的指数是一个常数 $n$（int 或 float，不是 Value）。`relu` 就是 $\max(0, a)$；恰好在
    $a = 0$ 处，取导数为 $0$。`math.exp` 和 `math.tanh` 已经导入。下面的每个函数都像方法一样
    接收 `self`；单元格的最后几行把它们挂到你的类上。
    """), zh_hints=_hints(
        "`exp` 的导数就是它自己，而你已经算过它了：`out.data`。对于 `tanh`，用 "
        "$t = \\tanh a$ 来表示导数。",
        "幂法则：$\\frac{d}{da} a^n = n\\,a^{n-1}$。$\\frac{d}{da}\\tanh a = 1 - \\tanh^2 a$，"
        "即 `1 - t * t`，其中 `t = out.data`，*而不是* `1 - a**2`。relu 只在输入为正的地方让"
        "梯度通过：乘以 `(out.data > 0)`。",
        "每个闭包的形状都一样：`self.grad += <局部导数> * out.grad`。对于 `exp`："
        "`self.grad += out.data * out.grad`。",
        lang="zh")),
    md(r"""
    ### Exercise 2 — `**`, `exp()`, `tanh()`, `relu()`
    """, zh=(r"""
    ### 练习 2：`**`、`exp()`、`tanh()`、`relu()`
    """)),
    answer("value_ops", VALUE_OPS),
    test("value_ops_visible", 1, """
    # tanh at 0.5: d(tanh a)/da = 1 - tanh(0.5)**2 = 0.786448...
    # tanh 在 0.5 处：d(tanh a)/da = 1 - tanh(0.5)**2 = 0.786448...
    from bpcourse.grading import nb03
    from bpcourse.grading.toolkit import passed
    nb03.check_tanh_at_half(Value)

    # Every operation of stage 2, alone and in graphs, against central differences.
    # 第二阶段的每个运算，单独使用和组合成图，都与中心差分比较。
    nb03.test_value_ops(Value, seeds=[0])
    passed("Value: **, exp(), tanh(), relu()")
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
        "`__rtruediv__(self, other)` computes `other / self`: `self ** -1 * other`."),
        zh=(r"""
    **第二阶段回顾：局部导数。**

    | 运算 | 前向 | 局部导数 |
    |---|---|---|
    | `a ** n`（$n$ 为常数） | $a^n$ | $n\,a^{n-1}$ |
    | `a.exp()` | $e^a$ | $e^a$（即 `out.data`） |
    | `a.tanh()` | $t = \tanh a$ | $1 - t^2$ |
    | `a.relu()` | $\max(0, a)$ | $a > 0$ 时为 $1$，否则为 $0$ |

    ## 5. 第三阶段：剩下的运算，梯度自然得到

    减法、取负和除法不需要新的导数：用你已有的运算把它们写出来，它们的梯度就由已有运算的梯度
    自然得到。`2 - a` 调用的是 `a.__rsub__(2)`（它必须计算 $2 - a$，而不是 $a - 2$）；
    `2 / a` 调用的是 `a.__rtruediv__(2)`。
    """), zh_hints=_hints(
        "$-a$ 是一个乘积，$a - b$ 是一个和。",
        "$-a = a \\cdot (-1)$；$a - b = a + (-b)$；$a / b = a \\cdot b^{-1}$。",
        "`__rsub__(self, other)` 计算 `other - self`：`(-self) + other`。"
        "`__rtruediv__(self, other)` 计算 `other / self`：`self ** -1 * other`。",
        lang="zh")),
    md(r"""
    ### Exercise 3 — unary `-`, `-`, `/`, and numbers on the left
    """, zh=(r"""
    ### 练习 3：取负 `-`、减法 `-`、除法 `/`，以及数字在左侧的情形
    """)),
    answer("value_rest", VALUE_REST),
    test("value_rest_visible", 1, """
    # 2 - a at a = 0.5 is 1.5, and its slope is -1.
    # 在 a = 0.5 处，2 - a 等于 1.5，斜率为 -1。
    from bpcourse.grading import nb03
    from bpcourse.grading.toolkit import passed
    nb03.check_rsub_at_half(Value)

    nb03.test_value_rest(Value, seeds=[0])
    passed("Value: -a, a - b, a / b, 2 - a, 2 / a")
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
    """, zh=(r"""
    **第三阶段回顾。** $-a = a \cdot (-1)$，$\;a - b = a + (-b)$，$\;a / b = a \cdot b^{-1}$：
    复合运算复用基本运算，所以它们的梯度是现成的。

    ## 6. 你的计算图及其梯度，以及与数值梯度的对照

    课程的画图工具读取你的 `Value` 所具有的字段（`data`、`grad`、`_prev`、`_op`，以及你给出的
    `label`），所以它能画出你自己的计算图，连同梯度。
    """)),
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
    """, zh=(r"""
    这正是 micrograd 中的那个神经元：$n \approx 0.881$，$o = \tanh n \approx 0.707$，
    $\partial o/\partial n = 1 - o^2 = 0.5$；$w_2$ 的梯度是 $0$，因为它的输入 $x_2$ 是 $0$。

    信任，但要验证：取一个用到所有运算的随机表达式，分别用你的引擎和笔记本 01 的中心差分求导。
    """)),
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
    """, zh="""
    def expression(a, b, c):
        e = (a * b - c / 2).tanh() + (a ** 2).exp() * 0.1
        return (e * c + (b - 1.5).relu() - 3 / (1 + c * c)) ** 2

    point = rng.uniform(-1.5, 1.5, size=3)
    leaves = [Value(v) for v in point]
    expression(*leaves).backward()
    yours = np.array([leaf.grad for leaf in leaves])
    numeric = numerical_gradient(lambda v: expression(*(Value(t) for t in v)).data, point.copy())
    print("你的引擎：", yours)
    print("数值梯度：", numeric)
    print(f"最大相对差：{np.max(np.abs(yours - numeric) / (np.abs(yours) + np.abs(numeric))):.1e}")
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
        "`self.layers` for the MLP."),
        zh=(r"""
    ## 7. 在你的引擎上搭建神经网络

    一个有 `nin` 个输入的**神经元**持有 `nin` 个权重和一个偏置，它们都是 Value；神经元计算
    $\tanh(w \cdot x + b)$。一个**层**由 `nout` 个读取同一组输入的神经元组成。**MLP**（多层
    感知机）是依次排列的若干层，每一层读取上一层的输出；除最后一层外，每层都是非线性的，最后
    一层是线性的（它的输出是分数，可以是任意实数）。因为它们都由你的 Value 构成，
    `loss.backward()` 能到达每一个权重：在网络中做反向传播，不过是你的引擎在工作而已。

    **一个例子。** `MLP(2, [3, 1])` 的第一层有 3 个神经元，每个有 2 个权重和 1 个偏置
    （$3 \cdot (2 + 1) = 9$ 个 Value）；最后一层有 1 个神经元，带 3 个权重和 1 个偏置（$4$ 个）：
    `parameters()` 必须列出全部 $13$ 个。对输入 `[x1, x2]`，它返回一个 Value，即
    $v_1 h_1 + v_2 h_2 + v_3 h_3 + c$，其中 $h_j = \tanh(w_{j1} x_1 + w_{j2} x_2 + b_j)$。

    **API（与 micrograd 相同）**，测试会用到它：

    | | |
    |---|---|
    | `Neuron(nin, nonlin=True)` | `.w` 是由 `nin` 个 Value 组成的列表（在 $[-1, 1]$ 中随机取值：`random.uniform(-1, 1)`），`.b` 是一个 Value（初值为 0）；在 `x`（由数或 Value 组成的列表）上调用它，返回一个 Value |
    | `Layer(nin, nout, **kwargs)` | `.neurons` 是由 `nout` 个 Neuron 组成的列表（`kwargs` 传给每个神经元）；调用它返回由 Value 组成的列表，`nout == 1` 时直接返回那个 Value |
    | `MLP(nin, nouts)` | `.layers` 是由若干 Layer 组成的列表，大小依次为 `nin -> nouts[0] -> ... -> nouts[-1]`，最后一层 `nonlin=False`；调用它时依次运行各层 |
    | `.parameters()` | 三者都有：返回其下每个权重和偏置 Value 组成的扁平列表，每个只出现一次 |

    **要做的检验。** `len(MLP(3, [4, 4, 1]).parameters())` 等于
    $4 \cdot 4 + 4 \cdot 5 + 1 \cdot 5 = 41$；随后可见测试会把你的输出和每一个梯度与 numpy 的
    前向传播和中心差分进行比较。
    """), zh_hints=_hints(
        "神经元的 `__call__` 是乘积之和：从偏置开始，对每一对（`zip(self.w, x)`）加上 "
        "`wi * xi`。Python 的 `sum(items, start)` 可以指定初始值。",
        "每个层都需要*自己的*神经元：`[Neuron(nin, **kwargs) for _ in range(nout)]`"
        "（`[Neuron(nin)] * nout` 只是把同一个对象重复了多次）。在 `MLP` 中，"
        "`sizes = [nin] + nouts`，第 `i` 层是 "
        "`Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1)`。",
        "`parameters()`：神经元返回 `self.w + [self.b]`（别忘了偏置）；层返回 "
        "`[p for n in self.neurons for p in n.parameters()]`，MLP 对 `self.layers` 做同样的事。",
        lang="zh")),
    md(r"""
    ### Exercise 4 — `Neuron`, `Layer`, `MLP`
    """, zh=(r"""
    ### 练习 4：`Neuron`、`Layer`、`MLP`
    """)),
    answer("network", NETWORK),
    test("network_visible", 2, """
    # MLP(3, [4, 4, 1]) has 4·(3+1) + 4·(4+1) + 1·(4+1) = 41 parameters.
    # MLP(3, [4, 4, 1]) 的参数量为 4·(3+1) + 4·(4+1) + 1·(4+1) = 41。
    from bpcourse.grading import nb03
    from bpcourse.grading.toolkit import passed
    random.seed(1)
    nb03.check_parameter_count(MLP)

    # Structure, parameters, outputs and every gradient of a loss against central differences.
    # 结构、参数、输出，以及损失对每个参数的梯度，都与中心差分比较。
    nb03.test_mlp(Neuron, Layer, MLP, seeds=[0])
    passed("Neuron, Layer, MLP")
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
    """, zh=(r"""
    ## 8. 在双月数据集上训练 MLP

    两个相互交错的半圆，标签为 $y = \pm 1$：没有一条直线能把它们分开，所以单个神经元做不到；
    有两个隐藏层的 MLP 则可以。损失是 MLP 输出的分数与标签之间的均方误差。每一步都重新构建
    计算图，**把参数的梯度清零**（别忘了，梯度是累加的），调用 `backward()`，再让每个参数沿
    梯度的反方向移动一小步：这就是梯度下降。只训练四十步，是为了让本笔记本运行得快：决策边界
    开始绕着两个月牙弯曲；多训练一些步（比如 200 步），就能看到它把两者完全分开。

    **为什么要调用 `gc.set_threshold`。** 你的每个 Value 和它的 `_backward` 闭包互相引用
    （循环引用），所以一张计算图要由 Python 的循环垃圾回收器来释放，而不是在不再被使用的那一刻
    释放。默认情况下，回收器每新建 700 个对象就运行一次，并且时不时地把所有存活的对象重新扫描
    一遍，而这里每一步都有几万个 Value：让它等到新建了 100,000 个对象再运行，能让这段训练快上
    好几倍。micrograd 也有同样的循环引用；画完图之后，这个设置会被恢复。
    """)),
    code(TRAINING, zh=zh_variant(TRAINING, *[
        ("# see above: the collector waits longer", "# 见上文：让回收器等久一些"),
        ("# labels 0/1 -> -1/+1", "# 标签 0/1 -> -1/+1"),
        ("# the initial weights (random.uniform)", "# 初始权重（random.uniform）"),
        ('f"{len(params)} parameters, {len(X)} points"', 'f"{len(params)} 个参数，{len(X)} 个数据点"'),
        ('desc="training"', 'desc="训练"'),
        ("# the learning rate: 0.15", "# 学习率：0.15"),
        ('f"loss {loss.data:.4f}"', 'f"损失 {loss.data:.4f}"'),
        ('f"loss {losses[0]:.4f} -> {losses[-1]:.4f}, accuracy {accuracy:.0%}"',
         'f"损失 {losses[0]:.4f} -> {losses[-1]:.4f}，准确率 {accuracy:.0%}"'),
    ])),
    code(PLOTS, zh=zh_variant(PLOTS, *[
        ('"step"', '"步数"'),
        ('"loss"', '"损失"'),
        ('"training loss (mean squared error)"', '"训练损失（均方误差）"'),
        ('"what the MLP learned"', '"MLP 学到的决策边界"'),
    ])),
    glossary("automatic differentiation (autograd)", "scalar", "gradient",
             "backpropagation, backward pass", "local gradient", "computation graph",
             "upstream gradient", "chain rule", "topological order (sort)", "leaf node",
             "∂L/∂L = 1 (the seed of the backward pass)", "gradient accumulation (a reused node)",
             "central difference", "numerical gradient", "neuron", "weight",
             "bias", "multilayer perceptron (MLP)", "parameter", "hidden layer",
             "mean squared error (MSE)", "gradient descent", "learning rate",
             "local derivative", "depth-first search", "explicit stack", "recursion limit",
             "diamond graph", "reflected method (__radd__, __rsub__, ...)",
             "decision boundary"),
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
    """, zh=(r"""
    ## 小结

    - 分三个阶段写出了 `Value`：每个运算保存一个带有局部导数的闭包，局部导数乘以上游梯度后
      **累加**到它的输入上。
    - 用显式栈构建了拓扑排序，因此深度不再受限，并按逆序运行这些闭包。
    - 在自己的引擎上搭建了 `Neuron`、`Layer` 和 `MLP`，用中心差分检验了它们的梯度，并训练
      MLP 把两个月牙分开。

    **下一个笔记本 04_layers：** 把同样的链式法则一次性用于整个数组：一层的反向传播是一次
    矩阵乘法，而不是成千上万个标量闭包。
    """)),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
