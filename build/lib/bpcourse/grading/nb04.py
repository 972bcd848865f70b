"""Hidden tests of notebook 04_layers: vectorised layers with forward, backward and caches.

Each ``test_*`` function takes the learner's functions, runs them on random shapes and seeds
(non-square matrices, a square case where a missing transpose would hide, logits of ±1000),
compares them with an independent oracle written here (an analytic formula in float64, or
central differences from ``bpcourse.numgrad``) and raises an AssertionError whose message names
the likely mistake. Every known mistake is a *model*: what the buggy implementation returns on
the same input, passed to ``expect`` so that a match names it.
"""

from __future__ import annotations

import numpy as np

from .. import layers as _reference
from ..i18n import _
from ..numgrad import numerical_gradient_array
from .toolkit import (
    assert_own_work,
    assert_untampered,
    call,
    expect_array,
    expect_scalar,
    fail_if_warned,
    passed,
    require_written,
    sigmoid,
)

__all__ = ["test_linear", "test_relu", "test_sigmoid", "test_softmax_cross_entropy",
           "test_mse_loss", "assert_own_answer", "require_written", "call", "fail_if_warned",
           "expect_array", "expect_scalar", "hint", "at_pm1000", "call_without_overflow",
           "check_loss", "passed"]

# Captured at import, like bpcourse.check, so a notebook cell that reassigns them (np.exp = ...)
# cannot change the oracles or the comparisons.
_isfinite, _all, _array_equal, _asarray = np.isfinite, np.all, np.array_equal, np.asarray
_exp, _log, _where, _eye, _arange, _tanh = np.exp, np.log, np.where, np.eye, np.arange, np.tanh
_isclose, _errstate = np.isclose, np.errstate

_REFERENCE_LAYERS = tuple(getattr(_reference, name) for name in _reference.__all__)


def assert_own_answer(*answers) -> None:
    """Fail (DelegationDetected) if any of the learner's functions calls one of the package's
    reference layers (bpcourse.layers). The visible tests call it first, so an answer that
    only delegates earns no points at all; the hidden tests check it again."""
    for answer in answers:
        assert_own_work(answer, *_REFERENCE_LAYERS)


# ----- what the visible tests say: their words live here, in the learner's language -----

def hint(mistake: str) -> str:
    """The hint for a named mistake that a visible test models inline (a key below)."""
    return {
        "bias_not_added": _("the bias b is not added: out = x @ W + b"),
        "relu_mask_from_dout": _("the mask is taken from dout; it must come from the input x: "
                                 "dx = dout * (x > 0)"),
    }[mistake]


def at_pm1000(name: str) -> str:
    """``"dlogits at ±1000"``, in the learner's language: the name of a stability check."""
    return _("{name} at ±1000").format(name=name)


def _stability_fix(name: str) -> str:
    return {
        "sigmoid_forward": _("compute exp only of −|x| (np.exp(-np.abs(x))) and pick the "
                             "formula by the sign of x, so exp never overflows"),
        "softmax_cross_entropy": _("subtract each row's max before exp, and compute log p as "
                                   "shifted − log(Σ exp(shifted)) (log-sum-exp), never log of "
                                   "a probability"),
    }[name]


def _floating_point_problem(error: FloatingPointError) -> str:
    text = str(error)
    if "overflow" in text:
        return _("exp overflowed: exp of a large number is inf")
    if "divide" in text:
        return _("log(0) or a division by 0: a probability underflowed to 0")
    return _("inf / inf or inf − inf gave NaN, usually after exp overflowed")


def call_without_overflow(fn, name: str, *args, errors=("over", "invalid")):
    """Call the learner's ``fn(*args)`` with numpy's floating-point ``errors`` (``"over"``,
    ``"divide"``, ``"invalid"``) raised instead of warned: an answer that overflows on inputs of
    ±1000 fails, with the fix for ``name`` (``"sigmoid_forward"`` or
    ``"softmax_cross_entropy"``)."""
    with _errstate(**dict.fromkeys(errors, "raise")):
        try:
            return fn(*args)
        except FloatingPointError as error:
            problem = _floating_point_problem(error)
    message = _("{name} is not numerically stable at ±1000: {problem}. Likely fix: {fix}.")
    raise AssertionError(message.format(name=name, problem=problem, fix=_stability_fix(name)))


