"""Build solutions/05_layered_backprop/05_layered_backprop.ipynb: the learner writes the modules,
the network, the update and the training step, trains on the spirals, then runs and reads the
diagnostics of healthy training.

Run: .venv/bin/python scripts/notebooks/nb05_layered_backprop.py
The solution sources are module constants so that tests can run exactly the notebook's answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nbbuild import answer, code, glossary, hidden, md, test, write  # noqa: E402

NAME = "05_layered_backprop"
# What the hidden tests try, for the comment of each hidden-test cell.
ABOUT = "random shapes and seeds against central differences"
ABOUT_NET = "random networks, square and not, spies that record the order of the calls"
# The glossary cell's terms (keys of scripts/glossary.py), in the order the notebook uses them.
TERMS = ("forward pass", "backpropagation, backward pass", "gradient",
         "stochastic gradient descent (SGD)", "training step", "minibatch", "hidden layer",
         "parameter", "linear layer", "bias", "weight", "gradient accumulation (a reused node)",
         "loss function", "cross-entropy loss", "logits", "softmax",
         "∂L/∂L = 1 (the seed of the backward pass)", "upstream gradient",
         "number of parameters, P", "gradient checking", "automatic differentiation (autograd)",
         "gradient descent", "learning rate", "batch", "epoch", "accuracy", "local gradient",
         "activation function", "module", "cache", "gradient norm", "vanishing gradients",
         "initialization", "He initialization", "Xavier (Glorot) initialization", "overfitting")

LINEAR = '''
class Linear:
    """An affine layer, out = x @ W + b, for a batch x of shape (N, n_in).

    W (n_in, n_out) starts from He initialisation, N(0, 2 / n_in); b (n_out,) starts at 0.
    """

    def __init__(self, n_in, n_out, seed=None):
        rng = np.random.default_rng(seed)
        ### BEGIN SOLUTION
        self.W = nn.Parameter(rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in), "W")
        self.b = nn.Parameter(np.zeros(n_out), "b")
        self.params = [self.W, self.b]
        self.cache = None
        ### END SOLUTION

    def forward(self, x):
        """x (N, n_in) -> out (N, n_out); keeps what backward needs."""
        ### BEGIN SOLUTION
        out, self.cache = layers.linear_forward(x, self.W.data, self.b.data)
        return out
        ### END SOLUTION

    def backward(self, dout):
        """dout (N, n_out) -> dx (N, n_in); adds dW into W.grad and db into b.grad."""
        ### BEGIN SOLUTION
        dx, dW, db = layers.linear_backward(dout, self.cache)
        self.W.grad += dW
        self.b.grad += db
        return dx
        ### END SOLUTION
'''

RELU = '''
class ReLU:
    """max(0, x), elementwise. No parameters."""

    def __init__(self):
        ### BEGIN SOLUTION
        self.params = []
        self.cache = None
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        out, self.cache = layers.relu_forward(x)
        return out
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        return layers.relu_backward(dout, self.cache)
        ### END SOLUTION
'''

LOSS = '''
class SoftmaxCrossEntropy:
    """The loss as a module: forward(logits, y) -> loss (a float); backward() -> dlogits."""

    def __init__(self):
        self.dlogits = None

    def forward(self, logits, y):
        """logits (N, C), y (N,) int class indices -> the mean cross-entropy, a float."""
        ### BEGIN SOLUTION
        loss, self.dlogits = layers.softmax_cross_entropy(logits, y)
        return loss
        ### END SOLUTION

    def backward(self):
        """-> dL/dlogits (N, C), of the most recent forward."""
        ### BEGIN SOLUTION
        return self.dlogits
        ### END SOLUTION
'''

SEQUENTIAL = '''
class Sequential:
    """A network: a list of modules, run forward in order and backward in reverse."""

    def __init__(self, layers):
        self.layers = list(layers)

    @property
    def params(self):
        """Every layer's parameters, one flat list, first layer first."""
        ### BEGIN SOLUTION
        return [p for layer in self.layers for p in layer.params]
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        for layer in self.layers:
            x = layer.forward(x)
        return x
        ### END SOLUTION

    def backward(self, dout):
        """dout = dL/d(output) -> dL/dx; every layer adds into its parameters' .grad."""
        ### BEGIN SOLUTION
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout
        ### END SOLUTION

    def zero_grad(self):
        ### BEGIN SOLUTION
        for p in self.params:
            p.grad[...] = 0
        ### END SOLUTION
'''

SGD = '''
def sgd_step(params, lr):
    """One step of gradient descent, in place: p.data -= lr * p.grad for every parameter.

    Args:
        params: list of Parameter (each with .data and .grad of the same shape).
        lr: learning rate, a positive float.
    """
    ### BEGIN SOLUTION
    for p in params:
        p.data -= lr * p.grad
    ### END SOLUTION
'''

TRAIN_STEP = '''
def train_step(model, loss_fn, x, y, lr):
    """One step of training on the batch (x, y); returns the batch's loss before the step.

    Args:
        model: a network with forward, backward, params and zero_grad (e.g. your Sequential).
        loss_fn: a loss module with forward(logits, y) -> loss and backward() -> dlogits.
        x: (N, D) inputs; y: (N,) int labels.
        lr: learning rate.
    """
    ### BEGIN SOLUTION
    model.zero_grad()
    loss = loss_fn.forward(model.forward(x), y)
    model.backward(loss_fn.backward())
    sgd_step(model.params, lr)
    return loss
    ### END SOLUTION
'''

GRAD_NORMS = '''
def grad_norms(model):
    """One float per layer that has parameters: the Euclidean norm of all its parameters'
    gradients together, sqrt(sum of p.grad ** 2 over the layer's params), first layer first.

    Args:
        model: a network with .layers, each layer with .params (run backward first).
    """
    ### BEGIN SOLUTION
    return [float(np.sqrt(sum(np.sum(p.grad ** 2) for p in layer.params)))
            for layer in model.layers if layer.params]
    ### END SOLUTION
