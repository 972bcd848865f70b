"""The grading toolkit: what every notebook's hidden tests share.

``expect`` compares a learner's array with the reference and names the likely mistake; the
tamper check makes sure nothing it relies on was monkeypatched since ``bpcourse`` was imported
(tests run in the learner's kernel, so ``np.allclose = lambda *a, **k: True`` must not turn a
wrong answer into full marks); the own-work check refuses answers that only call the package's
reference implementation; ``call`` runs a learner's function quietly (nbgrader scores a test
cell 0 on any stderr output). Each ``bpcourse.grading.nbNN`` module imports what it needs from
here at the top; ``bpcourse.grading`` imports them all and then takes the snapshot of the
originals (``snapshot``).

It refuses to print anything: the visible feedback is the assertion message.
"""

from __future__ import annotations

import builtins
import sys
import types
import warnings

import numpy as np

from .. import check as _check
from ..i18n import _
from ..judge import same

__all__ = ["expect", "expect_array", "expect_scalar", "assert_untampered", "TamperingDetected",
           "rng_for", "assert_own_work", "DelegationDetected", "require_written", "call",
           "fail_if_warned", "sigmoid", "snapshot", "passed"]

# Captured at import, like bpcourse.check, so a notebook cell that reassigns them (np.exp = ...)
# cannot change the oracles or the comparisons.
_isfinite, _all, _array_equal, _asarray = np.isfinite, np.all, np.array_equal, np.asarray
_exp, _where = np.exp, np.where


class TamperingDetected(AssertionError):
    """Something the grader relies on was replaced after bpcourse was imported."""


def _watched() -> dict[str, object]:
    watched = {f"numpy.{n}": getattr(np, n) for n in (
        "allclose", "isclose", "array_equal", "abs", "max", "maximum", "sum", "all", "any",
        "asarray", "isfinite", "issubdtype", "zeros", "zeros_like", "random")}
    watched |= {f"numpy.testing.{n}": getattr(np.testing, n) for n in (
        "assert_allclose", "assert_array_equal", "assert_array_almost_equal")}
    watched |= {f"builtins.{n}": getattr(builtins, n) for n in (
        "abs", "max", "min", "float", "int", "len", "isinstance", "all", "any", "sum", "range",
        "AssertionError", "print")}
    watched |= {f"bpcourse.check.{n}": getattr(_check, n) for n in (
        "rel_error", "check_gradient", "diagnose")}
    # Every bpcourse function reachable as an attribute of this module or of a notebook's test
    # module, its own or imported: `nb04.test_linear = lambda *a: None` or
    # `nb04.expect_array = ...` in a learner's cell would otherwise pass that test cell.
    for module in [_THIS, *_WATCHED_MODULES]:
        watched |= {f"{module.__name__}.{n}": v for n, v in vars(module).items()
                    if callable(v) and _is_ours(v)}
    return watched


def _is_ours(value) -> bool:
    return (getattr(value, "__module__", None) or "").startswith("bpcourse.")


def snapshot(modules: list[types.ModuleType]) -> None:
    """Remember the originals of everything watched, including the functions of `modules`
    (the ``nbNN`` test modules). Called once, by ``bpcourse.grading``, after importing them."""
    _WATCHED_MODULES[:] = modules
    _PRISTINE.clear()
    _PRISTINE.update(_watched())


def assert_untampered() -> None:
    """Raise TamperingDetected naming every watched function that no longer is the original."""
    now = _watched()
    changed = [name for name, original in _PRISTINE.items() if now.get(name) is not original]
    if changed:
        raise TamperingDetected(_(
            "tampering detected: {names} was replaced after bpcourse was imported. Restart the "
            "kernel and remove the code that reassigns it; grading compares against the "
            "originals.").format(names=", ".join(changed)))


def passed(what: str) -> None:
    """Print that the visible tests of ``what`` (an exercise's name in code, e.g.
    ``"linear_forward"``) pass, in the learner's language. The one thing here that prints: a
    visible test cell ends with it, so that a learner sees their step is done."""
    print(_("{what}: the visible tests pass").format(what=what))


def rng_for(seed: int) -> np.random.Generator:
    """A fresh seeded generator, so each hidden test case is reproducible from its seed."""
    return np.random.default_rng(seed)


