"""Hidden tests of notebook 07_capstone: backward passes of layers the course never derived.

Each ``test_*`` function takes the learner's forward and backward functions, runs them on random
shapes and seeds, and compares every gradient with central differences (float64, Richardson-
extrapolated so that an element of 1e-4 still has six correct digits) of a forward pass written
here, not the learner's and not the package's. Every known mistake is a *model*: what the buggy
backward returns on the same input, written here in closed form, passed to ``expect_array`` so
that a match names it ("the variance path dropped", "the weight gradient not summed over
positions").
"""

from __future__ import annotations

import numpy as np

from .. import layers as _reference
from .. import nn as _nn
from ..i18n import _
from ..numgrad import numerical_gradient_array
from .toolkit import assert_own_work, call, expect_array, passed, require_written

__all__ = ["test_batchnorm", "test_layernorm", "test_conv1d", "require_written", "passed",
           "normalise", "conv1d", "numeric_gradient", "normalisation_mistakes", "conv1d_mistakes"]

# Captured at import, like bpcourse.check, so a notebook cell that reassigns them (np.sqrt = ...)
# cannot change the oracles or the mistake models.
_sqrt, _einsum, _zeros, _arange = np.sqrt, np.einsum, np.zeros, np.arange


# ----- oracles -----

def normalise(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float,
              axis: int) -> np.ndarray:
    """gamma · (x − mean) / sqrt(biased var + eps) + beta, the statistics over `axis`
    (0: batch norm, 1: layer norm). x (N, D), gamma and beta (D,); returns (N, D)."""
    count = x.shape[axis]
    mu = x.sum(axis=axis, keepdims=True) / count
    var = ((x - mu) ** 2).sum(axis=axis, keepdims=True) / count
    return gamma * (x - mu) / _sqrt(var + eps) + beta


