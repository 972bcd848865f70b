"""Hidden tests of notebook 05_layered_backprop: the learner's modules, network, update, training
step and a diagnostic.

The learner writes ``Linear``, ``ReLU``, a ``SoftmaxCrossEntropy`` loss module, ``Sequential``,
``sgd_step``, ``train_step`` and ``grad_norms``. The modules may call the *functional* layers of
``bpcourse.layers`` (the learner's notebook-04 functions are not importable across notebooks);
a class that is, subclasses or calls ``bpcourse.nn``'s module of the same job earns nothing.

Outputs are compared with oracles written here in numpy (the layer's formula), gradients with
central differences of that formula (``bpcourse.numgrad``), never with ``bpcourse.layers``. The
network's layers are wrapped in *spies* that record which layer was called, in which order and
with what, so that a message can say "the layers ran in reverse order" instead of showing only
a shape error.
"""

from __future__ import annotations

import numpy as np

from .. import nn as _nn
from ..i18n import _
from ..judge import same
from ..numgrad import numerical_gradient, numerical_gradient_array
from .toolkit import (
    DelegationDetected,
    assert_own_work,
    assert_untampered,
    call,
    expect_array,
    expect_scalar,
    passed,
    require_written,
    sigmoid,
)

__all__ = ["test_linear_module", "test_relu_module", "test_loss_module", "test_sequential",
           "test_sgd_step", "test_train_step", "test_grad_norms", "assert_own_answer",
           "require_written", "call", "hint", "label", "check_linear_shapes",
           "check_linear_params", "check_no_params", "check_loss_is_a_float",
           "check_equal_logits_loss", "check_sequential_params", "check_zero_grad",
           "check_in_place", "check_returned_loss", "check_norm_count", "passed"]

# Captured at import, so that a notebook cell that reassigns them cannot change the oracles.
_maximum, _tanh, _sum, _array_equal = np.maximum, np.tanh, np.sum, np.array_equal
_exp, _log, _sqrt, _eye, _zeros_like = np.exp, np.log, np.sqrt, np.eye, np.zeros_like
_isclose = np.isclose



def _shared_cache() -> str:
    """The fix for a cache shared between layers, in the learner's language."""
    return _("keep the cache on the instance (self.cache = ...), not on the class or in a "
             "global: every layer needs its own")


# The finished modules of bpcourse.nn: an answer must not be, subclass or call any of them.
_NN_MODULES = (_nn.Linear, _nn.ReLU, _nn.Sigmoid, _nn.Tanh, _nn.Sequential,
               _nn.SoftmaxCrossEntropy, _nn.MSELoss, _nn.SGD)


def assert_own_answer(answer) -> None:
    """Fail (DelegationDetected) if the learner's class or function is, subclasses or calls
    one of bpcourse.nn's finished modules (or its SGD). Calling the functional layers of
    bpcourse.layers and using nn.Parameter is the design, and passes. The visible tests call
    it first, so a delegating answer earns no points at all."""
    _refuse_reference(answer, *_NN_MODULES, _nn.SGD.step)


# ----- what the visible tests say: their words live here, in the learner's language -----

def hint(mistake: str, **values) -> str:
    """The hint for a named mistake that a visible test models inline (a key below)."""
    return {
        "bias_not_added": _("the bias b is not added: out = x @ W + b"),
        "grad_assigned": _("`=` instead of `+=`: backward must add into the .grad, not "
                           "overwrite it"),
        "relu_cache_overwritten": _("another ReLU's forward overwrote this one's cache: keep it "
                                    "on self"),
        "returned_dout": _("returned dout, the gradient it was given: return the gradient that "
                           "comes out of the first layer"),
        "uphill": _("the step goes uphill: p.data -= lr * p.grad (minus, to descend)"),
        "stale_gradients": _("zero_grad is missing: the stale gradients were added to this "
                             "step's"),
        "did_not_move": _("the parameters did not move: zero_grad, forward, loss, backward, "
                          "then the step"),
        "no_sqrt": _("the square root is missing: the norm is sqrt(sum of squares)"),
        "no_bias_grads": _("the bias gradients are left out: take the norm over all of the "
                           "layer's params"),
    }[mistake].format(**values)


def label(what: str, **values) -> str:
    """What a visible test calls the value it compares (a key below), e.g. ``label(
    "grad_after_two", p="W")`` -> "W.grad after two backward passes"."""
    return {
        "returned_dx": _("{layer}.backward: returned dx"),
        "grad_after_one": _("{p}.grad after one backward"),
        "grad_after_two": _("{p}.grad after two backward passes"),
        "network_output": _("Sequential.forward: output"),
        "network_dx": _("returned dx"),
        "after_one_step": _("p.data after one step"),
        "after_train_step": _("{p} after one train_step"),
    }[what].format(**values)


