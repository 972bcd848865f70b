"""Hidden tests of notebook 06_cost_of_backprop: FLOP accounting, forward mode, memory.

The counting model is the course's (stated in the notebook and in ``bpcourse.flops``): an MLP
with layer sizes ``[m0, m1, ..., mL]`` (widths: m0 inputs, mL outputs) has
P = Σ_l (m(l-1)·m(l) + m(l)) parameters; over n examples the forward pass costs 2·n·P FLOPs
(every parameter takes part in one multiply-add, 2 FLOPs, per example), the backward pass 4·n·P
(every weight in two: one for dW, one for dx), and a central-difference gradient 2P forward
passes, 2P · 2nP. (The seed note's 2PD / 4PD are the same numbers: its D, the amount of data,
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
from .toolkit import assert_own_work, assert_untampered, call, require_written, rng_for

__all__ = ["test_count_params", "test_forward_backward_flops", "test_numeric_gradient_flops",
           "test_dual", "test_forward_mode_gradient", "test_activation_memory",
           "random_layer_sizes", "require_written"]




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
        raise AssertionError(f"{name} must return a number (an int), got "
                             f"{type(value).__name__}.")
    if isinstance(value, (float, np.floating)) and (not np.isfinite(value) or
                                                    value != int(value)):
        raise AssertionError(f"{name} returned {value!r}, which is not a whole number: a count "
                             "of FLOPs or parameters is an int (use // or int(), not /).")
    return int(value)


def _expect_count(got, expected: int, name: str, mistakes) -> None:
    assert_untampered()
    if got == expected:
        return
    for hint, wrong in mistakes:
        if got == wrong:
            raise AssertionError(f"{name}: got {got:,}, expected {expected:,}. Likely mistake: "
                                 f"{hint}.")
    raise AssertionError(f"{name}: got {got:,}, expected {expected:,}.")


def _call(fn, name: str, *args) -> int:
    return _number(call(fn, name, *args), name)


# ----- count_params -----

def test_count_params(count_params, seeds=(91, 92, 93, 94, 95)) -> None:
    """P = Σ over layers of m_in·m_out weights + m_out biases, on fixed and random MLPs."""
    assert_own_work(count_params, _reference.count_params)
    for sizes, _ in _cases(seeds):
        name = f"count_params({sizes})"
        w = _weights(sizes)
        _expect_count(_call(count_params, name, list(sizes)), _params(sizes), name, [
            ("the biases are missing: each layer m_in -> m_out also has m_out biases", w),
            ("each layer's bias has m_out entries (its outputs), not m_in (its inputs)",
             w + sum(sizes[:-1])),
            ("the input has no bias: only the layers' outputs D1..DL have biases",
             w + sum(sizes)),
            ("weights are m_in·m_out for consecutive widths (m(l-1), m(l)), not m(l)²",
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
            ("the factor 2 is missing: a multiply-add is 2 FLOPs", n * p),
            ("n is missing: the forward pass runs once per example in the batch", 2 * p),
            ("the biases are missing from P: use P = Σ (m_in·m_out + m_out)", 2 * n * w),
            ("that is the backward pass's count; the forward pass is 2·n·P", 4 * n * p),
        ] if n > 1 else [("the factor 2 is missing: a multiply-add is 2 FLOPs", n * p)])
        name = f"backward_flops({sizes}, n={n})"
        _expect_count(_call(backward_flops, name, list(sizes), n), 4 * n * p, name, [
            ("only one use of each weight counted: each takes part in two multiply-adds, "
             "one for dW and one for dx, so 4·n·P", 2 * n * p),
            ("that is forward + backward (6·n·P); backward alone is 4·n·P", 6 * n * p),
            ("n is missing: the backward pass runs once per example in the batch", 4 * p),
            ("the biases are missing from P: use P = Σ (m_in·m_out + m_out)", 4 * n * w),
        ] if n > 1 else [("only one use of each weight counted: 4·n·P", 2 * n * p)])


# ----- numeric gradient -----

def test_numeric_gradient_flops(numeric_gradient_flops, seeds=(111, 112, 113, 114)) -> None:
    """Central differences: 2 forward passes per parameter, 2P · 2nP = 4·n·P² FLOPs."""
    assert_own_work(numeric_gradient_flops, _reference.numeric_gradient_flops,
                    _reference.forward_flops, _reference.count_params)
    for sizes, n in _cases(seeds):
        p = _params(sizes)
        name = f"numeric_gradient_flops({sizes}, n={n})"
        _expect_count(_call(numeric_gradient_flops, name, list(sizes), n), 4 * n * p * p, name, [
            ("one forward pass per parameter is a forward difference; central differences "
             "evaluate f(θ + h) and f(θ − h), 2 per parameter", 2 * n * p * p),
            ("the cost of a forward pass is missing: 2P passes of 2·n·P FLOPs each", 2 * p),
            ("n is missing: each forward pass processes the whole batch", 4 * p * p),
            ("2P passes, each 2·n·P: multiply them, don't add", 2 * p + 2 * n * p),
        ])


# ----- forward mode: Dual -----

def _exp(v):
    """e**v for a float or for anything with the contract's .exp() (a Dual)."""
    return v.exp() if hasattr(v, "exp") else math.exp(v)