def expect(got, expected, name: str, *, mistakes=(), tol: float = 1e-6, **diagnose_kw) -> float:
    """Compare a learner's array with the reference; on failure name the mistake.

    Args:
        got: the learner's output (must be a float array shaped exactly like expected).
        expected: the reference output, a float array.
        name: what the message calls it, e.g. "linear_backward: dW".
        mistakes: (hint, wrong_output) pairs: what a known buggy implementation returns on the
            same input. If got matches one of them, that hint is the message.
        tol: largest relative error accepted.
        **diagnose_kw: batch_size / upstream for bpcourse.check.diagnose's generic hints.

    Returns:
        The relative error.

    Raises:
        bpcourse.check.GradientMismatch (an AssertionError), or TamperingDetected.
    """
    assert_untampered()
    try:
        return _check.check_gradient(got, expected, name, tol=tol, **diagnose_kw)
    except _check.GradientMismatch as failure:
        got_arr = np.asarray(got, dtype=float) if isinstance(got, np.ndarray) else None
        for hint, wrong in mistakes:
            wrong = np.asarray(wrong, dtype=float)
            if (got_arr is not None and got_arr.shape == wrong.shape
                    and _check.rel_error(got_arr, wrong) < tol):
                raise _check.GradientMismatch(_("{name}: wrong. Likely mistake: {hint}.")
                                              .format(name=name, hint=hint)) from None
        raise failure from None


class DelegationDetected(AssertionError):
    """A graded answer that only calls the package's reference implementation."""


def _names_used(code) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):  # nested functions, lambdas, comprehensions
            names |= _names_used(const)
    return names


def assert_own_work(answer, *references) -> None:
    """Fail if `answer` (a function or class) reaches any of `references` (the package's
    reference functions or classes) through its globals, directly or as a module attribute.

    Args:
        answer: the learner's function, or class (all its methods are inspected).
        references: bpcourse objects the answer must not delegate to, e.g.
            bpcourse.layers.linear_forward.
    """
    if _is_ours(answer):  # e.g. `linear_forward = layers.linear_forward`: the package's own
        raise DelegationDetected(_(
            "{answer} is {reference}, the package's reference implementation: the exercise is "
            "to write it yourself, so this answer earns no points.").format(
                answer=getattr(answer, "__name__", answer),
                reference=f"{answer.__module__}.{getattr(answer, '__qualname__', '')}"))
    functions = [answer] if not isinstance(answer, type) else [
        v for v in vars(answer).values() if hasattr(v, "__code__")]
    for fn in functions:
        code, scope = getattr(fn, "__code__", None), getattr(fn, "__globals__", {})
        if code is None:
            continue
        names = _names_used(code)
        for name in names:
            value = scope.get(name)
            reached = [value] + [getattr(value, attr, None) for attr in names
                                 if isinstance(value, type(np))]
            for ref in references:
                if any(same(r, ref) for r in reached):
                    label = f"{ref.__module__}.{ref.__qualname__}"
                    raise DelegationDetected(_(
                        "{answer} calls {reference}, the package's reference implementation: "
                        "the exercise is to write it yourself, so this answer earns no points.")
                        .format(answer=getattr(answer, "__name__", answer), reference=label))



# ----- calling the learner's code and comparing what it returns -----

def require_written(*answers) -> None:
    """Fail, naming it, for each answer that still raises NotImplementedError (the release's
    placeholder). The visible line of a hidden-test cell, so that the cell fails until the
    exercise is done, also in a release run without the hidden tests.
    """
    for fn in answers:
        functions = [fn] if not isinstance(fn, type) else [
            v for v in vars(fn).values() if hasattr(v, "__code__")]
        for f in functions:
            code = getattr(f, "__code__", None)
            if code is not None and "NotImplementedError" in code.co_names:
                raise AssertionError(_(
                    "{name} is not written yet: replace `raise NotImplementedError()` with your "
                    "code, run its cell, then this one.").format(name=getattr(fn, "__name__", fn)))


def _warning_hints() -> dict[str, str]:
    """A part of numpy's warning -> what it usually means, in the learner's language."""
    return {
        "overflow": _("exp overflowed: exp of a large number is inf"),
        "divide by zero": _("log(0) or a division by 0: a probability underflowed to 0"),
        "invalid value": _("inf / inf or inf − inf gave NaN, usually after exp overflowed"),
    }


