"""Layers as pairs of functions: ``*_forward`` returns ``(out, cache)``, ``*_backward`` takes
``(dout, cache)`` and returns the gradients of the loss with respect to the inputs.

``dout`` is the *upstream* gradient dL/d(out), shaped like ``out``; every gradient
returned is shaped like the input it belongs to. That shape rule is the way to
get a matmul's gradient right (dimension analysis): in ``out = x @ W + b`` with
x (N, D), W (D, M), the only product of dout (N, M) with x that gives dW's shape
(D, M) is ``x.T @ dout``.

These are the course's reference layers. Every function checks its inputs and
names the argument and the shapes when something is off.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "linear_forward", "linear_backward",
    "relu_forward", "relu_backward",
    "sigmoid_forward", "sigmoid_backward",
    "tanh_forward", "tanh_backward",
    "softmax_cross_entropy", "mse_loss",
]


def require_float_array(x: object, name: str, ndim: int | None = None, *,
                        finite: bool = True) -> np.ndarray:
    """Check that `x` is a non-empty, finite float array (of `ndim` dimensions); return it.

    ``finite=False`` skips the one check that reads every element (NaN/inf).
    Raises TypeError or ValueError with a message naming `name`, what was expected and
    what was got.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(x).__name__}; "
                        f"use np.asarray({name}, dtype=float).")
    if x.dtype.kind != "f":  # float16/32/64: what np.issubdtype(.., np.floating) says, faster
        raise TypeError(f"{name} must be a floating-point array, got dtype {x.dtype}; "
                        f"use {name}.astype(np.float64).")
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {x.shape}.")
    if x.size == 0:
        raise ValueError(f"{name} is empty (shape {x.shape}).")
    if finite and not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or inf; check the data or the step before it.")
    return x


def _same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name_a} has shape {a.shape} but {name_b} has shape {b.shape}; "
                         "they must be equal.")


# ----- affine -----

def linear_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray, *,
                   trusted_params: bool = False):
    """out = x @ W + b.

    Args:
        x: (N, D) inputs, one row per example.
        W: (D, M) weights.
        b: (M,) bias.
        trusted_params: W and b are a module's parameters, checked when it was made: check
            their shapes only, not every element for NaN/inf on every call (a NaN that an
            update put into them reaches out, which the next layer or the loss checks).

    Returns:
        out: (N, M).
        cache: (x, W) for the backward pass.
    """
    require_float_array(x, "x", 2)
    require_float_array(W, "W", 2, finite=not trusted_params)
    require_float_array(b, "b", 1, finite=not trusted_params)
    if x.shape[1] != W.shape[0]:
        raise ValueError(f"x is (N, D) = {x.shape} and W is (D, M) = {W.shape}: their D differ.")
    if b.shape[0] != W.shape[1]:
        raise ValueError(f"b must have shape (M,) = ({W.shape[1]},) to match W {W.shape}, "
                         f"got {b.shape}.")
    return x @ W + b, (x, W)


def linear_backward(dout: np.ndarray, cache, *, input_grad: bool = True):
    """Gradients of out = x @ W + b.

        dx = dout @ W.T        (N, M) @ (M, D) -> (N, D)
        dW = x.T @ dout        (D, N) @ (N, M) -> (D, M)
        db = sum_n dout[n]     (M,)  — b was added to every row, so its gradients add

    Args:
        dout: (N, M) upstream gradient.
        cache: (x, W) from linear_forward.
        input_grad: False skips dx (returned as None): the first layer of a network needs no
            gradient w.r.t. the data, and dx costs as much as dW.

    Returns:
        dx: (N, D) or None, dW: (D, M), db: (M,).
    """
    x, W = cache
    require_float_array(dout, "dout", 2)
    if dout.shape != (x.shape[0], W.shape[1]):
        raise ValueError(f"dout must have the shape of out, (N, M) = {(x.shape[0], W.shape[1])}, "
                         f"got {dout.shape}.")
    dx = dout @ W.T if input_grad else None
    return dx, x.T @ dout, dout.sum(axis=0)


# ----- nonlinearities -----