def _tanh(v):
    return v.tanh() if hasattr(v, "tanh") else math.tanh(v)


# name, the operation on (a, b) in the contract's operations, the mistakes as functions of
# (a, da, b, db) -> the tangent a known buggy Dual returns.
_CHAIN = "multiply by the input's tangent a' (the chain rule): the tangent of f(a) is f'(a)·a'"
_DUAL_OPS = [  # the primitives first: the compound operations may reuse them
    ("a + b", lambda a, b: a + b, []),
    ("a + 2.5", lambda a, b: a + 2.5, []),
    ("a * b", lambda a, b: a * b, [
        ("multiplication's tangent needs the product rule, (ab)' = a'·b + a·b', not a'·b'",
         lambda a, da, b, db: da * db),
        ("multiplication's tangent needs the product rule, (ab)' = a'·b + a·b', not a' + b'",
         lambda a, da, b, db: da + db),
        ("the product rule has two terms, a'·b + a·b': one is missing",
         lambda a, da, b, db: da * b),
        ("the product rule has two terms, a'·b + a·b': one is missing",
         lambda a, da, b, db: a * db)]),
    ("2.0 * a", lambda a, b: 2.0 * a, [
        ("a constant has tangent 0: (2a)' = 2·a'", lambda a, da, b, db: 2.0 * da + a)]),
    ("a ** 3", lambda a, b: a ** 3, [(_CHAIN, lambda a, da, b, db: 3 * a ** 2)]),
    ("a ** 0.5", lambda a, b: a ** 0.5, [(_CHAIN, lambda a, da, b, db: 0.5 * a ** -0.5)]),
    ("a ** -2", lambda a, b: a ** -2, [(_CHAIN, lambda a, da, b, db: -2 * a ** -3)]),
    ("a.exp()", lambda a, b: _exp(a), [(_CHAIN, lambda a, da, b, db: math.exp(a))]),
    ("a.tanh()", lambda a, b: _tanh(a), [
        (_CHAIN, lambda a, da, b, db: 1 - math.tanh(a) ** 2),
        ("(tanh a)' = (1 − tanh² a)·a', not (1 − a²)·a'", lambda a, da, b, db: (1 - a * a) * da)]),
    ("2.5 + a", lambda a, b: 2.5 + a, []),
    ("a - b", lambda a, b: a - b, [
        ("subtraction's tangent is a' − b', not a' + b'", lambda a, da, b, db: da + db)]),
    ("3.0 - a", lambda a, b: 3.0 - a, [
        ("the reflected 3 − a has tangent −a' (__rsub__ computes other − self)",
         lambda a, da, b, db: da)]),
    ("a / b", lambda a, b: a / b, [
        ("the quotient rule: (a/b)' = (a'·b − a·b') / b², not a'/b'",
         lambda a, da, b, db: da / db),
        ("the sign in the quotient rule: (a/b)' = (a'·b − a·b') / b²",
         lambda a, da, b, db: (da * b + a * db) / b ** 2),
        ("b's tangent is missing: (a/b)' = a'/b − a·b'/b²", lambda a, da, b, db: da / b)]),
    ("1.5 / a", lambda a, b: 1.5 / a, [
        ("the reflected 1.5 / a has tangent −1.5·a'/a² (__rtruediv__ computes other / self)",
         lambda a, da, b, db: da / 1.5)]),
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
        raise AssertionError(f"{name} must return a Dual (with .value and .tangent), got "
                             f"{type(result).__name__}: every operation builds a new Dual.")
    return _number_float(result.value, f"{name}.value"), _number_float(result.tangent,
                                                                        f"{name}.tangent")


def _number_float(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise AssertionError(f"{name} must be a number (a float), got {type(value).__name__}.")
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
        raise AssertionError(f"Dual(3.0) has value {value} and tangent {tangent}: expected 3.0 "
                             "and 0.0 (a constant's tangent defaults to 0.0).")
    for seed in seeds:
        r = rng_for(seed)
        a, b = float(r.uniform(0.3, 2.0)), float(r.uniform(0.5, 2.0)) * r.choice([-1, 1])
        da, db = (float(r.uniform(1.2, 2.5)) * r.choice([-1, 1]) for _ in range(2))
        for text, op, mistakes in _DUAL_OPS:
            name = f"{text} with a = Dual({a:.4g}, {da:.4g}), b = Dual({b:.4g}, {db:.4g})"
            got = call(_apply, name, Dual, op, (a, da), (b, db))
            got_value, got_tangent = _dual_parts(got, name)
            assert_untampered()
            expected_value = op(a, b)
            if not _close(got_value, expected_value):
                raise AssertionError(f"{name}: value {got_value:.6g}, expected "
                                     f"{expected_value:.6g}: the value part is the ordinary "
                                     "arithmetic on .value.")
            expected = _central_tangent(op, a, da, b, db)
            if _close(got_tangent, expected, 1e-5):
                continue
            for hint, wrong in mistakes:
                if _close(got_tangent, wrong(a, da, b, db), 1e-9):
                    raise AssertionError(f"{name}: tangent {got_tangent:.6g}, expected "
                                         f"{expected:.6g}. Likely mistake: {hint}.")
            raise AssertionError(f"{name}: tangent {got_tangent:.6g}, expected {expected:.6g} "
                                 "(central differences along the tangents).")


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
        name = f"forward_mode_gradient(f, x) for an f of P = {p} inputs"
        got = call(forward_mode_gradient, name, counted, x)
        assert_untampered()
        if not np.array_equal(x, x_before):
            raise AssertionError(f"{name} changed x: build new Duals from x's numbers; leave "
                                 "x as it was.")
        if calls and not all(hasattr(v, "tangent") for xs in calls for v in xs):
            raise AssertionError(f"{name} called f with plain numbers: forward mode calls f on "
                                 "Dual numbers and reads the tangent of the result (that was "
                                 "numeric differentiation).")
        value = f(list(x))
        if np.ndim(got) == 0 and isinstance(got, (int, float, np.number)) or hasattr(
                got, "tangent"):
            total = float(getattr(got, "tangent", got))
            if len(calls) == 1 and _close(total, float(expected.sum()), 1e-5):
                raise AssertionError(f"{name}: got one number, {total:.6g}. Likely mistake: it "
                                     "seeds every tangent at once: one pass with all tangents 1 "
                                     "gives the sum of the partial derivatives (the derivative "
                                     "along (1, ..., 1)). Seed only x[i]'s tangent with 1, the "
                                     "others 0, one pass per input.")
            raise AssertionError(f"{name} must return P = {p} numbers (an array of shape "
                                 f"({p},)), one partial derivative per input.")
        grad = _gradient_array(got, p, name)
        if np.allclose(grad, expected, rtol=1e-5, atol=1e-7):
            if len(calls) != p:
                raise AssertionError(
                    f"{name}: the gradient is right but f was called {len(calls)} times: "
                    f"forward mode takes one pass per input, P = {p} calls of f, each with "
                    "one input's tangent seeded.")
            continue
        mistakes = [
            ("it seeds every tangent at once: one pass with all tangents 1 gives the sum of "
             "the partials in every entry. Seed only x[i]'s tangent with 1, the others 0, in "
             "pass i", np.full(p, expected.sum())),
            ("the seeds are not reset between passes: in pass i, x[i]'s tangent is 1 and every "
             "other input's 0", np.cumsum(expected)),
            ("it returns f's value in every entry; the partial derivative is the result's "
             ".tangent", np.full(p, value)),
            ("no tangent was seeded: the input x[i] of pass i needs Dual(x[i], 1.0)",
             np.zeros(p)),
        ]
        for hint, wrong in mistakes:
            if np.allclose(grad, wrong, rtol=1e-5, atol=1e-7):
                raise AssertionError(f"{name}: wrong. Likely mistake: {hint}.")
        worst = int(np.argmax(np.abs(grad - expected)))
        raise AssertionError(f"{name}: entry {worst} is {grad[worst]:.6g}, expected "
                             f"{expected[worst]:.6g} (central differences).")


def _gradient_array(got, p: int, name: str) -> np.ndarray:
    try:
        values = [float(getattr(v, "value", v)) if not isinstance(v, (int, float, np.number))
                  else float(v) for v in list(got)]
    except (TypeError, ValueError):
        raise AssertionError(f"{name} must return P = {p} numbers (a list or an array of "
                             f"shape ({p},)), got {type(got).__name__}.") from None
    if len(values) != p:
        raise AssertionError(f"{name} returned {len(values)} numbers, expected P = {p}: one "
                             "partial derivative per input.")
    if any(hasattr(v, "tangent") for v in list(got)):
        raise AssertionError(f"{name} returned Duals: return each pass's .tangent, a float.")
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
            ("it counts the parameters; the memory backward needs is the activations, "
             "n × width per cached array", size * _params(sizes)),
            ("the input is missing: the first Linear caches x (n × m0) for its dW",
             size * n * 2 * hidden),
            ("the batch is missing: every cached array has n rows, one per example",
             size * (sizes[0] + 2 * hidden)),
            ("each hidden layer keeps two arrays: the ReLU caches its input and the next "
             "Linear its input (the ReLU's output)", size * n * (sizes[0] + hidden)),
            ("the last layer's output (the logits) is not cached by the layers",
             size * (numbers + n * sizes[-1])),
            ("that is a count of numbers; multiply by bytes_per_number", numbers),
        ]
        if len(sizes) == 2:  # no hidden layer: the two-array mistakes are the answer
            mistakes = [m for m in mistakes if m[1] != size * numbers]
        _expect_count(got, size * numbers, name, mistakes)