def _fail_unless(condition: bool, message: str) -> None:
    """The visible tests' assert, after the tamper check (their oracles are numpy's)."""
    assert_untampered()
    if not condition:
        raise AssertionError(message)


def check_linear_shapes(layer, n_in: int, n_out: int) -> None:
    """W (n_in, n_out) and b (n_out,), or fail naming both shapes."""
    W, b = layer.W.data.shape, layer.b.data.shape
    _fail_unless(W == (n_in, n_out) and b == (n_out,), _(
        "W must be (n_in, n_out) = {W_want} and b (n_out,) = {b_want}; got W {W}, b {b}").format(
            W_want=(n_in, n_out), b_want=(n_out,), W=W, b=b))


def check_linear_params(layer) -> None:
    """layer.params is [layer.W, layer.b]."""
    params = layer.params
    _fail_unless(len(params) == 2 and params[0] is layer.W and params[1] is layer.b,
                 _("params must be [self.W, self.b]: the bias is a parameter too"))


def check_no_params(layer) -> None:
    """A layer without parameters (ReLU) has params == []."""
    _fail_unless(layer.params == [], _("ReLU has no parameters: self.params = []"))


def check_loss_is_a_float(loss) -> None:
    """The loss module's forward returns the loss only, not (loss, dlogits)."""
    _fail_unless(not isinstance(loss, tuple), _(
        "forward returns only the loss (a float); keep dlogits on self for backward()"))


def check_equal_logits_loss(loss, classes: int) -> None:
    """Equal logits over `classes` classes give the loss ln(classes)."""
    expected = float(_log(classes))
    _fail_unless(_isclose(loss, expected), _(
        "equal logits over {classes} classes give ln {classes} = {expected:.4f}, got {loss}")
        .format(classes=classes, expected=expected, loss=loss))


def check_sequential_params(params, expected: list) -> None:
    """The network's params are the `expected` Parameters (W1, b1, W2, b2), the same objects,
    in order; a list of the weights alone is named as the missing biases."""
    got = [id(p) for p in params]
    _fail_unless(got != [id(p) for p in expected[::2]],
                 _("params misses the biases: it must hold every layer's params"))
    _fail_unless(got == [id(p) for p in expected], _(
        "params must be every layer's params in one flat list, in order: W1, b1, W2, b2"))


def check_zero_grad(params) -> None:
    """Every Parameter's .grad is zero after zero_grad()."""
    _fail_unless(not any(p.grad.any() for p in params), _("zero_grad must zero every .grad"))


def check_in_place(data, array_before) -> None:
    """sgd_step updated the parameter's own array (the same object), not a new one."""
    _fail_unless(data is array_before,
                 _("update p.data in place (p.data -= ...), not a new array"))


def check_returned_loss(loss, expected: float) -> None:
    """train_step returned the batch's loss (before the step)."""
    _fail_unless(loss is not None and _isclose(loss, expected), _(
        "train_step must return the batch's loss, {expected:.6f}; got {loss}").format(
            expected=expected, loss=loss))


def check_norm_count(norms, count: int) -> None:
    """grad_norms returned one number per layer that has parameters (`count` of them)."""
    _fail_unless(norms is not None and len(norms) == count, _(
        "one number per layer that has parameters ({count} here: ReLU has none), got {norms}")
        .format(count=count, norms=norms))


def _refuse_reference(answer, *references) -> None:
    """The answer class must not be, or subclass, a reference class of bpcourse.nn, nor call
    one (the functional layers of bpcourse.layers are allowed: they are the design)."""
    for ref in references:
        if isinstance(answer, type) and isinstance(ref, type) and any(
                same(base, ref) for base in answer.__mro__):
            raise DelegationDetected(_(
                "{answer} is or subclasses {reference}, the package's reference module: the "
                "exercise is to write it yourself, so this answer earns no points.").format(
                    answer=answer.__name__, reference=f"{ref.__module__}.{ref.__qualname__}"))
    assert_own_work(answer, *references)


def _sizes(seed: int, count: int, low: int = 2, high: int = 9) -> tuple[int, ...]:
    """`count` different sizes from the seed (non-square, so a transpose cannot hide)."""
    r = np.random.default_rng(seed)
    return tuple(int(v) for v in r.choice(np.arange(low, high), count, replace=False))