def conv1d(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """out[n, o, t] = Σ_{c,k} x[n, c, t + k] w[o, c, k] + b[o], written as loops over t.
    x (N, C_in, L), w (C_out, C_in, K), b (C_out,); returns (N, C_out, L − K + 1)."""
    positions = x.shape[2] - w.shape[2] + 1
    out = _zeros((x.shape[0], w.shape[0], positions))
    for t in range(positions):
        out[:, :, t] = _einsum("nck,ock->no", x[:, :, t:t + w.shape[2]], w) + b
    return out


def numeric_gradient(f, x: np.ndarray, dout: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central differences of sum(f(x) · dout) at steps h and h/2, Richardson-extrapolated
    (error O(h⁴) instead of O(h²)). x is left unchanged."""
    coarse = numerical_gradient_array(f, x, dout, h)
    fine = numerical_gradient_array(f, x, dout, h / 2)
    return (4 * fine - coarse) / 3


# ----- normalisation: shared by batch norm and layer norm -----

def normalisation_mistakes(x, gamma, dout, eps, axis):
    """(hint, dx) of known buggy backward passes (closed forms), for statistics over `axis`
    (0: batch norm, 1: layer norm); for ``expect(..., mistakes=...)`` in visible tests too."""
    count = x.shape[axis]
    mu = x.mean(axis=axis, keepdims=True)
    centred = x - mu
    var = (centred ** 2).mean(axis=axis, keepdims=True)
    std, std0 = _sqrt(var + eps), _sqrt(var)
    x_hat, g = centred / std, dout * gamma

    def mean(a, ax=axis):
        return a.mean(axis=ax, keepdims=True)

    other = 1 - axis
    n = "N" if axis == 0 else "D"
    if axis == 0:
        wrong_axis = _("the statistics are taken over the wrong axis: batch norm normalises each "
                       "feature over the batch, axis 0")
        mean_ignored = _("the mean's dependence on x is ignored: mu is a function of every x in "
                         "the batch, so the path through the mean adds −mean(g)/std "
                         "(g = dout · gamma)")
    else:
        wrong_axis = _("the statistics are taken over the wrong axis: layer norm normalises each "
                       "example over its features, so its sums go over axis 1 (keepdims=True) "
                       "and divide by D; this is batch norm's backward (axis 0)")
        mean_ignored = _("the mean's dependence on x is ignored: mu is a function of every x in "
                         "the row, so the path through the mean adds −mean(g)/std "
                         "(g = dout · gamma)")
    eps_forgotten = _("ε is forgotten in the backward pass: the forward divides by "
                      "sqrt(var + eps), so the backward must too")
    pasted = [(wrong_axis, _staged_over_axis(centred, var, gamma, eps, dout, other))]
    return pasted + [
        (mean_ignored, (g - x_hat * mean(g * x_hat)) / std),
        (_("the variance path is dropped: var depends on x too, its path adds "
           "−x_hat · mean(g · x_hat)/std (g = dout · gamma)"), (g - mean(g)) / std),
        (_("the mean and the variance are treated as constants (dx = dout · gamma / std): both "
           "depend on x, and their paths add to the direct one"), g / std),
        (_("{n}−1 in the variance's derivative where the forward pass divides by {n} (the "
           "biased variance): d var / d x = 2 (x − mu) / {n}").format(n=n),
         (g - mean(g) - x_hat * (g * x_hat).sum(axis=axis, keepdims=True) / (count - 1)) / std),
        (eps_forgotten, (g - mean(g) - x_hat * mean(g * x_hat)) / std0),
        (eps_forgotten, (g - mean(g) - centred * mean(g * centred) / var) / std0),
        (wrong_axis, (g - mean(g, other) - x_hat * mean(g * x_hat, other)) / std),
    ]


def _staged_over_axis(centred, var, gamma, eps, dout, axis):
    """The node-by-node backward pass with its sums over `axis`, on a cache made with the
    statistics over the other axis: what the other layer's backward, pasted, returns."""
    count = dout.shape[axis]
    std = _sqrt(var + eps)
    dx_hat = dout * gamma
    dxc = dx_hat / std
    dstd = -(dx_hat * centred).sum(axis=axis, keepdims=axis == 1) / std ** 2
    dxc = dxc + dstd / (2 * std) * 2 * centred / count
    return dxc - dxc.sum(axis=axis, keepdims=axis == 1) / count


def _norm_case(forward, backward, name: str, axis: int, seed: int, n: int, d: int,
               eps: float | None, scale: float = 1.0) -> None:
    r = np.random.default_rng(seed)
    x = r.standard_normal((n, d)) * scale + r.standard_normal(d if axis == 0 else (n, 1))
    gamma, beta = 1 + 0.5 * r.standard_normal(d), r.standard_normal(d)
    dout = r.standard_normal((n, d))
    used_eps = 1e-5 if eps is None else eps
    where = f" (x {x.shape}" + (f", eps={eps:g})" if eps is not None else ")")
    args = (x.copy(), gamma.copy(), beta.copy()) + (() if eps is None else (eps,))
    out, cache = call(forward, f"{name}_forward", *args, returns=2)
    expect_array(out, normalise(x, gamma, beta, used_eps, axis), f"{name}_forward: out{where}")
    dx, dgamma, dbeta = call(backward, f"{name}_backward", dout.copy(), cache, returns=3)

    x_hat = (normalise(x, np.ones(d), np.zeros(d), used_eps, axis))
    expect_array(dbeta, numeric_gradient(lambda v: normalise(x, gamma, v, used_eps, axis),
                                         beta.copy(), dout),
                 f"{name}_backward: dbeta{where}", batch_size=n, upstream=dout, mistakes=[
                     (_("dbeta averaged over the batch: beta is added to every row, so its "
                        "gradients add, dbeta = dout.sum(axis=0)"), dout.mean(axis=0)),
                     (_("dbeta summed over the wrong axis: beta is per feature, its gradient "
                        "sums over the batch, axis 0"), dout.sum(axis=1))])
    expect_array(dgamma, numeric_gradient(lambda v: normalise(x, v, beta, used_eps, axis),
                                          gamma.copy(), dout),
                 f"{name}_backward: dgamma{where}", batch_size=n, mistakes=[
                     (_("dgamma uses x where x_hat belongs: gamma multiplies the normalised "
                        "input, dgamma = (dout * x_hat).sum(axis=0)"), (dout * x).sum(axis=0)),
                     (_("dgamma uses xc = x − mu where x_hat belongs: gamma multiplies the "
                        "normalised input, dgamma = (dout * x_hat).sum(axis=0)"),
                      (dout * (x - x.mean(axis=axis, keepdims=True))).sum(axis=0)),
                     (_("dgamma summed over the wrong axis: gamma is per feature, its gradient "
                        "sums over the batch, axis 0"), (dout * x_hat).sum(axis=1)),
                     (_("x_hat is missing from dgamma: out = gamma · x_hat + beta, so "
                        "dgamma = (dout * x_hat).sum(axis=0)"), dout.sum(axis=0))])
    expect_array(dx, numeric_gradient(lambda v: normalise(v, gamma, beta, used_eps, axis),
                                      x.copy(), dout),
                 f"{name}_backward: dx{where}", batch_size=n,
                 mistakes=normalisation_mistakes(x, gamma, dout, used_eps, axis))


def _norm_shapes(seed: int) -> tuple[int, int]:
    """(N, D), different from each other, N >= 3 (with N = 2 batch norm's x_hat is ±1)."""
    r = np.random.default_rng(seed)
    n, d = (int(v) for v in r.choice(_arange(3, 9), size=2, replace=False))
    return n, d


def test_batchnorm(batchnorm_forward, batchnorm_backward, seeds=(71, 72, 73)) -> None:
    """Training-mode batch norm: out against the formula, dx, dgamma, dbeta against central
    differences, on random (N, D), with the default eps and with a large eps (0.5: a
    forgotten ε shows) and on features of small spread (var ≈ 1e-4, where ε matters)."""
    assert_own_work(batchnorm_forward, _reference.batchnorm_forward, _nn.BatchNorm1d)
    assert_own_work(batchnorm_backward, _reference.batchnorm_backward, _nn.BatchNorm1d)
    for seed in seeds:
        _norm_case(batchnorm_forward, batchnorm_backward, "batchnorm", 0, seed,
                   *_norm_shapes(seed), None)
    _norm_case(batchnorm_forward, batchnorm_backward, "batchnorm", 0, 74, 6, 4, 0.5)
    _norm_case(batchnorm_forward, batchnorm_backward, "batchnorm", 0, 75, 5, 3, 1e-4,
               scale=0.01)


def test_layernorm(layernorm_forward, layernorm_backward, seeds=(81, 82, 83)) -> None:
    """Layer norm (statistics of each row, axis 1): as test_batchnorm, N ≠ D throughout so
    that a wrong axis shows."""
    assert_own_work(layernorm_forward, _reference.layernorm_forward, _nn.LayerNorm)
    assert_own_work(layernorm_backward, _reference.layernorm_backward, _nn.LayerNorm)
    for seed in seeds:
        _norm_case(layernorm_forward, layernorm_backward, "layernorm", 1, seed,
                   *_norm_shapes(seed), None)
    _norm_case(layernorm_forward, layernorm_backward, "layernorm", 1, 84, 4, 6, 0.5)
    _norm_case(layernorm_forward, layernorm_backward, "layernorm", 1, 85, 3, 5, 1e-4,
               scale=0.01)


# ----- 1-D convolution -----

def _conv_shapes(seed: int) -> tuple[int, int, int, int, int]:
    """(N, C_in, L, C_out, K) with 2 <= K < L, so that positions, taps and flips all show."""
    r = np.random.default_rng(seed)
    n, c_in, c_out = (int(v) for v in r.choice(_arange(2, 6), size=3, replace=False))
    k = int(r.integers(2, 5))
    return n, c_in, int(r.integers(k + 2, k + 8)), c_out, k


def conv1d_mistakes(x, w, dout):
    """dw, dx and db of known buggy backward passes, as three lists of (hint, output); for
    ``expect(..., mistakes=...)`` in visible tests too."""
    n, t_last, k = x.shape[0], dout.shape[2] - 1, w.shape[2]
    positions = dout.shape[2]

    def dw_from(d, xs):  # d (N', C_out, T'), xs (N', C_in, T' + K − 1)
        return _einsum("not,nckt->ock", d, _windows(xs, k, d.shape[2]))

    positions_hint = _("the weight gradient is not summed over positions: w is used at every "
                       "position t, so its gradients add (+= over t, or a sum over t)")
    batch_hint = _("the weight gradient is not summed over the batch: every example uses the "
                   "same w, so its gradients add over n too")
    dw = [(positions_hint, dw_from(dout[:, :, t_last:], x[:, :, t_last:t_last + k])),
          (positions_hint, dw_from(dout[:, :, :1], x[:, :, :k])),
          (batch_hint, dw_from(dout[-1:], x[-1:])),
          (batch_hint, dw_from(dout[:1], x[:1])),
          (_("the weight gradient is averaged over the batch: the 1/N belongs to the loss, "
             "not to the layer"), dw_from(dout, x) / n)]
    overwritten = _("the input gradient is overwritten, not added: x[n, c, s] is in up to K "
                    "windows (one per t = s − k), so its gradients add (dx[..., t:t + K] +=)")
    dx_flipped = _dx(dout, w[:, :, ::-1], x.shape)
    dx_shifted = _zeros(x.shape)  # x[s] given dout[s + k] instead of dout[s − k]
    for j in range(min(k, positions)):
        width = positions - j
        dx_shifted[:, :, :width] += _einsum("not,oc->nct", dout[:, :, j:j + width], w[:, :, j])
    dx = [(_("the input gradient is not correlated correctly: the kernel is flipped. "
             "x[n, c, t + k] met w[o, c, k], so dx[:, :, t + k] += dout[:, :, t] · w[:, :, k] "
             "(same k)"), dx_flipped),
          (_("the input gradient is not correlated correctly: x[s] fed the outputs t = s − k, "
             "so it receives dout[t = s − k] · w[k], not dout[s + k]"), dx_shifted),
          (overwritten, _dx_last_tap(dout, w, x.shape)),
          (overwritten, _dx_last_window(dout, w, x.shape))]
    axes = _("the bias gradient is summed over the wrong axes: b[o] is added at every example "
             "and every position, db = dout.sum(axis=(0, 2))")
    db = [(axes, dout.sum(axis=(1, 2))), (axes, dout.sum(axis=0)), (axes, dout.sum(axis=2)),
          (axes, dout.sum(axis=(0, 1))),
          (_("the bias gradient is averaged: b's gradients add over examples and positions, "
             "db = dout.sum(axis=(0, 2))"), dout.mean(axis=(0, 2)))]
    return dw, dx, db


def _windows(x, k, positions):
    """(N, C, K, T): x[n, c, t + j] at [n, c, j, t]."""
    return np.stack([x[:, :, j:j + positions] for j in range(k)], axis=2)


def _dx(dout, w, shape):
    dx = _zeros(shape)
    positions = dout.shape[2]
    for j in range(w.shape[2]):
        dx[:, :, j:j + positions] += _einsum("not,oc->nct", dout, w[:, :, j])
    return dx


def _dx_last_tap(dout, w, shape):
    """dx[:, :, t + k] = (not +=) in a loop over k then t: each s keeps its last write."""
    dx = _zeros(shape)
    positions = dout.shape[2]
    for j in range(w.shape[2]):
        dx[:, :, j:j + positions] = _einsum("not,oc->nct", dout, w[:, :, j])
    return dx


def _dx_last_window(dout, w, shape):
    """dx[:, :, t:t + K] = (not +=) in a loop over t: each s keeps the last window's write."""
    dx = _zeros(shape)
    c_out, c_in, k = w.shape
    flat = w.reshape(c_out, c_in * k)
    for t in range(dout.shape[2]):
        dx[:, :, t:t + k] = (dout[:, :, t] @ flat).reshape(shape[0], c_in, k)
    return dx


def _conv_case(conv1d_forward, conv1d_backward, seed: int,
               n: int, c_in: int, length: int, c_out: int, k: int) -> None:
    r = np.random.default_rng(seed)
    x, w = r.standard_normal((n, c_in, length)), r.standard_normal((c_out, c_in, k))
    b = r.standard_normal(c_out)
    where = f" (x {x.shape}, w {w.shape})"
    out, cache = call(conv1d_forward, "conv1d_forward", x.copy(), w.copy(), b.copy(), returns=2)
    expect_array(out, conv1d(x, w, b), "conv1d_forward: out" + where)
    dout = r.standard_normal((n, c_out, length - k + 1))
    dx, dw, db = call(conv1d_backward, "conv1d_backward", dout.copy(), cache, returns=3)
    dw_m, dx_m, db_m = conv1d_mistakes(x, w, dout)
    expect_array(db, numeric_gradient(lambda v: conv1d(x, w, v), b.copy(), dout),
                 "conv1d_backward: db" + where, mistakes=db_m)
    expect_array(dw, numeric_gradient(lambda v: conv1d(x, v, b), w.copy(), dout),
                 "conv1d_backward: dw" + where, mistakes=dw_m)
    expect_array(dx, numeric_gradient(lambda v: conv1d(v, w, b), x.copy(), dout),
                 "conv1d_backward: dx" + where, mistakes=dx_m)


def test_conv1d(conv1d_forward, conv1d_backward, seeds=(91, 92, 93)) -> None:
    """1-D convolution, stride 1, no padding: out against a loop over positions, db, dw, dx
    against central differences, on random (N, C_in, L, C_out, K) with 2 <= K < L, then a
    filter as long as the input (one position) and a 1-tap filter."""
    assert_own_work(conv1d_forward, _reference.conv1d_forward, _nn.Conv1d)
    assert_own_work(conv1d_backward, _reference.conv1d_backward, _nn.Conv1d)
    for seed in seeds:
        _conv_case(conv1d_forward, conv1d_backward, seed, *_conv_shapes(seed))
    _conv_case(conv1d_forward, conv1d_backward, 94, 2, 3, 4, 2, 4)  # K = L: one position
    _conv_case(conv1d_forward, conv1d_backward, 95, 3, 2, 5, 4, 1)  # K = 1: a 1x1 conv
