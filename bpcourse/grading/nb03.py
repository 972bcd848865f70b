"""Tests for notebook 03_scalar_autograd: the learner's ``Value`` class (micrograd's API).

The oracle is the same expression evaluated in float64 on plain numbers (``_Node`` below does
the forward arithmetic with the math module), differentiated by central differences. Mistakes
are named three ways:

* per operation, by the gradient each known slip gives (swapped factors in ``*``, ``1 - a²``
  instead of ``1 - tanh(a)²``, a missing upstream factor, ``other - self`` in ``__rsub__``, ...);
* per graph, by running the same expression through ``_Node`` with the mistake switched on
  (``=`` instead of ``+=``, no upstream factor, forward order);
* by watching the order in which the learner's nodes call their ``_backward``: a node must
  pass its gradient on only after every node that uses it has (reverse topological order).

Semantics checked for a second ``backward()``: after setting every node's ``.grad`` to 0, a
second call gives the same gradients (true of micrograd and of ``bpcourse.autograd``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import autograd as _autograd
from .toolkit import DelegationDetected, assert_own_work, expect, rng_for

__all__ = ["test_value_ops", "test_value_graph", "test_value_deep", "test_value_second_backward"]

_exp, _tanh, _prod, _isfinite = math.exp, math.tanh, math.prod, math.isfinite
_array = np.array




# ----- the float64 model: forward arithmetic for the oracle, switchable mistakes for hints -----

class _Node:
    """A minimal scalar graph node: the oracle's forward pass and the mistake models.

    Each op records (input, local derivative) pairs; ``gradients(mode)`` runs a backward pass
    with a mistake switched on: "ok", "assign" (= instead of +=), "no_upstream" (local
    derivative not multiplied by out.grad) or "forward_order".
    """

    __slots__ = ("data", "grad", "_local", "_prev")

    def __init__(self, data, local=()):
        self.data, self.grad, self._local = float(data), 0.0, tuple(local)
        self._prev = tuple(node for node, _ in local)

    @staticmethod
    def _wrap(other):
        return other if isinstance(other, _Node) else _Node(other)

    def __add__(self, other):
        other = self._wrap(other)
        return _Node(self.data + other.data, ((self, 1.0), (other, 1.0)))

    def __mul__(self, other):
        other = self._wrap(other)
        return _Node(self.data * other.data, ((self, other.data), (other, self.data)))

    def __pow__(self, n):
        return _Node(self.data**n, ((self, n * self.data ** (n - 1)),))

    def exp(self):
        e = _exp(self.data)
        return _Node(e, ((self, e),))

    def tanh(self):
        t = _tanh(self.data)
        return _Node(t, ((self, 1.0 - t * t),))

    def relu(self):
        return _Node(max(self.data, 0.0), ((self, float(self.data > 0)),))

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-self._wrap(other))

    def __truediv__(self, other):
        return self * self._wrap(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return self._wrap(other) + (-self)

    def __rtruediv__(self, other):
        return self._wrap(other) * self**-1

    def gradients(self, leaves, mode="ok"):
        order = _topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in (order if mode == "forward_order" else reversed(order)):
            for child, local in node._local:
                contribution = local * (1.0 if mode == "no_upstream" else node.grad)
                child.grad = contribution if mode == "assign" else child.grad + contribution
        return _array([leaf.grad for leaf in leaves])


def _topological_order(root):
    """Every node reachable from root through ._prev, each after all of its inputs."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev if id(child) not in seen)
    return order


def _oracle(expr, point, h=1e-6):
    """Forward value and central-difference gradient of expr at point (float64)."""
    point = [float(p) for p in point]
    grad = []
    for i in range(len(point)):
        plus, minus = list(point), list(point)
        plus[i] += h
        minus[i] -= h
        grad.append((expr(_Node, *map(_Node, plus)).data
                     - expr(_Node, *map(_Node, minus)).data) / (2 * h))
    return expr(_Node, *map(_Node, point)).data, _array(grad)


def _model(expr, point, mode):
    leaves = [_Node(p) for p in point]
    return expr(_Node, *leaves).gradients(leaves, mode)


# ----- running the learner's Value -----