def relu_forward(x: np.ndarray):
    """out = max(0, x), elementwise.

    Args:
        x: array of any shape.

    Returns:
        out: same shape as x.
        cache: x.
    """
    require_float_array(x, "x")
    return np.maximum(x, 0), x


def relu_backward(dout: np.ndarray, cache):
    """dx = dout where x > 0, else 0 (the mask comes from the *input* x).

    Args:
        dout: upstream gradient, shape of x.
        cache: x from relu_forward.

    Returns:
        dx: shape of x.
    """
    x = cache
    require_float_array(dout, "dout")
    _same_shape(dout, x, "dout", "x")
    return dout * (x > 0)


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    # exp only ever sees -|x|, so it cannot overflow for large |x| of either sign.
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z)).astype(x.dtype, copy=False)


def sigmoid_forward(x: np.ndarray):
    """out = σ(x) = 1 / (1 + e^(−x)), computed without overflow for large |x|.

    Args:
        x: array of any shape.

    Returns:
        out: same shape as x, in [0, 1].
        cache: out (σ' is written in terms of σ).
    """
    require_float_array(x, "x")
    out = _stable_sigmoid(x)
    return out, out


def sigmoid_backward(dout: np.ndarray, cache):
    """dx = dout · σ(x) · (1 − σ(x)).

    Args:
        dout: upstream gradient, shape of x.
        cache: σ(x) from sigmoid_forward.

    Returns:
        dx: shape of x.
    """
    s = cache
    require_float_array(dout, "dout")
    _same_shape(dout, s, "dout", "x")
    return dout * s * (1 - s)


def tanh_forward(x: np.ndarray):
    """out = tanh(x). Args: x, any shape. Returns: out (shape of x), cache = out."""
    require_float_array(x, "x")
    out = np.tanh(x)
    return out, out


def tanh_backward(dout: np.ndarray, cache):
    """dx = dout · (1 − tanh(x)²). Args: dout (shape of x), cache = tanh(x). Returns: dx."""
    t = cache
    require_float_array(dout, "dout")
    _same_shape(dout, t, "dout", "x")
    return dout * (1 - t * t)


# ----- losses -----

def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

        p = softmax(logits) row by row;  L = −(1/N) Σ_n log p[n, y_n]
        dL/dlogits = (p − onehot(y)) / N

    Subtracting each row's max before exp leaves p unchanged and keeps exp from
    overflowing, so logits of ±1000 are fine; log p is computed as
    shifted − log Σ exp(shifted), never as log of a number that underflowed to 0.

    Args:
        logits: (N, C) float scores.
        y: (N,) integer class indices in [0, C).

    Returns:
        loss: float.
        dlogits: (N, C).
    """
    require_float_array(logits, "logits", 2)
    if not isinstance(y, np.ndarray) or not np.issubdtype(y.dtype, np.integer):
        kind = y.dtype if isinstance(y, np.ndarray) else type(y).__name__
        raise TypeError(f"y must be an integer numpy array of class indices, got {kind}; "
                        "use y.astype(int).")
    n, c = logits.shape
    if y.shape != (n,):
        raise ValueError(f"y must have shape (N,) = ({n},) to match logits {logits.shape}, "
                         f"got {y.shape}.")
    if y.min() < 0 or y.max() >= c:
        raise ValueError(f"y holds class indices in [0, C) = [0, {c}); got values from "
                         f"{y.min()} to {y.max()}.")
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_sum_exp = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_sum_exp
    rows = np.arange(n)
    loss = -log_p[rows, y].mean()
    dlogits = np.exp(log_p)
    dlogits[rows, y] -= 1
    dlogits /= n
    return float(loss), dlogits


def mse_loss(pred: np.ndarray, target: np.ndarray):
    """Mean squared error over all elements, and its gradient.

        L = (1/K) Σ (pred − target)²,  dL/dpred = 2 (pred − target) / K,  K = pred.size

    Args:
        pred: float array of any shape.
        target: same shape as pred.

    Returns:
        loss: float.
        dpred: shape of pred.
    """
    require_float_array(pred, "pred")
    require_float_array(target, "target")
    _same_shape(pred, target, "pred", "target")
    diff = pred - target
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size
