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

from .i18n import _

__all__ = [
    "linear_forward", "linear_backward",
    "relu_forward", "relu_backward",
    "sigmoid_forward", "sigmoid_backward",
    "tanh_forward", "tanh_backward",
    "softmax_cross_entropy", "mse_loss",
    "batchnorm_forward", "batchnorm_backward",
    "layernorm_forward", "layernorm_backward",
    "conv1d_forward", "conv1d_backward",
]


def require_float_array(x: object, name: str, ndim: int | None = None, *,
                        finite: bool = True) -> np.ndarray:
    """Check that `x` is a non-empty, finite float array (of `ndim` dimensions); return it.

    ``finite=False`` skips the one check that reads every element (NaN/inf).
    Raises TypeError or ValueError with a message naming `name`, what was expected and
    what was got.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(_("{name} must be a numpy array, got {type}; use np.asarray({name}, "
                          "dtype=float).").format(name=name, type=type(x).__name__))
    if x.dtype.kind != "f":  # float16/32/64: what np.issubdtype(.., np.floating) says, faster
        raise TypeError(_("{name} must be a floating-point array, got dtype {dtype}; use "
                          "{name}.astype(np.float64).").format(name=name, dtype=x.dtype))
    if ndim is not None and x.ndim != ndim:
        raise ValueError(_("{name} must have {ndim} dimension(s), got shape {shape}.")
                         .format(name=name, ndim=ndim, shape=x.shape))
    if x.size == 0:
        raise ValueError(_("{name} is empty (shape {shape}).").format(name=name, shape=x.shape))
    if finite and not np.isfinite(x).all():
        raise ValueError(_("{name} contains NaN or inf; check the data or the step before "
                           "it.").format(name=name))
    return x


def _same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(_("{name_a} has shape {shape_a} but {name_b} has shape {shape_b}; "
                           "they must be equal.").format(name_a=name_a, shape_a=a.shape,
                                                         name_b=name_b, shape_b=b.shape))


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
        raise ValueError(_("x is (N, D) = {x_shape} and W is (D, M) = {W_shape}: their D "
                           "differ.").format(x_shape=x.shape, W_shape=W.shape))
    if b.shape[0] != W.shape[1]:
        raise ValueError(_("b must have shape (M,) = ({M},) to match W {W_shape}, got "
                           "{b_shape}.").format(M=W.shape[1], W_shape=W.shape, b_shape=b.shape))
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
        raise ValueError(_("dout must have the shape of out, (N, M) = {expected}, got "
                           "{shape}.").format(expected=(x.shape[0], W.shape[1]),
                                              shape=dout.shape))
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
        raise TypeError(_("y must be an integer numpy array of class indices, got {kind}; "
                          "use y.astype(int).").format(kind=kind))
    n, c = logits.shape
    if y.shape != (n,):
        raise ValueError(_("y must have shape (N,) = ({n},) to match logits {logits_shape}, "
                           "got {y_shape}.").format(n=n, logits_shape=logits.shape,
                                                    y_shape=y.shape))
    if y.min() < 0 or y.max() >= c:
        raise ValueError(_("y holds class indices in [0, C) = [0, {c}); got values from "
                           "{low} to {high}.").format(c=c, low=y.min(), high=y.max()))
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


# ----- normalisation -----
# Batch norm and layer norm are one computation over different axes: batch norm takes the
# statistics of each feature over the batch (axis 0), layer norm those of each example over
# its features (axis 1). Both share _normalise_forward / _normalise_backward.

def _require_norm_params(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> None:
    require_float_array(x, "x", 2)
    require_float_array(gamma, "gamma", 1)
    require_float_array(beta, "beta", 1)
    d = x.shape[1]
    for name, p in (("gamma", gamma), ("beta", beta)):
        if p.shape != (d,):
            raise ValueError(_("{name} must have shape (D,) = ({d},) to match x {x_shape}, "
                               "got {shape}.").format(name=name, d=d, x_shape=x.shape,
                                                      shape=p.shape))
    if not (isinstance(eps, (int, float, np.floating)) and eps >= 0):
        raise ValueError(_("eps must be a number >= 0, got {eps}.").format(eps=repr(eps)))


def _normalise_forward(x, gamma, beta, eps, axis):
    mu = x.mean(axis=axis, keepdims=True)
    centred = x - mu
    var = (centred * centred).mean(axis=axis, keepdims=True)  # biased: divides by the count
    std = np.sqrt(var + eps)
    x_hat = centred / std
    return gamma * x_hat + beta, (x_hat, std, gamma)


def _normalise_backward(dout, cache, axis):
    x_hat, std, gamma = cache
    require_float_array(dout, "dout", 2)
    _same_shape(dout, x_hat, "dout", "x")
    dgamma = (dout * x_hat).sum(axis=0)  # gamma and beta are per feature: sum over the batch
    dbeta = dout.sum(axis=0)
    dx_hat = dout * gamma
    # x reaches x_hat three ways (directly, through the mean, through the variance); the
    # three paths' gradients add:
    dx = (dx_hat - dx_hat.mean(axis=axis, keepdims=True)
          - x_hat * (dx_hat * x_hat).mean(axis=axis, keepdims=True)) / std
    return dx, dgamma, dbeta


def batchnorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5):
    """Batch normalisation, training mode: each feature normalised over the batch.

        mu = mean_n x[n]            (1, D)
        var = mean_n (x[n] − mu)²   (1, D), biased: divides by N, as PyTorch's training mode
        x_hat = (x − mu) / sqrt(var + eps)
        out = gamma · x_hat + beta

    Args:
        x: (N, D) inputs, one row per example.
        gamma: (D,) scale.
        beta: (D,) shift.
        eps: added to the variance so that a constant feature does not divide by 0.

    Returns:
        out: (N, D).
        cache: (x_hat (N, D), std (1, D), gamma (D,)) for the backward pass.
    """
    _require_norm_params(x, gamma, beta, eps)
    return _normalise_forward(x, gamma, beta, eps, axis=0)


def batchnorm_backward(dout: np.ndarray, cache):
    """Gradients of batch normalisation (training mode).

        dbeta = sum_n dout                 (D,)
        dgamma = sum_n dout · x_hat        (D,)
        dx = (g − mean_n g − x_hat · mean_n(g · x_hat)) / std,  g = dout · gamma   (N, D)

    The two means are the paths through the batch mean and the batch variance: every x[n]
    moves the statistics that every other row was normalised with.

    Args:
        dout: (N, D) upstream gradient.
        cache: from batchnorm_forward.

    Returns:
        dx: (N, D), dgamma: (D,), dbeta: (D,).
    """
    return _normalise_backward(dout, cache, axis=0)


def layernorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5):
    """Layer normalisation: each example normalised over its own features.

        mu = mean_d x[:, d]            (N, 1)
        var = mean_d (x[:, d] − mu)²   (N, 1), biased
        out = gamma · (x − mu) / sqrt(var + eps) + beta

    Args:
        x: (N, D) inputs.
        gamma: (D,) scale, per feature (as batch norm's).
        beta: (D,) shift.
        eps: added to the variance.

    Returns:
        out: (N, D).
        cache: (x_hat (N, D), std (N, 1), gamma (D,)).
    """
    _require_norm_params(x, gamma, beta, eps)
    return _normalise_forward(x, gamma, beta, eps, axis=1)


def layernorm_backward(dout: np.ndarray, cache):
    """Gradients of layer normalisation: batch norm's formula with the means over axis 1.

        dbeta = sum_n dout, dgamma = sum_n dout · x_hat   (D,): gamma is still per feature
        dx = (g − mean_d g − x_hat · mean_d(g · x_hat)) / std,  g = dout · gamma   (N, D)

    Args:
        dout: (N, D) upstream gradient.
        cache: from layernorm_forward.

    Returns:
        dx: (N, D), dgamma: (D,), dbeta: (D,).
    """
    return _normalise_backward(dout, cache, axis=1)


# ----- 1-D convolution -----

def conv1d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray):
    """1-D convolution (a cross-correlation, as in PyTorch), stride 1, no padding.

        out[n, o, t] = sum_{c, k} x[n, c, t + k] · w[o, c, k] + b[o],  t = 0 … L − K

    The same w is used at every position t: weight sharing.

    Args:
        x: (N, C_in, L) inputs: N examples, C_in channels, L positions.
        w: (C_out, C_in, K) filters, K <= L.
        b: (C_out,) bias.

    Returns:
        out: (N, C_out, L − K + 1).
        cache: (x, w) for the backward pass.
    """
    require_float_array(x, "x", 3)
    require_float_array(w, "w", 3)
    require_float_array(b, "b", 1)
    n, c_in, length = x.shape
    c_out, c_in_w, k = w.shape
    if c_in_w != c_in:
        raise ValueError(_("x is (N, C_in, L) = {x_shape} and w is (C_out, C_in, K) = "
                           "{w_shape}: their C_in differ.").format(x_shape=x.shape,
                                                                   w_shape=w.shape))
    if k > length:
        raise ValueError(_("the filter is longer than the input: K = {k} > L = {length}.")
                         .format(k=k, length=length))
    if b.shape != (c_out,):
        raise ValueError(_("b must have shape (C_out,) = ({c_out},), got {shape}.")
                         .format(c_out=c_out, shape=b.shape))
    positions = length - k + 1
    out = np.zeros((n, c_out, positions), dtype=np.result_type(x, w, b))
    for j in range(k):  # one matmul per filter tap: (N, C_in, T) with (C_out, C_in)
        out += np.einsum("nct,oc->not", x[:, :, j:j + positions], w[:, :, j])
    out += b[:, None]
    return out, (x, w)


def conv1d_backward(dout: np.ndarray, cache):
    """Gradients of conv1d_forward.

        db[o] = sum_{n, t} dout[n, o, t]                              (C_out,)
        dw[o, c, k] = sum_{n, t} dout[n, o, t] · x[n, c, t + k]        (C_out, C_in, K)
        dx[n, c, t + k] += sum_o dout[n, o, t] · w[o, c, k]            (N, C_in, L)

    w and b are used at every position and for every example, so their gradients add over
    both; x[n, c, s] feeds every output position t = s − k, so its gradients add over k.

    Args:
        dout: (N, C_out, L − K + 1) upstream gradient.
        cache: (x, w) from conv1d_forward.

    Returns:
        dx: (N, C_in, L), dw: (C_out, C_in, K), db: (C_out,).
    """
    x, w = cache
    require_float_array(dout, "dout", 3)
    k = w.shape[2]
    positions = x.shape[2] - k + 1
    expected = (x.shape[0], w.shape[0], positions)
    if dout.shape != expected:
        raise ValueError(_("dout must have the shape of out, (N, C_out, L − K + 1) = "
                           "{expected}, got {shape}.").format(expected=expected,
                                                             shape=dout.shape))
    dx, dw = np.zeros_like(x, dtype=np.result_type(x, dout)), np.zeros_like(w)
    for j in range(k):
        dw[:, :, j] = np.einsum("not,nct->oc", dout, x[:, :, j:j + positions])
        dx[:, :, j:j + positions] += np.einsum("not,oc->nct", dout, w[:, :, j])
    return dx, dw, dout.sum(axis=(0, 2))