def check_loss(loss, expected: float, case: str, **details) -> None:
    """Fail unless ``np.isclose(loss, expected)``, with the message of ``case``: a loss a
    visible test knows exactly (``"equal_logits"`` with ``classes=C``, ``"logits_pm1000"``,
    ``"mse_example"`` with ``pred=`` the prediction)."""
    assert_untampered()
    if _isclose(loss, expected):
        return
    message = {
        "equal_logits": _("equal logits must give log({classes}) = {expected:.4f}, got {loss}"),
        "logits_pm1000": _("the loss at logits of ±1000 must be {expected}, got {loss}"),
        "mse_example": _("mse of {pred} against 0 is 30/6 = {expected}, got {loss}"),
    }[case]
    raise AssertionError(message.format(expected=expected, loss=loss, **details))


def _shapes(seed: int) -> tuple[int, int, int]:
    """(N, D, M) for one hidden case: all different (non-square), from the seed."""
    r = np.random.default_rng(seed)
    n, d, m = (int(v) for v in r.choice(np.arange(2, 9), size=3, replace=False))
    return n, d, m


# ----- affine -----

def test_linear(linear_forward, linear_backward, seeds=(11, 12, 13, 14)) -> None:
    """out = x @ W + b and its gradients dx, dW, db against central differences.

    Cases: non-square (N, D, M) from each seed, plus a square N = D = M case where a missing
    transpose gives the right shape but the wrong numbers.
    """
    assert_own_work(linear_forward, _reference.linear_forward)
    assert_own_work(linear_backward, _reference.linear_backward)
    _linear_case(linear_forward, linear_backward, 99, 5, 5, 5)  # first: names a missing .T
    for seed in seeds:
        _linear_case(linear_forward, linear_backward, seed, *_shapes(seed))


def _linear_case(linear_forward, linear_backward, seed: int, n: int, d: int, m: int) -> None:
    r = np.random.default_rng(seed)
    x, W, b = r.standard_normal((n, d)), r.standard_normal((d, m)), r.standard_normal(m)
    where = f" (x {x.shape}, W {W.shape}, b {b.shape})"
    square = d == m
    out, cache = call(linear_forward, "linear_forward", x.copy(), W.copy(), b.copy(), returns=2)
    expect_array(out, x @ W + b, "linear_forward: out" + where, mistakes=[
        (_("the bias b is not added: out = x @ W + b"), x @ W),
        (_("the bias is subtracted: out = x @ W + b"), x @ W - b),
    ] + ([(_("W is transposed: out = x @ W with W of shape (D, M)"), x @ W.T + b)]
          if square else []))

    dout = r.standard_normal((n, m))
    dx, dW, db = call(linear_backward, "linear_backward", dout.copy(), cache, returns=3)
    expect_array(dx, numerical_gradient_array(lambda v: v @ W + b, x.copy(), dout),
                 "linear_backward: dx" + where, batch_size=n, mistakes=[
                     (_("dx = dout @ W: W must be transposed, dx = dout @ W.T "
                         "((N, M) @ (M, D) -> (N, D))"), dout @ W)] if square else [])
    expect_array(dW, numerical_gradient_array(lambda v: x @ v + b, W.copy(), dout),
                 "linear_backward: dW" + where, batch_size=n, mistakes=[
                     (_("dW is transposed: dimension analysis says dW (D, M) = x.T @ dout"),
                      dout.T @ x),
                     (_("dW averaged over the batch: the 1/N belongs to the loss, not to the "
                         "layer; dW = x.T @ dout"), x.T @ dout / n)])
    expect_array(db, numerical_gradient_array(lambda v: x @ W + v, b.copy(), dout),
                 "linear_backward: db" + where, batch_size=n, upstream=dout, mistakes=[
                     (_("db averaged over the batch: b is added to every row, so its gradients "
                         "add, db = dout.sum(axis=0)"), dout.mean(axis=0)),
                     (_("db summed over the wrong axis: the batch is axis 0, "
                         "db = dout.sum(axis=0)"), dout.sum(axis=1)),
                     (_("db is not summed over the batch: db = dout.sum(axis=0)"), dout)])


# ----- ReLU -----

def _relu(x: np.ndarray) -> np.ndarray:
    return _where(x > 0, x, 0.0)