def _own_work(Value):
    if not isinstance(Value, type):
        raise AssertionError(f"Value must be a class, got {type(Value).__name__}.")
    assert_own_work(Value, _autograd.Value)
    for base in Value.__mro__[1:]:
        module = getattr(base, "__module__", "") or ""
        if module.split(".")[0] in ("bpcourse", "micrograd"):
            raise DelegationDetected(
                f"Value inherits from {module}.{base.__qualname__}: the exercise is to write the "
                "engine yourself, so this answer earns no points.")


def _not_written(what):
    return AssertionError(f"{what}: a method it needs is not written yet (it still raises "
                          "NotImplementedError); see the traceback for which one.")


def _number(x, what):
    if isinstance(x, bool) or not isinstance(x, (int, float, np.floating, np.integer)):
        raise AssertionError(f"{what} is a {type(x).__name__} ({x!r}); it must be a plain number "
                             "(float). Store numbers in .data and .grad, not Values.")
    return float(x)


def _run(Value, expr, point, what):
    """Build expr with the learner's Value at point, call backward(); return (out, leaves)."""
    try:
        leaves = [Value(float(p)) for p in point]
        out = expr(Value, *leaves)
    except NotImplementedError:
        raise _not_written(what) from None
    except Exception as err:
        raise AssertionError(f"{what}: building the expression raised {type(err).__name__}: "
                             f"{err}") from None
    if not hasattr(out, "backward"):
        raise AssertionError(f"{what}: the result is a {type(out).__name__}, not a Value; every "
                             "operation must return a new Value.")
    for leaf in leaves:
        if _number(leaf.grad, f"{what}: a fresh Value's .grad") != 0.0:
            raise AssertionError(f"{what}: a fresh Value has grad {leaf.grad}; start at 0.0.")
    try:
        out.backward()
    except NotImplementedError:
        raise _not_written(what) from None
    except RecursionError:
        raise
    except Exception as err:
        raise AssertionError(f"{what}: backward() raised {type(err).__name__}: {err}") from None
    return out, leaves


def _grads(leaves, what):
    return _array([_number(leaf.grad, f"{what}: .grad") for leaf in leaves])


def _check_forward(out, expected, what):
    got = _number(out.data, f"{what}: .data")
    if not (_isfinite(got) and abs(got - expected) <= 1e-9 * max(1.0, abs(expected))):
        raise AssertionError(f"{what}: forward value is {got!r}, expected {expected!r}. Check "
                             "the arithmetic that computes out.data.")


# ----- per-operation tests -----

_UPSTREAM = ("the upstream gradient is not multiplied in: the chain rule is "
             "input.grad += local derivative × out.grad")

_FORWARD_ORDER = ("backward in forward order: walk the topological order reversed (output "
                  "first, leaves last)")

