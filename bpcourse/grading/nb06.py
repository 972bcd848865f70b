"""Hidden tests of notebook 06_cost_of_backprop: FLOP accounting, forward mode, memory.

The counting model is the course's (stated in the notebook and in ``bpcourse.flops``): an MLP
with layer sizes ``[m0, m1, ..., mL]`` (widths: m0 inputs, mL outputs) has
P = Σ_l (m(l-1)·m(l) + m(l)) parameters; over n examples the forward pass costs 2·n·P FLOPs
(every parameter takes part in one multiply-add, 2 FLOPs, per example), the backward pass 4·n·P
(every weight in two: one for dW, one for dx), and a central-difference gradient 2P forward
passes, 2P · 2nP. (Some texts' 2PD / 4PD are the same numbers: their D, the amount of data,
is n.) The oracles below are written here from those sentences, not taken from
``bpcourse.flops`` (the tests of this module cross-check the two).

Forward mode (``Dual``, ``forward_mode_gradient``) is checked against central differences on
floats of the same operations; the activation memory against the notebook's definition: each
Linear caches its input, each hidden ReLU its input, n rows each.
"""

from __future__ import annotations

import math

import numpy as np

from .. import autograd as _autograd
from .. import flops as _reference
from .. import memory as _memory
from .. import numgrad as _numgrad
from ..i18n import _
from .toolkit import assert_own_work, assert_untampered, call, passed, require_written, rng_for

__all__ = ["test_count_params", "test_forward_backward_flops", "test_numeric_gradient_flops",
           "test_dual", "test_forward_mode_gradient", "test_activation_memory",
           "random_layer_sizes", "require_written", "passed", "check_count_params",
           "check_passes", "check_numeric_gradient_flops", "check_dual",
           "check_forward_mode_gradient", "check_activation_memory"]




def random_layer_sizes(seed: int) -> tuple[list[int], int]:
    """A random MLP (2 to 5 widths, each 1 to 500, never all equal) and a batch size n.

    Small enough that every count stays below 2**53, so an answer computed in floats is exact.
    """
    r = np.random.default_rng(seed)
    sizes = [int(v) for v in r.integers(1, 501, size=int(r.integers(2, 6)))]
    if len(set(sizes)) == 1:
        sizes[0] += 1
    return sizes, int(r.integers(1, 513))


def _cases(seeds) -> list[tuple[list[int], int]]:
    fixed = [([2, 3, 1], 4), ([784, 10], 1), ([1, 1], 7), ([10, 20, 30, 40, 5], 32)]
    return fixed + [random_layer_sizes(s) for s in seeds]


def _weights(sizes: list[int]) -> int:
    return sum(sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1))


def _params(sizes: list[int]) -> int:
    """Each Linear layer m_in -> m_out has an (m_in, m_out) weight matrix and an (m_out,) bias."""
    return _weights(sizes) + sum(sizes[1:])


