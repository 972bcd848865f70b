"""Hidden tests of notebook 05_layered_backprop: forward_pass, backward_pass, sgd_step.

The network's layers are wrapped in *spies* that record which layer was called, in which order
and with what, so that the message can say "the layers ran in reverse order" instead of
showing only a shape error. Outputs are compared with an oracle written here in numpy (the
network's formula from its parameters), gradients with central differences of that formula.
"""

from __future__ import annotations

import numpy as np

from .. import nn as _nn
from ..numgrad import numerical_gradient
from .toolkit import assert_own_work, call, expect_array, require_written, sigmoid

__all__ = ["test_forward_pass", "test_backward_pass", "test_sgd_step", "require_written"]

_maximum, _tanh, _sum, _array_equal = np.maximum, np.tanh, np.sum, np.array_equal




class _Spy:
    """A layer that records each forward/backward call (index, argument) and delegates."""

    def __init__(self, layer, index: int, log: list):
        self.layer, self.index, self.log = layer, index, log

    @property
    def params(self):
        return self.layer.params

    def forward(self, x):
        self.log.append(("forward", self.index, x))
        return self.layer.forward(x)

    __call__ = forward

    def backward(self, dout):
        self.log.append(("backward", self.index, dout))
        dx = self.layer.backward(dout)
        self.log.append(("returned", self.index, dx))
        return dx

    def zero_grad(self):
        self.layer.zero_grad()

    def __repr__(self):
        return repr(self.layer)


def _network(seed: int, sizes: tuple[int, ...], activations=("relu", "tanh", "sigmoid")):
    """Linear layers of the given sizes with activations between them (cycling), seeded."""
    r = np.random.default_rng(seed)
    kinds = {"relu": _nn.ReLU, "tanh": _nn.Tanh, "sigmoid": _nn.Sigmoid}
    layers = []
    for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        linear = _nn.Linear(d_in, d_out, rng=r)
        linear.b.data[:] = r.standard_normal(d_out) * 0.5  # a zero bias would hide bias bugs
        layers.append(linear)
        if i < len(sizes) - 2:
            layers.append(kinds[activations[i % len(activations)]]())
    return layers


def _oracle_forward(layers, x: np.ndarray) -> np.ndarray:
    """The network's formula, written from its parameters (independent of nn's forward)."""
    for layer in layers:
        if isinstance(layer, _nn.Linear):
            x = x @ layer.W.data + layer.b.data
        elif isinstance(layer, _nn.ReLU):
            x = _maximum(x, 0.0)
        elif isinstance(layer, _nn.Tanh):
            x = _tanh(x)
        elif isinstance(layer, _nn.Sigmoid):
            x = sigmoid(x)
        else:
            raise TypeError(f"no oracle for {layer!r}")
    return x


def _order_hint(log: list, kind: str, n: int) -> str | None:
    """Name an order mistake from the spies' log of `kind` calls ("forward" or "backward")."""
    order = [i for k, i, _ in log if k == kind]
    want = list(range(n)) if kind == "forward" else list(range(n - 1, -1, -1))
    if order == want:
        return None
    if not order:
        return f"no layer's {kind}() was called"
    if kind == "forward":
        if order[0] == n - 1:
            return "the layers ran in reverse order: the forward pass goes first to last"
        if order == want[:1]:
            return "only the first layer ran: `return` is inside the loop (move it after the loop)"
        if order == want[:-1]:
            return "the last layer never ran: the loop stops one layer short"
    else:
        if order[0] == 0:
            return ("backward in forward order: the backward pass walks the layers in reverse, "
                    "for layer in reversed(layers)")
        if order == want[:1]:
            return "only the last layer's backward ran: `return` is inside the loop (move it after)"
        if order == want[:-1]:
            return ("the first layer (index 0) never got its backward call: "
                    "range(len(layers) - 1, 0, -1) stops before 0; use reversed(layers)")
    return f"the layers' {kind}() ran in the order {order}; expected {want}"


def _run(fn, name: str, log: list, kind: str, n: int, *args):
    """Call the learner's function; on an exception, name an order mistake if the log shows
    one (a wrong order usually surfaces as a shape error)."""
    try:
        return call(fn, name, *args)
    except AssertionError as failure:
        hint = _order_hint(log, kind, n)
        if hint:
            raise AssertionError(f"{name}: {hint}. (It failed with: {failure})") from None
        raise


