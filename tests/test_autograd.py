"""Value, the scalar engine: each local derivative, the chain rule through graphs of any shape."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, reject
from hypothesis import strategies as st

from bpcourse.autograd import Value

H = 1e-5


def central_difference(f, x: float, h: float = H) -> float:
    """The oracle for a function of one float: (f(x + h) - f(x - h)) / 2h."""
    return (f(x + h) - f(x - h)) / (2 * h)


def extrapolated_difference(f, x: float, h: float = 1e-4) -> float:
    """Central differences at h and h/2, Richardson-extrapolated: error O(h⁴) instead of
    O(h²), for random graphs whose third derivatives can be large."""
    return (4 * central_difference(f, x, h / 2) - central_difference(f, x, h)) / 3


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


# name: (build from a Value, forward formula, derivative formula, domain of x)
UNARY = {
    "exp": (lambda a: a.exp(), math.exp, math.exp, (-5, 5)),
    "log": (lambda a: a.log(), math.log, lambda x: 1 / x, (0.1, 10)),
    "tanh": (lambda a: a.tanh(), math.tanh, lambda x: 1 - math.tanh(x) ** 2, (-4, 4)),
    "sigmoid": (lambda a: a.sigmoid(), sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x)), (-8, 8)),
    "relu": (lambda a: a.relu(), lambda x: max(x, 0.0), lambda x: float(x > 0), (-3, 3)),
    "neg": (lambda a: -a, lambda x: -x, lambda x: -1.0, (-3, 3)),
    "pow 3": (lambda a: a**3, lambda x: x**3, lambda x: 3 * x**2, (-3, 3)),
    "pow -2": (lambda a: a**-2, lambda x: x**-2, lambda x: -2 * x**-3, (0.2, 3)),
    "pow 0.5": (lambda a: a**0.5, math.sqrt, lambda x: 0.5 / math.sqrt(x), (0.1, 9)),
    "2.5 + a": (lambda a: 2.5 + a, lambda x: 2.5 + x, lambda x: 1.0, (-3, 3)),
    "2.5 - a": (lambda a: 2.5 - a, lambda x: 2.5 - x, lambda x: -1.0, (-3, 3)),
    "2.5 * a": (lambda a: 2.5 * a, lambda x: 2.5 * x, lambda x: 2.5, (-3, 3)),
    "2.5 / a": (lambda a: 2.5 / a, lambda x: 2.5 / x, lambda x: -2.5 / x**2, (0.2, 3)),
    "a - 2.5": (lambda a: a - 2.5, lambda x: x - 2.5, lambda x: 1.0, (-3, 3)),
    "a / 2.5": (lambda a: a / 2.5, lambda x: x / 2.5, lambda x: 0.4, (-3, 3)),
}

# name: (build, forward, d/da, d/db)
BINARY = {
    "+": (lambda a, b: a + b, lambda x, y: x + y, lambda x, y: 1.0, lambda x, y: 1.0),
    "-": (lambda a, b: a - b, lambda x, y: x - y, lambda x, y: 1.0, lambda x, y: -1.0),
    "*": (lambda a, b: a * b, lambda x, y: x * y, lambda x, y: y, lambda x, y: x),
    "/": (lambda a, b: a / b, lambda x, y: x / y, lambda x, y: 1 / y, lambda x, y: -x / y**2),
}


def unary_input(name):
    low, high = UNARY[name][3]
    x = st.floats(low, high)
    return x.filter(lambda v: abs(v) > 1e-3) if name == "relu" else x  # not at the kink


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_each_unary_op_has_the_analytic_value_and_derivative(name, data):
    build, forward, derivative, _ = UNARY[name]
    x = data.draw(unary_input(name))
    a = Value(x)
    out = build(a)
    out.backward()
    assert out.data == pytest.approx(forward(x), rel=1e-12, abs=1e-300)
    assert a.grad == pytest.approx(derivative(x), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_each_unary_op_matches_a_central_difference_of_itself(name, data):
    build = UNARY[name][0]
    x = data.draw(unary_input(name).filter(lambda v: abs(v) > 2e-3 or name != "relu"))
    a = Value(x)
    build(a).backward()
    numeric = central_difference(lambda v: build(Value(v)).data, x)
    assert abs(a.grad - numeric) <= 1e-7 * max(1.0, abs(numeric))


@pytest.mark.parametrize("name", BINARY)
@given(x=st.floats(-3, 3), y=st.floats(0.3, 3) | st.floats(-3, -0.3))
def test_each_binary_op_gives_both_partial_derivatives(name, x, y):
    build, forward, d_da, d_db = BINARY[name]
    a, b = Value(x), Value(y)
    out = build(a, b)
    out.backward()
    assert out.data == pytest.approx(forward(x, y), rel=1e-12, abs=1e-300)
    assert a.grad == pytest.approx(d_da(x, y), rel=1e-12, abs=1e-300)
    assert b.grad == pytest.approx(d_db(x, y), rel=1e-12, abs=1e-300)
    numeric = central_difference(lambda v: build(Value(x), Value(v)).data, y)
    assert abs(b.grad - numeric) <= 1e-7 * max(1.0, abs(numeric))


# ----- random graphs, with reuse: every input's gradient against central differences -----

OPS = [
    ("+", 2, lambda a, b: a + b), ("-", 2, lambda a, b: a - b), ("*", 2, lambda a, b: a * b),
    ("/", 2, lambda a, b: a / (1 + b * b)), ("tanh", 1, lambda a: a.tanh()),
    ("sigmoid", 1, lambda a: a.sigmoid()), ("exp", 1, lambda a: (a.tanh() * 2).exp()),
    ("**2", 1, lambda a: a**2), ("log", 1, lambda a: (a * a + 1).log()),
    ("const", 1, lambda a: 0.5 - 1.5 * a),
]

programs = st.lists(
    st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 10**6), st.integers(0, 10**6)),
    min_size=1, max_size=12)


def run_program(program, inputs):
    """Build a graph from `inputs` (Values); each step picks an op and operands from
    everything built so far, so nodes are reused (forks) at random. Returns the sum of
    the last node and of every input (so every input is used)."""
    pool = list(inputs)
    for op_index, i, j in program:
        _, arity, build = OPS[op_index]
        args = (pool[i % len(pool)], pool[j % len(pool)])[:arity]
        pool.append(build(*args))
    return pool[-1] + sum(inputs, Value(0.0)) * 0.1


@given(program=programs, xs=st.lists(st.floats(-1.5, 1.5), min_size=1, max_size=4))
def test_backward_through_random_graphs_with_reuse_matches_central_differences(
        program, xs, assert_matches_oracle):
    leaves = [Value(x) for x in xs]
    try:
        out = run_program(program, leaves)
    except OverflowError:  # repeated squaring can leave the floats; not this test's subject
        reject()
    out.backward()
    numeric = []
    for k in range(len(xs)):
        def f(v, k=k):
            shifted = list(xs)
            shifted[k] = v
            return run_program(program, [Value(s) for s in shifted]).data
        numeric.append(extrapolated_difference(f, xs[k]))
    assert_matches_oracle(np.array([a.grad for a in leaves]), np.array(numeric),
                          f"grads of the inputs of {[OPS[p[0]][0] for p in program]}")


# ----- the course's claims -----

def test_gradients_add_at_a_fork():
    a = Value(3.0)
    b = a + a  # a is used twice: db/da = 1 + 1
    c = b + b
    c.backward()
    assert (b.grad, a.grad) == (2.0, 4.0)


def test_a_diamond_sums_both_paths():
    x = Value(1.5)
    y, z = x * 2, x * 3  # two paths from x to w
    w = y * z  # w = 6x², dw/dx = 12x
    w.backward()
    assert x.grad == pytest.approx(12 * 1.5, rel=1e-15)
    assert (y.grad, z.grad) == (z.data, y.data)


def test_a_value_multiplied_by_itself():
    a = Value(-1.25)
    (a * a).backward()
    assert a.grad == 2 * -1.25


def test_topological_order_lists_every_node_once_after_its_inputs():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = (d * c).tanh() + b
    order = e.topological_order()
    assert len(order) == len({id(n) for n in order}) == 7  # a b c d (d*c) tanh e
    position = {id(n): k for k, n in enumerate(order)}
    for node in order:
        for child in node._prev:
            assert position[id(child)] < position[id(node)]
    assert order[-1] is e


def _chain(depth: int, factor: float):
    x = Value(1.0)
    y = x
    for _ in range(depth):
        y = y * factor
    return x, y


def test_a_chain_ten_thousand_deep_backpropagates_without_recursion():
    x, y = _chain(10_000, 1.0001)
    y.backward()
    assert x.grad == pytest.approx(1.0001**10_000, rel=1e-9)  # d/dx of x · c^n is c^n


@pytest.mark.slow
def test_a_chain_a_million_deep_backpropagates():
    x, y = _chain(1_000_000, 1.000001)
    start = time.perf_counter()
    y.backward()
    elapsed = time.perf_counter() - start
    assert x.grad == pytest.approx(1.000001**1_000_000, rel=1e-6), f"took {elapsed:.1f} s"


# ----- calling backward() twice, and zero_grad -----

def test_backward_twice_accumulates_in_leaves_only():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c.tanh()
    d.backward()
    first = (a.grad, b.grad, c.grad, d.grad)
    d.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])  # leaves accumulate, like PyTorch
    assert (c.grad, d.grad) == first[2:]  # interior nodes are recomputed, not doubled


def test_zero_grad_starts_afresh():
    a, b = Value(2.0), Value(-3.0)
    d = (a * b).tanh()
    d.backward()
    first = a.grad
    d.zero_grad()
    assert all(n.grad == 0.0 for n in d.topological_order())
    d.backward()
    assert a.grad == first


def test_backward_of_a_leaf_seeds_its_own_gradient():
    a = Value(5.0)
    a.backward()
    assert a.grad == 1.0


# ----- numbers at the edges -----

@pytest.mark.parametrize("x, value", [(1000.0, 1.0), (-1000.0, 0.0)])
def test_sigmoid_does_not_overflow_at_large_inputs(x, value):
    a = Value(x)
    s = a.sigmoid()
    s.backward()
    assert s.data == value and a.grad == 0.0


def test_relu_at_zero_passes_no_gradient():
    a = Value(0.0)
    r = a.relu()
    r.backward()
    assert (r.data, a.grad) == (0.0, 0.0)


def test_numpy_numbers_are_accepted():
    a = Value(np.float32(2.0)) * np.float64(3.0) + np.int64(1)
    assert a.data == 7.0 and isinstance(a.data, float)


# ----- clear errors -----

@pytest.mark.parametrize("make, error, words", [
    (lambda: Value("3"), TypeError, ["Value(data)", "real number", "str"]),
    (lambda: Value(True), TypeError, ["Value(data)", "bool"]),
    (lambda: Value(1.0) + "x", TypeError, ["Value + str", "Value or a real number"]),
    (lambda: Value(1.0) * [2], TypeError, ["Value * list"]),
    (lambda: Value(2.0) ** Value(3.0), TypeError, ["exponent", "(b * a.log()).exp()"]),
    (lambda: Value(-1.0).log(), ValueError, ["log", "positive", "-1.0"]),
    (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, ["base is 0", "a / b with b = 0"]),
    (lambda: Value(-2.0) ** 0.5, ValueError, ["negative base", "non-integer"]),
    (lambda: Value(1000.0).exp(), OverflowError, ["Value.exp()", "e**1000", "too large"]),
])
def test_mistakes_give_errors_that_say_what_is_wrong(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_repr_shows_label_data_and_grad():
    assert repr(Value(2.0, label="w")) == "Value(w=data=2, grad=0)"
    assert repr(Value(0.5)) == "Value(data=0.5, grad=0)"


# ----- same API and numbers as micrograd -----

def test_same_numbers_as_micrograd_on_its_readme_example():
    engine = pytest.importorskip("micrograd.engine")

    def readme_example(V):  # micrograd's README, op for op
        a, b = V(-4.0), V(2.0)
        c = a + b
        d = a * b + b**3
        c += c + 1
        c += 1 + c + (-a)
        d += d * 2 + (b + a).relu()
        d += 3 * d + (b - a).relu()
        e = c - d
        f = e**2
        g = f / 2.0
        g += 10.0 / f
        return g, a, b

    ours, theirs = readme_example(Value), readme_example(engine.Value)
    ours[0].backward()
    theirs[0].backward()
    assert ours[0].data == pytest.approx(24.7041, abs=1e-4)  # the README's printed numbers
    assert (ours[1].grad, ours[2].grad) == pytest.approx((138.8338, 645.5773), abs=1e-4)
    assert ours[0].data == pytest.approx(theirs[0].data, rel=1e-12)
    for mine, other in zip(ours[1:], theirs[1:], strict=True):
        assert mine.grad == pytest.approx(other.grad, rel=1e-12)