def test_relu(relu_forward, relu_backward, seeds=(21, 22, 23)) -> None:
    """max(0, x) elementwise, and its gradient dout · [x > 0], on 1-D to 3-D inputs."""
    assert_own_work(relu_forward, _reference.relu_forward)
    assert_own_work(relu_backward, _reference.relu_backward)
    shapes = [_shapes(s)[::2] for s in seeds] + [(7,), (2, 3, 4)]
    for seed, shape in enumerate(shapes, start=100):
        _relu_case(relu_forward, relu_backward, seed, shape)


def _relu_case(relu_forward, relu_backward, seed: int, shape: tuple) -> None:
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape)
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink, where the derivative is a choice
    x_given = x.copy()
    out, cache = call(relu_forward, "relu_forward", x_given, returns=2)
    if not np.array_equal(x_given, x):
        raise AssertionError(_(
            "relu_forward changed its input x in place (e.g. x[x < 0] = 0): the caller's array "
            "is destroyed. Make a new array: out = np.maximum(x, 0)."))
    expect_array(out, _relu(x), f"relu_forward: out (x {x.shape})", mistakes=[
        (_("np.max(x, 0) reduces over axis 0; np.maximum(x, 0) is the elementwise maximum"),
         np.max(x, 0)),
        (_("returned the mask (x > 0) instead of the values max(0, x)"), (x > 0).astype(float)),
        (_("np.abs(x) is not ReLU: negative inputs must give 0"), np.abs(x))])
    dout = r.standard_normal(shape)
    dx = call(relu_backward, "relu_backward", dout.copy(), cache)
    expect_array(dx, numerical_gradient_array(_relu, x.copy(), dout),
                 f"relu_backward: dx (x {x.shape})", mistakes=[
                     (_("the mask is taken from dout; it must come from the input x: "
                         "dx = dout * (x > 0)"), dout * (dout > 0)),
                     (_("returned the mask without the upstream gradient: dx = dout * (x > 0)"),
                      (x > 0).astype(float)),
                     (_("multiplied dout by x; the local derivative of ReLU is 1 where x > 0 and "
                         "0 elsewhere"), dout * _relu(x)),
                     (_("the mask is missing: dx = dout * (x > 0)"), dout)])


# ----- sigmoid -----

def test_sigmoid(sigmoid_forward, sigmoid_backward, seeds=(31, 32, 33)) -> None:
    """σ(x) and dout · σ(x)(1 − σ(x)), then σ(±1000) without overflow (0 and 1, no warning)."""
    assert_own_work(sigmoid_forward, _reference.sigmoid_forward)
    assert_own_work(sigmoid_backward, _reference.sigmoid_backward)
    for seed in seeds:
        _sigmoid_case(sigmoid_forward, sigmoid_backward, seed, _shapes(seed)[::2])
    big = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    warned: list[str] = []
    out, _cache = call(sigmoid_forward, "sigmoid_forward", big.copy(), returns=2,
                       warned=warned)
    with np.errstate(over="ignore", invalid="ignore"):
        naive_pos = _exp(big) / (1.0 + _exp(big))
    at_1000 = _("sigmoid_forward at x = ±1000")
    expect_array(out, sigmoid(big), at_1000, mistakes=[
        (_("exp(x) / (1 + exp(x)) overflows for large x (inf / inf = NaN): compute exp only of "
            "−|x| and pick the formula by the sign of x"), naive_pos)])
    fail_if_warned(at_1000, warned,
                   _("compute exp only of −|x| (np.exp(-np.abs(x))) and pick the formula by "
                     "the sign of x, so exp never overflows"))