# ----- forward_pass -----

def test_forward_pass(forward_pass, seeds=(61, 62, 63)) -> None:
    """forward_pass(layers, x) applies each layer once, first to last, feeding each the
    previous output; checked on a square network (where a wrong order keeps the shapes) and
    non-square ones, against the network's formula."""
    assert_own_work(forward_pass, _nn.Sequential, _nn.Sequential.forward)
    cases = [(60, (4, 4, 4, 4))] + [
        (s, tuple(int(v) for v in np.random.default_rng(s).choice(np.arange(2, 9), 4,
                                                                   replace=False)))
        for s in seeds]
    for seed, sizes in cases:
        _forward_case(forward_pass, seed, sizes)


def _forward_case(forward_pass, seed: int, sizes: tuple[int, ...]) -> None:
    layers = _network(seed, sizes)
    log: list = []
    spies = [_Spy(layer, i, log) for i, layer in enumerate(layers)]
    x = np.random.default_rng(seed + 1000).standard_normal((5, sizes[0]))
    where = f" (a network {' -> '.join(map(str, sizes))}, {len(layers)} layers, x {x.shape})"
    out = _run(forward_pass, "forward_pass", log, "forward", len(layers), spies, x.copy())
    hint = _order_hint(log, "forward", len(layers))
    if hint:
        raise AssertionError(f"forward_pass{where}: {hint}.")
    for _, i, given in log[1:]:
        if given.shape == x.shape and _array_equal(given, x):
            raise AssertionError(
                f"forward_pass{where}: layer {i} got the original x. Feed each layer the "
                "previous layer's output: x = layer.forward(x).")
    expected = _oracle_forward(layers, x)
    expect_array(out, expected, "forward_pass: output" + where, mistakes=[
        ("returned the input x: return the last layer's output", x)])


# ----- backward_pass -----

def _param_names(layers) -> list[tuple[str, object]]:
    names, k = [], 0
    for layer in layers:
        if isinstance(layer, _nn.Linear):
            k += 1
            names += [(f"W{k}", layer.W), (f"b{k}", layer.b)]
    return names


def test_backward_pass(backward_pass, seeds=(71, 72)) -> None:
    """backward_pass(layers, dout) calls each layer's backward once, last to first, hands each
    the gradient the next one returned, leaves every parameter's .grad equal to central
    differences of sum(network(x) * dout), returns dL/dx; gradients accumulate (a second
    call adds the same again)."""
    assert_own_work(backward_pass, _nn.Sequential, _nn.Sequential.backward)
    cases = [(70, (3, 3, 3, 3))] + [
        (s, tuple(int(v) for v in np.random.default_rng(s).choice(np.arange(2, 8), 4,
                                                                   replace=False)))
        for s in seeds]
    for seed, sizes in cases:
        _backward_case(backward_pass, seed, sizes)


