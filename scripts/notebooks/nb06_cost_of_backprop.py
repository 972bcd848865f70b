"""Build solutions/06_cost_of_backprop/06_cost_of_backprop.ipynb: what backprop costs.

Run: .venv/bin/python scripts/notebooks/nb06_cost_of_backprop.py
The solution sources are module constants so that tests can run exactly the notebook's answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nbbuild import answer, code, glossary, hidden, md, test, write, written  # noqa: E402

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


QUESTION_ZH = """
### 练习 4 — 用你自己的话说（书面作答，人工评分）

**为什么反向传播的代价约为前向传播的两倍？为什么网络越大，数值微分落后得越多？** 请在下面的单元格
中作答（几句话即可；替换其中的文字）。
"""

TRADE_QUESTION_ZH = """
### 练习 8 — 时间与内存的权衡（书面作答，人工评分）

**一个由 L 个相同的层组成的网络，在你想要的批量大小下训练时内存放不下。说出本笔记本展示过的两种解
决办法，并分别说明各自的代价。** 请在下面的单元格中作答（几句话即可；替换其中的文字）。
"""

TRADE_ANSWER_ZH = """
*参考答案（两种办法及其代价都答到即得满分，措辞不限）：*

1. **更小的批量。** 激活值随 n 线性增长（见图）：批量减半，激活值内存也减半。代价是时间和噪声：每
   一步看到的样本更少，所以梯度的噪声更大，一轮需要更多步，而且小矩阵乘法的运行速率更低（FLOPs 不
   等于时间）。
2. **检查点。** 只保留每隔 k 层的激活值，在反向传播中从最近的检查点出发重新计算其余的激活值：需要
   约 L/k + k 个数组而不是 L 个（k = √L 时为 2√L 个），代价约为多一次前向传播，即在一步的 6nP 之外
   再多 ≈ 2nP FLOPs。

（同样正确：推理根本不需要缓存；float32 能让每个数组减半：每个数 4 字节而不是 8 字节，代价是精度。）
"""

WRITTEN_ZH = """
*参考答案（两点都答到即得满分，措辞不限）：*

1. 在前向传播中，每个权重在每个样本上参与一次乘加（在 `x @ W` 中）。在反向传播中它参与两次：一次用
   于计算它自己的梯度（`dW = x.T @ dout`），一次用于把梯度传回前一层（`dx = dout @ W.T`）。这是两
   个与前向传播同样大小的矩阵乘法：4nP 对 2nP，所以反向 ≈ 2 × 前向，而全部 P 个梯度的代价约为 3 次
   前向传播。
