"""Tests for notebook 02_chain_rule: gradients of small expressions, staged by hand.

Each exercise is a function returning a tuple of partial derivatives. The oracle is central
differences (float64) of the same expression, computed here on plain numbers; known slips
(one path of a fork forgotten, σ instead of σ(1−σ), a weight and an input swapped) are named.
"""

from __future__ import annotations

import math

import numpy as np

from .. import numgrad as _numgrad
from ..i18n import _
from .toolkit import expect, require_written, rng_for

__all__ = ["test_grad_add_mul", "test_grad_sigmoid_neuron", "test_grad_fork",
           "check_grad_add_mul_example", "check_grad_sigmoid_neuron_example",
           "check_grad_fork_example", "require_written"]

_exp = math.exp
_array = np.array




def _sigmoid(z):
    return 1.0 / (1.0 + _exp(-z)) if z >= 0 else _exp(z) / (1.0 + _exp(z))


def _oracle(f, point):
    """Central-difference gradient of f(*point) in float64."""
    x = _array(point, dtype=np.float64)
    return _numgrad.numerical_gradient(lambda v: f(*(float(t) for t in v)), x, h=1e-6)


def _call(fn, args, n, name):
    try:
        got = fn(*args)
    except NotImplementedError:
        raise AssertionError(_("{name} is not written yet: its answer cell still raises "
                               "NotImplementedError.").format(name=name)) from None
    except Exception as err:
        raise AssertionError(_("{name}{args} raised {error}: {message}").format(
            name=name, args=tuple(round(a, 4) for a in args), error=type(err).__name__,
            message=err)) from None
    if got is None:
        raise AssertionError(_("{name}: got None. Did the function forget to "
                               "`return`?").format(name=name))
    if not isinstance(got, (tuple, list)) or len(got) != n:
        raise AssertionError(_not_a_tuple(name, n, got))
    try:
        return _array([float(g) for g in got])
    except (TypeError, ValueError):
        raise AssertionError(_("{name}: every entry must be a number; got {got}.").format(
            name=name, got=repr(got))) from None


def _not_a_tuple(name: str, n: int, got) -> str:
    return _("{name}: return a tuple of {n} numbers (one partial derivative per input, in the "
             "order of the arguments); got {got}.").format(name=name, n=n, got=repr(got))


def test_grad_add_mul(grad_add_mul, seeds=(71, 72, 73)) -> None:
    """f = (x + y) * z: (df/dx, df/dy, df/dz) = (z, z, x + y)."""
    for seed in seeds:
        x, y, z = (float(v) for v in rng_for(seed).uniform(-3, 3, size=3))
        name = f"grad_add_mul({x:.4g}, {y:.4g}, {z:.4g})"
        got = _call(grad_add_mul, (x, y, z), 3, name)
        exact = _oracle(lambda x, y, z: (x + y) * z, (x, y, z))
        q = x + y
        expect(got, exact, name, tol=1e-6, mistakes=[
            (_("df/dz is the OTHER factor of the product, q = x + y"), _array([z, z, z])),
            (_("the local gradient of + is 1 for both inputs: df/dx = df/dq · 1 = z, not q"),
             _array([q, q, q])),
            (_("df/dx and df/dy reach x and y through q: df/dx = df/dq · dq/dx = z · 1"),
             _array([1.0, 1.0, q])),
        ])