def _sigmoid_case(sigmoid_forward, sigmoid_backward, seed: int, shape: tuple) -> None:
    r = np.random.default_rng(seed)
    x = 2 * r.standard_normal(shape)
    out, cache = call(sigmoid_forward, "sigmoid_forward", x.copy(), returns=2)
    s = sigmoid(x)
    expect_array(out, s, f"sigmoid_forward: out (x {x.shape})", mistakes=[
        (_("sign error in the exponent: σ(x) = 1 / (1 + exp(−x))"), sigmoid(-x)),
        (_("that is tanh, not the sigmoid: σ(x) = 1 / (1 + exp(−x))"), _tanh(x))])
    dout = r.standard_normal(shape)
    dx = call(sigmoid_backward, "sigmoid_backward", dout.copy(), cache)
    s2 = sigmoid(s)
    expect_array(dx, numerical_gradient_array(sigmoid, x.copy(), dout),
                 f"sigmoid_backward: dx (x {x.shape})", mistakes=[
                     (_("the factor (1 − σ(x)) is missing: dx = dout · σ(x) · (1 − σ(x))"),
                      dout * s),
                     (_("the upstream gradient is missing: dx = dout · σ(x) · (1 − σ(x))"),
                      s * (1 - s)),
                     (_("σ applied twice: the cache already holds s = σ(x), so "
                         "dx = dout · s · (1 − s)"), dout * s2 * (1 - s2)),
                     (_("used x where σ(x) belongs: σ'(x) = σ(x) · (1 − σ(x)), not x · (1 − x)"),
                      dout * x * (1 - x))])


# ----- softmax cross-entropy -----

def _log_softmax(logits: np.ndarray, axis: int = 1) -> np.ndarray:
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return shifted - _log(_exp(shifted).sum(axis=axis, keepdims=True))


