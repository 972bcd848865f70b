"""What the notebooks' test cells call.

Each notebook has a module here (``nb01`` ... ``nb06``) whose ``test_*`` functions take the
learner's function or class, run it on random shapes and seeds, compare it with an independent
oracle (central differences in float64, or an analytic formula) and raise an AssertionError whose
message names the likely mistake. Nothing here prints: nbgrader scores a test cell 0 on any
stderr output, and the visible feedback is the assertion message.

``expect`` is the shared comparison. It first checks that nothing the comparison relies on was
monkeypatched since ``bpcourse`` was imported (numpy's comparison functions, builtins, this
package's own checkers): tests run in the learner's kernel, so a cell like
``np.allclose = lambda *a, **k: True`` must not turn a wrong answer into full marks.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import sys

import numpy as np

from .. import check as _check

__all__ = ["expect", "assert_untampered", "TamperingDetected", "rng_for", "assert_own_work",
           "DelegationDetected"]


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
    watched["bpcourse.grading.expect"] = expect
    watched["bpcourse.grading.assert_own_work"] = assert_own_work
    # The notebooks' test functions and their helpers: `nb04.test_linear = lambda *a: None`
    # in a learner's cell would otherwise pass that test cell.
    for module in [sys.modules.get(f"{__name__}.nb0{k}") for k in range(1, 7)]:
        if module is not None:
            watched |= {f"{module.__name__}.{n}": v for n, v in vars(module).items()
                        if callable(v) and getattr(v, "__module__", None) == module.__name__}
    return watched


def assert_untampered() -> None:
    """Raise TamperingDetected naming every watched function that no longer is the original."""
    now = _watched()
    changed = [name for name, original in _PRISTINE.items() if now.get(name) is not original]
    if changed:
        raise TamperingDetected(
            "tampering detected: " + ", ".join(changed) + " was replaced after bpcourse was "
            "imported. Restart the kernel and remove the code that reassigns it; grading "
            "compares against the originals."
        )


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
            if got_arr is not None and got_arr.shape == wrong.shape \
                    and _check.rel_error(got_arr, wrong) < tol:
                raise _check.GradientMismatch(f"{name}: wrong. Likely mistake: {hint}.") \
                    from None
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
                if any(r is ref for r in reached):
                    label = f"{ref.__module__}.{ref.__qualname__}"
                    raise DelegationDetected(
                        f"{getattr(answer, '__name__', answer)} calls {label}, the package's "
                        "reference implementation: the exercise is to write it yourself, so "
                        "this answer earns no points.")


# Load the per-notebook test modules now, so that their functions are the ones captured below.
for _name in ("nb01", "nb02", "nb03", "nb04", "nb05", "nb06"):
    if importlib.util.find_spec(f"{__name__}.{_name}") is not None:
        importlib.import_module(f"{__name__}.{_name}")

_PRISTINE = _watched()
