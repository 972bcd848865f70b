"""Build solutions/05_layered_backprop/05_layered_backprop.ipynb: a layered network, trained.

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
ABOUT = "random networks, square and not, spies that record the order of the calls"

FORWARD = '''
def forward_pass(layers, x):
    """Apply the layers in order.

    Args:
        layers: list of modules, each with forward(x) -> out.
        x: (N, D) input batch.

    Returns:
        The last layer's output, e.g. logits of shape (N, C).
    """
    ### BEGIN SOLUTION
    for layer in layers:
        x = layer.forward(x)
    return x
    ### END SOLUTION
'''

BACKWARD = '''
def backward_pass(layers, dout):
    """Backpropagate dout through the layers, last to first.

    Each layer's backward(dout) adds its parameters' gradients into their .grad and returns
    the gradient with respect to its input, which is the upstream gradient of the layer
    before it.

    Args:
        layers: the list given to forward_pass (run forward_pass first).
        dout: gradient of the loss with respect to the network's output, shape of the output.

    Returns:
        dx: gradient of the loss with respect to the network's input x, shape of x.
    """
    ### BEGIN SOLUTION
    for layer in reversed(layers):
        dout = layer.backward(dout)
    return dout
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



CELLS = [
    md(r"""
    # 05 · Layered backprop: a network that learns

    Notebook 04 built the layers. Here they become a network: a **list of layers**, a forward
    pass that runs them in order, a backward pass that runs them in reverse, and a step of
    gradient descent. Then the network learns to separate three interleaved spirals.

    **After this notebook you will be able to**

    - write the forward pass, the backward pass (反向传播) and the SGD update of any network
      that is a list of layers;
    - train it to over 95 % accuracy on the spiral data set in a few seconds, and read its
      loss curve and decision boundary;
    - check every parameter's gradient (梯度) of the whole network against central
      differences, and (optionally) against PyTorch.
    """),
    code("""
    import os
    import numpy as np
    import matplotlib.pyplot as plt
    from tqdm.auto import trange

    from bpcourse import data, nn, plots
    from bpcourse.check import compare, rel_error
    from bpcourse.grading import expect
    from bpcourse.numgrad import numerical_gradient

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

    `bpcourse.nn` wraps the functions of notebook 04 into **modules**. A module keeps its cache
    itself, so its methods take one argument each:

    | | does |
    |---|---|
    | `layer.forward(x)` | computes and returns the output, remembers what backward needs |
    | `layer.backward(dout)` | **adds** its parameters' gradients into `.grad`, returns `dx` |
    | `layer.params` | its list of `Parameter`s, each with `.data` and `.grad` (same shape) |

    `nn.Linear(2, 64)` holds `W` (2, 64) and `b` (64,); `nn.ReLU()` has no parameters. A
    network is then just a Python list, run forward in order and backward in reverse:

    $$x \xrightarrow{\text{Linear}} h \xrightarrow{\text{ReLU}} a
    \xrightarrow{\text{Linear}} \text{logits} \xrightarrow{\text{softmax CE}} L
    \qquad\qquad
    \frac{\partial L}{\partial x} \xleftarrow{} \frac{\partial L}{\partial h}
    \xleftarrow{} \frac{\partial L}{\partial a} \xleftarrow{}
    \frac{\partial L}{\partial\,\text{logits}} \xleftarrow{} 1$$
    """),
    code("""
    layers = [nn.Linear(2, 64, seed=1), nn.ReLU(), nn.Linear(64, 3, seed=2)]
    for layer in layers:
        print(f"{layer!r:<14}", [f"{p.name} {p.data.shape}" for p in layer.params])
    """),
    md("""
    ### Exercise 1 — `forward_pass(layers, x)`

    Run the layers in order, each on the previous layer's output, and return the last output.
    """),
    answer("forward_pass", FORWARD),
    test("forward_pass_visible", 1, """
    test_layers = [nn.Linear(2, 5, seed=1), nn.ReLU(), nn.Linear(5, 3, seed=2)]
    for layer in test_layers[::2]:  # a non-zero bias, so that a lost bias shows
        layer.b.data[:] = np.random.default_rng(6).standard_normal(layer.b.data.shape)
    x_test = np.random.default_rng(5).standard_normal((4, 2))
    W1, b1 = test_layers[0].W.data, test_layers[0].b.data
    W2, b2 = test_layers[2].W.data, test_layers[2].b.data

    out = forward_pass(test_layers, x_test)
    expect(out, np.maximum(x_test @ W1 + b1, 0) @ W2 + b2, "forward_pass: output")
    print("forward_pass: the visible test passes")
    """),
    test("forward_pass_hidden", 2, hidden(
        "nb05", "forward_pass", "test_forward_pass", about=ABOUT)),
    md(r"""
    ### Exercise 2 — `backward_pass(layers, dout)`

    Walk the layers **in reverse**. Each `layer.backward(dout)` returns the gradient with
    respect to that layer's input, which is exactly the upstream gradient of the layer before
    it. Return what comes out of the first layer: $\partial L / \partial x$.

    Do **not** zero the gradients here. Like PyTorch, `backward` *adds* into `.grad`
    (gradients add where a value is used twice, as in notebook 03); the training loop zeroes
    them before each backward pass.
    """),
    answer("backward_pass", BACKWARD),
    test("backward_pass_visible", 2, """
    # L = sum(network(x) * dout) has gradient dout at the output: compare every parameter's
    # .grad and the returned dx with central differences of L.
    dout_test = np.random.default_rng(7).standard_normal((4, 3))

    def L_test(_=None, x=x_test):
        return np.sum(forward_pass(test_layers, x) * dout_test)

    for layer in test_layers:
        layer.zero_grad()
    forward_pass(test_layers, x_test)
    dx_test = backward_pass(test_layers, dout_test)
    for name, p in [("W1", test_layers[0].W), ("b1", test_layers[0].b),
                    ("W2", test_layers[2].W), ("b2", test_layers[2].b)]:
        expect(p.grad, numerical_gradient(L_test, p.data), f"{name}.grad")
    expect(dx_test, numerical_gradient(lambda v: L_test(x=v), x_test.copy()), "returned dx")
    print("backward_pass: the visible test passes")
    """),
    test("backward_pass_hidden", 3, hidden(
        "nb05", "backward_pass", "test_backward_pass", about=ABOUT)),
    md(r"""
    ### Exercise 3 — `sgd_step(params, lr)`

    Gradient descent moves every parameter a little **against** its gradient:
    $\theta \leftarrow \theta - \eta\,\partial L/\partial\theta$. Update `p.data` **in place**
    (`-=`), so that everything holding the parameter's array sees the new values, and leave
    `p.grad` alone.
    """),
    answer("sgd_step", SGD),
    test("sgd_step_visible", 1, """
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
    ## Are the network's gradients right?

    Before training anything, check the gradients: a slightly wrong gradient can still train,
    only worse, and nobody notices. The check from notebook 01 settles it: perturb every one of
    the network's $P = 2\cdot 64 + 64 + 64\cdot 3 + 3 = 387$ parameters by $\pm h$ and
    compare the slopes with `.grad` from one backward pass. On 20 points that is $2P = 774$
    forward passes, against one forward and one backward pass for backprop.
    """),
    code("""
    layers = [nn.Linear(2, 64, seed=1), nn.ReLU(), nn.Linear(64, 3, seed=2)]
    X_check, y_check = X[11::15], y[11::15]  # 20 points (none at the origin, a ReLU kink)
    loss_fn = nn.SoftmaxCrossEntropy()

    def network_loss(_=None):
        return loss_fn(forward_pass(layers, X_check), y_check)

    for layer in layers:
        layer.zero_grad()
    network_loss()
    backward_pass(layers, loss_fn.backward())

    errors = {}
    linear_layers = [layer for layer in layers if layer.params]
    for k, layer in enumerate(linear_layers, start=1):
        for p in layer.params:
            name = f"{p.name}{k}"  # W1, b1, W2, b2
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

        W1, b1, W2, b2 = (torch.tensor(p.data, requires_grad=True)
                          for layer in layers for p in layer.params)
        logits = torch.relu(torch.tensor(X_check) @ W1 + b1) @ W2 + b2
        torch_loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y_check))
        torch_loss.backward()
        print(f"loss   | ours {network_loss():.10f} | PyTorch {torch_loss.item():.10f}")
        for name, ours, theirs in zip(["W1", "b1", "W2", "b2"],
                                      [p.grad for layer in layers for p in layer.params],
                                      [W1.grad, b1.grad, W2.grad, b2.grad]):
            print(compare(name, ours, theirs.numpy()))
    """),
    md(r"""
    ## Training

    One step of training is the whole course in five lines: **zero** the gradients, run the
    network **forward**, compute the **loss**, run **backward** from $\partial L/\partial L = 1$
    (the loss module hands back $\partial L/\partial\,\text{logits}$), take an SGD **step**.
    We use the full data set in every step (300 points is small) and a learning rate of 1.
    """),
    code("""
    def train(layers, X, y, steps, lr):
        loss_fn = nn.SoftmaxCrossEntropy()
        params = [p for layer in layers for p in layer.params]
        losses = []
        for _ in trange(steps, desc="training"):
            for p in params:
                p.zero_grad()
            logits = forward_pass(layers, X)
            losses.append(loss_fn(logits, y))
            backward_pass(layers, loss_fn.backward())
            sgd_step(params, lr)
        return losses


    def accuracy(layers, X, y):
        return np.mean(forward_pass(layers, X).argmax(axis=1) == y)


    layers = [nn.Linear(2, 64, seed=1), nn.ReLU(), nn.Linear(64, 3, seed=2)]
    print(f"before training: accuracy {accuracy(layers, X, y):.1%}")
    losses = train(layers, X, y, steps=300 if QUICK else 1000, lr=1.0)
    print(f"after {len(losses)} steps: loss {losses[-1]:.3f}, "
          f"training accuracy {accuracy(layers, X, y):.1%}")
    """),
    md(r"""
    The loss falls fast, then slowly; the decision boundary shows how the 64 ReLU units bend
    the plane into three spiral-shaped regions.
    """),
    code("""
    fig, (ax_loss, ax_boundary) = plt.subplots(1, 2, figsize=(10, 4))
    plots.loss_curve(losses, ax=ax_loss)
    ax_loss.set_yscale("log")
    plots.decision_boundary(lambda P: forward_pass(layers, P).argmax(axis=1), X, y,
                            ax=ax_boundary, resolution=150)
    ax_boundary.set_title(f"training accuracy {accuracy(layers, X, y):.1%}")
    plt.show()
    """),
    md(r"""
    ## What you did

    - A network is a list of layers; `forward_pass` runs it in order, `backward_pass` in
      reverse, handing each layer's `dx` to the layer before.
    - Gradients **accumulate**; the training loop zeroes them, then forward, loss, backward,
      step.
    - One backward pass gave all 387 gradients; the numeric check needed 774 forward passes to
      confirm them.

    **Next, 06_cost_of_backprop:** why one backward pass costs only about two forward passes,
    counted in FLOPs and measured on your machine.
    """),
]

if __name__ == "__main__":
    print(write(NAME, CELLS))