def softmax_ce_oracle(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """The analytic oracle: L = −(1/N) Σ_n log p[n, y_n], dL/dlogits = (p − onehot(y)) / N.

    Args:
        logits: (N, C) floats; y: (N,) int class indices.

    Returns:
        loss (float), dlogits (N, C).
    """
    n, c = logits.shape
    log_p = _log_softmax(logits)
    onehot = _eye(c)[y]
    return float(-(log_p * onehot).sum() / n), (_exp(log_p) - onehot) / n


def softmax_ce_cases(seeds=(41, 42, 43)) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """(logits (N, C), y (N,), kind) for the hidden tests: random ones, then logits of ±1000."""
    cases = []
    for seed in seeds:
        n, c, _m = _shapes(seed)
        r = np.random.default_rng(seed)
        cases.append((r.standard_normal((n, c)) * 3, r.integers(0, c, size=n), "random"))
    huge = np.array([[1000.0, -1000.0, 0.0],
                     [-1000.0, -1000.0, -999.0],  # a row far below the global max
                     [1000.0, 999.0, -1000.0],
                     [3.0, 1000.0, 2.0]])
    cases.append((huge, np.array([1, 2, 0, 0]), "logits of ±1000"))
    r = np.random.default_rng(49)
    cases.append((r.standard_normal((6, 4)) * 500, np.array([0, 3, 3, 1, 0, 2]), "large logits"))
    return cases


def test_softmax_cross_entropy(softmax_cross_entropy, seeds=(41, 42, 43)) -> None:
    """Mean cross-entropy and dlogits against the analytic formula (p − onehot(y)) / N,
    including logits of ±1000 (a row shift and log-sum-exp keep everything finite)."""
    assert_own_work(softmax_cross_entropy, _reference.softmax_cross_entropy)
    for logits, y, kind in softmax_ce_cases(seeds):
        _softmax_case(softmax_cross_entropy, logits, y, kind)


def _softmax_mistakes(logits: np.ndarray, y: np.ndarray):
    """What known buggy implementations return for dlogits and the loss."""
    n, c = logits.shape
    onehot = _eye(c)[y]
    p = _exp(_log_softmax(logits))
    with np.errstate(all="ignore"):
        p_naive = _exp(logits) / _exp(logits).sum(axis=1, keepdims=True)
        shifted = logits - logits.max()
        p_global = _exp(shifted) / _exp(shifted).sum(axis=1, keepdims=True)
        naive_loss = float(-_log(p[_arange(n), y]).mean())
    every_label = p.copy()
    every_label[:, np.unique(y)] -= 1
    d_mistakes = [
        (_("the −1 at the true class is missing: dlogits = (p − onehot(y)) / N"), p / n),
        (_("softmax without subtracting the row max: exp overflows at large logits "
            "(inf / inf = NaN)"), (p_naive - onehot) / n),
        (_("subtracted the global max; subtract each row's max "
            "(logits.max(axis=1, keepdims=True))"), (p_global - onehot) / n),
        (_("softmax normalised over the wrong axis: each row (axis=1) must sum to 1"),
         (_exp(_log_softmax(logits, axis=0)) - onehot) / n),
        (_("dlogits[:, y] -= 1 subtracts 1 in every row at every label; use "
            "dlogits[np.arange(N), y] -= 1"), every_label / n)]
    loss_mistakes = [(_("log of a probability that underflowed to 0 gives inf: compute log p as "
                         "shifted − log(Σ exp(shifted)) (log-sum-exp)"), naive_loss)]
    return d_mistakes, loss_mistakes


def _kind_label(kind: str) -> str:
    """A case kind of softmax_ce_cases (a fixed key) in the learner's language."""
    return {"random": _("random"), "logits of ±1000": _("logits of ±1000"),
            "large logits": _("large logits")}[kind]


def _softmax_case(softmax_cross_entropy, logits: np.ndarray, y: np.ndarray, kind: str) -> None:
    n = logits.shape[0]
    where = f" ({_kind_label(kind)}, logits {logits.shape})"
    warned: list[str] = []
    loss, dlogits = call(softmax_cross_entropy, "softmax_cross_entropy", logits.copy(), y.copy(),
                         returns=2, warned=warned)
    ref_loss, ref_d = softmax_ce_oracle(logits, y)
    d_mistakes, loss_mistakes = _softmax_mistakes(logits, y)
    overflow = _("exp overflowed or a row underflowed to 0: subtract each row's max, "
                 "logits.max(axis=1, keepdims=True), before exp (without it, or with the global "
                 "max, exp(±1000) gives inf or 0 and then NaN)")
    expect_array(dlogits, ref_d, "softmax_cross_entropy: dlogits" + where, batch_size=n,
                 mistakes=d_mistakes, nonfinite_hint=overflow)
    expect_scalar(loss, ref_loss, "softmax_cross_entropy: loss" + where, batch_size=n,
                  mistakes=loss_mistakes + [(_("the loss is summed over the batch; it is the "
                                                "mean: divide by N"), ref_loss * n)],
                  nonfinite_hint=loss_mistakes[0][0])
    fail_if_warned("softmax_cross_entropy" + where, warned,
                   _("subtract each row's max before exp, and compute log p as "
                     "shifted − log(Σ exp(shifted)) (log-sum-exp), never log of a probability"))


# ----- mean squared error -----

def test_mse_loss(mse_loss, seeds=(51, 52, 53)) -> None:
    """L = mean over all K elements of (pred − target)², dpred = 2 (pred − target) / K, on
    1-D, 2-D (N rows ≠ K elements) and 3-D arrays."""
    assert_own_work(mse_loss, _reference.mse_loss)
    shapes = [_shapes(s)[:2] for s in seeds] + [(9,), (2, 3, 2)]
    for seed, shape in enumerate(shapes, start=500):
        _mse_case(mse_loss, seed, shape)


def _mse_case(mse_loss, seed: int, shape: tuple) -> None:
    r = np.random.default_rng(seed)
    pred, target = r.standard_normal(shape), r.standard_normal(shape)
    where = f" (pred {pred.shape})"
    loss, dpred = call(mse_loss, "mse_loss", pred.copy(), target.copy(), returns=2)
    diff = pred - target
    k, n = diff.size, shape[0]
    rows = _("divided by N (the number of rows); the mean is over all K = pred.size elements")
    expect_scalar(loss, float((diff ** 2).sum() / k), "mse_loss: loss" + where, batch_size=k,
                  mistakes=[(_("the squares are summed; the loss is their mean (divide by "
                                "pred.size)"), (diff ** 2).sum()),
                            (_("the difference is not squared: L = mean((pred − target)²)"),
                             diff.mean())]
                  + ([(rows, (diff ** 2).sum() / n)] if n != k else []))
    oracle = numerical_gradient_array(lambda v: ((v - target) ** 2).sum() / k, pred.copy(),
                                      np.array(1.0))
    expect_array(dpred, oracle, "mse_loss: dpred" + where, batch_size=k, mistakes=[
        (_("the factor 2 is missing: d/dpred (pred − target)² = 2 (pred − target)"), diff / k),
        (_("the 1/K of the mean is missing: dpred = 2 (pred − target) / pred.size"), 2 * diff),
        (_("sign flipped: dpred = 2 (pred − target) / K, not 2 (target − pred) / K"),
         -2 * diff / k),
    ] + ([(rows, 2 * diff / n)] if n != k else []))