'''


CELLS = [
    md(r"""
    # 05 · Layered backprop: a network that learns, and how to tell it is healthy

    Notebook 04 wrote layers as pairs of functions. Here you wrap them into **modules** that
    remember their cache and collect their gradients, chain them into a network, write the
    update and the training step, and train the network to separate three interleaved
    spirals. Then you learn to read a training run: is the loss at the start what it should
    be, can the network learn at all, do the gradients reach every layer?

    **After this notebook you will be able to**

    - write `Linear`, `ReLU`, a softmax cross-entropy loss module and `Sequential`, with a
      forward pass, a backward pass (反向传播) and gradients (梯度) that accumulate;
    - write the SGD update and one step of training, and train with minibatches;
    - check a training run: the loss at initialisation against $\ln C$, overfitting a tiny
      subset, the gradient norm of every layer, and vanishing gradients in a deep sigmoid net.
    """, zh=r"""
    # 05 · 分层的反向传播：一个会学习的网络，以及如何判断它是否健康

    在笔记本 04 中，我们把每一层写成了一对函数。本笔记本把它们封装成**模块**：模块自己记住
    缓存、收集梯度。接着把模块串成一个网络，写出参数更新和训练步，再训练这个网络，把三条
    相互交织的螺旋线分开。最后学习如何解读一次训练：开始时的损失是否符合预期？网络到底能
    不能学习？梯度能否传到每一层？

    **学完本笔记本，你将能够**

    - 编写 `Linear`、`ReLU`、一个 softmax 交叉熵损失模块和 `Sequential`，它们有前向传播和
      反向传播，梯度会累加；
    - 编写 SGD 更新和一个训练步，并用小批量进行训练；
    - 检查一次训练：初始化时的损失与 $\ln C$ 的比较、在一个很小的子集上过拟合、每一层的
      梯度范数，以及深层 sigmoid 网络中的梯度消失。
    """),
    code("""
    import os
    import numpy as np
    import matplotlib.pyplot as plt
    from tqdm.auto import trange

    from bpcourse import data, layers, nn, plots
    from bpcourse.check import compare, rel_error
    from bpcourse.grading import expect, nb05
    from bpcourse.numgrad import numerical_gradient, numerical_gradient_array

    rng = np.random.default_rng(0)
    np.set_printoptions(precision=4, suppress=True)
    QUICK = bool(os.environ.get("NBGRADER_EXECUTION"))  # shorter demos while grading
    """),
    md(r"""
    ## The data: three spirals

    300 points in the plane, 100 per class, along three interleaved spiral arms. No straight
    line separates them: a linear classifier gets about a third of them right. A hidden layer
    with a nonlinearity has to bend the boundary.
    """, zh=r"""
    ## 数据：三条螺旋线

    平面上的 300 个点，每类 100 个，分布在三条相互交织的螺旋臂上。没有一条直线能把它们分开：
    线性分类器大约只能分对三分之一。需要一个带非线性的隐藏层，把决策边界弯曲起来。
    """),
    code("""
    X, y = data.spiral(n_per_class=100, n_classes=3, seed=0)
    print("X", X.shape, X.dtype, "  y", y.shape, y.dtype, "  classes", np.unique(y))
    plt.figure(figsize=(4, 4))
    plt.scatter(X[:, 0], X[:, 1], c=y, cmap="tab10", vmin=-0.5, vmax=9.5, s=12)
    plt.gca().set_aspect("equal")
    plt.show()
    """, zh=(('"  classes"', '"  类别"'),)),
    md(r"""
    ## Modules: layers that remember

    In notebook 04 *you* carried each layer's `cache` from its forward call to its backward
    call. A **module** keeps it itself, so its methods take one argument each:

    | | does |
    |---|---|
    | `layer.forward(x)` | computes and returns the output, keeps on `self` what backward needs |
    | `layer.backward(dout)` | **adds** its parameters' gradients into their `.grad`, returns `dx` |
    | `layer.params` | its list of parameters, each with `.data` and `.grad` (same shape) |

    **Which layer functions?** Your notebook-04 functions live in notebook 04's kernel: one
    notebook cannot import another's cells. So this notebook builds on `bpcourse.layers`, the
    package's reference versions of the same functions, with the same signatures:
    `layers.linear_forward(x, W, b) -> (out, cache)`, `layers.linear_backward(dout, cache) ->
    (dx, dW, db)`, `layers.relu_forward`, `layers.relu_backward`,
    `layers.softmax_cross_entropy(logits, y) -> (loss, dlogits)`. What you write here is
    what those functions leave out: who keeps the cache, where the gradients go, how a
    network is chained. (`bpcourse.nn` also has finished modules; an answer that only hands
    the work to them earns no points. Use `nn.Parameter`, and nothing else from `nn`, in
    your answers.)

    A parameter is an array and its gradient, side by side:
    """, zh=r"""
    ## 模块：会记忆的层

    在笔记本 04 中，是*你*把每一层的 `cache` 从前向调用带到反向调用。**模块**则自己保存
    缓存，所以它的每个方法只需要一个参数：

    | | 作用 |
    |---|---|
    | `layer.forward(x)` | 计算并返回输出，把反向传播需要的东西保存在 `self` 上 |
    | `layer.backward(dout)` | 把参数的梯度**累加**到它们的 `.grad` 中，返回 `dx` |
    | `layer.params` | 它的参数列表，每个参数都有 `.data` 和 `.grad`（形状相同） |

    **用哪些层函数？** 你在笔记本 04 中写的函数只存在于笔记本 04 的内核里：一个笔记本无法
    导入另一个笔记本的单元格。因此本笔记本基于 `bpcourse.layers`，即课程包中这些函数的参考
    实现，签名完全相同：`layers.linear_forward(x, W, b) -> (out, cache)`、
    `layers.linear_backward(dout, cache) -> (dx, dW, db)`、`layers.relu_forward`、
    `layers.relu_backward`、`layers.softmax_cross_entropy(logits, y) -> (loss, dlogits)`。
    你在这里要写的，正是这些函数没有管的部分：谁来保存缓存，梯度放到哪里，网络怎样串起来。
    （`bpcourse.nn` 里也有现成的模块；只是把工作转交给它们的答案不得分。在你的答案中，除了
    `nn.Parameter`，不要使用 `nn` 中的任何东西。）

    参数就是一个数组和它的梯度，两者并排放在一起：
    """),
    code("""
    p = nn.Parameter(np.ones((2, 3)), "W")
    print(p, "\\ndata\\n", p.data, "\\ngrad\\n", p.grad)
    """),
    md(r"""
    ### Exercise 1 — `Linear(n_in, n_out, seed=None)`

    - `__init__`: `self.W`, a `nn.Parameter` of shape `(n_in, n_out)`, and `self.b` of shape
      `(n_out,)`; `self.params = [self.W, self.b]`.
    - **Initialisation, written out.** `b` starts at zero. `W` must not: if every weight were
      equal, every hidden unit would compute the same thing and get the same gradient, forever.
      Draw it at random, with a scale chosen so that the output has about the variance of the
      input: each output sums $n_\text{in}$ products, so the weights get variance
      $\propto 1/n_\text{in}$. ReLU zeroes half of its inputs, so for ReLU networks use twice
      that, **He initialisation**: $W_{ij} \sim \mathcal{N}(0,\, 2/n_\text{in})$, that is
      `rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)` with the `rng` given.
      (**Xavier/Glorot**, variance $1/n_\text{in}$, is the choice for tanh and sigmoid; the
      diagnostics at the end use both.)
    - `forward(x)`: returns `out`, keeps the cache **on `self`**: each `Linear` of a network
      needs its own.
    - `backward(dout)`: **adds** `dW` into `self.W.grad` and `db` into `self.b.grad` (`+=`),
      returns `dx`. Why add? A parameter used twice (or a gradient summed over several
      batches) gets the sum of its gradients, as in notebook 03; zeroing is a separate step,
      `zero_grad`, before each backward pass.
    """, zh=r"""
    ### 练习 1 — `Linear(n_in, n_out, seed=None)`

    - `__init__`：`self.W` 是形状为 `(n_in, n_out)` 的 `nn.Parameter`，`self.b` 的形状为
      `(n_out,)`；`self.params = [self.W, self.b]`。
    - **初始化，明确写出来。** `b` 从零开始，`W` 却不能这样：如果所有权重都相等，每个隐藏
      单元就会计算同样的东西、得到同样的梯度，而且永远如此。要随机抽取 `W`，并选择合适的
      尺度，使输出的方差与输入大致相同：每个输出是 $n_\text{in}$ 个乘积之和，所以权重的方差
      取 $\propto 1/n_\text{in}$。ReLU 会把一半的输入置零，所以 ReLU 网络要用它的两倍，即
      **He 初始化**：$W_{ij} \sim \mathcal{N}(0,\, 2/n_\text{in})$，也就是用给定的 `rng` 计算
      `rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)`。（**Xavier/Glorot 初始化**，
      方差为 $1/n_\text{in}$，适用于 tanh 和 sigmoid；最后的诊断会同时用到这两种。）
    - `forward(x)`：返回 `out`，并把缓存保存**在 `self` 上**：网络中的每个 `Linear` 都需要
      自己的缓存。
    - `backward(dout)`：把 `dW` **累加**到 `self.W.grad`，把 `db` 累加到 `self.b.grad`
      （用 `+=`），返回 `dx`。为什么要累加？一个被使用两次的参数（或者在多个批量上求和的
      梯度）得到的是各个梯度之和，就像笔记本 03 中那样；清零是单独的一步，即每次反向传播
      之前调用的 `zero_grad`。
    """),
    answer("linear_module", LINEAR),
    test("linear_module_visible", 2, """
    nb05.assert_own_answer(Linear)  # your own class, not bpcourse.nn's · 你自己写的类
    layer = Linear(3, 2, seed=0)
    nb05.check_linear_shapes(layer, n_in=3, n_out=2)
    nb05.check_linear_params(layer)  # [self.W, self.b]
    layer.b.data[:] = [0.5, -1.0]  # a non-zero bias · 非零偏置：漏掉偏置就会暴露
    W_test, b_test = layer.W.data, layer.b.data
    x_test = np.random.default_rng(5).standard_normal((4, 3))
    expect(layer.forward(x_test), x_test @ W_test + b_test, "Linear.forward: out",
           mistakes=[(nb05.hint("bias_not_added"), x_test @ W_test)])

    dout_test = np.random.default_rng(6).standard_normal((4, 2))
    dx_test = layer.backward(dout_test)
    expect(dx_test, numerical_gradient_array(lambda v: v @ W_test + b_test, x_test, dout_test),
           nb05.label("returned_dx", layer="Linear"))
    expect(layer.W.grad, numerical_gradient_array(lambda v: x_test @ v + b_test, W_test.copy(),
                                                  dout_test), nb05.label("grad_after_one", p="W"))
    dW_once, db_once = layer.W.grad.copy(), layer.b.grad.copy()
    layer.backward(dout_test)  # a second backward pass adds again · 第二次反向传播再累加一次
    add = nb05.hint("grad_assigned")  # `=` instead of `+=`
    expect(layer.W.grad, 2 * dW_once, nb05.label("grad_after_two", p="W"),
           mistakes=[(add, dW_once)])
    expect(layer.b.grad, 2 * db_once, nb05.label("grad_after_two", p="b"),
           mistakes=[(add, db_once)])
    nb05.passed("Linear")
    """),
    test("linear_module_hidden", 3, hidden("nb05", "Linear", "test_linear_module", about=ABOUT)),
    md(r"""
    ### Exercise 2 — `ReLU()`

    No parameters (`self.params = []`, so that a network can collect every layer's params
    without asking which kind it is), a cache on `self`, `forward(x)` and `backward(dout)` on
    `layers.relu_forward` and `layers.relu_backward`.
    """, zh=r"""
    ### 练习 2 — `ReLU()`

    没有参数（`self.params = []`，这样网络收集每一层的参数时，不必先问它是哪一种层），缓存
    保存在 `self` 上，`forward(x)` 和 `backward(dout)` 基于 `layers.relu_forward` 和
    `layers.relu_backward`。
    """),
    answer("relu_module", RELU),
    test("relu_module_visible", 1, """
    nb05.assert_own_answer(ReLU)  # your own class, not bpcourse.nn's · 你自己写的类
    relu = ReLU()
    nb05.check_no_params(relu)  # self.params = []
    x_test = np.array([[-2.0, -0.5, 0.5, 2.0], [1.0, -1.0, 3.0, -3.0]])
    expect(relu.forward(x_test), np.maximum(x_test, 0), "ReLU.forward: out")
    # another ReLU's forward must leave this one's cache alone · 另一个 ReLU 不能动这个的缓存
    ReLU().forward(-x_test)
    dout_test = np.random.default_rng(7).standard_normal(x_test.shape)
    expect(relu.backward(dout_test),
           numerical_gradient_array(lambda v: np.maximum(v, 0), x_test, dout_test),
           "ReLU.backward: dx", mistakes=[
               (nb05.hint("relu_cache_overwritten"), dout_test * (x_test < 0))])
    nb05.passed("ReLU")
    """),
    test("relu_module_hidden", 1, hidden("nb05", "ReLU", "test_relu_module", about=ABOUT)),
    md(r"""
    ### Exercise 3 — the loss module `SoftmaxCrossEntropy()`

    The loss is the last node of the graph. `forward(logits, y)` returns the loss, **a float
    only**, and keeps `dlogits` on `self`; `backward()` takes no argument (the loss is where
    the backward pass starts, $\partial L/\partial L = 1$) and returns the `dlogits` of the
    most recent forward.
    """, zh=r"""
    ### 练习 3 — 损失模块 `SoftmaxCrossEntropy()`

    损失是计算图的最后一个节点。`forward(logits, y)` 返回损失，**只返回一个浮点数**，并把
    `dlogits` 保存在 `self` 上；`backward()` 不接受参数（损失正是反向传播的起点，
    $\partial L/\partial L = 1$），返回最近一次前向传播的 `dlogits`。
    """),
    answer("loss_module", LOSS),
    test("loss_module_visible", 1, """
    nb05.assert_own_answer(SoftmaxCrossEntropy)  # your own class, not bpcourse.nn's · 你自己写的类
    loss_fn = SoftmaxCrossEntropy()
    loss = loss_fn.forward(np.zeros((2, 4)), np.array([0, 3]))
    nb05.check_loss_is_a_float(loss)  # not (loss, dlogits)
    nb05.check_equal_logits_loss(loss, classes=4)  # ln 4 = 1.3863

    logits_test = np.random.default_rng(8).standard_normal((5, 3))
    y_test = np.array([0, 2, 1, 2, 0])
    loss_fn.forward(logits_test, y_test)
    mean_ce = lambda z: np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(5), y_test])
    expect(loss_fn.backward(), numerical_gradient(mean_ce, logits_test), "backward(): dlogits")
    nb05.passed("SoftmaxCrossEntropy")
    """),
    test("loss_module_hidden", 1, hidden(
        "nb05", "SoftmaxCrossEntropy", "test_loss_module", about=ABOUT)),
    md(r"""
    ### Exercise 4 — `Sequential(layers)`

    A network is its list of layers. The forward pass runs them **in order**, each on the
    previous one's output. The backward pass runs them **in reverse**: each
    `layer.backward(dout)` returns the gradient with respect to that layer's input, which is
    exactly the upstream gradient of the layer before it.

    $$x \xrightarrow{\text{Linear}} h \xrightarrow{\text{ReLU}} a
    \xrightarrow{\text{Linear}} \text{logits} \xrightarrow{\text{softmax CE}} L
    \qquad\qquad
    \frac{\partial L}{\partial x} \xleftarrow{} \frac{\partial L}{\partial h}
    \xleftarrow{} \frac{\partial L}{\partial a} \xleftarrow{}
    \frac{\partial L}{\partial\,\text{logits}} \xleftarrow{} 1$$

    - `params`: every layer's parameters in **one flat list**, first layer first (biases
      too: the update needs them all);
    - `forward(x)`, `backward(dout)` (returns $\partial L/\partial x$; do **not** zero
      gradients here, they accumulate);
    - `zero_grad()`: sets every parameter's `.grad` to 0 in place (`p.grad[...] = 0`),
      and touches nothing else.

    The test below uses the package's `nn.Linear` and `nn.ReLU` as the layers, so that it
    tests your `Sequential` alone.
    """, zh=r"""
    ### 练习 4 — `Sequential(layers)`

    一个网络就是它的层列表。前向传播**按顺序**运行各层，每一层的输入是前一层的输出。反向
    传播**逆序**运行各层：每个 `layer.backward(dout)` 返回关于该层输入的梯度，而这恰好就是
    它前一层的上游梯度。

    $$x \xrightarrow{\text{Linear}} h \xrightarrow{\text{ReLU}} a
    \xrightarrow{\text{Linear}} \text{logits} \xrightarrow{\text{softmax CE}} L
    \qquad\qquad
    \frac{\partial L}{\partial x} \xleftarrow{} \frac{\partial L}{\partial h}
    \xleftarrow{} \frac{\partial L}{\partial a} \xleftarrow{}
    \frac{\partial L}{\partial\,\text{logits}} \xleftarrow{} 1$$

    - `params`：把每一层的参数放进**一个扁平列表**，第一层在前（偏置也要放进去：更新需要
      所有参数）；
    - `forward(x)`、`backward(dout)`（返回 $\partial L/\partial x$；**不要**在这里把梯度
      清零，梯度是累加的）；
    - `zero_grad()`：原地把每个参数的 `.grad` 设为 0（`p.grad[...] = 0`），不改动其他任何
      东西。

    下面的测试用课程包中的 `nn.Linear` 和 `nn.ReLU` 作为层，这样它测试的只是你的
    `Sequential`。
    """),
    answer("sequential", SEQUENTIAL),
    test("sequential_visible", 2, """
    nb05.assert_own_answer(Sequential)  # your own class, not bpcourse.nn's · 你自己写的类
    test_layers = [nn.Linear(2, 5, seed=1), nn.ReLU(), nn.Linear(5, 3, seed=2)]
    for layer in test_layers[::2]:  # a non-zero bias · 非零偏置：漏掉偏置就会暴露
        layer.b.data[:] = np.random.default_rng(6).standard_normal(layer.b.data.shape)
    model = Sequential(test_layers)
    expected_params = [test_layers[0].W, test_layers[0].b, test_layers[2].W, test_layers[2].b]
    # the same objects, in order · 同样的对象，顺序一致
    nb05.check_sequential_params(model.params, expected_params)
    W1, b1, W2, b2 = (p.data for p in expected_params)
    x_test = np.random.default_rng(5).standard_normal((4, 2))
    dout_test = np.random.default_rng(7).standard_normal((4, 3))

    def L_test(_=None, x=x_test):
        return np.sum((np.maximum(x @ W1 + b1, 0) @ W2 + b2) * dout_test)

    expect(model.forward(x_test), np.maximum(x_test @ W1 + b1, 0) @ W2 + b2,
           nb05.label("network_output"))
    model.zero_grad()
    dx_test = model.backward(dout_test)
    for name, p in zip(["W1", "b1", "W2", "b2"], expected_params):
        expect(p.grad, numerical_gradient(L_test, p.data), f"{name}.grad")
    expect(dx_test, numerical_gradient(lambda v: L_test(x=v), x_test.copy()),
           nb05.label("network_dx"), mistakes=[(nb05.hint("returned_dout"), dout_test)])
    model.zero_grad()
    nb05.check_zero_grad(expected_params)
    nb05.passed("Sequential")
    """),
    test("sequential_hidden", 3, hidden("nb05", "Sequential", "test_sequential", about=ABOUT_NET)),
    md(r"""
    ## Are the network's gradients right?

    Before training anything, check the gradients: a slightly wrong gradient can still train,
    only worse, and nobody notices. The check from notebook 01 settles it: perturb every one of
    the network's $P = 2\cdot 64 + 64 + 64\cdot 3 + 3 = 387$ parameters by $\pm h$ and
    compare the slopes with `.grad` from one backward pass. On 20 points that is $2P = 774$
    forward passes, against one forward and one backward pass for backprop.
    """, zh=r"""
    ## 网络的梯度对吗？

    训练之前，先检查梯度：一个略有错误的梯度仍然能训练，只是效果更差，而且没有人会察觉。
    笔记本 01 中的检查可以一锤定音：把网络的全部 $P = 2\cdot 64 + 64 + 64\cdot 3 + 3 = 387$
    个参数逐个扰动 $\pm h$，把得到的斜率与一次反向传播得到的 `.grad` 相比较。在 20 个点上，
    这需要 $2P = 774$ 次前向传播，而反向传播只需要一次前向传播加一次反向传播。
    """),
    code("""
    model = Sequential([Linear(2, 64, seed=1), ReLU(), Linear(64, 3, seed=2)])
    X_check, y_check = X[11::15], y[11::15]  # 20 points (none at the origin, a ReLU kink)
    loss_fn = SoftmaxCrossEntropy()

    def network_loss(_=None):
        return loss_fn.forward(model.forward(X_check), y_check)

    model.zero_grad()
    network_loss()
    model.backward(loss_fn.backward())

    errors = {}
    for name, p in zip(["W1", "b1", "W2", "b2"], model.params):
        numeric = numerical_gradient(network_loss, p.data)
        errors[name] = rel_error(p.grad, numeric)
        print(compare(name, p.grad, numeric))
    plots.gradient_errors(errors)
    plt.show()
    """),
    md(r"""
    ## Optional: the same network in PyTorch

    PyTorch computes gradients with the same algorithm: reverse-mode automatic
    differentiation over the graph its operations record. If it is installed, copy our
    weights into PyTorch and compare its loss and gradients with ours: they should agree to
    the last few bits. (Without PyTorch the cell says so and does nothing else.)
    """, zh=r"""
    ## 选做：用 PyTorch 实现同一个网络

    PyTorch 用的是同一个算法：在它的运算所记录的计算图上做反向模式自动微分。如果安装了
    PyTorch，就把我们的权重复制过去，比较它和我们算出的损失与梯度：两者应该一直到最后几位
    都一致。（没有安装 PyTorch 时，这个单元格只说明这一点，别的什么也不做。）
    """),
    code("""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        print("PyTorch is not installed: skipping the comparison (pip install torch to run it).")
    elif QUICK:
        print("Skipped while grading (importing PyTorch takes seconds).")
    else:
        import torch

        W1, b1, W2, b2 = (torch.tensor(p.data, requires_grad=True) for p in model.params)
        logits = torch.relu(torch.tensor(X_check) @ W1 + b1) @ W2 + b2
        torch_loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y_check))
        torch_loss.backward()
        print(f"loss   | ours {network_loss():.10f} | PyTorch {torch_loss.item():.10f}")
        for name, p, theirs in zip(["W1", "b1", "W2", "b2"], model.params,
                                   [W1.grad, b1.grad, W2.grad, b2.grad]):
            print(compare(name, p.grad, theirs.numpy()))
    """, zh=(
        ('"PyTorch is not installed: skipping the comparison (pip install torch to run it)."',
         '"未安装 PyTorch：跳过这一比较（先运行 pip install torch 再运行本单元格）。"'),
        ('"Skipped while grading (importing PyTorch takes seconds)."',
         '"评分时跳过（导入 PyTorch 需要几秒钟）。"'),
        ('f"loss   | ours {network_loss():.10f} | PyTorch {torch_loss.item():.10f}"',
         'f"损失 | 我们的 {network_loss():.10f} | PyTorch {torch_loss.item():.10f}"'))),
    md(r"""
    ### Exercise 5 — `sgd_step(params, lr)`

    Gradient descent moves every parameter a little **against** its gradient:
    $\theta \leftarrow \theta - \eta\,\partial L/\partial\theta$. Update `p.data` **in place**
    (`-=`), so that everything holding the parameter's array sees the new values, and leave
    `p.grad` alone.
    """, zh=r"""
    ### 练习 5 — `sgd_step(params, lr)`

    梯度下降让每个参数沿着其梯度的**反方向**移动一小步：
    $\theta \leftarrow \theta - \eta\,\partial L/\partial\theta$。要**原地**更新 `p.data`
    （`-=`），这样所有持有该参数数组的地方都能看到新值；不要改动 `p.grad`。
    """),
    answer("sgd_step", SGD),
    test("sgd_step_visible", 1, """
    nb05.assert_own_answer(sgd_step)  # your own code · 你自己的代码，不是 bpcourse.nn.SGD
    p = nn.Parameter(np.array([1.0, -2.0, 3.0]), "p")
    p.grad[:] = [0.5, 0.5, -1.0]
    array_before = p.data
    sgd_step([p], lr=0.1)
    expect(p.data, np.array([0.95, -2.05, 3.1]), nb05.label("after_one_step"),
           mistakes=[(nb05.hint("uphill"), np.array([1.05, -1.95, 2.9]))])
    nb05.check_in_place(p.data, array_before)  # p.data -= ...（原地更新，不是新数组）
    nb05.passed("sgd_step")
    """),
    test("sgd_step_hidden", 1, hidden("nb05", "sgd_step", "test_sgd_step", about=ABOUT)),
    md(r"""
    ### Exercise 6 — `train_step(model, loss_fn, x, y, lr)`

    One step of training is the whole course in five moves, in this order: **zero** the
    gradients (`model.zero_grad()`: what an earlier step left in `.grad` must not leak into
    this one), run the network **forward**, compute the **loss**, run **backward** from the
    loss (`loss_fn.backward()` hands you $\partial L/\partial\,\text{logits}$), take an SGD
    **step** with your `sgd_step`. Return the loss (a float): it is what the training curve
    shows.
    """, zh=r"""
    ### 练习 6 — `train_step(model, loss_fn, x, y, lr)`

    一个训练步就是把整门课浓缩成五个动作，顺序如下：把梯度**清零**（`model.zero_grad()`：
    之前的步骤留在 `.grad` 中的东西不能渗进这一步），让网络做**前向传播**，计算**损失**，从
    损失出发做**反向传播**（`loss_fn.backward()` 给出 $\partial L/\partial\,\text{logits}$），
    最后用你的 `sgd_step` 做一步 SGD **更新**。返回损失（一个浮点数）：训练曲线画的就是它。
    """),
    answer("train_step", TRAIN_STEP),
    test("train_step_visible", 1, """
    nb05.assert_own_answer(train_step)  # your own code · 你自己的代码，用你的 sgd_step
    model_test = nn.Sequential(nn.Linear(2, 4, seed=3), nn.ReLU(), nn.Linear(4, 3, seed=4))
    reference = nn.Sequential(nn.Linear(2, 4, seed=3), nn.ReLU(), nn.Linear(4, 3, seed=4))
    x_test, y_test, lr_test = X[::30], y[::30], 0.5
    for p in model_test.params:
        p.grad[...] = 1.0  # stale gradients · 之前的步骤留下的旧梯度
    before = [p.data.copy() for p in model_test.params]

    reference_loss_fn = nn.SoftmaxCrossEntropy()
    reference_loss = reference_loss_fn(reference.forward(x_test), y_test)
    reference.backward(reference_loss_fn.backward())

    loss = train_step(model_test, nn.SoftmaxCrossEntropy(), x_test, y_test, lr_test)
    for p, ref, p0 in zip(model_test.params, reference.params, before):
        expect(p.data, p0 - lr_test * ref.grad, nb05.label("after_train_step", p=p.name),
               mistakes=[(nb05.hint("stale_gradients"), p0 - lr_test * (1.0 + ref.grad)),
                         (nb05.hint("did_not_move"), p0)])
    nb05.check_returned_loss(loss, reference_loss)
    nb05.passed("train_step")
    """),
    test("train_step_hidden", 2, hidden("nb05", "train_step", "test_train_step", about=ABOUT)),
    md(r"""
    ## Training with minibatches

    Each step uses a **minibatch** of 30 points instead of all 300: ten steps per pass over
    the data (an *epoch*), each ten times cheaper, and the noise of a small batch does no harm
    here. The order is shuffled every epoch, so the batches differ.
    """, zh=r"""
    ## 用小批量训练

    每一步使用由 30 个点组成的**小批量**，而不是全部 300 个点：遍历一遍数据（一个*轮次*，
    epoch）需要十步，每一步的计算量只有原来的十分之一，而小批量带来的噪声在这里并无害处。
    每个轮次都会重新打乱顺序，所以每次的批量都不同。
    """),
    code("""
    def train(model, X, y, epochs, batch_size=30, lr=0.5, seed=0, after_step=None):
        shuffle = np.random.default_rng(seed)
        loss_fn = SoftmaxCrossEntropy()
        losses = []
        for _ in trange(epochs, desc="training"):
            order = shuffle.permutation(len(X))
            for start in range(0, len(X), batch_size):
                batch = order[start:start + batch_size]
                losses.append(train_step(model, loss_fn, X[batch], y[batch], lr))
                if after_step is not None:
                    after_step(model)
        return losses


    def accuracy(model, X, y):
        return np.mean(model.forward(X).argmax(axis=1) == y)


    model = Sequential([Linear(2, 64, seed=1), ReLU(), Linear(64, 3, seed=2)])
    print(f"before training: accuracy {accuracy(model, X, y):.1%}")
    losses = train(model, X, y, epochs=60 if QUICK else 200)
    print(f"after {len(losses)} steps: last batch loss {losses[-1]:.3f}, "
          f"training accuracy {accuracy(model, X, y):.1%}")
    """, zh=(
        ('desc="training"', 'desc="训练"'),
        ('f"before training: accuracy {accuracy(model, X, y):.1%}"',
         'f"训练前：准确率 {accuracy(model, X, y):.1%}"'),
        ('f"after {len(losses)} steps: last batch loss {losses[-1]:.3f}, "',
         'f"{len(losses)} 步之后：最后一个批量的损失 {losses[-1]:.3f}，"'),
        ('f"training accuracy {accuracy(model, X, y):.1%}")',
         'f"训练准确率 {accuracy(model, X, y):.1%}")'))),
    md(r"""
    The loss is noisy from batch to batch (the grey curve; the dark one is a moving average),
    and falls; the decision boundary shows how the 64 ReLU units bend the plane into three
    spiral-shaped regions.
    """, zh=r"""
    损失在批量之间有噪声（灰色曲线；深色曲线是它的移动平均），但总体在下降；决策边界显示了
    64 个 ReLU 单元如何把平面弯成三块螺旋形的区域。
    """),
    code("""
    fig, (ax_loss, ax_boundary) = plt.subplots(1, 2, figsize=(10, 4))
    plots.loss_curve(losses, ax=ax_loss, smooth=20)
    ax_loss.set_yscale("log")
    plots.decision_boundary(lambda P: model.forward(P).argmax(axis=1), X, y,
                            ax=ax_boundary, resolution=150)
    ax_boundary.set_title(f"training accuracy {accuracy(model, X, y):.1%}")
    plt.show()
    """, zh=(('f"training accuracy {', 'f"训练准确率 {'),)),
    md(r"""
    ## Is training healthy? Four checks

    A network that trains badly rarely crashes: it just learns less. These checks, run and
    read before a long training run, catch most problems early.

    ### 1. The loss at initialisation

    Before any training, a well-initialised classifier knows nothing: its logits are small,
    softmax gives every one of the $C$ classes about $1/C$, and the loss is about
    $-\ln(1/C) = \ln C$. A loss far above $\ln C$ means the network is confidently wrong from
    the start (weights too large); it then spends its first steps undoing that.
    """, zh=r"""
    ## 训练健康吗？四项检查

    训练得不好的网络很少会崩溃：它只是学得更少。在长时间训练之前运行并解读下面这些检查，
    可以及早发现大多数问题。

    ### 1. 初始化时的损失

    在任何训练之前，一个初始化良好的分类器什么都不知道：它的 logits 很小，softmax 给 $C$ 个
    类别中的每一个大约 $1/C$ 的概率，损失约为 $-\ln(1/C) = \ln C$。如果损失远高于 $\ln C$，
    说明网络一开始就在自信地犯错（权重太大）；接下来的头几步都要花在纠正这一点上。
    """),
    code("""
    C = len(np.unique(y))
    model = Sequential([Linear(2, 64, seed=1), ReLU(), Linear(64, 3, seed=2)])
    print(f"loss at initialisation {SoftmaxCrossEntropy().forward(model.forward(X), y):.3f}   "
          f"ln C = ln {C} = {np.log(C):.3f}")

    model.layers[-1].W.data *= 30  # the same network with a last layer 30 times too large
    print(f"last layer 30x too large: {SoftmaxCrossEntropy().forward(model.forward(X), y):.3f}")
    """, zh=(
        ('f"loss at initialisation {', 'f"初始化时的损失 {'),
        ("# the same network with a last layer 30 times too large",
         "# 同一个网络，但最后一层大了 30 倍"),
        ('f"last layer 30x too large: {', 'f"最后一层大 30 倍时：{'))),
    md(r"""
    ### 2. Overfitting a tiny subset

    Ten points, one network of 387 parameters: it must be able to learn them by heart, to a
    loss near 0. If it cannot, something is broken (a gradient, the update, the labels), and
    more data will not fix it. This is the cheapest test of the whole pipeline.
    """, zh=r"""
    ### 2. 在一个很小的子集上过拟合

    10 个点，一个有 387 个参数的网络：它一定能把这些点死记硬背下来，让损失接近 0。如果做
    不到，就说明有什么东西坏了（某个梯度、参数更新或者标签），而更多的数据也修不好它。这是
    对整条流水线最便宜的测试。
    """),
    code("""
    tiny = np.arange(0, len(X), 30)  # 10 points from the three classes
    model = Sequential([Linear(2, 64, seed=1), ReLU(), Linear(64, 3, seed=2)])
    loss_fn = SoftmaxCrossEntropy()
    tiny_losses = [train_step(model, loss_fn, X[tiny], y[tiny], lr=1.0)
                   for _ in range(300 if QUICK else 1000)]
    print(f"10 points: loss {tiny_losses[0]:.3f} -> {tiny_losses[-1]:.4f} after "
          f"{len(tiny_losses)} steps; accuracy on them {accuracy(model, X[tiny], y[tiny]):.0%}")
    """, zh=(
        ("# 10 points from the three classes", "# 来自三个类别的 10 个点"),
        ('f"10 points: loss {tiny_losses[0]:.3f} -> {tiny_losses[-1]:.4f} after "',
         'f"10 个点：{len(tiny_losses)} 步之后，损失 {tiny_losses[0]:.3f} -> "'),
        ('f"{len(tiny_losses)} steps; accuracy on them {accuracy(model, X[tiny], y[tiny]):.0%}"',
         'f"{tiny_losses[-1]:.4f}；在这些点上的准确率 {accuracy(model, X[tiny], y[tiny]):.0%}"'))),
    md(r"""
    ### Exercise 7 — `grad_norms(model)`

    The third check looks inside: how large is each layer's gradient? For every layer **that
    has parameters** (skip ReLU), return the Euclidean norm of all its parameters' gradients
    together:
    $\sqrt{\sum_{p \in \text{layer.params}} \sum_i p.\text{grad}_i^2}$, one float per layer,
    first layer first.
    """, zh=r"""
    ### 练习 7 — `grad_norms(model)`

    第三项检查深入网络内部：每一层的梯度有多大？对每个**有参数**的层（跳过 ReLU），返回它
    所有参数的梯度合在一起的欧几里得范数：
    $\sqrt{\sum_{p \in \text{layer.params}} \sum_i p.\text{grad}_i^2}$，每层一个浮点数，
    第一层在前。
    """),
    answer("grad_norms", GRAD_NORMS),
    test("grad_norms_visible", 1, """
    model_test = Sequential([nn.Linear(3, 2, seed=0), nn.ReLU(), nn.Linear(2, 2, seed=1)])
    for value, p in zip([3.0, 4.0, 1.0, 2.0], model_test.params):
        p.grad[...] = value  # W1.grad all 3 (6 entries), b1.grad all 4 (2), W2 1 (4), b2 2 (2)
    norms = grad_norms(model_test)
    nb05.check_norm_count(norms, 2)  # one per layer with parameters · 每个有参数的层一个
    expected_norms = np.array([np.sqrt(6 * 9 + 2 * 16), np.sqrt(4 * 1 + 2 * 4)])
    expect(np.asarray(norms, dtype=float), expected_norms, "grad_norms", mistakes=[
        (nb05.hint("no_sqrt"), expected_norms ** 2),
        (nb05.hint("no_bias_grads"), np.array([np.sqrt(6 * 9), np.sqrt(4 * 1)]))])
    nb05.passed("grad_norms")
    """),
    test("grad_norms_hidden", 2, hidden("nb05", "grad_norms", "test_grad_norms", about=ABOUT)),
    md(r"""
    ### 3. Gradient norms per layer, during training

    Record `grad_norms(model)` after every step of a training run. Healthy: every layer's
    gradient is within a factor of ten or so of the others, and they shrink slowly as the loss
    falls. A layer whose norm is orders of magnitude below the others barely learns; a norm
    that grows step after step announces a divergence.
    """, zh=r"""
    ### 3. 训练过程中每一层的梯度范数

    在一次训练中，每一步之后都记录 `grad_norms(model)`。健康的情况是：各层的梯度彼此相差
    大约在十倍以内，并随着损失下降而缓慢减小。如果某一层的范数比其他层低几个数量级，这一层
    几乎学不到东西；如果某个范数一步接一步地增长，就预示着训练将要发散。
    """),
    code("""
    model = Sequential([Linear(2, 64, seed=1), ReLU(), Linear(64, 64, seed=2), ReLU(),
                        Linear(64, 3, seed=3)])
    history = []
    norm_losses = train(model, X, y, epochs=20 if QUICK else 60,
                        after_step=lambda m: history.append(grad_norms(m)))
    history = np.array(history)  # (steps, layers with parameters)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for k in range(history.shape[1]):
        ax.plot(history[:, k], label=f"Linear {k + 1}", linewidth=1)
    ax.set(yscale="log", xlabel="step", ylabel="gradient norm", title="per-layer gradient norms")
    ax.legend(frameon=False)
    plt.show()
    print(f"loss {norm_losses[0]:.3f} -> {norm_losses[-1]:.3f}")
    """, zh=(
        ("# (steps, layers with parameters)", "# (步数, 有参数的层数)"),
        ('xlabel="step", ylabel="gradient norm", title="per-layer gradient norms"',
         'xlabel="步数", ylabel="梯度范数", title="每一层的梯度范数"'),
        ('f"loss {norm_losses[0]', 'f"损失 {norm_losses[0]'))),
    md(r"""
    ### 4. Vanishing gradients: a deep sigmoid net against a ReLU net

    Each layer's backward pass multiplies the upstream gradient by its local derivative. The
    sigmoid's derivative $\sigma(1-\sigma)$ is at most $\tfrac14$ (at $0$), so ten sigmoid
    layers can shrink the gradient by $4^{10} \approx 10^6$ before it reaches the first layer:
    the first layers hardly learn. ReLU's derivative is exactly 1 where a unit is active, and
    He initialisation keeps the size of the signal the same from layer to layer.

    Below: two networks of 10 hidden layers of 32 units, the initialisation **written out**
    for each (Xavier for sigmoid, He for ReLU, overwriting what `Linear` drew), one backward
    pass at initialisation, and `grad_norms` per layer. A `Sigmoid` module is built like your
    `ReLU`.
    """, zh=r"""
    ### 4. 梯度消失：深层 sigmoid 网络与 ReLU 网络的对比

    每一层的反向传播都把上游梯度乘以该层的局部梯度（局部导数）。sigmoid 的导数
    $\sigma(1-\sigma)$ 最大只有 $\tfrac14$（在 $0$ 处取得），所以十个 sigmoid 层可能在梯度
    到达第一层之前就把它缩小 $4^{10} \approx 10^6$ 倍：前面几层几乎学不到东西。ReLU 的导数
    在单元激活处恰好为 1，而 He 初始化让信号的大小在层与层之间保持不变。

    下面是两个网络，各有 10 个隐藏层、每层 32 个单元，并为每个网络**明确写出**初始化方式
    （sigmoid 用 Xavier，ReLU 用 He，覆盖 `Linear` 抽取的值）；在初始化状态下做一次反向
    传播，然后计算每一层的 `grad_norms`。`Sigmoid` 模块的写法与你的 `ReLU` 相同。
    """),
    code("""
    class Sigmoid:
        \"\"\"σ(x) as a module, on bpcourse.layers like your ReLU.\"\"\"

        def __init__(self):
            self.params, self.cache = [], None

        def forward(self, x):
            out, self.cache = layers.sigmoid_forward(x)
            return out

        def backward(self, dout):
            return layers.sigmoid_backward(dout, self.cache)


    def xavier(n_in, n_out, rng):
        return rng.standard_normal((n_in, n_out)) * np.sqrt(1 / n_in)  # Var(W) = 1 / n_in


    def he(n_in, n_out, rng):
        return rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)  # Var(W) = 2 / n_in


    def deep_net(activation, init, depth=10, width=32, seed=0):
        init_rng = np.random.default_rng(seed)
        sizes = [2] + [width] * depth + [3]
        net = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            linear = Linear(n_in, n_out)
            linear.W.data[...] = init(n_in, n_out, init_rng)  # the initialisation, in the open
            net += [linear, activation()]
        return Sequential(net[:-1])  # no activation after the last Linear


    def norms_at_init(model):
        loss_fn = SoftmaxCrossEntropy()
        model.zero_grad()
        loss_fn.forward(model.forward(X), y)
        model.backward(loss_fn.backward())
        return grad_norms(model)


    sigmoid_norms = norms_at_init(deep_net(Sigmoid, xavier))
    relu_norms = norms_at_init(deep_net(ReLU, he))
    fig, ax = plt.subplots(figsize=(6, 3.5))
    depth_axis = np.arange(1, len(relu_norms) + 1)
    ax.plot(depth_axis, sigmoid_norms, "o-", label="sigmoid, Xavier init")
    ax.plot(depth_axis, relu_norms, "s-", label="ReLU, He init")
    ax.set(yscale="log", xlabel="layer (1 = first, nearest the input)", ylabel="gradient norm",
           title="gradient norm per layer at initialisation")
    ax.legend(frameon=False)
    plt.show()
    print(f"first / last layer: sigmoid {sigmoid_norms[0] / sigmoid_norms[-1]:.1e}, "
          f"ReLU {relu_norms[0] / relu_norms[-1]:.1e}")
    """, zh=(
        ("σ(x) as a module, on bpcourse.layers like your ReLU.",
         "σ(x) 作为一个模块，和你的 ReLU 一样基于 bpcourse.layers。"),
        ("# the initialisation, in the open", "# 初始化方式，明确写出"),
        ("# no activation after the last Linear", "# 最后一个 Linear 之后没有激活函数"),
        ('label="sigmoid, Xavier init"', 'label="sigmoid，Xavier 初始化"'),
        ('label="ReLU, He init"', 'label="ReLU，He 初始化"'),
        ('xlabel="layer (1 = first, nearest the input)", ylabel="gradient norm",\n'
         '           title="gradient norm per layer at initialisation"',
         'xlabel="层（1 = 第一层，最靠近输入）", ylabel="梯度范数",\n'
         '           title="初始化时每一层的梯度范数"'),
        ('f"first / last layer: sigmoid {', 'f"第一层 / 最后一层：sigmoid {'),
        ('.1e}, "\n', '.1e}，"\n'))),
    md(r"""
    Read the plot from right (the output) to left (the input): the sigmoid net's gradient
    falls by orders of magnitude on its way down, so its first layers would learn a million
    times slower than its last; the ReLU net's stays within a small factor. This is why deep
    networks use ReLU-like activations with He initialisation (and, beyond this course,
    normalisation layers and residual connections).
    """, zh=r"""
    从右（输出）往左（输入）读这张图：sigmoid 网络的梯度在向下传递的途中下降了好几个数量级，
    所以它前面几层的学习速度会比最后几层慢上百万倍；ReLU 网络的梯度则只在一个很小的倍数内
    变化。这就是深层网络使用类 ReLU 激活函数并配合 He 初始化的原因（在本课程之外，还有
    规范化层和残差连接）。
    """),
    glossary(*TERMS),
    md(r"""
    ## What you did

    - Modules that keep their cache on `self` and **add** into `.grad`; a network that runs
      them forward in order and backward in reverse, handing each layer's `dx` to the layer
      before; `zero_grad`, the update, and a training step in five moves.
    - One backward pass gave all 387 gradients; the numeric check needed 774 forward passes
      to confirm them.
    - Four checks of a healthy run: the loss at initialisation ≈ $\ln C$; a tiny subset can be
      learned by heart; per-layer gradient norms of similar size; no gradient that vanishes
      on its way to the first layer.

    **Next, 06_cost_of_backprop:** why one backward pass costs only about two forward passes,
    counted in FLOPs and measured on your machine.
    """, zh=r"""
    ## 你做了什么

    - 模块把缓存保存在 `self` 上，并把梯度**累加**到 `.grad` 中；网络按顺序运行它们的前向
      传播、逆序运行它们的反向传播，把每一层的 `dx` 交给它前面的一层；还有 `zero_grad`、
      参数更新，以及由五个动作组成的训练步。
    - 一次反向传播就给出了全部 387 个梯度；数值检查需要 774 次前向传播才能确认它们。
    - 健康训练的四项检查：初始化时的损失 ≈ $\ln C$；一个很小的子集可以被死记硬背；各层的
      梯度范数大小相近；梯度在传到第一层的途中没有消失。

    **下一个笔记本，06_cost_of_backprop：** 为什么一次反向传播的代价只相当于大约两次前向
    传播——用浮点运算次数（FLOPs）来计算，并在你的机器上实测。
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