# name, expression (V is the Value class, a and b are Values), domain of |a| and |b|, and the
# known mistakes: (hint, function of the numbers (a, b) returning the local gradient
# [dop/da, dop/db] that the mistake computes).
_OPS = [
    ("a + b", lambda V, a, b: a + b, (-2, 2), []),
    ("a * b", lambda V, a, b: a * b, (-2, 2), [
        ("in a * b the local derivatives are swapped: d(a·b)/da is b, the OTHER factor "
         "(self.grad += other.data * out.grad)", lambda a, b: [a, b])]),
    ("a - b", lambda V, a, b: a - b, (-2, 2), [
        ("sign: d(a - b)/db = -1", lambda a, b: [1.0, 1.0])]),
    ("-a", lambda V, a, b: -a, (-2, 2), [
        ("unary minus: d(-a)/da = -1", lambda a, b: [1.0, 0.0])]),
    ("a ** 3", lambda V, a, b: a**3, (-2, 2), [
        ("power rule: d(a^n)/da = n·a^(n-1) (the exponent drops by one)",
         lambda a, b: [3 * a**3, 0.0]),
        ("power rule: the factor n is missing in n·a^(n-1)", lambda a, b: [a**2, 0.0])]),
    ("a ** 2.5", lambda V, a, b: a**2.5, (0.5, 2), [
        ("power rule: d(a^n)/da = n·a^(n-1) (the exponent drops by one)",
         lambda a, b: [2.5 * a**2.5, 0.0])]),
    ("a ** -2", lambda V, a, b: a**-2, (0.5, 2), []),
    ("a / b", lambda V, a, b: a / b, (0.5, 2), [
        ("division: d(a/b)/db = -a/b² (a / b is a * b**-1)", lambda a, b: [1 / b, a / b**2])]),
    ("a.exp()", lambda V, a, b: a.exp(), (-2, 2), [
        ("exp: d(e^a)/da = e^a, which is out.data", lambda a, b: [a, 0.0])]),
    ("a.tanh()", lambda V, a, b: a.tanh(), (-2, 2), [
        ("tanh: d(tanh a)/da = 1 - tanh(a)², i.e. 1 - out.data**2, not 1 - a**2",
         lambda a, b: [1 - a * a, 0.0]),
        ("tanh: d(tanh a)/da = 1 - tanh(a)² (the square is missing)",
         lambda a, b: [1 - _tanh(a), 0.0])]),
    ("a.relu()", lambda V, a, b: a.relu(), (-2, 2), [
        ("relu: the gradient flows only where the input is > 0 (mask it with out.data > 0)",
         lambda a, b: [1.0, 0.0])]),
    ("2.5 + a", lambda V, a, b: 2.5 + a, (-2, 2), []),
    ("2.5 - a", lambda V, a, b: 2.5 - a, (-2, 2), [
        ("__rsub__ computes other - self (2.5 - a), not self - other", lambda a, b: [1.0, 0.0])]),
    ("3 * a", lambda V, a, b: 3 * a, (-2, 2), []),
    ("2.0 / a", lambda V, a, b: 2.0 / a, (0.5, 2), [
        ("__rtruediv__ computes other / self (2 / a), not self / other",
         lambda a, b: [0.5, 0.0])]),
    ("a * 2 - b / 4", lambda V, a, b: a * 2 - b / 4, (-2, 2), []),
]


_FORWARD_MISTAKES = {  # name: (what the slip computes from the numbers a, b, hint)
    "a - b": (lambda a, b: b - a, "__sub__ computes self - other (a - b), not other - self"),
    "2.5 - a": (lambda a, b: a - 2.5,
                "__rsub__ computes other - self (2.5 - a), not self - other"),
    "2.0 / a": (lambda a, b: a / 2.0,
                "__rtruediv__ computes other / self (2 / a), not self / other"),
    "a / b": (lambda a, b: b / a, "__truediv__ computes self / other (a / b)"),
}


def _check_op(Value, name, op, domain, mistakes, rng, upstream):
    lo, hi = domain
    numbers = rng.uniform(max(lo, 0.2), hi, size=2)
    if lo < 0:
        numbers *= rng.choice([-1.0, 1.0], size=2)
    a, b = (float(v) for v in numbers)
    u = 1.0 if upstream is None else upstream

    def expr(V, a, b):
        return op(V, a, b) if upstream is None else op(V, a, b) * upstream

    what = (f"L = {name}" if upstream is None else f"L = ({name}) * {upstream:.3g}") + \
        f" at a={a:.4g}, b={b:.4g}"
    out, leaves = _run(Value, expr, (a, b), what)
    value, exact = _oracle(expr, (a, b))
    if name in _FORWARD_MISTAKES:
        wrong, hint = _FORWARD_MISTAKES[name]
        got = out.data
        if isinstance(got, (int, float)) and abs(got - wrong(a, b) * u) <= 1e-9 * max(1, abs(got)) \
                and abs(value - got) > 1e-9 * max(1, abs(value)):
            raise AssertionError(f"{what}: forward value is {got!r}, expected {value!r}. "
                                 f"Likely mistake: {hint}.")
    _check_forward(out, value, what)
    got = _grads(leaves, what)
    if out.grad != 1.0:
        raise AssertionError(f"{what}: after L.backward(), L.grad is {out.grad}; backward() "
                             "must seed the output's grad with 1.0 (dL/dL = 1).")
    named = [(_FORWARD_ORDER, _model(expr, (a, b), "forward_order"))]
    if upstream is not None:
        named.append((_UPSTREAM, exact / upstream))
    named += [(hint, _array(model(a, b)) * u) for hint, model in mistakes]
    expect(got, exact, f"{what}: [a.grad, b.grad]", mistakes=named, tol=1e-6)