def _returned(value, name: str, what: str):
    """`value`, unless it is None; `what` (translated by the caller) says what was due."""
    if value is None:
        raise AssertionError(_("{name} returned None: it must return {what} (a `return` is "
                               "missing).").format(name=name, what=what))
    return value


def _make(cls, name: str, *args):
    obj = call(cls, name, *args)
    for method in ("forward", "backward"):
        if not callable(getattr(obj, method, None)):
            raise AssertionError(_("{name}: an instance has no method {method}().").format(
                name=name, method=method))
    return obj


def _params_of(obj, name: str) -> list:
    params = getattr(obj, "params", None)
    if params is None:
        raise AssertionError(_(
            "{name} has no `params`: every module lists its Parameters (a layer without any "
            "sets self.params = [] in __init__), so that a network can collect them all.")
            .format(name=name))
    if callable(params):
        raise AssertionError(_("{name}.params is a method: make it a list (set it in __init__, "
                               "or use @property).").format(name=name))
    return list(params)


# ----- Linear -----

def test_linear_module(Linear, seeds=(11, 12, 13)) -> None:
    """Linear(n_in, n_out, seed): W (n_in, n_out), b (n_out,) Parameters, params = [W, b],
    seeded; forward = x @ W + b; backward adds dW, db into the .grad (twice -> twice) and
    returns dx, all against central differences; two layers keep their own caches."""
    assert_own_answer(Linear)
    for seed in seeds:
        _linear_case(Linear, seed, *_sizes(seed, 3))
    _two_linears(Linear, seeds[0] + 100)


def _linear_layer(Linear, n_in: int, n_out: int, seed: int):
    layer = _make(Linear, "Linear", n_in, n_out, seed)
    for attr in ("W", "b"):
        p = getattr(layer, attr, None)
        if not (hasattr(p, "data") and hasattr(p, "grad")):
            raise AssertionError(_("Linear: self.{attr} must be an nn.Parameter (with .data and "
                                   ".grad), e.g. self.W = nn.Parameter(W_init, 'W').").format(
                                       attr=attr))
    where = f" (Linear({n_in}, {n_out}))"
    W, b = layer.W, layer.b
    if W.data.shape != (n_in, n_out):
        raise AssertionError(
            _("Linear: W.data has shape {shape}{where}; it must be (n_in, n_out) = {expected}, "
              "so that x (N, n_in) @ W gives (N, n_out).").format(
                  shape=W.data.shape, where=where, expected=(n_in, n_out))
            + (_(" W is transposed.") if W.data.shape == (n_out, n_in) else ""))
    if b.data.shape != (n_out,):
        raise AssertionError(_("Linear: b.data has shape {shape}{where}; it must be (n_out,) = "
                               "({n_out},), one bias per output.").format(
                                   shape=b.data.shape, where=where, n_out=n_out))
    params = _params_of(layer, "Linear")
    if len(params) != 2 or params[0] is not W or params[1] is not b:
        missing = (_("the bias b is missing") if len(params) == 1 and params[0] is W
                   else _("they must be the layer's own W and b, in that order"))
        raise AssertionError(_("Linear: params must be [self.W, self.b]: {missing}.").format(
            missing=missing))
    if not W.data.any():
        raise AssertionError(_(
            "Linear: W starts at zero. Every unit of a layer would then get the same gradient "
            "and stay the same as every other: draw W at random (He: N(0, 2 / n_in))."))
    again = _make(Linear, "Linear", n_in, n_out, seed)
    if not _array_equal(again.W.data, W.data):
        raise AssertionError(_("Linear: two Linear({n_in}, {n_out}, seed={seed}) have different "
                               "W: draw W with np.random.default_rng(seed).").format(
                                   n_in=n_in, n_out=n_out, seed=seed))
    return layer