def test_grad_sigmoid_neuron(grad_sigmoid_neuron, seeds=(81, 82, 83)) -> None:
    """f = σ(w0·x0 + w1·x1 + w2): the five partials (w0, x0, w1, x1, w2)."""
    for seed in seeds:
        args = tuple(float(v) for v in rng_for(seed).uniform(-2, 2, size=5))
        w0, x0, w1, x1, w2 = args
        name = "grad_sigmoid_neuron(w0={:.3g}, x0={:.3g}, w1={:.3g}, x1={:.3g}, w2={:.3g})".format(
            *args)
        got = _call(grad_sigmoid_neuron, args, 5, name)
        exact = _oracle(lambda w0, x0, w1, x1, w2: _sigmoid(w0 * x0 + w1 * x1 + w2), args)
        s = _sigmoid(w0 * x0 + w1 * x1 + w2)
        ds = s * (1 - s)
        expect(got, exact, name, tol=1e-6, mistakes=[
            (_sigma_not_derivative(), _array([x0, w0, x1, w1, 1.0]) * s),
            (_("a weight's gradient is the upstream gradient times its INPUT (d(w·x)/dw = x): "
               "the w and x gradients are swapped"), _array([w0, x0, w1, x1, 1.0]) * ds),
            (_("the local gradient of the product is missing: df/dw0 = dσ/dz · x0"),
             _array([ds, ds, ds, ds, ds])),
            (_("the sign: dσ/dz = σ(1 − σ) is positive"), -exact),
        ])


def test_grad_fork(grad_fork, seeds=(91, 92, 93)) -> None:
    """f = (x + y) · x, x used twice: df/dx = (x + y) + x, df/dy = x."""
    for seed in seeds:
        x, y = (float(v) for v in rng_for(seed).uniform(-3, 3, size=2))
        name = f"grad_fork({x:.4g}, {y:.4g})"
        got = _call(grad_fork, (x, y), 2, name)
        exact = _oracle(lambda x, y: (x + y) * x, (x, y))
        q = x + y
        expect(got, exact, name, tol=1e-6, mistakes=[
            (_("x is used twice (in q = x + y and as a factor): the gradients of both uses "
               "add, df/dx = q + x; this answer kept only the path through q"), _array([x, x])),
            (_("x is used twice (in q = x + y and as a factor): the gradients of both uses "
               "add, df/dx = q + x; this answer kept only the direct path"), _array([q, x])),
        ])


def _sigma_not_derivative() -> str:
    return _("dσ/dz is σ(z)·(1 − σ(z)), not σ(z)")


# ----- the visible tests: the notebook's worked examples -----

def _expect_example(got, n: int, expected, name: str, mistakes) -> None:
    """A visible test: got (what the learner's function returned on the example) must be a
    tuple of n partials equal to expected; mistakes name the known slips on that example."""
    if not (isinstance(got, tuple) and len(got) == n):
        raise AssertionError(_not_a_tuple(name, n, got))
    expect(_array(got, dtype=float), _array(expected, dtype=float), name,
           mistakes=[(hint, _array(wrong, dtype=float)) for hint, wrong in mistakes])


def check_grad_add_mul_example(got) -> None:
    """``got = grad_add_mul(-2.0, 5.0, -4.0)``: q = 3, so (z, z, q) = (-4, -4, 3)."""
    _expect_example(got, 3, [-4.0, -4.0, 3.0], "grad_add_mul(-2, 5, -4)", [
        (_("df/dz is the other factor q = x + y = 3"), [-4.0, -4.0, -4.0])])


def check_grad_sigmoid_neuron_example(got) -> None:
    """``got = grad_sigmoid_neuron(2.0, -1.0, -3.0, -2.0, -3.0)``: z = 1, each partial is
    σ'(1) = σ(1)(1 − σ(1)) times (x0, w0, x1, w1, 1) = (-1, 2, -2, -3, 1)."""
    s = 1 / (1 + _exp(-1.0))
    ds = s * (1 - s)
    partials = _array([-1.0, 2.0, -2.0, -3.0, 1.0])
    _expect_example(got, 5, partials * ds, "grad_sigmoid_neuron(2, -1, -3, -2, -3)", [
        (_sigma_not_derivative(), partials * s),
        (_("weights get their INPUT, inputs get their WEIGHT: swapped"),
         _array([2.0, -1.0, -3.0, -2.0, 1.0]) * ds)])


def check_grad_fork_example(got) -> None:
    """``got = grad_fork(3.0, -1.0)``: q = 2, df/dx = q + x = 5, df/dy = x = 3."""
    _expect_example(got, 2, [5.0, 3.0], "grad_fork(3, -1)", [
        (_("only the path through q: add the direct use of x too"), [3.0, 3.0]),
        (_("only the direct use of x: add the path through q too"), [2.0, 3.0])])
