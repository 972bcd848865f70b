"""Tests for notebook 01_numerical_gradients: ``numerical_gradient`` and ``rel_error``.

The oracle is analytic: the test functions are chosen so that the exact gradient (and even the
exact central difference for a given step h) is a formula. Each known mistake is modelled by
computing, on the same input, what the buggy implementation would return; when the learner's
output matches one, the AssertionError names it.
"""

from __future__ import annotations

import numpy as np

from .. import check as _check
from .. import numgrad as _numgrad
from ..i18n import _
from .toolkit import assert_own_work, expect, require_written, rng_for

__all__ = ["test_numerical_gradient", "test_numerical_gradient_step", "test_rel_error",
           "check_unchanged", "check_rel_error_example", "require_written"]

# Captured at import, so a notebook cell that reassigns them cannot change the oracle.
_exp, _abs, _max, _maximum, _mean, _sum = np.exp, np.abs, np.max, np.maximum, np.mean, np.sum
_array, _asarray, _array_equal, _isfinite = np.array, np.asarray, np.array_equal, np.isfinite
_ndim, _shape = np.ndim, np.shape




# ----- numerical_gradient -----

def _smooth_problem(rng, shape):
    """f(x) = ½ Σ a·e^{2x} + ½ (b·x)², with its exact gradient a·e^{2x} + (b·x) b.

    Curved enough (f'' = 2 f' along each axis) that a forward difference is off by ~h = 1e-5
    relative, a hundred thousand times more than a central difference.
    """
    a = rng.uniform(1.0, 2.0, size=shape)
    b = rng.uniform(-1.0, 1.0, size=shape) * 0.3
    x = rng.uniform(-1.0, 1.0, size=shape)

    def f(v):
        return float(0.5 * _sum(a * _exp(2.0 * v)) + 0.5 * _sum(b * v) ** 2)

    def exact(v):
        return a * _exp(2.0 * v) + _sum(b * v) * b

    return f, x, exact


def _forward_difference(f, x, h):
    x = x.copy()
    grad, fx = np.zeros_like(x), f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - fx) / h
        x[i] = old
    return grad


def _central(f, x, h, perturb):
    """Central differences where perturb(x, i, step) changes x in place (the buggy variants
    perturb more than one element)."""
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x.copy()
        perturb(x, i, h)
        f_plus = f(x)
        x[...] = saved
        perturb(x, i, -h)
        f_minus = f(x)
        x[...] = saved
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _whole_array(x, i, step):
    x += step


def _first_axis_only(x, i, step):
    x[i[0]] += step


def _not_restored(f, x, h):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _call(numerical_gradient, f, x, **kw):
    try:
        return numerical_gradient(f, x, **kw)
    except NotImplementedError:
        raise AssertionError(_("numerical_gradient is not written yet: its answer cell still "
                               "raises NotImplementedError.")) from None
    except AssertionError:
        raise
    except Exception as err:  # the learner's code crashed: say where, not a bare traceback
        raise AssertionError(_(
            "numerical_gradient raised {error}: {message} (x of shape {shape}). Loop over every "
            "index of x with np.ndindex(x.shape) and call f(x) on the whole array.").format(
                error=type(err).__name__, message=err, shape=x.shape)) from None


def check_unchanged(x, x_before, name: str) -> None:
    """Fail, naming the likely mistake, when the learner's call left x changed.

    Args:
        x: the array the learner's numerical_gradient was given, after the call.
        x_before: a copy taken before the call.
        name: what the message calls the call, e.g. "numerical_gradient".
    """
    if not _array_equal(x, x_before):
        raise AssertionError(_(
            "{name}: x was changed by the call. Likely mistake: the input is not restored: "
            "after evaluating f at x[i] + h and x[i] - h, set x[i] back to its old value."
        ).format(name=name))


def _check_result(got, x, x_before, name):
    check_unchanged(x, x_before, name)
    if got is x:
        raise AssertionError(_("{name}: returned x itself; return a new array "
                               "(np.zeros_like(x)) holding the gradient.").format(name=name))