def _number(value, name: str) -> int:
    """The learner's result as an int; a float is fine if it is a whole number."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise AssertionError(_("{name} must return a number (an int), got {type}.").format(
            name=name, type=type(value).__name__))
    if isinstance(value, (float, np.floating)) and (not np.isfinite(value) or
                                                    value != int(value)):
        raise AssertionError(_("{name} returned {value}, which is not a whole number: a count "
                               "of FLOPs or parameters is an int (use // or int(), not /).")
                             .format(name=name, value=repr(value)))
    return int(value)


def _expect_count(got, expected: int, name: str, mistakes) -> None:
    assert_untampered()
    if got == expected:
        return
    for hint, wrong in mistakes:
        if got == wrong:
            raise AssertionError(_("{name}: got {got}, expected {expected}. Likely mistake: "
                                   "{hint}.").format(name=name, got=f"{got:,}",
                                                     expected=f"{expected:,}", hint=hint))
    raise AssertionError(_("{name}: got {got}, expected {expected}.").format(
        name=name, got=f"{got:,}", expected=f"{expected:,}"))


def _call(fn, name: str, *args) -> int:
    return _number(call(fn, name, *args), name)


# ----- count_params -----

def test_count_params(count_params, seeds=(91, 92, 93, 94, 95)) -> None:
    """P = Σ over layers of m_in·m_out weights + m_out biases, on fixed and random MLPs."""
    assert_own_work(count_params, _reference.count_params)
    for sizes, _n in _cases(seeds):
        name = f"count_params({sizes})"
        w = _weights(sizes)
        _expect_count(_call(count_params, name, list(sizes)), _params(sizes), name, [
            (_("the biases are missing: each layer m_in -> m_out also has m_out biases"), w),
            (_("each layer's bias has m_out entries (its outputs), not m_in (its inputs)"),
             w + sum(sizes[:-1])),
            (_("the input has no bias: only the layers' outputs D1..DL have biases"),
             w + sum(sizes)),
            (_("weights are m_in·m_out for consecutive widths (m(l-1), m(l)), not m(l)²"),
             sum(d * d + d for d in sizes[1:])),
        ])


# ----- forward and backward -----

def test_forward_backward_flops(forward_flops, backward_flops, seeds=(101, 102, 103, 104)
                                ) -> None:
    """forward = 2·n·P and backward = 4·n·P, on fixed and random MLPs and batch sizes."""
    assert_own_work(forward_flops, _reference.forward_flops, _reference.count_params)
    assert_own_work(backward_flops, _reference.backward_flops, _reference.count_params)
    for sizes, n in _cases(seeds):
        p, w = _params(sizes), _weights(sizes)
        name = f"forward_flops({sizes}, n={n})"
        _expect_count(_call(forward_flops, name, list(sizes), n), 2 * n * p, name, [
            (_("the factor 2 is missing: a multiply-add is 2 FLOPs"), n * p),
            (_("n is missing: the forward pass runs once per example in the batch"), 2 * p),
            (_("the biases are missing from P: use P = Σ (m_in·m_out + m_out)"), 2 * n * w),
            (_("that is the backward pass's count; the forward pass is 2·n·P"), 4 * n * p),
        ] if n > 1 else [(_("the factor 2 is missing: a multiply-add is 2 FLOPs"), n * p)])
        name = f"backward_flops({sizes}, n={n})"
        _expect_count(_call(backward_flops, name, list(sizes), n), 4 * n * p, name, [
            (_("only one use of each weight counted: each takes part in two multiply-adds, "
               "one for dW and one for dx, so 4·n·P"), 2 * n * p),
            (_("that is forward + backward (6·n·P); backward alone is 4·n·P"), 6 * n * p),
            (_("n is missing: the backward pass runs once per example in the batch"), 4 * p),
            (_("the biases are missing from P: use P = Σ (m_in·m_out + m_out)"), 4 * n * w),
        ] if n > 1 else [(_("only one use of each weight counted: 4·n·P"), 2 * n * p)])


# ----- numeric gradient -----

def test_numeric_gradient_flops(numeric_gradient_flops, seeds=(111, 112, 113, 114)) -> None:
    """Central differences: 2 forward passes per parameter, 2P · 2nP = 4·n·P² FLOPs."""
    assert_own_work(numeric_gradient_flops, _reference.numeric_gradient_flops,
                    _reference.forward_flops, _reference.count_params)
    for sizes, n in _cases(seeds):
        p = _params(sizes)
        name = f"numeric_gradient_flops({sizes}, n={n})"
        _expect_count(_call(numeric_gradient_flops, name, list(sizes), n), 4 * n * p * p, name, [
            (_("one forward pass per parameter is a forward difference; central differences "
               "evaluate f(θ + h) and f(θ − h), 2 per parameter"), 2 * n * p * p),
            (_("the cost of a forward pass is missing: 2P passes of 2·n·P FLOPs each"), 2 * p),
            (_("n is missing: each forward pass processes the whole batch"), 4 * p * p),
            (_("2P passes, each 2·n·P: multiply them, don't add"), 2 * p + 2 * n * p),
        ])


# ----- forward mode: Dual -----

def _exp(v):
    """e**v for a float or for anything with the contract's .exp() (a Dual)."""
    return v.exp() if hasattr(v, "exp") else math.exp(v)


def _tanh(v):
    return v.tanh() if hasattr(v, "tanh") else math.tanh(v)