def test_value_ops(Value, seeds=(31, 32, 33)) -> None:
    """Every operation's gradient against central differences of the same float64 expression.

    + and * are checked alone first; then each expression is multiplied by a random upstream
    factor u (L = op(a, b) * u), so a closure that forgets out.grad is caught.
    """
    _own_work(Value)
    for seed in seeds:
        rng = rng_for(seed)
        for name, op, domain, mistakes in _OPS[:2]:
            _check_op(Value, name, op, domain, mistakes, rng, upstream=None)
        upstream = float(rng.uniform(1.5, 3.0))
        for name, op, domain, mistakes in _OPS:
            _check_op(Value, name, op, domain, mistakes, rng, upstream)


# ----- graph tests: forks, diamonds, reuse, order -----

def _fork(V, a, b):
    c = a + a
    return c + c


def _square_plus(V, a, b):
    return a * a + b


def _diamond(V, a, b):
    e = a * b
    f = e.tanh()
    return f * e + a


def _neuron(V, a, b):
    z = a * 0.7 + b * -1.3 + 0.4
    out = z.tanh()
    return (out - 0.25) ** 2 + 0.1 * a * a


def _shared_tail(V, a, b):
    s = (a * b).exp() / (1 + a * a)
    t = s.relu() * s
    return t + s * b - 3 / s


_GRAPHS = [("c = a + a; L = c + c", _fork), ("L = a*a + b", _square_plus),
           ("e = a*b; L = tanh(e)*e + a", _diamond),
           ("L = (tanh(0.7a - 1.3b + 0.4) - 0.25)**2 + 0.1*a*a", _neuron),
           ("s = exp(ab)/(1+a²); L = relu(s)*s + s*b - 3/s", _shared_tail)]


def _trace_backward_calls(out):
    """Wrap every node's _backward so the order of the calls is recorded."""
    calls, nodes = [], _topological_order(out)
    for node in nodes:
        inner = getattr(node, "_backward", None)
        if not callable(inner):
            continue

        def traced(node=node, inner=inner):
            calls.append(node)
            return inner()

        try:
            node._backward = traced
        except (AttributeError, TypeError):
            return None, nodes  # a layout we cannot watch: rely on the numbers alone
    return calls, nodes


def _check_order(calls, nodes, out, what):
    if calls is None or not calls:
        return
    position, count = {}, {}
    for i, node in enumerate(calls):
        position.setdefault(id(node), i)
        count[id(node)] = count.get(id(node), 0) + 1
    repeated = [node for node in nodes if count.get(id(node), 0) > 1]
    if repeated:
        node = repeated[0]
        raise AssertionError(
            f"{what}: a '{getattr(node, '_op', '?')}' node's _backward ran {count[id(node)]} "
            "times, so its gradient was passed on more than once. Likely mistake: no "
            "topological order: build the topological order of the graph (each node once), "
            "then call each node's _backward in reverse order, once per node.")
    if calls[0] is not out and position.get(id(out), -1) == len(calls) - 1 and len(calls) > 2:
        raise AssertionError(
            f"{what}: the output's _backward ran last. Likely mistake: backward in forward "
            "order: walk the topological order reversed (output first, leaves last).")
    for consumer in nodes:
        for child in consumer._prev:
            if id(child) in position and id(consumer) in position and child._prev \
                    and position[id(child)] < position[id(consumer)]:
                raise AssertionError(
                    f"{what}: a '{getattr(child, '_op', '?')}' node passed its gradient on "
                    f"before the '{getattr(consumer, '_op', '?')}' node that uses it had added "
                    "its share. Likely mistake: no topological order: build the topological "
                    "order of the graph, then call each node's _backward in reverse order, "
                    "once per node.")