def _linear_case(Linear, seed: int, n: int, n_in: int, n_out: int) -> None:
    r = np.random.default_rng(seed)
    layer = _linear_layer(Linear, n_in, n_out, seed)
    layer.b.data[...] = r.standard_normal(n_out)  # a zero bias would hide bias bugs
    W, b = layer.W.data.copy(), layer.b.data.copy()
    x = r.standard_normal((n, n_in))
    where = f" (Linear({n_in}, {n_out}), x {x.shape})"
    out = _returned(call(layer.forward, "Linear.forward", x.copy()), "Linear.forward", "out")
    expect_array(out, x @ W + b, "Linear.forward: out" + where, mistakes=[
        (_("the bias b is not added: out = x @ W + b"), x @ W)])

    dout = r.standard_normal((n, n_out))
    dx = _returned(call(layer.backward, "Linear.backward", dout.copy()), "Linear.backward", "dx")
    expect_array(dx, numerical_gradient_array(lambda v: v @ W + b, x.copy(), dout),
                 label("returned_dx", layer="Linear") + where)
    dW = numerical_gradient_array(lambda v: x @ v + b, W.copy(), dout)
    db = numerical_gradient_array(lambda v: x @ W + v, b.copy(), dout)
    for p, ref, name in ((layer.W, dW, "W"), (layer.b, db, "b")):
        expect_array(p.grad, ref, f"Linear.backward: {name}.grad" + where, mistakes=[
            (_("{p}.grad is still zero: backward must add d{p} into self.{p}.grad").format(p=name),
             _zeros_like(ref))])

    call(layer.backward, "Linear.backward", dout.copy())  # a second backward pass adds again
    for p, ref, name in ((layer.W, dW, "W"), (layer.b, db, "b")):
        expect_array(p.grad, 2 * ref, _("Linear.backward: {p}.grad after a second backward")
                     .format(p=name) + where, mistakes=[(_(
                         "`=` instead of `+=`: a second backward pass must add to {p}.grad "
                         "(self.{p}.grad += d{p}); gradients accumulate, and zeroing them is "
                         "zero_grad's job").format(p=name), ref)])


def _two_linears(Linear, seed: int) -> None:
    """Two layers of one shape: the second one's forward must not change the first's cache."""
    n, n_in, n_out = _sizes(seed, 3)
    r = np.random.default_rng(seed)
    first, second = (_make(Linear, "Linear", n_in, n_out, s) for s in (seed, seed + 1))
    x1, x2 = r.standard_normal((n, n_in)), r.standard_normal((n, n_in))
    call(first.forward, "Linear.forward", x1.copy())
    call(second.forward, "Linear.forward", x2.copy())
    dout = r.standard_normal((n, n_out))
    dx = call(first.backward, "Linear.backward", dout.copy())
    W1 = first.W.data
    expect_array(first.W.grad, x1.T @ dout,
                 _("Linear.backward of the first of two layers: W.grad"), mistakes=[
                     (_("the second layer's forward overwrote the first one's cache: {fix}")
                      .format(fix=_shared_cache()), x2.T @ dout)])
    expect_array(dx, dout @ W1.T, _("Linear.backward of the first of two layers: dx"), mistakes=[
        (_("the first layer used the second one's cache: {fix}").format(fix=_shared_cache()),
         dout @ second.W.data.T)])


# ----- ReLU -----

def test_relu_module(ReLU, seeds=(21, 22, 23)) -> None:
    """ReLU(): params == [], forward = max(0, x), backward = dout where x > 0 (central
    differences), on 2-D and 3-D inputs; two ReLUs keep their own caches."""
    assert_own_answer(ReLU)
    relu = _make(ReLU, "ReLU")
    if _params_of(relu, "ReLU"):
        raise AssertionError(_("ReLU: params must be an empty list: ReLU has no parameters."))
    shapes = [_sizes(s, 2) for s in seeds] + [(2, 3, 4)]
    for seed, shape in enumerate(shapes, start=200):
        r = np.random.default_rng(seed)
        x = r.standard_normal(shape)
        x[np.abs(x) < 1e-3] = 0.5  # away from the kink
        relu = _make(ReLU, "ReLU")
        out = _returned(call(relu.forward, "ReLU.forward", x.copy()), "ReLU.forward", "out")
        expect_array(out, _maximum(x, 0.0), f"ReLU.forward: out (x {x.shape})")
        dout = r.standard_normal(shape)
        dx = _returned(call(relu.backward, "ReLU.backward", dout.copy()), "ReLU.backward", "dx")
        expect_array(dx, numerical_gradient_array(lambda v: _maximum(v, 0.0), x.copy(), dout),
                     f"ReLU.backward: dx (x {x.shape})", mistakes=[
                         (_("returned the forward output, not dx: backward returns "
                            "layers.relu_backward(dout, cache)"), _maximum(x, 0.0))])
    r = np.random.default_rng(299)
    first, second = _make(ReLU, "ReLU"), _make(ReLU, "ReLU")
    x1, x2, dout = (r.standard_normal((5, 4)) for _case in range(3))
    call(first.forward, "ReLU.forward", x1.copy())
    call(second.forward, "ReLU.forward", x2.copy())
    dx = call(first.backward, "ReLU.backward", dout.copy())
    expect_array(dx, dout * (x1 > 0), _("ReLU.backward of the first of two ReLUs"), mistakes=[
        (_("the second ReLU's forward overwrote the first one's cache: {fix}").format(
            fix=_shared_cache()), dout * (x2 > 0))])