def test_numerical_gradient(numerical_gradient, seeds=(1, 2, 3, 4, 5)) -> None:
    """Central differences on random shapes (1-D, non-square 2-D, 3-D) against the exact gradient.

    Named mistakes: forward difference, dividing by h instead of 2h, perturbing the whole array,
    looping over the first axis only, not restoring x, returning the wrong shape.
    """
    assert_own_work(numerical_gradient, _numgrad.numerical_gradient,
                    _numgrad.numerical_gradient_array)
    for seed in seeds:
        rng = rng_for(seed)
        ndim = 1 + seed % 3
        shape = tuple(int(n) for n in rng.integers(1, 6, size=ndim))
        if ndim == 2 and shape[0] == shape[1]:
            shape = (shape[0], shape[1] + 1)  # non-square
        f, x, exact = _smooth_problem(rng, shape)
        x_before = x.copy()
        name = _("numerical_gradient (x of shape {shape}, seed {seed})").format(
            shape=shape, seed=seed)
        got = _call(numerical_gradient, f, x)
        _check_result(got, x, x_before, name)
        h = 1e-5
        mistakes = [
            (_("a forward difference (f(x+h) - f(x)) / h: its error is of order h; use the "
               "central difference (f(x+h) - f(x-h)) / (2h), whose error is of order h²"),
             _forward_difference(f, x, h)),
            (_divided_by_h(), 2 * exact(x)),
            (_("the input is not restored: after evaluating f at x[i] + h and x[i] - h, set "
               "x[i] back to its old value before moving to the next element"),
             _not_restored(f, x, h)),
            (_("the whole array was perturbed at once (x + h): perturb ONE element at a time, "
               "x[i] += h, so each entry gets its own partial derivative"),
             _central(f, x, h, _whole_array)),
        ]
        if ndim > 1:
            mistakes.append((
                _("the loop runs over the first axis only (for i in range(len(x))), so x[i] is "
                  "a whole row: loop over every element with np.ndindex(x.shape)"),
                _central(f, x, h, _first_axis_only)))
        expect(got, exact(x), name, mistakes=mistakes, tol=1e-6)