def test_value_graph(Value, seeds=(41, 42, 43)) -> None:
    """Gradients add at forks (c = a + a; L = c + c gives dL/da = 4), diamonds, reuse; each node
    passes its gradient on only after all its uses (reverse topological order)."""
    _own_work(Value)
    for seed in seeds:
        rng = rng_for(seed)
        for name, expr in _GRAPHS:
            a, b = (float(v) for v in rng.uniform(0.3, 1.2, size=2) * rng.choice([-1, 1], 2))
            if expr is _shared_tail:
                a, b = abs(a), abs(b)
            what = f"{name}, at a={a:.4g}, b={b:.4g}"
            try:
                leaves = [Value(a), Value(b)]
                out = expr(Value, *leaves)
            except NotImplementedError:
                raise _not_written(what) from None
            except Exception as err:
                raise AssertionError(f"{what}: building the graph raised "
                                     f"{type(err).__name__}: {err}") from None
            calls, nodes = _trace_backward_calls(out)
            try:
                out.backward()
            except NotImplementedError:
                raise _not_written(what) from None
            except Exception as err:
                raise AssertionError(f"{what}: backward() raised {type(err).__name__}: "
                                     f"{err}") from None
            got = _grads(leaves, what)
            value, exact = _oracle(expr, (a, b))
            _check_forward(out, value, what)
            mistakes = [
                ("`=` instead of `+=` in a _backward closure: where a value is used twice "
                 "(a fork), the gradients of both uses must add up",
                 _model(expr, (a, b), "assign")),
                (_UPSTREAM, _model(expr, (a, b), "no_upstream")),
                (_FORWARD_ORDER, _model(expr, (a, b), "forward_order")),
                ("backward() did not seed the output: set its grad to 1.0 (dL/dL = 1) before "
                 "walking the graph", _array([0.0, 0.0])),
            ]
            try:
                expect(got, exact, f"{what}: [a.grad, b.grad]", mistakes=mistakes, tol=1e-6)
            except AssertionError as failure:
                if any(hint in str(failure) for hint, _ in mistakes):
                    raise
                _check_order(calls, nodes, out, what)  # a wrong order explains it better
                raise
            _check_order(calls, nodes, out, what)


def test_value_deep(Value, depth=2000, seed=51) -> None:
    """A chain `depth` operations deep (L = (((x·c1 + d1)·c2 + d2)...)), dL/dx = Π c_i.

    Python stops a recursion near 1000 frames, so the topological order must be built with an
    explicit stack (as the notebook teaches), not with a recursive function.
    """
    _own_work(Value)
    rng = rng_for(seed)
    factors = [float(c) for c in rng.uniform(0.995, 1.005, size=depth)]
    offsets = [float(d) for d in rng.uniform(-0.01, 0.01, size=depth)]
    x0 = float(rng.uniform(0.5, 1.5))

    def expr(V, x, _):
        y = x
        for c, d in zip(factors, offsets, strict=True):
            y = y * c + d
        return y

    what = f"a chain {depth} operations deep"
    try:
        _, (x, _) = _run(Value, expr, (x0, 0.0), what)
    except RecursionError:
        raise AssertionError(
            f"{what}: backward() raised RecursionError. Likely mistake: a recursive "
            "topological sort hits Python's recursion limit (about 1000 calls deep): build "
            "the order with an explicit stack (a list you push to and pop from).") from None
    expect(_array([_number(x.grad, f"{what}: x.grad")]), _array([_prod(factors)]),
           f"{what}: dL/dx", mistakes=[(_FORWARD_ORDER, _array([0.0]))], tol=1e-8)


def test_value_second_backward(Value, seeds=(61, 62)) -> None:
    """After setting every node's .grad to 0, a second backward() gives the same gradients."""
    _own_work(Value)
    for seed in seeds:
        rng = rng_for(seed)
        a0, b0 = (float(v) for v in rng.uniform(0.3, 1.2, size=2))
        for name, expr in _GRAPHS[2:]:
            what = f"{name}, at a={a0:.4g}, b={b0:.4g}"
            out, leaves = _run(Value, expr, (a0, b0), what)
            first = _grads(leaves, what + " (first backward)")
            for node in _topological_order(out):
                node.grad = 0.0
            try:
                out.backward()
            except Exception as err:
                raise AssertionError(f"{what}: the second backward() raised "
                                     f"{type(err).__name__}: {err}") from None
            again = _grads(leaves, what + " (second backward)")
            expect(again, first,
                   f"{what}: gradients of a second backward() after zeroing every .grad",
                   mistakes=[("the second backward() found no nodes to visit: a visited set or "
                              "topological list that outlives one call (a mutable default "
                              "argument such as visited=set(), or a class attribute); create "
                              "them inside backward()", _array([0.0, 0.0]))], tol=1e-12)
