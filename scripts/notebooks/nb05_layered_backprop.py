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
from nbbuild import answer, code, hidden, md, test, write  # noqa: E402

NAME = "05_layered_backprop"
# What the hidden tests try, for the comment of each hidden-test cell.
ABOUT = "random shapes and seeds against central differences"
ABOUT_NET = "random networks, square and not, spies that record the order of the calls"

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
    """),
    code("""
    X, y = data.spiral(n_per_class=100, n_classes=3, seed=0)
    print("X", X.shape, X.dtype, "  y", y.shape, y.dtype, "  classes", np.unique(y))
    plt.figure(figsize=(4, 4))
    plt.scatter(X[:, 0], X[:, 1], c=y, cmap="tab10", vmin=-0.5, vmax=9.5, s=12)
    plt.gca().set_aspect("equal")
    plt.show()
    """),
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
    """),
    answer("linear_module", LINEAR),
    test("linear_module_visible", 2, """
    nb05.assert_own_answer(Linear)  # your own class, not one of bpcourse.nn's
    layer = Linear(3, 2, seed=0)
    assert layer.W.data.shape == (3, 2) and layer.b.data.shape == (2,), (
        f"W must be (n_in, n_out) = (3, 2) and b (n_out,) = (2,); got W {layer.W.data.shape}, "
        f"b {layer.b.data.shape}")
    assert len(layer.params) == 2 and layer.params[0] is layer.W and layer.params[1] is layer.b, (
        "params must be [self.W, self.b]: the bias is a parameter too")
    layer.b.data[:] = [0.5, -1.0]  # a non-zero bias, so that a lost bias shows
    W_test, b_test = layer.W.data, layer.b.data
    x_test = np.random.default_rng(5).standard_normal((4, 3))
    expect(layer.forward(x_test), x_test @ W_test + b_test, "Linear.forward: out",
           mistakes=[("the bias b is not added", x_test @ W_test)])

    dout_test = np.random.default_rng(6).standard_normal((4, 2))
    dx_test = layer.backward(dout_test)
    expect(dx_test, numerical_gradient_array(lambda v: v @ W_test + b_test, x_test, dout_test),
           "Linear.backward: returned dx")
    expect(layer.W.grad, numerical_gradient_array(lambda v: x_test @ v + b_test, W_test.copy(),
                                                  dout_test), "W.grad after one backward")
    dW_once, db_once = layer.W.grad.copy(), layer.b.grad.copy()
    layer.backward(dout_test)  # a second backward pass adds the same again
    add = "`=` instead of `+=`: backward must add into the .grad, not overwrite it"
    expect(layer.W.grad, 2 * dW_once, "W.grad after two backward passes", mistakes=[(add, dW_once)])
    expect(layer.b.grad, 2 * db_once, "b.grad after two backward passes", mistakes=[(add, db_once)])
    print("Linear: the visible tests pass")
    """),
    test("linear_module_hidden", 3, hidden("nb05", "Linear", "test_linear_module", about=ABOUT)),
    md(r"""
    ### Exercise 2 — `ReLU()`

    No parameters (`self.params = []`, so that a network can collect every layer's params
    without asking which kind it is), a cache on `self`, `forward(x)` and `backward(dout)` on
    `layers.relu_forward` and `layers.relu_backward`.
    """),
    answer("relu_module", RELU),
    test("relu_module_visible", 1, """
    nb05.assert_own_answer(ReLU)  # your own class, not one of bpcourse.nn's
    relu = ReLU()
    assert relu.params == [], "ReLU has no parameters: self.params = []"
    x_test = np.array([[-2.0, -0.5, 0.5, 2.0], [1.0, -1.0, 3.0, -3.0]])
    expect(relu.forward(x_test), np.maximum(x_test, 0), "ReLU.forward: out")
    ReLU().forward(-x_test)  # another ReLU's forward must leave this one's cache alone
    dout_test = np.random.default_rng(7).standard_normal(x_test.shape)
    expect(relu.backward(dout_test),
           numerical_gradient_array(lambda v: np.maximum(v, 0), x_test, dout_test),
           "ReLU.backward: dx", mistakes=[
               ("another ReLU's forward overwrote this one's cache: keep it on self",
                dout_test * (x_test < 0))])
    print("ReLU: the visible tests pass")
    """),
    test("relu_module_hidden", 1, hidden("nb05", "ReLU", "test_relu_module", about=ABOUT)),
    md(r"""
    ### Exercise 3 — the loss module `SoftmaxCrossEntropy()`

    The loss is the last node of the graph. `forward(logits, y)` returns the loss, **a float
    only**, and keeps `dlogits` on `self`; `backward()` takes no argument (the loss is where
    the backward pass starts, $\partial L/\partial L = 1$) and returns the `dlogits` of the
    most recent forward.
    """),
    answer("loss_module", LOSS),
    test("loss_module_visible", 1, """
    nb05.assert_own_answer(SoftmaxCrossEntropy)  # your own class, not one of bpcourse.nn's
    loss_fn = SoftmaxCrossEntropy()
    loss = loss_fn.forward(np.zeros((2, 4)), np.array([0, 3]))
    assert not isinstance(loss, tuple), (
        "forward returns only the loss (a float); keep dlogits on self for backward()")
    assert np.isclose(loss, np.log(4)), f"equal logits over 4 classes give ln 4 = 1.3863, got {loss}"

    logits_test, y_test = np.random.default_rng(8).standard_normal((5, 3)), np.array([0, 2, 1, 2, 0])
    loss_fn.forward(logits_test, y_test)
    mean_ce = lambda z: np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(5), y_test])
    expect(loss_fn.backward(), numerical_gradient(mean_ce, logits_test), "backward(): dlogits")
    print("the loss module: the visible tests pass")
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
    """),
    answer("sequential", SEQUENTIAL),
    test("sequential_visible", 2, """
    nb05.assert_own_answer(Sequential)  # your own class, not one of bpcourse.nn's
    test_layers = [nn.Linear(2, 5, seed=1), nn.ReLU(), nn.Linear(5, 3, seed=2)]
    for layer in test_layers[::2]:  # a non-zero bias, so that a lost bias shows
        layer.b.data[:] = np.random.default_rng(6).standard_normal(layer.b.data.shape)
    model = Sequential(test_layers)
    expected_params = [test_layers[0].W, test_layers[0].b, test_layers[2].W, test_layers[2].b]
    assert [id(p) for p in model.params] != [id(p) for p in expected_params[::2]], (
        "params misses the biases: it must hold every layer's params")
    assert [id(p) for p in model.params] == [id(p) for p in expected_params], (
        "params must be every layer's params in one flat list, in order: W1, b1, W2, b2")
    W1, b1, W2, b2 = (p.data for p in expected_params)
    x_test = np.random.default_rng(5).standard_normal((4, 2))
    dout_test = np.random.default_rng(7).standard_normal((4, 3))

    def L_test(_=None, x=x_test):
        return np.sum((np.maximum(x @ W1 + b1, 0) @ W2 + b2) * dout_test)

    expect(model.forward(x_test), np.maximum(x_test @ W1 + b1, 0) @ W2 + b2,
           "Sequential.forward: output")
    model.zero_grad()
    dx_test = model.backward(dout_test)
    for name, p in zip(["W1", "b1", "W2", "b2"], expected_params):
        expect(p.grad, numerical_gradient(L_test, p.data), f"{name}.grad")
    expect(dx_test, numerical_gradient(lambda v: L_test(x=v), x_test.copy()), "returned dx",
           mistakes=[("returned dout, the gradient it was given: return what comes out of the "
                      "first layer", dout_test)])
    model.zero_grad()
    assert not any(p.grad.any() for p in expected_params), "zero_grad must zero every .grad"
    print("Sequential: the visible tests pass")
    """),
    test("sequential_hidden", 3, hidden("nb05", "Sequential", "test_sequential", about=ABOUT_NET)),
    md(r"""
    ## Are the network's gradients right?

    Before training anything, check the gradients: a slightly wrong gradient can still train,
    only worse, and nobody notices. The check from notebook 01 settles it: perturb every one of
    the network's $P = 2\cdot 64 + 64 + 64\cdot 3 + 3 = 387$ parameters by $\pm h$ and
    compare the slopes with `.grad` from one backward pass. On 20 points that is $2P = 774$
    forward passes, against one forward and one backward pass for backprop.
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
    """),
    md(r"""
    ### Exercise 5 — `sgd_step(params, lr)`

    Gradient descent moves every parameter a little **against** its gradient:
    $\theta \leftarrow \theta - \eta\,\partial L/\partial\theta$. Update `p.data` **in place**
    (`-=`), so that everything holding the parameter's array sees the new values, and leave
    `p.grad` alone.
    """),
    answer("sgd_step", SGD),
    test("sgd_step_visible", 1, """
    nb05.assert_own_answer(sgd_step)  # your own code, not bpcourse.nn.SGD
    p = nn.Parameter(np.array([1.0, -2.0, 3.0]), "p")
    p.grad[:] = [0.5, 0.5, -1.0]
    array_before = p.data
    sgd_step([p], lr=0.1)
    expect(p.data, np.array([0.95, -2.05, 3.1]), "p.data after one step",
           mistakes=[("the step goes uphill: subtract lr * grad", np.array([1.05, -1.95, 2.9]))])
    assert p.data is array_before, "update p.data in place (p.data -= ...), not a new array"
    print("sgd_step: the visible test passes")
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
    """),
    answer("train_step", TRAIN_STEP),
    test("train_step_visible", 1, """
    nb05.assert_own_answer(train_step)  # your own code, with your sgd_step
    model_test = nn.Sequential(nn.Linear(2, 4, seed=3), nn.ReLU(), nn.Linear(4, 3, seed=4))
    reference = nn.Sequential(nn.Linear(2, 4, seed=3), nn.ReLU(), nn.Linear(4, 3, seed=4))
    x_test, y_test, lr_test = X[::30], y[::30], 0.5
    for p in model_test.params:
        p.grad[...] = 1.0  # stale gradients, as an earlier step would leave them
    before = [p.data.copy() for p in model_test.params]

    reference_loss_fn = nn.SoftmaxCrossEntropy()
    reference_loss = reference_loss_fn(reference.forward(x_test), y_test)
    reference.backward(reference_loss_fn.backward())

    loss = train_step(model_test, nn.SoftmaxCrossEntropy(), x_test, y_test, lr_test)
    for p, ref, p0 in zip(model_test.params, reference.params, before):
        expect(p.data, p0 - lr_test * ref.grad, f"{p.name} after one train_step", mistakes=[
            ("zero_grad is missing: the stale gradients were added to this step's",
             p0 - lr_test * (1.0 + ref.grad)),
            ("the parameters did not move: zero_grad, forward, loss, backward, then the step", p0)])
    assert loss is not None and np.isclose(loss, reference_loss), (
        f"train_step must return the batch's loss, {reference_loss:.6f}; got {loss}")
    print("train_step: the visible test passes")
    """),
    test("train_step_hidden", 2, hidden("nb05", "train_step", "test_train_step", about=ABOUT)),
    md(r"""
    ## Training with minibatches

    Each step uses a **minibatch** of 30 points instead of all 300: ten steps per pass over
    the data (an *epoch*), each ten times cheaper, and the noise of a small batch does no harm
    here. The order is shuffled every epoch, so the batches differ.
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
    """),
    md(r"""
    The loss is noisy from batch to batch (the grey curve; the dark one is a moving average),
    and falls; the decision boundary shows how the 64 ReLU units bend the plane into three
    spiral-shaped regions.
    """),
    code("""
    fig, (ax_loss, ax_boundary) = plt.subplots(1, 2, figsize=(10, 4))
    plots.loss_curve(losses, ax=ax_loss, smooth=20)
    ax_loss.set_yscale("log")
    plots.decision_boundary(lambda P: model.forward(P).argmax(axis=1), X, y,
                            ax=ax_boundary, resolution=150)
    ax_boundary.set_title(f"training accuracy {accuracy(model, X, y):.1%}")
    plt.show()
    """),
    md(r"""
    ## Is training healthy? Four checks

    A network that trains badly rarely crashes: it just learns less. These checks, run and
    read before a long training run, catch most problems early.

    ### 1. The loss at initialisation

    Before any training, a well-initialised classifier knows nothing: its logits are small,
    softmax gives every one of the $C$ classes about $1/C$, and the loss is about
    $-\ln(1/C) = \ln C$. A loss far above $\ln C$ means the network is confidently wrong from
    the start (weights too large); it then spends its first steps undoing that.
    """),
    code("""
    C = len(np.unique(y))
    model = Sequential([Linear(2, 64, seed=1), ReLU(), Linear(64, 3, seed=2)])
    print(f"loss at initialisation {SoftmaxCrossEntropy().forward(model.forward(X), y):.3f}   "
          f"ln C = ln {C} = {np.log(C):.3f}")

    model.layers[-1].W.data *= 30  # the same network with a last layer 30 times too large
    print(f"last layer 30x too large: {SoftmaxCrossEntropy().forward(model.forward(X), y):.3f}")
    """),
    md(r"""
    ### 2. Overfitting a tiny subset

    Ten points, one network of 387 parameters: it must be able to learn them by heart, to a
    loss near 0. If it cannot, something is broken (a gradient, the update, the labels), and
    more data will not fix it. This is the cheapest test of the whole pipeline.
    """),
    code("""
    tiny = np.arange(0, len(X), 30)  # 10 points from the three classes
    model = Sequential([Linear(2, 64, seed=1), ReLU(), Linear(64, 3, seed=2)])
    loss_fn = SoftmaxCrossEntropy()
    tiny_losses = [train_step(model, loss_fn, X[tiny], y[tiny], lr=1.0)
                   for _ in range(300 if QUICK else 1000)]
    print(f"10 points: loss {tiny_losses[0]:.3f} -> {tiny_losses[-1]:.4f} after "
          f"{len(tiny_losses)} steps; accuracy on them {accuracy(model, X[tiny], y[tiny]):.0%}")
    """),
    md(r"""
    ### Exercise 7 — `grad_norms(model)`

    The third check looks inside: how large is each layer's gradient? For every layer **that
    has parameters** (skip ReLU), return the Euclidean norm of all its parameters' gradients
    together:
    $\sqrt{\sum_{p \in \text{layer.params}} \sum_i p.\text{grad}_i^2}$, one float per layer,
    first layer first.
    """),
    answer("grad_norms", GRAD_NORMS),
    test("grad_norms_visible", 1, """
    model_test = Sequential([nn.Linear(3, 2, seed=0), nn.ReLU(), nn.Linear(2, 2, seed=1)])
    for value, p in zip([3.0, 4.0, 1.0, 2.0], model_test.params):
        p.grad[...] = value  # W1.grad all 3 (6 entries), b1.grad all 4 (2), W2 1 (4), b2 2 (2)
    norms = grad_norms(model_test)
    assert norms is not None and len(norms) == 2, (
        f"one number per layer that has parameters (2 here: ReLU has none), got {norms}")
    expected_norms = np.array([np.sqrt(6 * 9 + 2 * 16), np.sqrt(4 * 1 + 2 * 4)])
    expect(np.asarray(norms, dtype=float), expected_norms, "grad_norms", mistakes=[
        ("the square root is missing", expected_norms ** 2),
        ("the bias gradients are left out", np.array([np.sqrt(6 * 9), np.sqrt(4 * 1)]))])
    print("grad_norms: the visible test passes")
    """),
    test("grad_norms_hidden", 2, hidden("nb05", "grad_norms", "test_grad_norms", about=ABOUT)),
    md(r"""
    ### 3. Gradient norms per layer, during training

    Record `grad_norms(model)` after every step of a training run. Healthy: every layer's
    gradient is within a factor of ten or so of the others, and they shrink slowly as the loss
    falls. A layer whose norm is orders of magnitude below the others barely learns; a norm
    that grows step after step announces a divergence.
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
    """),
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
    """),
    md(r"""
    Read the plot from right (the output) to left (the input): the sigmoid net's gradient
    falls by orders of magnitude on its way down, so its first layers would learn a million
    times slower than its last; the ReLU net's stays within a small factor. This is why deep
    networks use ReLU-like activations with He initialisation (and, beyond this course,
    normalisation layers and residual connections).

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
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