def call(fn, name: str, *args, returns: int | None = None, warned: list | None = None):
    """Call the learner's `fn(*args)` quietly and check what comes back.

    numpy warnings are recorded, never printed (nbgrader scores a test cell 0 on any stderr
    output). Pass a list as `warned` to collect their messages, and call ``fail_if_warned``
    after comparing the outputs: a wrong output is then named by its mistake first, and a
    right one that warned is named as unstable.

    Args:
        fn: the learner's function.
        name: its name, for messages.
        args: its arguments.
        returns: if given, fn must return a tuple of that length.
        warned: a list that receives the messages of the numpy warnings raised.

    Returns:
        What fn returned.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            try:
                result = fn(*args)
            except NotImplementedError:
                raise AssertionError(_(
                    "{name} is not written yet (it raises NotImplementedError): replace "
                    "`raise NotImplementedError()` with your code.").format(name=name)) from None
            except AssertionError:
                raise
            except Exception as error:
                shapes = ", ".join(str(getattr(a, "shape", type(a).__name__)) for a in args)
                raise AssertionError(_(
                    "{name} raised {error_type}: {error} (called with arguments of shapes "
                    "{shapes}).").format(name=name, error_type=type(error).__name__,
                                         error=error, shapes=shapes)) from error
    if warned is not None:
        warned.extend(str(w.message) for w in caught)
    if returns is not None and not (isinstance(result, tuple) and len(result) == returns):
        got = (_("a tuple of {count}").format(count=len(result)) if isinstance(result, tuple)
               else type(result).__name__)
        raise AssertionError(_("{name} must return a tuple of {returns} values, got {got}.")
                             .format(name=name, returns=returns, got=got))
    return result


def fail_if_warned(name: str, warned: list, hint: str) -> None:
    """Raise an AssertionError naming the first numpy warning in `warned` and the fix `hint`."""
    if warned:
        message = warned[0]
        why = next((w for key, w in _warning_hints().items() if key in message), message)
        raise AssertionError(_("{name} is not numerically stable: numpy warned '{message}' "
                               "({why}). Likely fix: {hint}.").format(
                                   name=name, message=message, why=why, hint=hint))


def _same_with_nan(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """Equal shapes, NaN/inf in the same places with the same values, the rest close."""
    if a.shape != b.shape:
        return False
    fa, fb = _isfinite(a), _isfinite(b)
    if not _array_equal(fa, fb):
        return False
    if not _array_equal(_where(fa, 0.0, np.nan_to_num(a, nan=7.0)),
                        _where(fb, 0.0, np.nan_to_num(b, nan=7.0))):
        return False
    return _check.rel_error(_where(fa, a, 0.0), _where(fb, b, 0.0)) < tol


def expect_array(got, expected, name: str, *, mistakes=(), tol: float = 1e-6,
                 nonfinite_hint: str | None = None, **diagnose_kw):
    """bpcourse.grading.expect, made safe and specific for answers holding NaN or inf.

    A NaN/inf answer is matched NaN-aware against the mistake models, then named by
    `nonfinite_hint` if given; the comparison itself never emits a numpy warning (a test cell
    must stay silent).

    Args and returns as ``bpcourse.grading.expect``, plus
        nonfinite_hint: the likely mistake when the answer holds NaN or inf and no model fits.
    """
    assert_untampered()
    with np.errstate(all="ignore"):
        if isinstance(got, np.ndarray) and got.dtype.kind == "f" and not _all(_isfinite(got)) \
                and got.shape == _asarray(expected).shape:
            for hint, wrong in mistakes:
                wrong = _asarray(wrong, dtype=float)
                if not _all(_isfinite(wrong)) and _same_with_nan(got.astype(float), wrong, tol):
                    raise _check.GradientMismatch(_("{name}: wrong. Likely mistake: {hint}.")
                                                  .format(name=name, hint=hint))
            if nonfinite_hint:
                raise _check.GradientMismatch(_("{name}: contains NaN or inf. Likely mistake: "
                                                "{hint}.").format(name=name, hint=nonfinite_hint))
        return expect(got, expected, name, mistakes=mistakes, tol=tol, **diagnose_kw)


def expect_scalar(got, expected: float, name: str, *, mistakes=(), tol: float = 1e-6,
                  batch_size: int | None = None, nonfinite_hint: str | None = None) -> float:
    """Compare a number (a loss) with the reference; on failure name the mistake.

    Args:
        got: the learner's value: a float (a numpy float or a 0-d array are fine).
        expected: the reference value.
        name: what the message calls it.
        mistakes: (hint, wrong_value) pairs.
        tol: largest relative error accepted.
        batch_size: N, to recognise a missing or doubled 1/N.
        nonfinite_hint: the likely mistake when the value is NaN or inf and no model fits.
    """
    if isinstance(got, np.ndarray) and got.shape == ():
        got = got.item()
    if isinstance(got, np.ndarray) or not isinstance(got, (int, float, np.number)) \
            or isinstance(got, (bool, np.bool_, complex, np.complexfloating)):
        what = (_("an array of shape {shape}").format(shape=got.shape)
                if isinstance(got, np.ndarray) else type(got).__name__)
        raise AssertionError(_("{name}: must be a single number (a float), got {what}. Reduce "
                               "it with .mean() or .sum() over all elements.").format(
                                   name=name, what=what))
    return expect_array(_asarray(float(got)), _asarray(float(expected)), name,
                        mistakes=[(h, _asarray(float(w))) for h, w in mistakes], tol=tol,
                        batch_size=batch_size, nonfinite_hint=nonfinite_hint)



def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^(−x)), elementwise, without overflow for any float x."""
    # The oracle: exp only ever sees -|x| (no overflow); checked against 1/(1+e^-x) in tests.
    z = _exp(-abs(x))
    return _where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


_THIS = sys.modules[__name__]
_WATCHED_MODULES: list[types.ModuleType] = []
_PRISTINE: dict[str, object] = {}
