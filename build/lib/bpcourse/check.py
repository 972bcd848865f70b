"""Comparing gradients, with feedback that names the likely mistake.

``rel_error`` is the number to look at; ``check_gradient`` is what the notebooks'
tests call: it checks the shape and dtype first (a broadcast must never let a
wrong shape pass), then the relative error, and when the answer is wrong it
tries the classic mistakes (transposed, scaled by N or 1/N, by 2, sign flipped,
batch sum missing or on the wrong axis, all zeros, NaN) and names the one that
fits.

The numpy functions used here are captured when the module is imported, so a
later monkeypatch of ``np.abs`` or ``np.allclose`` in a notebook cannot fool a
comparison.

Every message is English wrapped in ``_()``: in the zh edition it comes from the Chinese
gettext catalog (see ``bpcourse.i18n``).
"""

from __future__ import annotations

import numpy as np

from .i18n import _, ljust

__all__ = ["rel_error", "check_gradient", "compare", "GradientMismatch", "diagnose"]

# Captured at import time (see the module docstring).
_asarray, _abs, _max, _maximum = np.asarray, np.abs, np.max, np.maximum
_isfinite, _all, _issubdtype, _floating = np.isfinite, np.all, np.issubdtype, np.floating
_sum, _any = np.sum, np.any


