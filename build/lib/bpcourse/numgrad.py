"""Numeric gradients by central differences: the oracle every backward pass is checked against.

For a scalar function f of an array x, the partial derivative along element i is

    df/dx_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2h)

with an error of order h² (a forward difference (f(x + h e_i) - f(x)) / h is only
of order h). Each element costs two calls of f: for P parameters, 2P forward
passes. That is the price backpropagation avoids.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .i18n import _

__all__ = ["numerical_gradient", "numerical_gradient_array"]


def _require_float_array(x: np.ndarray, name: str = "x") -> None:
    if not isinstance(x, np.ndarray):
        raise TypeError(_("{name} must be a numpy array, got {type}; wrap it with "
                          "np.asarray(...).").format(name=name, type=type(x).__name__))
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(_("{name} must be a floating-point array (it is perturbed in place by "
                          "±h), got dtype {dtype}; pass {name}.astype(np.float64).").format(
                              name=name, dtype=x.dtype))
    if x.size == 0:
        raise ValueError(_("{name} is empty (shape {shape}): there is no gradient to "
                           "estimate.").format(name=name, shape=x.shape))


def _as_scalar(fx: object) -> float:
    if fx is None:
        raise TypeError(_("f returned None; it must return a number (did it forget "
                          "`return`?)."))
    arr = np.asarray(fx)
    if arr.size != 1:
        raise ValueError(_(
            "f must return a single number, got an array of shape {shape}; for an "
            "array-valued f use numerical_gradient_array(f, x, dout).").format(shape=arr.shape))
    return float(arr.reshape(()))


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Central-difference gradient of a scalar function.

    Args:
        f: maps an array shaped like x to a float. It is called with x itself,
            perturbed in place one element at a time.
        x: float array of any shape (D1, ..., Dk). Left unchanged on return, even
            if f raises. float64 is best; with float32 the step actually stored is
            used, which keeps the estimate usable (but take h ≈ 1e-3).
        h: step size.

    Returns:
        grad: float64 array of shape (D1, ..., Dk), grad[i] ≈ df/dx[i].
    """
    _require_float_array(x)
    if not h > 0:
        raise ValueError(_("h must be a positive step, got {h}.").format(h=repr(h)))
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        original = x[i]
        try:
            x[i] = original + h
            x_plus = float(x[i])  # the step actually taken: x's dtype rounds x + h
            f_plus = _as_scalar(f(x))
            x[i] = original - h
            x_minus = float(x[i])
            f_minus = _as_scalar(f(x))
        finally:
            x[i] = original
        if x_plus == x_minus:
            raise ValueError(_("h={h} is too small for x{index} = {value} in {dtype}: x + h "
                               "and x - h are the same number. Use h ≈ 1e-5 (1e-3 in "
                               "float32).").format(h=repr(h), index=list(i),
                                                   value=repr(float(original)), dtype=x.dtype))
        grad[i] = (f_plus - f_minus) / (x_plus - x_minus)  # ≈ 2h
    return grad


def numerical_gradient_array(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, dout: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Central-difference gradient of an array-valued function, against an upstream gradient.

    The scalar being differentiated is L = sum(f(x) * dout), so the result is what
    a layer's backward pass returns for dx given dout = dL/d(out).

    Args:
        f: maps x to an array `out` of shape (M1, ..., Mj).
        x: float array of shape (D1, ..., Dk); left unchanged on return.
        dout: upstream gradient, same shape as f(x).
        h: step size.

    Returns:
        dx: float64 array of shape (D1, ..., Dk).
    """
    _require_float_array(x)
    dout = np.asarray(dout, dtype=np.float64)

    def weighted(v: np.ndarray) -> float:
        out = np.asarray(f(v), dtype=np.float64)
        if out.shape != dout.shape:
            raise ValueError(_("f(x) has shape {shape} but dout has shape {dout_shape}; they "
                               "must match.").format(shape=out.shape, dout_shape=dout.shape))
        return float(np.sum(out * dout))

    return numerical_gradient(weighted, x, h)