def _backward_case(backward_pass, seed: int, sizes: tuple[int, ...]) -> None:
    layers = _network(seed, sizes)
    n = len(layers)
    log: list = []
    spies = [_Spy(layer, i, log) for i, layer in enumerate(layers)]
    r = np.random.default_rng(seed + 2000)
    x = r.standard_normal((6, sizes[0]))
    out = x
    for layer in layers:  # the forward pass, by the test, so that every cache is ready
        out = layer.forward(out)
    dout = r.standard_normal(out.shape)
    for layer in layers:
        layer.zero_grad()
    where = f" (a network {' -> '.join(map(str, sizes))}, {n} layers)"

    dx = _run(backward_pass, "backward_pass", log, "backward", n, spies, dout.copy())
    hint = _order_hint(log, "backward", n)
    if hint:
        raise AssertionError(f"backward_pass{where}: {hint}.")
    calls = [(i, g) for k, i, g in log if k == "backward"]
    returns = {i: g for k, i, g in log if k == "returned"}
    if not _array_equal(calls[0][1], dout):
        raise AssertionError(f"backward_pass{where}: the last layer must get dout itself.")
    for i, given in calls[1:]:
        if given is None or not _array_equal(given, returns[i + 1]):
            same = given is not None and given.shape == dout.shape and _array_equal(given, dout)
            raise AssertionError(
                f"backward_pass{where}: layer {i} got "
                + ("the original dout" if same else "something else")
                + " instead of the gradient layer "
                f"{i + 1} returned. Hand each layer's result to the layer before: "
                "dout = layer.backward(dout).")

    def network_loss(_):
        return float(_sum(_oracle_forward(layers, x) * dout))

    grads = {}
    for name, p in _param_names(layers):
        grads[name] = p.grad.copy()
        expect_array(p.grad, numerical_gradient(network_loss, p.data), f"{name}.grad" + where,
                     mistakes=[("the gradient is zero: this layer's backward was never "
                                "called", np.zeros_like(p.grad))])
    ref_dx = numerical_gradient(lambda v: float(_sum(_oracle_forward(layers, v) * dout)),
                                x.copy())
    expect_array(dx, ref_dx, "backward_pass: returned gradient (dL/dx)" + where, mistakes=[
        ("returned dout, the gradient you were given: return the gradient that comes out of "
         "the first layer", dout)] + [
        ("returned the last layer's gradient: return the one that comes out of the first "
         "layer (after the loop)", returns[n - 1])])

    out = x  # a second backward pass (after a new forward) must add the same again
    for layer in layers:
        out = layer.forward(out)
    call(backward_pass, "backward_pass", spies, dout.copy())
    for name, p in _param_names(layers):
        if _array_equal(p.grad, grads[name]) and grads[name].any():
            raise AssertionError(
                f"backward_pass{where}: a second backward pass left {name}.grad unchanged: "
                "gradients accumulate (+=) across backward passes, and zeroing them is the "
                "training loop's job (zero_grad before backward). Don't zero them here.")
        expect_array(p.grad, 2 * grads[name], f"{name}.grad after a second backward pass"
                     + where)


# ----- sgd_step -----

def test_sgd_step(sgd_step, seeds=(81, 82, 83)) -> None:
    """sgd_step(params, lr): every parameter's data becomes data − lr · grad, in place (the
    same array object), and the gradients are left alone."""
    assert_own_work(sgd_step, _nn.SGD, _nn.SGD.step)
    for seed in seeds:
        _sgd_case(sgd_step, seed)


def _sgd_case(sgd_step, seed: int) -> None:
    r = np.random.default_rng(seed)
    shapes = [(int(r.integers(2, 6)), int(r.integers(2, 6))), (int(r.integers(2, 6)),), (3, 2)]
    params = []
    for k, shape in enumerate(shapes):
        p = _nn.Parameter(r.standard_normal(shape), f"p{k}")
        p.grad[...] = r.standard_normal(shape)
        params.append(p)
    lr = float(r.uniform(0.01, 0.5))
    before = [(p.data, p.data.copy(), p.grad.copy()) for p in params]
    call(sgd_step, "sgd_step", params, lr)
    for k, (p, (array, data0, grad0)) in enumerate(zip(params, before, strict=True)):
        name = f"sgd_step: parameter {k} of {len(params)} (shape {data0.shape}, lr {lr:.3f})"
        if not _array_equal(p.grad, grad0):
            raise AssertionError(f"{name}: p.grad was changed. sgd_step only updates p.data; "
                                 "zeroing the gradients is zero_grad's job.")
        expect_array(p.data, data0 - lr * grad0, name, mistakes=[
            ("the step goes uphill: p.data -= lr * p.grad (minus, to descend)",
             data0 + lr * grad0),
            ("the learning rate is missing: p.data -= lr * p.grad", data0 - grad0),
            ("nothing was updated" + (" after the first parameter: `return` is inside the "
                                      "loop" if k else ": p.data -= lr * p.grad changes it "
                                      "in place; `p = p - ...` only rebinds a name"), data0),
        ])
        if p.data is not array:
            raise AssertionError(
                f"{name}: p.data is a new array (p.data = p.data - lr * p.grad). Update it in "
                "place, p.data -= lr * p.grad, so that every reference to the parameter's "
                "array (an optimizer's, a view's) sees the step.")
