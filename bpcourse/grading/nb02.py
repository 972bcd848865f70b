"""Tests for notebook 02_chain_rule: gradients of small expressions, staged by hand.

Each exercise is a function returning a tuple of partial derivatives. The oracle is central
differences (float64) of the same expression, computed here on plain numbers; known slips
(one path of a fork forgotten, σ instead of σ(1−σ), a weight and an input swapped) are named.
"""

from __future__ import annotations

import math

import numpy as np

from .. import numgrad as _numgrad
from .toolkit import expect, require_written, rng_for

__all__ = ["test_grad_add_mul", "test_grad_sigmoid_neuron", "test_grad_fork", "require_written"]

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
        raise AssertionError(f"{name} is not written yet: its answer cell still raises "
                             "NotImplementedError.") from None
    except Exception as err:
        raise AssertionError(f"{name}{tuple(round(a, 4) for a in args)} raised "
                             f"{type(err).__name__}: {err}") from None
    if got is None:
        raise AssertionError(f"{name}: got None. Did the function forget to `return`?")
    if not isinstance(got, (tuple, list)) or len(got) != n:
        raise AssertionError(f"{name}: return a tuple of {n} numbers (one partial derivative "
                             f"per input, in the order of the arguments); got {got!r}.")
    try:
        return _array([float(g) for g in got])
    except (TypeError, ValueError):
        raise AssertionError(f"{name}: every entry must be a number; got {got!r}.") from None


def test_grad_add_mul(grad_add_mul, seeds=(71, 72, 73)) -> None:
    """f = (x + y) * z: (df/dx, df/dy, df/dz) = (z, z, x + y)."""
    for seed in seeds:
        x, y, z = (float(v) for v in rng_for(seed).uniform(-3, 3, size=3))
        name = f"grad_add_mul({x:.4g}, {y:.4g}, {z:.4g})"
        got = _call(grad_add_mul, (x, y, z), 3, name)
        exact = _oracle(lambda x, y, z: (x + y) * z, (x, y, z))
        q = x + y
        expect(got, exact, name, tol=1e-6, mistakes=[
            ("df/dz is the OTHER factor of the product, q = x + y", _array([z, z, z])),
            ("the local gradient of + is 1 for both inputs: df/dx = df/dq · 1 = z, not q",
             _array([q, q, q])),
            ("df/dx and df/dy reach x and y through q: df/dx = df/dq · dq/dx = z · 1",
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
            ("dσ/dz is σ(z)·(1 − σ(z)), not σ(z)", _array([x0, w0, x1, w1, 1.0]) * s),
            ("a weight's gradient is the upstream gradient times its INPUT (d(w·x)/dw = x): "
             "the w and x gradients are swapped", _array([w0, x0, w1, x1, 1.0]) * ds),
            ("the local gradient of the product is missing: df/dw0 = dσ/dz · x0",
             _array([ds, ds, ds, ds, ds])),
            ("the sign: dσ/dz = σ(1 − σ) is positive", -exact),
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
            ("x is used twice (in q = x + y and as a factor): the gradients of both uses add, "
             "df/dx = q + x; this answer kept only the path through q", _array([x, x])),
            ("x is used twice (in q = x + y and as a factor): the gradients of both uses add, "
             "df/dx = q + x; this answer kept only the direct path", _array([q, x])),
        ])