2. 中心差分*每个参数*需要 2 次前向传播：2P · 2nP = 4nP² FLOPs，这个代价随 P² 增长，而反向传播只需
   6nP。两者之比 2P/3 随 P 线性增长：一百万个参数时，数值梯度要慢几十万倍。
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
    """, zh=r"""
    # 06 · 反向传播的代价

    本课程的核心思想分为两半。前一半——反向传播是链式法则在计算图上的应用——你已经亲手实现过了，从标
    量一直到层。本笔记本讲后一半：**反向传播只需大约三次前向传播的代价就能给出全部梯度，而数值微分
    每个参数就要付出两次前向传播。** 本笔记本还要追问：这样的速度要用多少内存来换？

    **学完本笔记本，你将能够**

    - 数出一个 MLP 的参数量，以及它的前向传播、反向传播和数值梯度的浮点运算次数（FLOPs），并准确说
      出计数包括了什么；
    - 解释为什么一次反向传播的代价约为前向传播的两倍，以及为什么秒表的测量结果可能与计数不符；
    - 用对偶数实现**前向模式**求导，并说明为什么训练时改用反向模式（即反向传播）；
    - 计算并测量反向传播为缓存激活值所需的内存；
    - 在一个你亲手求过导的网络上使用 PyTorch 的 `autograd`。
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

    > **Another notation.** Some texts write forward ≈ **2PD** and backward ≈ **4PD**, with
    > P = the number of parameters and **D = the amount of data**. That is this course's
    > **2nP** and **4nP**: their D is our $n$, the number of examples. (Other texts use D
    > for a layer's width; this notebook writes widths as $m$, so D never means two things.)

    What the model leaves out, on purpose, because each is smaller by a factor of about the
    width: the bias is really 1 FLOP per example, not 2; a sum of $m_\text{in}$ products
    needs $m_\text{in} - 1$ adds, not $m_\text{in}$; the ReLU (one compare per element) and
    the loss (a few FLOPs per logit) are not counted at all.
    """, zh=r"""
    ## 我们数什么

    一个 MLP 由它的 `layer_sizes` $[m_0, m_1, \dots, m_L]$ 给出，即各层的**宽度**：$m_0$ 个输入，
    然后对每个 $l$ 有一个线性层 $m_{l-1} \to m_l$（层与层之间有 ReLU），在一个含 $n$ 个样本的批量
    上运行。一个 **FLOP** 指一次浮点加法或乘法。

    对于一个线性层 $m_\text{in} \to m_\text{out}$：

    - `x @ W`，$(n, m_\text{in})\,(m_\text{in}, m_\text{out})$：$n\,m_\text{out}$ 个输出中的每一个
      都是 $m_\text{in}$ 个乘积之和，即 $m_\text{in}$ 次乘法和 $m_\text{in}$ 次加法。**一次乘加是
      2 FLOPs**，所以这次矩阵乘法的代价是 $2\,n\,m_\text{in} m_\text{out}$。
    - `+ b`，把 $(m_\text{out},)$ 加到每一行上：$n\,m_\text{out}$ 次加法。

    **本课程的模型**把这些归结为一条规则：*每个参数在每个样本上参与一次乘加，即 2 FLOPs*。设参数量
    为 $P = \sum_l (m_{l-1} m_l + m_l)$，则

    $$\text{forward} = 2\,n\,P$$

    > **另一种记法。** 有的资料把前向传播写成 ≈ **2PD**，反向传播写成 ≈ **4PD**，其中 P 是参数量，**D
    > 是数据量**。这正是本课程的 **2nP** 和 **4nP**：那里的 D 就是我们的 $n$，即样本数。（别的
    > 教材用 D 表示层的宽度；本笔记本把宽度写作 $m$，所以 D 不会有两种含义。）

    模型有意略去了以下几项，因为每一项都比主项小约一个宽度的倍数：偏置实际上每个样本只需 1 FLOP，
    而不是 2；$m_\text{in}$ 个乘积求和只需 $m_\text{in} - 1$ 次加法，而不是 $m_\text{in}$ 次；ReLU
    （每个元素一次比较）和损失（每个 logit 几个 FLOPs）完全没有计入。
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
    """, zh=r"""
    ## 反向传播：每个权重被用了两次

    对每个线性层，反向传播要计算两个与前向传播同样大小的矩阵乘法：

    $$dW = x^\top\,\text{dout} \quad (m_\text{in}, n)(n, m_\text{out}):\
    2\,n\,m_\text{in} m_\text{out}
    \qquad
    dx = \text{dout}\,W^\top \quad (n, m_\text{out})(m_\text{out}, m_\text{in}):\
    2\,n\,m_\text{in} m_\text{out}$$

    另外还有 $db$，即对批量求和（$n\,m_\text{out}$ 次加法，和偏置一样按 $2\,n\,m_\text{out}$
    计）。所以每个权重在每个样本上参与**两次**乘加：一次为了它自己的梯度，一次为了把梯度继续往回传：

    $$\text{backward} = 4\,n\,P \approx 2 \times \text{forward}$$

    模型为**每一**层都计入了 `dx`，包括第一层。实际的实现在 $x$ 是数据时会跳过第一层的 `dx`（没有
    人需要输入的 $\partial L/\partial x$）：`bpcourse.nn.Linear(..., input_grad=False)` 就是这样做
    的，这时反向传播的代价不到前向传播的两倍；第一层最宽时，差别尤其明显。

    **数值梯度。** 中心差分要对每个参数计算 $L(\theta \pm h)$：$2P$ 次前向传播，共
    $2P \cdot 2nP = 4nP^2$ FLOPs。反向传播只需要一次前向传播加一次反向传播，共 $6nP$：数值微分的代
    价是它的 $\tfrac{2P}{3}$ 倍。

    **这条规则在全连接层之外何时精确成立。** 这条规则说的是*权重与激活值之间的乘加*：每次乘加在前
    向传播中花 2 FLOPs，在反向传播中花 4 FLOPs（一次乘加用于权重的梯度，一次用于输入的梯度）。任何
    由这种乘加构成的层都满足它，卷积和注意力也不例外。**不能**照搬的是“每个参数”：在全连接层中，每
    个权重在每个样本上恰好被使用一次，所以每个样本的乘加次数 = $P$；而在**权重共享**时（卷积把同一
    个卷积核滑过每个位置，循环神经网络在每个时间步重复使用同一组权重），一个权重在每个样本上要参与
    许多次乘加，代价是 $2n \times$（每个样本的乘加次数），远大于 $2nP$——但反向 ≈ 2 × 前向仍然成
    立。另外，这条规则对**内存**（见下文）什么也没说：内存随激活值增长，即 $n$ 乘以各层宽度，而不
    是随 $P$ 增长。
    """),
    md(r"""
    ### Exercise 1 — `count_params(layer_sizes)`

    `[2, 3, 1]` is a Linear 2 → 3 (6 weights, 3 biases) and a Linear 3 → 1 (3 weights, 1 bias):
    13 parameters.
    """, zh=r"""
    ### 练习 1 — `count_params(layer_sizes)`

    `[2, 3, 1]` 是一个线性层 2 → 3（6 个权重、3 个偏置）加一个线性层 3 → 1（3 个权重、1 个偏置）：
    共 13 个参数。
    """),
    answer("count_params", COUNT_PARAMS),
    test("count_params_visible", 1, """
    from bpcourse.grading import nb06

    # [2, 3, 1] has 13 parameters, [784, 128, 10] 101,770
    # [2, 3, 1] 有 13 个参数，[784, 128, 10] 有 101,770 个
    nb06.check_count_params(count_params)
    nb06.passed("count_params")
    """),
    test("count_params_hidden", 1, hidden(
        "nb06", "count_params", "test_count_params", about=ABOUT)),
    md(r"""
    ### Exercise 2 — `forward_flops(layer_sizes, n)` and `backward_flops(layer_sizes, n)`

    The course's model, exactly: 2 FLOPs per parameter per example forward, 4 backward. You
    may call your `count_params`.
    """, zh=r"""
    ### 练习 2 — `forward_flops(layer_sizes, n)` 和 `backward_flops(layer_sizes, n)`

    严格按照本课程的模型：前向传播每个参数每个样本 2 FLOPs，反向传播 4 FLOPs。你可以调用自己写的
    `count_params`。
    """),
    answer("passes", PASSES),
    test("passes_visible", 1, """
    from bpcourse.grading import nb06

    # [2, 3, 1], n = 4: forward 2·4·13, backward 4·4·13
    # [2, 3, 1]，n = 4：前向传播 2·4·13，反向传播 4·4·13
    nb06.check_passes(forward_flops, backward_flops)
    nb06.passed("forward_flops, backward_flops")
    """),
    test("passes_hidden", 2, hidden(
        "nb06", "forward_flops, backward_flops", "test_forward_backward_flops", about=ABOUT)),
    md(r"""
    ### Exercise 3 — `numeric_gradient_flops(layer_sizes, n)`

    Two forward passes per parameter (central differences), each of `forward_flops` FLOPs.
    """, zh=r"""
    ### 练习 3 — `numeric_gradient_flops(layer_sizes, n)`

    每个参数两次前向传播（中心差分），每次 `forward_flops` 个 FLOPs。
    """),
    answer("numeric_gradient_flops", NUMERIC),
    test("numeric_gradient_flops_visible", 1, """
    from bpcourse.grading import nb06

    # 2·13 forward passes of 104 FLOPs each
    # 2·13 次前向传播，每次 104 FLOPs
    nb06.check_numeric_gradient_flops(numeric_gradient_flops)
    nb06.passed("numeric_gradient_flops")
    """),
    test("numeric_gradient_flops_hidden", 1,
         hidden("nb06", "numeric_gradient_flops", "test_numeric_gradient_flops", about=ABOUT)),
    md(r"""
    ## The model against the exact count

    `bpcourse.flops.mlp_flops` counts what `bpcourse.nn` really does, operation by operation:
    $m_\text{in} - 1$ adds per sum, 1 FLOP per bias, the ReLU, the loss, and — unless
    `input_grad=True` — no `dx` for the first layer. Compare with your model:
    """, zh=r"""
    ## 模型与精确计数的对比

    `bpcourse.flops.mlp_flops` 逐个运算地统计 `bpcourse.nn` 实际做了什么：每次求和
    $m_\text{in} - 1$ 次加法、每个偏置 1 FLOP、ReLU、损失，以及——除非 `input_grad=True`——第一层不
    计算 `dx`。把它和你的模型比较一下：
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
    """, zh="""
    print(f"{'MLP':>19} {'n':>4} {'P':>9} | {'前向':>10} {'精确':>10} | "
          f"{'反向':>10} {'精确':>10} {'精确，无首层 dx':>11} | 比值")
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
    """, zh=r"""
    一旦层足够宽，模型与精确计数只差百分之几；有差别的地方，正是模型略去的那些项。最后一列是精确计
    数（不含第一层的 `dx`）的反向与前向之比，也就是你有望测到的值。对于 $L$ 个等宽的层，它等于
    $(2L-1)/L$：`1024-1024-1024-1024` 有三层，反向传播有五个矩阵乘法，前向传播有三个，
    $5/3 \approx 1.67$，网络越深越接近 2。对于 `784-128-10`，它约为 1：第一层几乎拥有全部权重，而
    且只需要计算它的 `dW`。
    """),
    md(QUESTION, zh=QUESTION_ZH),
    written("why_twice", 2, WRITTEN, zh=WRITTEN_ZH),
    md(r"""
    ## Measured on your machine: backward / forward

    Counting is a prediction; now the stopwatch. `bpcourse.cost.measure` times the forward
    pass (with the loss), the backward pass, and both together, each the median of several
    runs, with one BLAS thread (why, below). For a network big enough that the arithmetic,
    not Python, takes the time, the measured ratio should sit near the exact count's
    prediction.
    """, zh=r"""
    ## 在你的机器上测量：反向 / 前向

    计数只是预测，现在该看秒表了。`bpcourse.cost.measure` 分别对前向传播（含损失）、反向传播以及两
    者合起来计时，每项取多次运行的中位数，并且只用一个 BLAS 线程（原因见下文）。对一个足够大的网
    络，时间主要花在算术上而不是 Python 上，测得的比值应当接近精确计数的预测。
    """),
    code("""
    sizes, n = ([64, 128, 128, 10], 64) if QUICK else ([128, 384, 384, 10], 128)
    row = cost.measure(sizes, n, repeats=3 if QUICK else 5, numeric_sample=2)
    print(f"MLP {row['layer_sizes']}, n = {n}, P = {row['params']:,}")
    print(f"forward  {row['t_forward'] * 1e3:7.2f} ms")
    print(f"backward {row['t_backward'] * 1e3:7.2f} ms")
    print(f"backward / forward: measured {row['ratio_backward_forward']:.2f}, "
          f"exact count {row['ratio_backward_forward_predicted']:.2f}, model 2")
    """, zh="""
    sizes, n = ([64, 128, 128, 10], 64) if QUICK else ([128, 384, 384, 10], 128)
    row = cost.measure(sizes, n, repeats=3 if QUICK else 5, numeric_sample=2)
    print(f"MLP {row['layer_sizes']}, n = {n}, P = {row['params']:,}")
    print(f"前向传播 {row['t_forward'] * 1e3:7.2f} ms")
    print(f"反向传播 {row['t_backward'] * 1e3:7.2f} ms")
    print(f"反向 / 前向：实测 {row['ratio_backward_forward']:.2f}，"
          f"精确计数 {row['ratio_backward_forward_predicted']:.2f}，模型 2")
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
    """, zh=r"""
    ## FLOPs 不等于时间

    只有当每个 FLOP 花的时间都相同时，FLOP 计数才能预测时间。有两件事会打破这一点：

    1. **并非每个矩阵乘法都以相同的速率运行。** 前向传播的 `x @ W` 的内维度是 $m_\text{in}$；反向
       传播的 `x.T @ dout` 的内维度是批量大小 $n$：这是一个*瘦长*的乘法，每个输出只是 $n$ 项之和。
       BLAS 库会把一个矩阵乘法拆分到多个 CPU 线程上；对瘦长的乘法，这种拆分收益甚微，而在繁忙的机
       器上（其他程序占着另一个核），它的开销甚至可能超过节省的时间。在编写本笔记本的机器上，
       `python -m bpcourse cost` 对两个最大的网络测得的反向/前向之比为 **2.84 和 2.71**，而精确计
       数给出的是 1.89 和 1.91；在那台机器上，`x.T @ dout` 的速率是 18–30 GFLOP/s，而 `x @ W` 是
       47–56。
    2. **并非所有时间都花在 FLOPs 上。** 偏置、ReLU、损失、输入检查以及 Python 自身的簿记工作，每
       次运算都要花一段固定的时间，无论它们做的 FLOPs 多么少。层很小时，这段固定时间占主导，比值就
       会向 1 漂移。

    因此 `bpcourse.cost` 用**一个 BLAS 线程**计时（`threads=1`，默认值；它会记录实际使用的线程
    数），让每个矩阵乘法以大致相同的速率运行——这正是 FLOP 计数所假设的。另一个明显的嫌疑是把
    `x.T` 复制成连续数组，但这不会带来可测量的变化：BLAS 直接读取转置视图。下面把上述网络的每个矩
    阵乘法计时两次——一次单独运行，一次在重放两次传播时于其原本的位置运行（在那里，传播中的其他数组
    会争夺 CPU 缓存）——并给出各自的 GFLOP/s，以及这些矩阵乘法能解释每次测得的传播时间中的多少。
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
    """, zh=r"""
    怎么读这张表：如果表中每个 GFLOP/s 都差不多，那么矩阵乘法的时间之比就等于它们的 FLOP 之比，测
    得的比值与计数之间剩下的差距就是“其余部分”（表中的 the rest）——计数略去的那些工作。（如果“其余
    部分”很大，而且每次运行都不一样，说明在传播期间有其他程序占用了 CPU：一次传播持续几毫秒，足以
    被打断，而单个矩阵乘法很少被打断。请重新运行这个单元格，或者换一台更空闲的机器。）想亲眼看到多
    线程的影响，可以运行 `cost.matmul_rates(sizes, n, threads=None)`（BLAS 的默认设置），比较
    `x.T @ dout` 与 `x @ W` 的速率。结论依然成立，只是要说明它的条件：反向传播的代价*在算术上*约为
    前向传播的两倍；当算术以同一速率运行并且占主导时，秒表才会与之吻合。
    """),
    md(r"""
    ## Numeric gradients against backprop

    Now all $P$ gradients, both ways, for MLPs $[32, w, w, 10]$ of growing width $w$.
    Backprop is timed in full; the numeric gradient is timed on a random sample of parameters
    and scaled up to all $P$ (every parameter costs the same two forward passes), because the
    full thing would take minutes. The lines are the FLOP counts divided by the rate your
    machine reached on the largest backprop.
    """, zh=r"""
    ## 数值梯度与反向传播的对比

    现在用两种方法计算全部 $P$ 个梯度，网络是宽度 $w$ 逐渐增大的 MLP $[32, w, w, 10]$。反向传播完
    整计时；数值梯度只在随机抽取的一部分参数上计时，再按比例换算到全部 $P$ 个参数（每个参数的代价
    都是同样的两次前向传播），因为完整计算要花好几分钟。图中的线是 FLOP 计数除以你的机器在最大的那
    次反向传播上达到的速率。
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
    """, zh=r"""
    怎么读这张图：

    - 在双对数坐标上，代价 $\propto P$ 是一条斜率为 1 的直线，代价 $\propto P^2$ 是一条斜率为 2 的
      直线。对很小的网络，Python 在每一层上的固定开销占主导，所以反向传播的点几乎是平的，而数值梯
      度的点以斜率 1 上升（2P 次固定代价的传播）；随着算术逐渐占主导，它们会弯向理论线，斜率分别
      为 1 和 2。其他程序抢占 CPU 时，个别点可能会跳动：重新运行这个单元格即可。
    - 两者之间的垂直距离就是加速比，约为 $2P/3$：$P$ 每增大 10 倍，它就扩大 10 倍。在一百万个参数
      时，算一次数值梯度的时间足够反向传播走几十万步。
    - 右图是在每个规模上测得的反向/前向之比。网络很小时，固定开销使它变得模糊；网络很大时，它接近
      精确计数的预测。

    要在终端里画出包含更大网络的完整图：`python -m bpcourse cost --out cost.png`。
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
    """, zh=r"""
    ## 为什么用反向模式？你来实现前向模式

    链式法则可以沿两个方向应用。反向传播从输出往回应用它：一次反向传播就给出每个参数的
    $\partial L/\partial\theta$。**前向模式**（forward mode）从输入往前应用它：它在每个值旁边携带
    这个值对*某一个*选定输入的导数，称为**切向量**（tangent），而且完全不需要计算图，也不需要反向
    传播。

    所用的工具是**对偶数**（dual number）$a + a'\varepsilon$，规则是 $\varepsilon^2 = 0$。对偶数上
    的算术*就是*链式法则：

    $$(a + a'\varepsilon)(b + b'\varepsilon) = ab + (a'b + ab')\,\varepsilon
    \qquad\qquad f(a + a'\varepsilon) = f(a) + f'(a)\,a'\,\varepsilon$$

    前一个式子是乘积法则，后一个是任意单输入函数（$e^a$、$\tanh a$、$a^k$）的链式法则。令 $x = $
    `Dual(x, 1.0)`（它以速度 1 变化），每个常数的切向量都为 0；结果的切向量就是 $df/dx$。

    ### 练习 5 — `class Dual(value, tangent=0.0)`

    先填写基本运算（`+`、`*`、指数为常数的 `**`、`exp`、`tanh`），再填写复合运算，它们像你在笔记
    本 03 中的 `Value` 那样复用基本运算（`a - b` 就是 `a + (-b)`，`a / b` 就是 `a * b ** -1`）。每
    个运算都返回一个**新的** `Dual`；运算任一侧的普通数字都是常数，即 `Dual(number)`。
    """),
    answer("dual", DUAL),
    test("dual_visible", 1, """
    from bpcourse.grading import nb06

    # Dual(3, 1) * Dual(2, 0), then x + 1, 1 - x, x / 2, 2 / x, x ** 3, x.exp(), x.tanh() at
    # x = Dual(0.5, 2.0): each tangent must be f'(0.5) · 2
    # 先检验 Dual(3, 1) * Dual(2, 0)，再在 x = Dual(0.5, 2.0) 处检验上面这些运算：
    # 每个切向量都应为 f'(0.5) · 2
    nb06.check_dual(Dual)
    nb06.passed("Dual")
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
    """, zh=r"""
    ### 练习 6 — `forward_mode_gradient(f, x)`

    一次前向模式的传播给出沿一个方向的导数。要求一个有 $P$ 个输入的标量函数 $f$ 的梯度，就要做
    **$P$ 次传播**：在第 $i$ 次传播中，输入 $i$ 的切向量为 1，其他输入的切向量为 0；结果的切向量就
    是 $\partial f/\partial x_i$。`f` 接受一个含 $P$ 个数的列表，返回一个 `Dual`。
    """),
    answer("forward_mode_gradient", FORWARD_MODE),
    test("forward_mode_gradient_visible", 1, """
    from bpcourse.grading import nb06

    # f = x0·x1 + 3·x2 at (1, 2, 3): the gradient (2, 1, 3), from 3 calls of f
    # f = x0·x1 + 3·x2 在 (1, 2, 3) 处：梯度为 (2, 1, 3)，f 应被调用 3 次
    nb06.check_forward_mode_gradient(forward_mode_gradient)
    nb06.passed("forward_mode_gradient")
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
    """, zh=r"""
    ## 前向模式、反向模式与数值方法的并排比较

    $f(x) = \sum_i x_i\,x_{i+1} / (1 + x_i^2)$ 是一个有 $P$ 个输入的函数，求一次值大约需要 $P$ 次
    运算。我们用三种方法求它的同一个梯度：你的前向模式、反向模式（本课程的 `Value`：一次记录计算图
    的前向传播，加一次反向传播），以及中心差分。每种方法拿到的都是 $f$ 的一个副本，它会统计自己被
    调用了多少次。
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
    """, zh="""
    from bpcourse import numerical_gradient


    def chain_sum(xs):
        total = 0.0
        for i in range(len(xs) - 1):
            total = total + xs[i] * xs[i + 1] / (1.0 + xs[i] ** 2)
        return total


    def reverse_mode_gradient(f, x):
        xs = [Value(float(v)) for v in x]
        f(xs).backward()                 # 一次前向传播，一次反向传播
        return np.array([v.grad for v in xs])


    methods = {"前向模式 (你的 Dual)": forward_mode_gradient,
               "反向模式 (课程 Value)": reverse_mode_gradient,
               "中心差分 (数值)": lambda f, x: numerical_gradient(f, np.array(x))}
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
            for _ in range(1 if QUICK else 3):  # 取三次中最好的一次：噪声更小
                calls.clear()
                start = time.perf_counter()
                grad = method(counted, x)
                times.append(time.perf_counter() - start)
            grads.append(grad)
            seconds[name].append(min(times))
            passes[name].append(len(calls))
        assert np.allclose(grads[0], grads[1]) and np.allclose(grads[0], grads[2], atol=1e-6)
    print(f"{'P':>5}" + "".join(f"{name:>21}" for name in methods) + "   （f 的调用次数，毫秒）")
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
    """, zh=r"""
    前向模式调用 $f$ $P$ 次，中心差分调用 $2P$ 次；反向模式无论 $P$ 多大都只调用**一次**——它的反向
    传播大约再花两次的代价，正如你在上面数过的。由于每次传播的代价约为 $P$，前向模式和数值方法的时
    间按 $P^2$ 增长，反向模式按 $P$ 增长。三种方法算出的梯度一致（见 `assert`），而且前向模式的结
    果和反向传播一样是精确的：区分它们的是*传播的次数*。

    **前向模式何时胜出：输入少、输出多。** 对 $f:\mathbb{R}^P \to \mathbb{R}^K$，一次前向传播给出*
    全部 $K$ 个输出*对某一个输入的导数（雅可比矩阵的一列）；一次反向传播给出*某一个输出*对全部
    $P$ 个输入的导数（雅可比矩阵的一行）。所以前向模式需要 $P$ 次传播，反向模式需要 $K$ 次。训练神
    经网络是反向模式的极端情形：$P$ 数以百万计，而 $K = 1$（损失）。反过来的情形正是前向模式的用武
    之地——一整条模拟轨迹对某个物理常数的敏感度、一条曲线对某个旋钮的依赖——而且它不保留计算图，也不
    缓存激活值。这就引出了一个问题：反向模式的速度要付出什么代价？
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
    """, zh=r"""
    ## 内存：反向传播需要前向传播留下什么

    要计算 `dW = x.T @ dout`，反向传播需要 `x`，也就是前向传播时看到的激活值。所以训练时的前向传播
    会**保留** `bpcourse.layers` 放进缓存的东西：

    - 每个 `linear_forward` 缓存它的输入 `x`：$n \times m_\text{in}$ 个数（第一层缓存的就是数据本
      身）——还有 `W`，但它本来就存在：它是参数，不是激活值；
    - 每个 `relu_forward` 缓存它的输入：每个隐藏层 $n \times m$ 个数。它的输出是一个新数组，即下一
      个线性层的输入，所以**一个隐藏层保留两个数组**。

    这就是本笔记本采用的定义：共 $n\,(m_0 + 2\sum_{l=1}^{L-1} m_l)$ 个数，在 float64 下每个 8 字
    节。推理时这些都不必保留：下一层一读完，上一层的输出就可以丢掉。

    ### 练习 7 — `activation_memory(layer_sizes, n, bytes_per_number=8)`

    对于 `[2, 3, 1]` 和 $n = 4$：第一个线性层缓存 $x$（$4 \times 2$），ReLU 缓存它的输入
    （$4 \times 3$），第二个线性层缓存 ReLU 的输出（$4 \times 3$）：共 $4 \cdot 8 = 32$ 个数，256
    字节。
    """),
    answer("activation_memory", ACTIVATION_MEMORY),
    test("activation_memory_visible", 1, """
    from bpcourse.grading import nb06

    # [2, 3, 1], n = 4: 8 bytes · 4 · (2 + 3 + 3) = 256; 128 with bytes_per_number=4
    # [2, 3, 1]，n = 4：8 字节 · 4 · (2 + 3 + 3) = 256；bytes_per_number=4 时为 128
    nb06.check_activation_memory(activation_memory)
    nb06.passed("activation_memory")
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
    """, zh=r"""
    ### 计数与测量

    `bpcourse.memory.measure_memory` 在一个大小为 $n$ 的批量上运行一个训练步（带缓存的前向传播、损
    失、反向传播）和一次推理，并用 Python 的 `tracemalloc` 监视每一次内存分配（numpy 会向它报告自
    己的数组）。它报告三个数：前向传播结束时仍然持有的内存、整个训练步的峰值，以及推理的峰值。
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
    """, zh="""
    mem_sizes = [64, 256, 256, 10]
    batches = [8, 32, 128, 256] if QUICK else [8, 32, 128, 256, 512, 1024]
    rows = [memory.measure_memory(mem_sizes, b) for b in batches]
    counted = [activation_memory(mem_sizes, b) for b in batches]
    print(f"MLP {mem_sizes}, P = {count_params(mem_sizes):,} "
          f"（权重占 {8 * count_params(mem_sizes) / 2**20:.2f} MiB，与批量大小无关）")
    print(f"{'n':>5} {'计数':>8} {'前向后仍持有':>13} {'训练峰值':>11} "
          f"{'推理峰值':>12}   （MiB）")
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
    """, zh=r"""
    计数与前向传播结束时持有的内存一致（多出的一点是损失的 `dlogits`，$n \times m_L$）。两者都随**
    批量线性增长**，也随深度增长：每个隐藏层增加 $2n\,m$ 个数。训练步的峰值还要更高：反向传播运行
    时，各层的梯度 `dout` 和每个 `dW` 也会短暂存在。推理一直很低：它任何时候都只持有一层的输入和输
    出。

    **检查点**（checkpointing）用时间把这部分内存换回来。在前向传播中只保留每隔 $k$ 层的激活值（即
    检查点）。在反向传播中，每到两个检查点之间的一段，就从这一段开头的检查点出发做一次前向传播，重
    新计算这一段的激活值，在这一段上做反向传播，然后再把它们丢掉。对 $L$ 层的网络，内存从 $L$ 层的
    激活值降到约 $L/k$ 个检查点加上当前这一段的 $k$ 层——在 $k \approx \sqrt{L}$ 时最少，即
    $2\sqrt{L}$ 而不是 $L$——代价是多一次前向传播：每步约 $8nP$ FLOPs，而不是 $6nP$。
    """),
    md(TRADE_QUESTION, zh=TRADE_QUESTION_ZH),
    written("time_memory_trade", 2, TRADE_ANSWER, zh=TRADE_ANSWER_ZH),
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
    """, zh=r"""
    ## 在 PyTorch 中动手看同一套机制

    你构建的每样东西，在 PyTorch 的 `autograd` 中都有对应物：

    - `Value` 记住了它的输入和它的局部导数（03）；在 PyTorch 中，每个 `requires_grad=True` 的张量
      都会记录产生它的运算（`.grad_fn`）。
    - 你的 `backward()` 按拓扑排序的逆序遍历计算图，并把梯度累加到 `.grad` 中（03、05）；
      `loss.backward()` 在记录下来的计算图上做同样的事。
    - 你的 `*_backward(dout, cache)`（04）就是 PyTorch 中每个运算的反向公式（`dx = dout @ W.T`，
      ……），只不过在库里统一写好了；它的缓存就是你刚刚数过的激活值内存。
    - 每次反向传播之前的 `zero_grad()`（05）就是 `optimizer.zero_grad()`。

    下面是一个小网络——2 个输入、3 个 tanh 单元、1 个输出，在 4 个样本上计算均方误差，$P = 13$——我
    们用三种方法对它求导：用**你的前向模式**（13 次传播）、用本课程 `Value` 上的反向模式，以及用
    **PyTorch**：由同样的 13 个数构建同一个网络，调用 `.backward()`，然后读取 `.grad`。（PyTorch
    不是本课程的依赖：没有安装它时，这个单元格会说明并跳过它那一部分。）在两处同时修改网络——换一个
    宽度，或换成 `relu`——再比较一次。
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
    """, zh="""
    X = rng.standard_normal((4, 2)).tolist()           # 普通浮点数：可以与 Dual 混合运算
    Y = rng.standard_normal(4).tolist()
    theta = (0.5 * rng.standard_normal(13)).tolist()   # W1 (2, 3), b1 (3,), W2 (3,), b2


    def mse_of(t):
        \"\"\"把损失看作 13 个参数的函数：对 Dual 和 Value 都适用。\"\"\"
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
    print("你的前向模式：  ", yours)
    print("反向模式，Value：", np.array([p.grad for p in params]))

    try:
        if QUICK:
            raise ImportError("评分时跳过（导入它很慢）")
        import torch
    except ImportError as why:
        torch = None
        print(f"PyTorch 部分已跳过：{why}。想试一试的话，请 pip install torch；本课程本身"
              "并不需要它。")
    if torch is not None:
        t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
        W1, b1, W2, b2 = t[:6].view(2, 3), t[6:9], t[9:12], t[12]
        out = torch.tanh(torch.tensor(X, dtype=torch.float64) @ W1 + b1) @ W2 + b2
        loss = ((out - torch.tensor(Y, dtype=torch.float64)) ** 2).mean()
        loss.backward()                                  # 反向模式填好 t.grad
        print("PyTorch .grad：   ", t.grad.numpy())
        print(f"最大差异，你的结果 vs PyTorch：{np.abs(yours - t.grad.numpy()).max():.1e}")
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
    """, zh=r"""
    这一切背后的保证是：对一个有 $P$ 个输入的标量函数，反向模式自动微分（反向传播）求梯度的代价只
    是求函数值代价的一个小常数倍，无论 $P$ 有多大——这对任何计算都成立，不只是 MLP——代价是内存，即
    它必须保留的中间值。（这个常数是一个按运算给出的上界；更精确的“反向 = 2 × 前向，2nP 和 4nP”是
    按权重的每次乘加来计的，而“按参数计”只在没有权重共享时成立，见上文。）正因如此，拥有数十亿参数
    的网络才能够训练，而它们的训练也才比推理需要多得多的内存。
    """),
    glossary("backpropagation, backward pass", "chain rule", "computation graph", "gradient",
             "forward pass", "multilayer perceptron (MLP)", "FLOPs (floating-point operations)",
             "activation", "number of parameters, P", "linear layer", "batch", "weight", "bias",
             "parameter", "loss function", "central difference", "numerical gradient",
             "derivative", "Jacobian", "hidden layer", "memory",
             "automatic differentiation (autograd)", "topological order (sort)",
             "mean squared error (MSE)", "multiply-add", "forward mode", "reverse mode",
             "dual number", "tangent", "product rule", "quotient rule", "inference",
             "checkpointing"),
    md(r"""
    ## What you did

    - Counted an MLP: $P = \sum_l (m_{l-1}m_l + m_l)$; forward $2nP$; backward $4nP$ (every
      weight used twice, for `dW` and for `dx`); numeric $4nP^2$. In the letters some texts use,
      $2PD$ and $4PD$ with $D = n$.
    - Measured backward/forward, found where the time goes product by product, and saw why
      FLOPs are not time.
    - Built forward mode with dual numbers: exact, but $P$ passes for $P$ inputs; reverse mode
      needs one.
    - Counted and measured the activations backprop keeps: linear in the batch, the price of
      its speed; checkpointing buys memory back with time.

    That completes the course's idea: **backprop is the chain rule on a computation graph,
    and it gives every gradient for about three forward passes.**
    """, zh=r"""
    ## 小结

    - 数清了一个 MLP：$P = \sum_l (m_{l-1}m_l + m_l)$；前向传播 $2nP$；反向传播 $4nP$（每个权重用
      两次，分别用于 `dW` 和 `dx`）；数值方法 $4nP^2$。用有的资料的字母写，就是 $2PD$ 和 $4PD$，其
      中 $D = n$。
    - 测量了反向/前向之比，逐个矩阵乘法地找出了时间花在哪里，并看到了为什么 FLOPs 不等于时间。
    - 用对偶数实现了前向模式：结果精确，但 $P$ 个输入需要 $P$ 次传播；反向模式只需一次。
    - 计算并测量了反向传播保留的激活值：它们随批量线性增长，这是反向传播的速度的代价；检查点用时间
      换回内存。

    至此，本课程的核心思想就完整了：**反向传播是计算图上的链式法则，它只需大约三次前向传播的代价就
    能给出全部梯度。**
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