def test_numerical_gradient_step(numerical_gradient, seeds=(11, 12, 13)) -> None:
    """The step h is honoured: for f = Σ c·x³ the central difference is exactly 3c·x² + c·h²."""
    for seed in seeds:
        rng = rng_for(seed)
        shape = (int(rng.integers(2, 5)), int(rng.integers(5, 8)))
        c = rng.uniform(0.5, 2.0, size=shape)
        x = rng.uniform(0.2, 1.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
        h = float(rng.choice([1e-2, 3e-2]))

        def f(v, c=c):
            return float(_sum(c * v**3))

        x_before = x.copy()
        name = _("numerical_gradient(f, x, h={h}) (x of shape {shape}, seed {seed})").format(
            h=f"{h:g}", shape=shape, seed=seed)
        got = _call(numerical_gradient, f, x, h=h)
        _check_result(got, x, x_before, name)
        expected = 3 * c * x**2 + c * h**2
        mistakes = [
            (_("the h argument is ignored: use the step that was passed in, not a fixed 1e-5"),
             3 * c * x**2 + c * 1e-10),
            (_("a forward difference (f(x+h) - f(x)) / h: use the central difference "
               "(f(x+h) - f(x-h)) / (2h)"), 3 * c * x**2 + 3 * c * x * h + c * h**2),
            (_divided_by_h(), 2 * expected),
        ]
        expect(got, expected, name, mistakes=mistakes, tol=1e-8)


def _divided_by_h() -> str:
    return _("divided by h instead of 2h: the two evaluations are 2h apart")


# ----- rel_error -----

def _rel_error_problem(rng, shape, opposite):
    """a, b with magnitudes from 1e-3 to 1e3 and relative differences from 1e-9 to 1e-1.

    One pair is (0, 0), which needs the 1e-8 floor; the pair with the largest ratio has
    a < b, so a missing abs in the numerator shows. With `opposite`, one pair has opposite
    signs (its ratio is exactly 1, the max), which tells |a| + |b| from |a + b|.
    """
    a = rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 3, size=shape)
    eps = 10.0 ** rng.uniform(-9, -1, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    b = a * (1 + eps)
    flat_a, flat_b = a.reshape(-1), b.reshape(-1)
    flat_a[0] = flat_b[0] = 0.0
    worst = int(np.argmax(_abs(flat_a - flat_b) / _maximum(1e-8, _abs(flat_a) + _abs(flat_b))))
    if flat_a[worst] > flat_b[worst]:
        flat_a[worst], flat_b[worst] = flat_b[worst], flat_a[worst]
    if opposite:
        k = flat_a.size // 2 if flat_a.size // 2 != worst else 1
        flat_b[k] = -flat_a[k] * rng.uniform(0.5, 2.0)
    return a, b


def test_rel_error(rel_error, seeds=(21, 22, 23, 24)) -> None:
    """rel_error on random shapes, with zero pairs, opposite signs and magnitudes from 1e-3 to 1e3.

    Named mistakes: no 1e-8 floor (NaN at 0/0), mean instead of max, |a + b| instead of
    |a| + |b|, a missing abs in the numerator, max|a-b| / max(|a|+|b|), an array returned.
    """
    assert_own_work(rel_error, _check.rel_error)
    for seed in seeds:
        rng = rng_for(seed)
        shape = tuple(int(n) for n in rng.integers(2, 6, size=1 + seed % 2))
        a, b = _rel_error_problem(rng, shape, opposite=seed % 4 == 0)
        a_before, b_before = a.copy(), b.copy()
        name = _("rel_error (arrays of shape {shape}, seed {seed})").format(
            shape=shape, seed=seed)
        try:
            got = rel_error(a, b)
        except NotImplementedError:
            raise AssertionError(_("rel_error is not written yet: its answer cell still raises "
                                   "NotImplementedError.")) from None
        except Exception as err:
            raise AssertionError(_(
                "{name} raised {error}: {message}. Use numpy's elementwise np.maximum(1e-8, ...) "
                "(Python's max() does not work on arrays).").format(
                    name=name, error=type(err).__name__, message=err)) from None
        if not (_array_equal(a, a_before) and _array_equal(b, b_before)):
            raise AssertionError(_("{name}: the inputs a and b were changed; compute on "
                                   "copies.").format(name=name))
        arr = _asarray(got, dtype=float) if got is not None else None
        if arr is None:
            raise AssertionError(_("{name}: got None. Did the function forget to "
                                   "`return`?").format(name=name))
        if arr.size != 1:
            raise AssertionError(_(
                "{name}: returned an array of shape {shape}; return one number, the max over "
                "the elements (np.max(...)).").format(name=name, shape=arr.shape))
        if not _isfinite(arr).all():
            raise AssertionError(_no_floor(name, float(arr.reshape(-1)[0])))
        diff, size = _abs(a - b), _abs(a) + _abs(b)
        ratio = diff / _maximum(1e-8, size)
        mistakes = [
            (_mean_not_max(), _mean(ratio)),
            (_("|a + b| in the denominator instead of |a| + |b|"),
             _max(diff / _maximum(1e-8, _abs(a + b)))),
            (_("no abs in the numerator: use |a - b|"), _max((a - b) / _maximum(1e-8, size))),
            (_("the ratio of the maxima, max|a-b| / max(|a|+|b|): divide element by element, "
               "then take the max"), _max(diff) / max(1e-8, float(_max(size)))),
        ]
        expect(_array([float(arr.reshape(-1)[0])]), _array([_max(ratio)]), name,
               mistakes=[(hint, _array([wrong])) for hint, wrong in mistakes], tol=1e-9)


def _mean_not_max() -> str:
    return _("the mean over elements instead of the max")


def _no_floor(name: str, got: float) -> str:
    return _("{name}: got {got}. Likely mistake: 0/0 where a and b are both 0: divide by "
             "np.maximum(1e-8, |a| + |b|), not by |a| + |b|.").format(name=name, got=got)


def check_rel_error_example(got, a, b) -> None:
    """The visible test of rel_error: ``got = rel_error(a, b)`` on the notebook's small example.

    Fails when got is not one number (0-d), when it is NaN or inf (the 1e-8 floor is missing),
    or when it differs from the max of the elementwise ratios, naming the mean instead of the
    max. The reference is computed here from a and b, not by the learner's code.
    """
    if _ndim(got) != 0:
        raise AssertionError(_("rel_error must return one number, got shape {shape}").format(
            shape=_shape(got)))
    if not _isfinite(got):
        raise AssertionError(_no_floor("rel_error", float(got)))
    diff, size = _abs(a - b), _abs(a) + _abs(b)
    ratio = diff / _maximum(1e-8, size)
    expect(_array([float(got)]), _array([_max(ratio)]), "rel_error", tol=1e-12,
           mistakes=[(_mean_not_max(), _array([_mean(ratio)]))])