class GradientMismatch(AssertionError):
    """A gradient that is wrong, with a message saying what was expected, what was got and why."""


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise relative error: max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|).

    Args:
        a, b: arrays of the same shape (or numbers).

    Returns:
        float in [0, 1]; below ~1e-7 means two float64 gradients agree. NaN when either
        holds NaN or inf where the other does too (never "close").
    """
    a, b = _asarray(a, dtype=np.float64), _asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, {a.shape} vs {b.shape}.")
    if a.size == 0:
        return 0.0
    # inf - inf gives NaN: silently, since nbgrader scores a test cell 0 on any warning.
    with np.errstate(all="ignore"):
        return float(_max(_abs(a - b) / _maximum(1e-8, _abs(a) + _abs(b))))


def _close(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    return a.shape == b.shape and rel_error(a, b) < tol


def diagnose(
    got: np.ndarray,
    expected: np.ndarray,
    *,
    batch_size: int | None = None,
    upstream: np.ndarray | None = None,
    tol: float = 1e-6,
) -> str | None:
    """Name the classic mistake that turns `expected` into `got`, or None if none fits.

    Args:
        got: the learner's gradient, any shape.
        expected: the reference gradient, any shape.
        batch_size: N, to recognise a missing or doubled 1/N.
        upstream: dout of shape (N, M), to recognise a bias gradient that was not
            summed over the batch or was summed over the wrong axis.
    """
    got, expected = _asarray(got, dtype=np.float64), _asarray(expected, dtype=np.float64)
    if upstream is not None:
        upstream = _asarray(upstream, dtype=np.float64)
        if upstream.ndim == 2 and _close(got, upstream, tol):
            return _("the batch sum is missing: sum the upstream gradient over the batch, "
                     "axis=0")
        if upstream.ndim == 2 and got.ndim == 1 and _close(got, _sum(upstream, axis=1), tol):
            return _("summed over the wrong axis: the batch is axis 0, use .sum(axis=0)")
    if got.ndim == 2 and got.shape == expected.shape[::-1] and got.shape != expected.shape:
        if _close(got.T, expected, tol):
            return _transposed_hint()
    if got.shape != expected.shape:
        squeezed = [d for d in got.shape if d != 1] == [d for d in expected.shape if d != 1]
        if squeezed and _close(got.reshape(expected.shape), expected, tol):
            return _("the right numbers with an extra or missing axis of length 1: drop "
                     "keepdims=True, or .reshape to the expected shape")
        return None
    if not _all(_isfinite(got)):
        return _("NaN or inf in the gradient: look for an overflow (exp of a large number) "
                 "or 0/0")
    if not _any(got) and _any(expected):
        return _("all zeros: the gradient was never written (or was overwritten with 0)")
    if got.ndim == 2 and got.shape[0] == got.shape[1] and _close(got.T, expected, tol):
        return _transposed_hint()
    scalings = [(-1.0, _("sign flipped (×−1): check the direction of a subtraction"))]
    if batch_size and batch_size > 1:
        n = float(batch_size)
        scalings += [
            (n, _("scaled by N={n}: the 1/N of the mean is missing").format(n=batch_size)),
            (1.0 / n, _("scaled by 1/N=1/{n}: the 1/N was applied twice").format(n=batch_size)),
        ]
    scalings += [
        (2.0, _("scaled by 2: a factor 2 too many (or the mean's derivative counted twice)")),
        (0.5, _("scaled by 1/2: a factor 2 is missing (d(x²)/dx = 2x)")),
    ]
    for factor, hint in scalings:
        if _close(got, factor * expected, tol):
            return hint
    return None


def _transposed_hint() -> str:
    return _("transposed: check the order of the matmul (dimension analysis gives the shape)")


def _describe(a: np.ndarray) -> str:
    return _("shape {shape}, dtype {dtype}").format(shape=a.shape, dtype=a.dtype)


def _likely(hint: str | None) -> str:
    return _(" Likely mistake: {hint}.").format(hint=hint)


def check_gradient(
    got: np.ndarray,
    expected: np.ndarray,
    name: str = "gradient",
    *,
    tol: float = 1e-7,
    batch_size: int | None = None,
    upstream: np.ndarray | None = None,
) -> float:
    """Assert that a gradient matches the reference, or raise a message that names the mistake.

    Args:
        got: the gradient under test; must be a float numpy array of exactly
            expected's shape (no broadcasting: (64,) against (1, 64) fails).
        expected: the reference gradient, a float array.
        name: how the message calls it, e.g. "dW".
        tol: the largest relative error accepted.
        batch_size, upstream: passed to ``diagnose`` to recognise more mistakes.

    Returns:
        The relative error (a float below tol).

    Raises:
        GradientMismatch (an AssertionError) saying what was expected, what was got and
        the likely mistake.
    """
    expected = _asarray(expected)
    if got is None:
        raise GradientMismatch(_("{name}: got None; expected an array of {expected}. Did the "
                                 "function forget to `return`?").format(
                                     name=name, expected=_describe(expected)))
    if not isinstance(got, np.ndarray):
        raise GradientMismatch(
            _("{name}: got a {type}; expected a numpy array of {expected}.").format(
                name=name, type=type(got).__name__, expected=_describe(expected)))
    if not _issubdtype(got.dtype, _floating):
        raise GradientMismatch(
            _("{name}: got dtype {dtype}; expected a floating-point array. Integer arrays "
              "truncate gradients: start from a float array (np.zeros(shape) is float64).")
            .format(name=name, dtype=got.dtype))
    if got.shape != expected.shape:
        hint = diagnose(got, expected, batch_size=batch_size, upstream=upstream)
        raise GradientMismatch(
            _("{name}: wrong shape. Expected {expected}, got {got}.").format(
                name=name, expected=expected.shape, got=got.shape)
            + (_likely(hint) if hint else
               _(" A gradient has the shape of the thing it differentiates.")))
    if not _all(_isfinite(got)):
        bad = tuple(int(i) for i in np.argwhere(~_isfinite(got))[0])
        raise GradientMismatch(
            _("{name}: contains NaN or inf. At index {index} expected {expected:.6g}, got "
              "{got}.").format(name=name, index=bad, expected=expected[bad], got=got[bad])
            + _likely(diagnose(got, expected)))
    err = rel_error(got, expected)
    if err < tol:
        return err
    hint = diagnose(got, expected, batch_size=batch_size, upstream=upstream)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(_abs(got - expected))), got.shape))
    raise GradientMismatch(
        _("{name}: relative error {err:.2e} (tolerance {tol:.0e}). At index {index} expected "
          "{expected:.6g}, got {got:.6g}.").format(name=name, err=err, tol=tol, index=worst,
                                                   expected=expected[worst], got=got[worst])
        + (_likely(hint) if hint else ""))


def compare(name: str, got: np.ndarray, expected: np.ndarray) -> str:
    """One line per tensor, at a glance: exact?, approximately equal?, largest difference.

    Returns (and prints nothing), e.g.
    ``"dW      | exact: False | approx: True  | maxdiff: 2.2e-16"``.
    Shapes must match exactly; a mismatch is reported, never broadcast.
    """
    got, expected = _asarray(got), _asarray(expected)
    if got.shape != expected.shape:
        return f"{name:<8}| shape {got.shape} != expected {expected.shape}"
    exact = bool(_all(got == expected))
    approx = rel_error(got, expected) < 1e-7
    maxdiff = float(_max(_abs(got - expected))) if got.size else 0.0
    return _("{name}| exact: {exact} | approx: {approx} | maxdiff: {maxdiff}").format(
        name=ljust(name, 8), exact=f"{exact!s:<5}", approx=f"{approx!s:<5}",
        maxdiff=f"{maxdiff:.1e}")