def _dual_ops() -> list:
    """(name, the operation on (a, b) in the contract's operations, the mistakes as functions of
    (a, da, b, db) -> the tangent a known buggy Dual returns), the primitives first: the
    compound operations may reuse them. Built per call, so the hints are in the learner's
    language of the moment."""
    chain = _("multiply by the input's tangent a' (the chain rule): the tangent of f(a) is "
              "f'(a)·a'")
    product_rule = _("the product rule has two terms, a'·b + a·b': one is missing")
    return [
        ("a + b", lambda a, b: a + b, []),
        ("a + 2.5", lambda a, b: a + 2.5, []),
        ("a * b", lambda a, b: a * b, [
            (_("multiplication's tangent needs the product rule, (ab)' = a'·b + a·b', not "
               "a'·b'"), lambda a, da, b, db: da * db),
            (_("multiplication's tangent needs the product rule, (ab)' = a'·b + a·b', not "
               "a' + b'"), lambda a, da, b, db: da + db),
            (product_rule, lambda a, da, b, db: da * b),
            (product_rule, lambda a, da, b, db: a * db)]),
        ("2.0 * a", lambda a, b: 2.0 * a, [
            (_("a constant has tangent 0: (2a)' = 2·a'"), lambda a, da, b, db: 2.0 * da + a)]),
        ("a ** 3", lambda a, b: a ** 3, [(chain, lambda a, da, b, db: 3 * a ** 2)]),
        ("a ** 0.5", lambda a, b: a ** 0.5, [(chain, lambda a, da, b, db: 0.5 * a ** -0.5)]),
        ("a ** -2", lambda a, b: a ** -2, [(chain, lambda a, da, b, db: -2 * a ** -3)]),
        ("a.exp()", lambda a, b: _exp(a), [(chain, lambda a, da, b, db: math.exp(a))]),
        ("a.tanh()", lambda a, b: _tanh(a), [
            (chain, lambda a, da, b, db: 1 - math.tanh(a) ** 2),
            (_("(tanh a)' = (1 − tanh² a)·a', not (1 − a²)·a'"),
             lambda a, da, b, db: (1 - a * a) * da)]),
        ("2.5 + a", lambda a, b: 2.5 + a, []),
        ("a - b", lambda a, b: a - b, [
            (_("subtraction's tangent is a' − b', not a' + b'"), lambda a, da, b, db: da + db)]),
        ("3.0 - a", lambda a, b: 3.0 - a, [
            (_("the reflected 3 − a has tangent −a' (__rsub__ computes other − self)"),
             lambda a, da, b, db: da)]),
        ("a / b", lambda a, b: a / b, [
            (_("the quotient rule: (a/b)' = (a'·b − a·b') / b², not a'/b'"),
             lambda a, da, b, db: da / db),
            (_("the sign in the quotient rule: (a/b)' = (a'·b − a·b') / b²"),
             lambda a, da, b, db: (da * b + a * db) / b ** 2),
            (_("b's tangent is missing: (a/b)' = a'/b − a·b'/b²"),
             lambda a, da, b, db: da / b)]),
        ("1.5 / a", lambda a, b: 1.5 / a, [
            (_("the reflected 1.5 / a has tangent −1.5·a'/a² (__rtruediv__ computes other / "
               "self)"), lambda a, da, b, db: da / 1.5)]),
        ("(a * b + a.exp()) / (1.0 + b ** 2)",
         lambda a, b: (a * b + _exp(a)) / (1.0 + b ** 2), []),
        ("(a - b).tanh() * a", lambda a, b: _tanh(a - b) * a, []),
    ]


def _apply(Dual, op, a_parts, b_parts):
    return op(Dual(*a_parts), Dual(*b_parts))


def _central_tangent(op, a, da, b, db, h=1e-6) -> float:
    """The oracle: d/dt op(a + t·da, b + t·db) at t = 0, by central differences on floats."""
    return (op(a + h * da, b + h * db) - op(a - h * da, b - h * db)) / (2 * h)


def _dual_parts(result, name: str) -> tuple[float, float]:
    if not (hasattr(result, "value") and hasattr(result, "tangent")):
        raise AssertionError(_("{name} must return a Dual (with .value and .tangent), got "
                               "{type}: every operation builds a new Dual.").format(
                                   name=name, type=type(result).__name__))
    return _number_float(result.value, f"{name}.value"), _number_float(result.tangent,
                                                                        f"{name}.tangent")