# ----- the loss module -----

def _ce_loss(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of softmax(logits), written here (log-sum-exp), float64."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - _log(_exp(shifted).sum(axis=1, keepdims=True))
    return float(-(log_p * _eye(logits.shape[1])[y]).sum() / len(y))


def test_loss_module(SoftmaxCrossEntropy, seeds=(31, 32, 33)) -> None:
    """forward(logits, y) returns the mean cross-entropy (a float); backward() returns dlogits
    (central differences of the loss) of the most recent forward."""
    assert_own_answer(SoftmaxCrossEntropy)
    name = "SoftmaxCrossEntropy"
    for seed in seeds:
        n, c = _sizes(seed, 2)
        r = np.random.default_rng(seed)
        logits, y = r.standard_normal((n, c)) * 2, r.integers(0, c, size=n)
        loss_fn = call(SoftmaxCrossEntropy, name)
        where = f" (logits {logits.shape})"
        loss = call(loss_fn.forward, f"{name}.forward", logits.copy(), y.copy())
        if isinstance(loss, tuple):
            raise AssertionError(_(
                "{name}.forward returned a tuple of {count}: it returns only the loss (a float) "
                "and keeps dlogits on self for backward().").format(name=name, count=len(loss)))
        ref = _ce_loss(logits, y)
        expect_scalar(_returned(loss, f"{name}.forward", _("the loss")), ref,
                      _("{name}.forward: loss").format(name=name) + where)
        dlogits = _returned(call(loss_fn.backward, f"{name}.backward"), f"{name}.backward",
                            _("dlogits (N, C), kept by forward"))
        if not isinstance(dlogits, np.ndarray):
            template = (_("{name}.backward returned {type}, the loss: it returns dlogits, an "
                          "array of the logits' shape (N, C).")
                        if isinstance(dlogits, float) and dlogits == loss else
                        _("{name}.backward returned {type}: it returns dlogits, an array of the "
                          "logits' shape (N, C)."))
            raise AssertionError(template.format(name=name, type=type(dlogits).__name__))
        expect_array(dlogits, numerical_gradient(lambda z, y=y: _ce_loss(z, y), logits.copy()),
                     f"{name}.backward: dlogits" + where, batch_size=n)
        logits2 = r.standard_normal((n, c))
        call(loss_fn.forward, f"{name}.forward", logits2.copy(), y.copy())
        again = call(loss_fn.backward, f"{name}.backward")
        expect_array(again, numerical_gradient(lambda z, y=y: _ce_loss(z, y), logits2.copy()),
                     _("{name}.backward after a second forward").format(name=name) + where,
                     mistakes=[(_("backward() returned the gradient of the first forward: each "
                                  "forward must keep its own dlogits"), dlogits)])


# ----- Sequential -----

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
    """Reference Linear layers of the given sizes with activations between them, seeded."""
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
    order = [i for k, i, _given in log if k == kind]
    want = list(range(n)) if kind == "forward" else list(range(n - 1, -1, -1))
    if order == want:
        return None
    if not order:
        return _("no layer's {kind}() was called").format(kind=kind)
    if kind == "forward":
        if order[0] == n - 1:
            return _("the layers ran in reverse order: the forward pass goes first to last")
        if order == want[:1]:
            return _("only the first layer ran: `return` is inside the loop (move it after the "
                     "loop)")
        if order == want[:-1]:
            return _("the last layer never ran: the loop stops one layer short")
    else:
        if order[0] == 0:
            return _("backward in forward order: the backward pass walks the layers in reverse, "
                     "for layer in reversed(self.layers)")
        if order == want[:1]:
            return _("only the last layer's backward ran: `return` is inside the loop (move it "
                     "after)")
        if order == want[:-1]:
            return _("the first layer (index 0) never got its backward call: "
                     "range(len(layers) - 1, 0, -1) stops before 0; use reversed(self.layers)")
    return _("the layers' {kind}() ran in the order {order}; expected {want}").format(
        kind=kind, order=order, want=want)


def _run(fn, name: str, log: list, kind: str, n: int, *args):
    """Call the learner's method; on an exception, name an order mistake if the log shows one
    (a wrong order usually surfaces as a shape error)."""
    try:
        return call(fn, name, *args)
    except AssertionError as failure:
        hint = _order_hint(log, kind, n)
        if hint:
            raise AssertionError(_("{name}: {hint}. (It failed with: {failure})").format(
                name=name, hint=hint, failure=failure)) from None
        raise


def test_sequential(Sequential, seeds=(71, 72)) -> None:
    """Sequential(layers): forward runs each layer once, first to last, chained; backward runs
    them last to first, chained, leaves every .grad equal to central differences and returns
    dL/dx (a second backward adds again); params is every layer's, flat and in order;
    zero_grad zeroes every .grad and nothing else. Square and non-square networks."""
    assert_own_answer(Sequential)
    cases = [(70, (3, 3, 3, 3))] + [(s, _sizes(s, 4, 2, 8)) for s in seeds]
    for seed, sizes in cases:
        _sequential_case(Sequential, seed, sizes)


def _sequential_case(Sequential, seed: int, sizes: tuple[int, ...]) -> None:
    layers = _network(seed, sizes)
    n = len(layers)
    log: list = []
    spies = [_Spy(layer, i, log) for i, layer in enumerate(layers)]
    model = call(Sequential, "Sequential", spies)
    where = _network_where(sizes, n)
    _check_params(model, layers, where)

    r = np.random.default_rng(seed + 2000)
    x = r.standard_normal((6, sizes[0]))
    out = _run(model.forward, "Sequential.forward", log, "forward", n, x.copy())
    hint = _order_hint(log, "forward", n)
    if hint:
        raise AssertionError(_("{name}{where}: {hint}.").format(
            name="Sequential.forward", where=where, hint=hint))
    for _kind, i, given in log[1:]:
        if given.shape == x.shape and _array_equal(given, x):
            raise AssertionError(_(
                "Sequential.forward{where}: layer {i} got the original x. Feed each layer the "
                "previous layer's output: x = layer.forward(x).").format(where=where, i=i))
    expect_array(out, _oracle_forward(layers, x), _("Sequential.forward: output") + where,
                 mistakes=[(_("returned the input x: return the last layer's output"), x)])

    dout = r.standard_normal(out.shape)
    for layer in layers:
        layer.zero_grad()
    log.clear()
    dx = _run(model.backward, "Sequential.backward", log, "backward", n, dout.copy())
    hint = _order_hint(log, "backward", n)
    if hint:
        raise AssertionError(_("{name}{where}: {hint}.").format(
            name="Sequential.backward", where=where, hint=hint))
    calls = [(i, g) for k, i, g in log if k == "backward"]
    returns = {i: g for k, i, g in log if k == "returned"}
    for i, given in calls[1:]:
        if given is None or not _array_equal(given, returns[i + 1]):
            same = given is not None and given.shape == dout.shape and _array_equal(given, dout)
            template = (_("Sequential.backward{where}: layer {i} got the original dout instead "
                          "of the gradient layer {next} returned. Hand each layer's result to the "
                          "layer before: dout = layer.backward(dout).") if same else
                        _("Sequential.backward{where}: layer {i} got something else instead of "
                          "the gradient layer {next} returned. Hand each layer's result to the "
                          "layer before: dout = layer.backward(dout)."))
            raise AssertionError(template.format(where=where, i=i, next=i + 1))

    def network_loss(_):
        return float(_sum(_oracle_forward(layers, x) * dout))

    grads = []
    for k, p in enumerate(_all_params(layers)):
        grads.append(p.grad.copy())
        expect_array(p.grad, numerical_gradient(network_loss, p.data),
                     _("Sequential.backward: parameter {k} ({name}, shape {shape}).grad").format(
                         k=k, name=p.name, shape=p.data.shape) + where)
    ref_dx = numerical_gradient(lambda v: float(_sum(_oracle_forward(layers, v) * dout)),
                                x.copy())
    expect_array(_returned(dx, "Sequential.backward", "dx"), ref_dx,
                 _("Sequential.backward: returned gradient (dL/dx)") + where, mistakes=[
                     (_("returned dout, the gradient it was given: return the gradient that "
                        "comes out of the first layer"), dout),
                     (_("returned the last layer's gradient: return the one that comes out of "
                        "the first layer (after the loop)"), returns[n - 1])])
    call(model.forward, "Sequential.forward", x.copy())
    call(model.backward, "Sequential.backward", dout.copy())
    for k, (p, g) in enumerate(zip(_all_params(layers), grads, strict=True)):
        if _array_equal(p.grad, g) and g.any():
            raise AssertionError(_(
                "Sequential.backward{where}: a second backward pass left parameter {k}'s grad "
                "unchanged: gradients accumulate across backward passes, and zeroing them is "
                "zero_grad's job. Don't zero them in backward.").format(where=where, k=k))
    _check_zero_grad(model, layers, where)


def _network_where(sizes, n_layers: int) -> str:
    """" (a network 3 -> 5 -> 2, 3 layers)", in the learner's language."""
    return _(" (a network {sizes}, {n} layers)").format(sizes=" -> ".join(map(str, sizes)),
                                                        n=n_layers)


def _all_params(layers) -> list:
    return [p for layer in layers for p in layer.params]


def _check_params(model, layers, where: str) -> None:
    want = _all_params(layers)
    got = _params_of(model, "Sequential")
    if got and all(isinstance(g, list) for g in got):
        raise AssertionError(_("Sequential.params{where} is a list of lists (one per layer): it "
                               "must be one flat list of Parameters, [p for layer in self.layers "
                               "for p in layer.params].").format(where=where))
    if [id(p) for p in got] == [id(p) for p in want]:
        return
    weights = [p for layer in layers if isinstance(layer, _nn.Linear) for p in layer.params[:1]]
    if [id(p) for p in got] == [id(p) for p in weights]:
        raise AssertionError(_("Sequential.params{where} misses the biases: it must hold every "
                               "layer's params, [p for layer in self.layers for p in "
                               "layer.params].").format(where=where))
    if sorted(map(id, got)) == sorted(map(id, want)):
        raise AssertionError(_("Sequential.params{where}: the right Parameters in the wrong "
                               "order: layer by layer, first to last, each layer's in its "
                               "order.").format(where=where))
    raise AssertionError(_("Sequential.params{where}: {got} items, expected the {want} "
                           "Parameters of the layers, first to last.").format(
                               where=where, got=len(got), want=len(want)))


def _check_zero_grad(model, layers, where: str) -> None:
    r = np.random.default_rng(len(layers))
    params = _all_params(layers)
    for p in params:
        p.grad[...] = r.standard_normal(p.grad.shape)
    data = [p.data.copy() for p in params]
    if not callable(getattr(model, "zero_grad", None)):
        raise AssertionError(_("Sequential has no method zero_grad()."))
    call(model.zero_grad, "Sequential.zero_grad")
    for k, (p, d) in enumerate(zip(params, data, strict=True)):
        if not _array_equal(p.data, d):
            raise AssertionError(_("Sequential.zero_grad{where} changed parameter {k}'s data: "
                                   "it zeroes p.grad, never the weights p.data.").format(
                                       where=where, k=k))
        if p.grad.any():
            raise AssertionError(_(
                "Sequential.zero_grad{where} left parameter {k} ({name}, shape {shape}) with a "
                "non-zero grad: zero every parameter of every layer (for p in self.params: "
                "p.grad[...] = 0).").format(where=where, k=k, name=p.name, shape=p.data.shape))


# ----- sgd_step -----

def test_sgd_step(sgd_step, seeds=(81, 82, 83)) -> None:
    """sgd_step(params, lr): every parameter's data becomes data − lr · grad, in place (the
    same array object), and the gradients are left alone."""
    assert_own_answer(sgd_step)
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
        name = _("sgd_step: parameter {k} of {count} (shape {shape}, lr {lr:.3f})").format(
            k=k, count=len(params), shape=data0.shape, lr=lr)
        if not _array_equal(p.grad, grad0):
            raise AssertionError(_("{name}: p.grad was changed. sgd_step only updates p.data; "
                                   "zeroing the gradients is zero_grad's job.").format(name=name))
        not_updated = (_("nothing was updated after the first parameter: `return` is inside the "
                         "loop") if k else
                       _("nothing was updated: p.data -= lr * p.grad changes it in place; "
                         "`p = p - ...` only rebinds a name"))
        expect_array(p.data, data0 - lr * grad0, name, mistakes=[
            (_("the step goes uphill: p.data -= lr * p.grad (minus, to descend)"),
             data0 + lr * grad0),
            (_("the learning rate is missing: p.data -= lr * p.grad"), data0 - grad0),
            (not_updated, data0),
        ])
        if p.data is not array:
            raise AssertionError(_(
                "{name}: p.data is a new array (p.data = p.data - lr * p.grad). Update it in "
                "place, p.data -= lr * p.grad, so that every reference to the parameter's "
                "array (an optimizer's, a view's) sees the step.").format(name=name))


# ----- train_step -----

def test_train_step(train_step, seeds=(91, 92)) -> None:
    """train_step(model, loss_fn, x, y, lr) on a reference network whose .grad hold stale
    values: returns the loss before the step; every parameter ends at data − lr · (central
    differences of the loss), so the stale gradients were zeroed first."""
    assert_own_answer(train_step)
    for seed in seeds:
        _train_case(train_step, seed)


def _train_case(train_step, seed: int) -> None:
    d, h, c = _sizes(seed, 3)
    r = np.random.default_rng(seed)
    layers = _network(seed, (d, h, c), activations=("tanh",))  # smooth: no kink for the oracle
    model = _nn.Sequential(*layers)
    x, y = r.standard_normal((7, d)), r.integers(0, c, size=7)
    lr = float(r.uniform(0.05, 0.5))
    params = model.params
    stale = [r.standard_normal(p.grad.shape) for p in params]
    for p, s in zip(params, stale, strict=True):
        p.grad[...] = s
    data0 = [p.data.copy() for p in params]

    def loss_at(_=None):
        return _ce_loss(_oracle_forward(layers, x), y)

    ref_loss = loss_at()
    grads = [numerical_gradient(loss_at, p.data) for p in params]
    where = _(" (a network {d} -> {h} -> {c}, lr {lr:.3f})").format(d=d, h=h, c=c, lr=lr)
    loss = call(train_step, "train_step", model, _nn.SoftmaxCrossEntropy(), x.copy(), y.copy(),
                lr)
    if all(_array_equal(p.data, d0) for p, d0 in zip(params, data0, strict=True)):
        if not any(p.grad.any() for p in params):
            raise AssertionError(_(
                "train_step{where}: no parameter moved and every grad is zero: zero_grad ran "
                "after backward and wiped this step's gradients. The order is zero_grad, "
                "forward, loss, backward, step.").format(where=where))
        raise AssertionError(_("train_step{where}: no parameter moved: the step must come after "
                               "backward (zero_grad, forward, loss, backward, step).").format(
                                   where=where))
    for k, (p, d0, g, s) in enumerate(zip(params, data0, grads, stale, strict=True)):
        expect_array(p.data, d0 - lr * g, _("train_step: parameter {k} ({name}) after the step")
                     .format(k=k, name=p.name) + where, mistakes=[
                         (_("zero_grad is missing: the gradients left in .grad by an earlier "
                            "step were added to this step's; call model.zero_grad() before "
                            "backward"), d0 - lr * (s + g))])
    expect_scalar(_returned(loss, "train_step", _("the loss of this step (before the update)")),
                  ref_loss, _("train_step: returned loss") + where)


# ----- grad_norms -----

def test_grad_norms(grad_norms, seeds=(101, 102, 103)) -> None:
    """grad_norms(model): one float per layer that has parameters, the Euclidean norm of all
    its parameters' gradients together, in layer order."""
    for seed in seeds:
        sizes = _sizes(seed, 4)
        r = np.random.default_rng(seed)
        layers = _network(seed, sizes)
        for k, p in enumerate(_all_params(layers)):  # a different scale per parameter
            p.grad[...] = r.standard_normal(p.grad.shape) * 10.0 ** (k % 3 - 1)
        model = _nn.Sequential(*layers)
        where = _network_where(sizes, len(layers))
        got = _returned(call(grad_norms, "grad_norms", model), "grad_norms",
                        _("a list of floats"))
        with_params = [layer for layer in layers if layer.params]

        def norms(of, layers=with_params):
            return np.array([_sqrt(sum(_sum(of(p) ** 2) for p in layer.params))
                             for layer in layers])

        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise AssertionError(_("grad_norms{where}: must return a list of floats, got "
                                   "{type}.").format(where=where, type=type(got).__name__)
                                 ) from None
        if got.shape == (len(layers),):
            raise AssertionError(_(
                "grad_norms{where}: {count} numbers, one per layer: it is one per layer that has "
                "parameters ({with_params} here; ReLU, tanh and sigmoid have none, skip them: if "
                "layer.params).").format(where=where, count=len(layers),
                                         with_params=len(with_params)))
        expected = norms(lambda p: p.grad)
        expect_array(got, expected, "grad_norms" + where, mistakes=[
            (_("the square root is missing: the norm is sqrt(sum of squares)"), expected ** 2),
            (_("the bias gradients are left out: take the norm over all of the layer's params"),
             np.array([_sqrt(_sum(layer.params[0].grad ** 2)) for layer in with_params])),
            (_("these are the norms of the weights p.data, not of their gradients p.grad"),
             norms(lambda p: p.data))])
