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
from nbbuild import answer, code, glossary, hidden, md, test, write, written  # noqa: E402

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
    """, zh=r"""
    # 02 · 计算图上的链式法则

    在笔记本 01 里，为了得到梯度，每个输入都要付出两次求值 $f$ 的代价。本笔记本则沿着表达式
    反向走一遍，就得到它的**全部**偏导数。用到的工具是链式法则，在计算图上逐个节点地应用。

    **学完本笔记本，你将能够**

    - 把一个表达式画成计算图，并执行它的前向传播；
    - 手动执行反向传播：从 $\partial f/\partial f = 1$ 出发，依次乘以每个节点的**局部梯度**；
    - 说出 $+$、$\times$ 和 sigmoid 的局部梯度；
    - 写出三个函数复合时的链式法则，并说明这种方法为什么叫“反向传播”；
    - 解释为什么一个变量被使用两次时，梯度要**相加**。
    """),
    code("""
    import math

    import matplotlib.pyplot as plt
    import numpy as np
    from IPython.display import display

    from bpcourse import Value, numerical_gradient
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
    """, zh=r"""
    ## 1. 表达式就是一张图

    以 $f(x, y, z) = (x + y)\,z$ 为例。给中间结果起个名字 $q = x + y$，于是 $f = q\,z$。
    每个运算是一个节点（小圆圈）；每个值是一个方框，写着它的名字和数值。从左到右依次算出各个
    方框，就是**前向传播**。

    下面用课程自带的 `Value`（你将在笔记本 03 中自己实现一个）在计算的同时记录下这张图，
    再用 `draw` 画出来。
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
    """, zh=r"""
    ## 2. 反向传播：局部梯度乘以上游梯度

    我们想求 $\partial f/\partial x$、$\partial f/\partial y$、$\partial f/\partial z$。从输出
    出发，沿着图**反向**走：

    1. $\dfrac{\partial f}{\partial f} = 1$——这是起点。
    2. 在 $\times$ 节点，$f = q\,z$。它的**局部梯度**是
       $\dfrac{\partial f}{\partial q} = z = -4$ 和 $\dfrac{\partial f}{\partial z} = q = 3$：
       乘法把*另一个*因子传给每个输入。
    3. 在 $+$ 节点，$q = x + y$：局部梯度 $\dfrac{\partial q}{\partial x} =
       \dfrac{\partial q}{\partial y} = 1$。**链式法则**把从上面传来的梯度（*上游*梯度，
       upstream）乘以局部梯度（local）：

    $$\frac{\partial f}{\partial x} = \underbrace{\frac{\partial f}{\partial q}}_{\text{upstream}}
    \cdot \underbrace{\frac{\partial q}{\partial x}}_{\text{local}} = -4 \cdot 1 = -4$$

    每个节点只需要它自己的输入，以及从上面传来的那一个数；它从不需要知道图的其余部分。
    下面的图一次一个节点地展示反向传播：金色的节点把它的梯度传给蓝色的输入。
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
    """, zh=r"""
    ### 三个函数的复合，以及名字的由来

    把三个函数叠起来：$y = g(x)$，$z = h(y)$，$L = k(z)$。链式法则在每一环乘上一个局部梯度：

    $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial z} \cdot
    \frac{\partial z}{\partial y} \cdot \frac{\partial y}{\partial x}$$

    **例题。** $x = 0.3$，$y = 3x$，$z = y^2$，$L = \tanh z$。

    | 环节 | 前向传播（输入 → 输出） | 局部梯度 |
    |---|---|---|
    | $y = 3x$ | $y = 0.9$ | $\partial y/\partial x = 3$ |
    | $z = y^2$ | $z = 0.81$ | $\partial z/\partial y = 2y = 1.8$ |
    | $L = \tanh z$ | $L = 0.6696$ | $\partial L/\partial z = 1 - \tanh^2 z = 0.5516$ |

    反向传播（输出 → 输入），在每一环计算“上游梯度 × 局部梯度”：

    1. $\partial L/\partial L = 1$，这是起点；
    2. $\partial L/\partial z = 1 \cdot 0.5516 = 0.5516$；
    3. $\partial L/\partial y = 0.5516 \cdot 1.8 = 0.9930$；
    4. $\partial L/\partial x = 0.9930 \cdot 3 = 2.9789$（保留四位小数，计算时用的是未经舍入的数）。

    在数学上，这个乘积按什么顺序算都一样；但**从输出端**开始算，每一步都只是把从上面传来的
    一个数（*上游*梯度）乘以一个局部梯度——而且传到 $y$ 的那个数，会被 $y$ 下方的每个输入重复
    使用。这就是整个算法，它的名字也由此而来：**反向传播**。前向传播把值从输入带到输出；随后
    *误差信号* $\partial L/\partial(\cdot)$ 从 $\partial L/\partial L = 1$ 开始，由输出向输入
    **反向传播**，一次一层（一个节点）。
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
    """, zh="""
    x = 0.3
    y = 3 * x                          # 前向传播，从输入到输出
    z = y ** 2
    L = math.tanh(z)
    dL_dz = (1 - L ** 2) * 1.0         # 反向传播，从输出到输入：局部梯度 × 上游梯度
    dL_dy = (2 * y) * dL_dz
    dL_dx = 3 * dL_dy
    print(f"手算：dL/dz = {dL_dz:.4f}，dL/dy = {dL_dy:.4f}，dL/dx = {dL_dx:.4f}")

    xv = Value(x, label="x")           # 用课程的 Value 计算同一条链
    Lv = ((3 * xv) ** 2).tanh()
    Lv.backward()
    numeric = numerical_gradient(lambda v: np.tanh((3 * v[0]) ** 2), np.array([x]))[0]
    print(f"Value：dL/dx = {xv.grad:.4f}；中心差分：{numeric:.4f}")
    """),
    md(r"""
    ### Exercise 1 — `grad_add_mul(x, y, z)`

    Return $(\partial f/\partial x,\ \partial f/\partial y,\ \partial f/\partial z)$ for
    $f = (x + y)\,z$, as a tuple of floats. Stage it like the pictures: forward pass first,
    then one line per local gradient. (With $x=-2, y=5, z=-4$ you should get
    $(-4, -4, 3)$.)
    """, zh=r"""
    ### 练习 1 — `grad_add_mul(x, y, z)`

    对 $f = (x + y)\,z$，以浮点数元组的形式返回
    $(\partial f/\partial x,\ \partial f/\partial y,\ \partial f/\partial z)$。像上面的图那样
    分步计算：先做前向传播，再每个局部梯度写一行。（取 $x=-2, y=5, z=-4$ 时，你应当得到
    $(-4, -4, 3)$。）
    """),
    answer("grad_add_mul", GRAD_ADD_MUL),
    test("grad_add_mul_visible", 1, """
    # q = x + y = 3, so (df/dx, df/dy, df/dz) = (z, z, q) = (-4, -4, 3), as a tuple.
    # q = x + y = 3，所以应返回元组 (df/dx, df/dy, df/dz) = (z, z, q) = (-4, -4, 3)。
    from bpcourse.grading import nb02
    from bpcourse.grading.toolkit import passed
    got = grad_add_mul(-2.0, 5.0, -4.0)
    nb02.check_grad_add_mul_example(got)
    passed("grad_add_mul")
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
    """, zh=r"""
    ## 3. 一个 sigmoid 神经元

    神经元对输入加权、加上偏置，再把和压缩到 $(0, 1)$ 之间：
    $f = \sigma(w_0 x_0 + w_1 x_1 + w_2)$，其中 $\sigma(z) = \dfrac{1}{1 + e^{-z}}$。

    sigmoid 的局部梯度以简洁著称：
    $$\frac{d\sigma}{dz} = \frac{e^{-z}}{(1 + e^{-z})^2} = \sigma(z)\,\big(1 - \sigma(z)\big)$$
    所以前向传播一旦算出了 $\sigma(z)$，反向传播就不必再算一次指数。下面是标出前向传播数值的
    计算图（采用 CS231n 的经典数值）：
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
    """, zh=r"""
    反向计算：sigmoid 节点把起点的 $1$ 变成 $\partial f/\partial z = \sigma(z)(1-\sigma(z))$；
    $+$ 节点原样往下传；每个 $\times$ 节点把输入传给权重，把权重传给输入。

    ### 练习 2 — `grad_sigmoid_neuron(w0, x0, w1, x1, w2)`

    按参数的顺序返回五个偏导数。（`math.exp` 已经导入；用上面的数值，你应当得到大约
    $(-0.197, 0.393, -0.393, -0.590, 0.197)$。）
    """),
    answer("grad_sigmoid_neuron", GRAD_SIGMOID_NEURON),
    test("grad_sigmoid_neuron_visible", 2, """
    # z = 2·(-1) + (-3)·(-2) - 3 = 1; a tuple of five partials, each σ(1)·(1 − σ(1)) times
    # (x0, w0, x1, w1, 1) = (-1, 2, -2, -3, 1).
    # z = 1；应返回五个偏导数组成的元组，各为 σ(1)·(1 − σ(1)) 乘以 (-1, 2, -2, -3, 1)。
    from bpcourse.grading import nb02
    from bpcourse.grading.toolkit import passed
    got = grad_sigmoid_neuron(2.0, -1.0, -3.0, -2.0, -3.0)
    nb02.check_grad_sigmoid_neuron_example(got)
    passed("grad_sigmoid_neuron")
    """),
    test("grad_sigmoid_neuron_hidden", 2, hidden(
        "nb02", "grad_sigmoid_neuron", "test_grad_sigmoid_neuron", about=ABOUT)),
    md(r"""
    Compare with the graph after a real backward pass: each box now shows its gradient.
    """, zh=r"""
    与真正执行一次反向传播之后的计算图比一比：现在每个方框都显示出了它的梯度。
    """),
    code("""
    neuron.backward()
    print("yours: ", np.round(grad_sigmoid_neuron(2.0, -1.0, -3.0, -2.0, -3.0), 6))
    print("Value: ", np.round([w0.grad, x0.grad, w1.grad, x1.grad, w2.grad], 6))
    draw(neuron)
    """, zh="""
    neuron.backward()
    print("你的结果：", np.round(grad_sigmoid_neuron(2.0, -1.0, -3.0, -2.0, -3.0), 6))
    print("Value：   ", np.round([w0.grad, x0.grad, w1.grad, x1.grad, w2.grad], 6))
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
    """, zh=r"""
    ## 4. 一个变量用了两次：梯度相加

    现在看 $f = (x + y)\,x$。变量 $x$ 流入**两个**节点：$+$ 和 $\times$。把 $x$ 挪动一个很小的
    $\delta$，两处用到 $x$ 的地方*都*会跟着动：$f$ 的变化等于（经由第一处的影响）**加上**
    （经由第二处的影响）。这就是多元链式法则：对从 $x$ 到 $f$ 的每条路径求和。

    $$\frac{\partial f}{\partial x} = \underbrace{\frac{\partial f}{\partial q}\,
    \frac{\partial q}{\partial x}}_{\text{through } q} + \underbrace{q}_{\text{direct}}$$

    （through $q$：经由 $q$ 的路径；direct：直接使用 $x$ 的路径。）在反向传播中，这就是一条
    规则：**每一处使用都把自己的那份梯度累加**到 $x$ 的梯度上（用 `+=`，绝不用 `=`）。下图中
    可以看到从 $x$ 出发的两条边。
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
    """, zh=r"""
    ### 练习 3 — `grad_fork(x, y)`

    对 $f = (x + y)\,x$，经由 $q = x + y$ 分步计算，返回
    $(\partial f/\partial x,\ \partial f/\partial y)$（不要先做代数化简：让两条路径自己相加）。
    """),
    answer("grad_fork", GRAD_FORK),
    test("grad_fork_visible", 2, """
    # q = 2: df/dx = q + x = 5, df/dy = x = 3, as a tuple (df/dx, df/dy).
    # q = 2：df/dx = q + x = 5，df/dy = x = 3，以元组 (df/dx, df/dy) 返回。
    from bpcourse.grading import nb02
    from bpcourse.grading.toolkit import passed
    got = grad_fork(3.0, -1.0)
    nb02.check_grad_fork_example(got)
    passed("grad_fork")
    """),
    test("grad_fork_hidden", 2, hidden("nb02", "grad_fork", "test_grad_fork", about=ABOUT)),
    md(r"""
    Watch it happen: in the backward pass below, $x$ is coloured blue **twice** — once when
    the $\times$ node runs, once when the $+$ node does — and its gradient grows each time.
    """, zh=r"""
    看看这个过程：在下面的反向传播中，$x$ **两次**被标成蓝色——一次在 $\times$ 节点执行时，一次
    在 $+$ 节点执行时——它的梯度每次都会增加。
    """),
    code("""
    for picture in backward_steps(fork):
        display(picture)
    """),
    md(r"""
    ## 5. Check against numeric gradients

    Notebook 01's oracle agrees with all three of your functions on random inputs:
    """, zh=r"""
    ## 5. 与数值梯度核对

    在随机输入上，笔记本 01 的标准答案（数值梯度）与你的三个函数全都一致：
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
    """, zh="""
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
        print(f"{name:20s} 与中心差分的最大差异：{error:.1e}")
    """),
    md(r"""
    ### Question (written answer)

    Using $f = x \cdot x$ as the example, explain in two or three sentences why the backward
    pass must **add** (`+=`) the gradients arriving at a variable that is used twice, and what
    a backward pass that *overwrites* (`=`) would return for $\partial f/\partial x$.
    """, zh=r"""
    ### 问题（书面回答）

    以 $f = x \cdot x$ 为例，用两三句话解释：为什么对于被使用两次的变量，反向传播必须把传到它
    那里的梯度**相加**（`+=`）；如果反向传播*覆盖*（`=`）梯度，$\partial f/\partial x$ 会得到
    什么。
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
    """, zh=r"""
    ### BEGIN SOLUTION
    $x \cdot x$ 用了 $x$ 两次：一个 $\times$ 节点，两个输入都是 $x$。挪动 $x$ 会同时改变两个
    因子，所以 $f$ 经由两处使用同时变化，总的影响是两条路径之和：
    $\partial f/\partial x = x + x = 2x$（多元链式法则对路径求和）。$\times$ 节点把“另一个
    因子” $x$ 传给每个输入；用 `+=` 时两份相加得到 $2x$，而用 `=` 时第二次写入覆盖了第一次，
    结果是 $x$，只有真实梯度的一半。
    ### END SOLUTION
    """),
    glossary("gradient", "partial derivative", "chain rule", "computation graph", "node",
             "forward pass", "backpropagation, backward pass", "local gradient",
             "∂L/∂L = 1 (the seed of the backward pass)", "upstream gradient", "neuron", "weight",
             "bias", "gradient accumulation (a reused node)", "numerical gradient",
             "central difference"),
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
    """, zh=r"""
    ## 小结

    - 把表达式画成计算图，并执行了它的前向传播。
    - 手动执行了反向传播：从起点 $1$ 出发，在每个节点计算“上游梯度 × 局部梯度”；$+$ 把梯度
      原样往下传，$\times$ 把另一个因子传给每个输入，$\sigma$ 乘以 $\sigma(1-\sigma)$。
    - 写出了三个函数复合时的链式法则
      $\partial L/\partial x = \partial L/\partial z \cdot \partial z/\partial y \cdot
      \partial y/\partial x$，并从输出端开始计算：误差信号从输出传回输入，这就是这种方法叫作
      反向传播的原因。
    - 看到了一个变量被使用两次时，梯度要相加。

    **下一个笔记本 03_scalar_autograd：** 你将把这个过程自动化——写一个 `Value` 类，它的每个
    运算都知道自己的局部梯度，再写一个 `backward()`，替你遍历整张计算图。
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