def _number_float(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise AssertionError(_("{name} must be a number (a float), got {type}.").format(
            name=name, type=type(value).__name__))
    return float(value)


def _close(got: float, expected: float, tol: float = 1e-6) -> bool:
    return abs(got - expected) <= tol * max(1.0, abs(expected))


def test_dual(Dual, seeds=(121, 122, 123, 124, 125, 126)) -> None:
    """Every operation's value and tangent, at random points and tangents, against central
    differences of the same operation on floats along the tangent direction."""
    assert_untampered()
    made = call(Dual, "Dual(3.0)", 3.0)
    value, tangent = _dual_parts(made, "Dual(3.0)")
    if value != 3.0 or tangent != 0.0:
        raise AssertionError(_("Dual(3.0) has value {value} and tangent {tangent}: expected "
                               "3.0 and 0.0 (a constant's tangent defaults to 0.0).").format(
                                   value=value, tangent=tangent))
    for seed in seeds:
        r = rng_for(seed)
        a, b = float(r.uniform(0.3, 2.0)), float(r.uniform(0.5, 2.0)) * r.choice([-1, 1])
        da, db = (float(r.uniform(1.2, 2.5)) * r.choice([-1, 1]) for _ in range(2))
        for text, op, mistakes in _dual_ops():
            name = _("{operation} with a = {a}, b = {b}").format(
                operation=text, a=f"Dual({a:.4g}, {da:.4g})", b=f"Dual({b:.4g}, {db:.4g})")
            got = call(_apply, name, Dual, op, (a, da), (b, db))
            got_value, got_tangent = _dual_parts(got, name)
            assert_untampered()
            expected_value = op(a, b)
            if not _close(got_value, expected_value):
                raise AssertionError(_("{name}: value {got}, expected {expected}: the value "
                                       "part is the ordinary arithmetic on .value.").format(
                                           name=name, got=f"{got_value:.6g}",
                                           expected=f"{expected_value:.6g}"))
            expected = _central_tangent(op, a, da, b, db)
            if _close(got_tangent, expected, 1e-5):
                continue
            for hint, wrong in mistakes:
                if _close(got_tangent, wrong(a, da, b, db), 1e-9):
                    raise AssertionError(_("{name}: tangent {got}, expected {expected}. "
                                           "Likely mistake: {hint}.").format(
                                               name=name, got=f"{got_tangent:.6g}",
                                               expected=f"{expected:.6g}", hint=hint))
            raise AssertionError(_("{name}: tangent {got}, expected {expected} (central "
                                   "differences along the tangents).").format(
                                       name=name, got=f"{got_tangent:.6g}",
                                       expected=f"{expected:.6g}"))


# ----- forward mode: the gradient, one pass per input -----

def _random_scalar_function(seed: int):
    """A smooth scalar f of P inputs, P and a point x; f takes a sequence and uses only the
    contract's operations, so the same f runs on floats (the oracle) and on Duals."""
    r = rng_for(seed)
    p = int(r.integers(2, 9))
    w = [float(v) for v in r.uniform(-1.5, 1.5, size=p)]
    v = [float(v) for v in r.uniform(-1.0, 1.0, size=p)]

    def f(xs):
        xs = list(xs)
        total = _tanh(sum((v[i] * xs[i] for i in range(1, p)), v[0] * xs[0]))
        for i in range(p):
            total = total + w[i] * xs[i] * xs[(i + 1) % p] / (1.0 + xs[i] ** 2)
        return total + _exp(xs[0] * 0.5)

    return f, p, r.uniform(-1.5, 1.5, size=p)


def _central_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.empty(len(x))
    for i in range(len(x)):
        step = np.zeros(len(x))
        step[i] = h
        grad[i] = (f(list(x + step)) - f(list(x - step))) / (2 * h)
    return grad


def test_forward_mode_gradient(forward_mode_gradient, seeds=(131, 132, 133, 134, 135)) -> None:
    """On random smooth functions of 2 to 8 inputs: the gradient, against central
    differences, from exactly P calls of f, each with Dual inputs; x is left unchanged."""
    assert_own_work(forward_mode_gradient, _numgrad.numerical_gradient, _autograd.Value)
    for seed in seeds:
        f, p, x = _random_scalar_function(seed)
        expected = _central_gradient(f, x)
        calls: list[list] = []

        def counted(xs, f=f, calls=calls):
            calls.append(list(xs))
            return f(xs)

        x_before = x.copy()
        name = _("forward_mode_gradient(f, x) for an f of P = {p} inputs").format(p=p)
        got = call(forward_mode_gradient, name, counted, x)
        assert_untampered()
        if not np.array_equal(x, x_before):
            raise AssertionError(_("{name} changed x: build new Duals from x's numbers; leave "
                                   "x as it was.").format(name=name))
        if calls and not all(hasattr(v, "tangent") for xs in calls for v in xs):
            raise AssertionError(_("{name} called f with plain numbers: forward mode calls f "
                                   "on Dual numbers and reads the tangent of the result (that "
                                   "was numeric differentiation).").format(name=name))
        value = f(list(x))
        if np.ndim(got) == 0 and isinstance(got, (int, float, np.number)) or hasattr(
                got, "tangent"):
            total = float(getattr(got, "tangent", got))
            if len(calls) == 1 and _close(total, float(expected.sum()), 1e-5):
                raise AssertionError(_("{name}: got one number, {total}. Likely mistake: it "
                                       "seeds every tangent at once: one pass with all tangents "
                                       "1 gives the sum of the partial derivatives (the "
                                       "derivative along (1, ..., 1)). Seed only x[i]'s tangent "
                                       "with 1, the others 0, one pass per input.").format(
                                           name=name, total=f"{total:.6g}"))
            raise AssertionError(_("{name} must return P = {p} numbers (an array of shape "
                                   "({p},)), one partial derivative per input.").format(
                                       name=name, p=p))
        grad = _gradient_array(got, p, name)
        if np.allclose(grad, expected, rtol=1e-5, atol=1e-7):
            if len(calls) != p:
                raise AssertionError(
                    _("{name}: the gradient is right but f was called {calls} times: forward "
                      "mode takes one pass per input, P = {p} calls of f, each with one "
                      "input's tangent seeded.").format(name=name, calls=len(calls), p=p))
            continue
        mistakes = [
            (_("it seeds every tangent at once: one pass with all tangents 1 gives the sum of "
               "the partials in every entry. Seed only x[i]'s tangent with 1, the others 0, in "
               "pass i"), np.full(p, expected.sum())),
            (_("the seeds are not reset between passes: in pass i, x[i]'s tangent is 1 and "
               "every other input's 0"), np.cumsum(expected)),
            (_("it returns f's value in every entry; the partial derivative is the result's "
               ".tangent"), np.full(p, value)),
            (_("no tangent was seeded: the input x[i] of pass i needs Dual(x[i], 1.0)"),
             np.zeros(p)),
        ]
        for hint, wrong in mistakes:
            if np.allclose(grad, wrong, rtol=1e-5, atol=1e-7):
                raise AssertionError(_("{name}: wrong. Likely mistake: {hint}.").format(
                    name=name, hint=hint))
        worst = int(np.argmax(np.abs(grad - expected)))
        raise AssertionError(_("{name}: entry {worst} is {got}, expected {expected} (central "
                               "differences).").format(name=name, worst=worst,
                                                       got=f"{grad[worst]:.6g}",
                                                       expected=f"{expected[worst]:.6g}"))


def _gradient_array(got, p: int, name: str) -> np.ndarray:
    try:
        values = [float(getattr(v, "value", v)) if not isinstance(v, (int, float, np.number))
                  else float(v) for v in list(got)]
    except (TypeError, ValueError):
        raise AssertionError(_("{name} must return P = {p} numbers (a list or an array of "
                               "shape ({p},)), got {type}.").format(
                                   name=name, p=p, type=type(got).__name__)) from None
    if len(values) != p:
        raise AssertionError(_("{name} returned {count} numbers, expected P = {p}: one "
                               "partial derivative per input.").format(
                                   name=name, count=len(values), p=p))
    if any(hasattr(v, "tangent") for v in list(got)):
        raise AssertionError(_("{name} returned Duals: return each pass's .tangent, a "
                               "float.").format(name=name))
    return np.array(values)


# ----- memory: what the forward pass keeps for backward -----

def _activations(sizes: list[int], n: int) -> int:
    """Each Linear caches its input (n × its input width: the data x for the first layer);
    each hidden layer's ReLU caches its own input too: n·(m0 + 2·Σ hidden widths)."""
    return n * (sizes[0] + 2 * sum(sizes[1:-1]))


def test_activation_memory(activation_memory, seeds=(141, 142, 143, 144)) -> None:
    """Bytes of the cached activations, on fixed and random MLPs, batch sizes, 4 or 8 bytes."""
    assert_own_work(activation_memory, _memory.activation_bytes, _memory.activation_count)
    cases = [([2, 3, 1], 4, 8), ([784, 128, 10], 64, 8), ([10, 20, 30, 40, 5], 32, 4),
             ([5, 7], 3, 8)]
    cases += [(*random_layer_sizes(s), (8, 4)[s % 2]) for s in seeds]
    for sizes, n, size in cases:
        numbers, hidden = _activations(sizes, n), sum(sizes[1:-1])
        if size == 8 and sizes == [2, 3, 1]:
            name, args = f"activation_memory({sizes}, n={n})", (list(sizes), n)
        else:
            name = f"activation_memory({sizes}, n={n}, bytes_per_number={size})"
            args = (list(sizes), n, size)
        got = _number(call(activation_memory, name, *args), name)
        mistakes = [
            (_("it counts the parameters; the memory backward needs is the activations, "
               "n × width per cached array"), size * _params(sizes)),
            (_("the input is missing: the first Linear caches x (n × m0) for its dW"),
             size * n * 2 * hidden),
            (_("the batch is missing: every cached array has n rows, one per example"),
             size * (sizes[0] + 2 * hidden)),
            (_("each hidden layer keeps two arrays: the ReLU caches its input and the next "
               "Linear its input (the ReLU's output)"), size * n * (sizes[0] + hidden)),
            (_("the last layer's output (the logits) is not cached by the layers"),
             size * (numbers + n * sizes[-1])),
            (_("that is a count of numbers; multiply by bytes_per_number"), numbers),
        ]
        if len(sizes) == 2:  # no hidden layer: the two-array mistakes are the answer
            mistakes = [m for m in mistakes if m[1] != size * numbers]
        _expect_count(got, size * numbers, name, mistakes)


# ----- what the visible tests check: the same conditions as the tests once written in the cells,
# their words here, in the learner's language -----

def check_count_params(count_params) -> None:
    """count_params on [2, 3, 1] (13) and [784, 128, 10] (101,770)."""
    got = count_params([2, 3, 1])
    if not got == 13:
        raise AssertionError(_("count_params([2, 3, 1]) = {got}, expected 13 "
                               "(2·3 + 3 + 3·1 + 1)").format(got=got))
    got = count_params([784, 128, 10])
    if not got == 101_770:
        raise AssertionError(_("count_params([784, 128, 10]) = {got}, expected 101,770 "
                               "(784·128 + 128 + 128·10 + 10)").format(got=got))


def check_passes(forward_flops, backward_flops) -> None:
    """forward_flops and backward_flops of [2, 3, 1] on n = 4: 104 and 208."""
    got = forward_flops([2, 3, 1], 4)
    if not got == 104:
        raise AssertionError(_("forward_flops([2, 3, 1], 4) = {got}, expected 2·4·13 = "
                               "104").format(got=got))
    got = backward_flops([2, 3, 1], 4)
    if not got == 208:
        raise AssertionError(_("backward_flops([2, 3, 1], 4) = {got}, expected 4·4·13 = "
                               "208").format(got=got))


def check_numeric_gradient_flops(numeric_gradient_flops) -> None:
    """numeric_gradient_flops of [2, 3, 1] on n = 4: 2 · 13 · 104 = 2,704."""
    got = numeric_gradient_flops([2, 3, 1], 4)
    if not got == 2 * 13 * 104:
        raise AssertionError(_("numeric_gradient_flops([2, 3, 1], 4) = {got}, expected "
                               "2·13·104 = 2,704").format(got=got))


def check_dual(Dual) -> None:
    """The product rule on Dual(3, 1) * Dual(2, 0), then every operation at x = Dual(0.5, 2.0)
    against f(0.5) and f'(0.5) · 2 (the chain rule multiplies by x's tangent)."""
    a, b = Dual(3.0, 1.0), Dual(2.0, 0.0)   # a moves with speed 1, b is held still
    p = a * b
    if not (p.value, p.tangent) == (6.0, 2.0):
        raise AssertionError(_("Dual(3, 1) * Dual(2, 0) = Dual({value}, {tangent}), expected "
                               "Dual(6, 2). {hint}").format(
            value=p.value, tangent=p.tangent,
            hint=_("Likely mistake: the tangent a'·b' = 1·0 = 0; multiplication needs the "
                   "product rule, a'·b + a·b' = 1·2 + 3·0") if p.tangent == 0 else
            _("The product rule: a'·b + a·b' = 1·2 + 3·0 = 2")))
    x = Dual(0.5, 2.0)          # tangent 2: the chain rule multiplies f'(x) by it
    for name, got, value, slope in [
            ("x + 1", x + 1, 1.5, 1.0), ("1 - x", 1 - x, 0.5, -1.0), ("x / 2", x / 2, 0.25, 0.5),
            ("2 / x", 2 / x, 4.0, -8.0), ("x ** 3", x ** 3, 0.125, 0.75),
            ("x.exp()", x.exp(), math.exp(0.5), math.exp(0.5)),
            ("x.tanh()", x.tanh(), math.tanh(0.5), 1 - math.tanh(0.5) ** 2)]:
        want = slope * 2.0      # f'(x) · x's tangent
        if not (abs(got.value - value) < 1e-12 and abs(got.tangent - want) < 1e-12):
            message = _("{name} with x = Dual(0.5, 2.0): got Dual({got_value}, {got_tangent}), "
                        "expected Dual({value}, {tangent})").format(
                name=name, got_value=f"{got.value:.6g}", got_tangent=f"{got.tangent:.6g}",
                value=f"{value:.6g}", tangent=f"{want:.6g}")
            if abs(got.tangent - slope) < 1e-12:
                message += _(". Likely mistake: f'(x) must be multiplied by x's tangent, 2 (the "
                             "chain rule)")
            raise AssertionError(message)


def check_forward_mode_gradient(forward_mode_gradient) -> None:
    """The gradient of f = x0·x1 + 3·x2 at (1, 2, 3): (2, 1, 3), from 3 calls of f."""
    passes = []

    def f(xs):                      # f = x0·x1 + 3·x2: ∇f = (x1, x0, 3)
        passes.append(1)
        return xs[0] * xs[1] + 3.0 * xs[2]

    got = forward_mode_gradient(f, [1.0, 2.0, 3.0])
    if not (np.ndim(got) == 1 and len(got) == 3):
        raise AssertionError(_("forward_mode_gradient returned {got}, expected 3 partial "
                               "derivatives [2, 1, 3]. Likely mistake, if it is the single "
                               "number 6: it seeds every tangent at once, which gives the SUM "
                               "of the partials; seed one input per pass.").format(
                                   got=repr(got)))
    got = np.asarray(got, dtype=float)
    if not np.allclose(got, [2.0, 1.0, 3.0]):
        message = _("forward_mode_gradient(f, [1, 2, 3]) = {got}, expected [2, 1, 3]").format(
            got=got)
        if np.allclose(got, 6.0):
            message += _(". Likely mistake: it seeds every tangent at once (6 = 2 + 1 + 3 is "
                         "the sum of the partials); in pass i only x[i] has tangent 1")
        raise AssertionError(message)
    if not len(passes) == 3:
        raise AssertionError(_("f was called {calls} times; forward mode: one pass per "
                               "input").format(calls=len(passes)))


def check_activation_memory(activation_memory) -> None:
    """activation_memory([2, 3, 1], 4) = 256 bytes (128 with 4 bytes per number), naming the
    mistake behind each likely wrong count."""
    got = activation_memory([2, 3, 1], 4)
    likely = {104: _("104 = 8 · 13 counts the 13 parameters, not the activations"),
              192: _("192 leaves out the input x, which the first Linear caches for its dW"),
              64: _("64 leaves out the batch: every cached array has n = 4 rows"),
              160: _("160 counts the hidden layer once: the ReLU caches its input and the next "
                     "Linear caches the ReLU's output"),
              32: _("32 is the count of numbers; multiply by bytes_per_number")}
    if not got == 256:
        raise AssertionError(_("activation_memory([2, 3, 1], 4) = {got}, expected 8 bytes · 4 · "
                               "(2 + 3 + 3) = 256. {hint}").format(
                                   got=got, hint=likely.get(got, "")))
    got = activation_memory([2, 3, 1], 4, bytes_per_number=4)
    if not got == 128:
        raise AssertionError(_("with bytes_per_number=4 (float32): got {got}, expected "
                               "128").format(got=got))
