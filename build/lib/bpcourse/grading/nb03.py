"""Tests for notebook 03_scalar_autograd: the learner's ``Value`` (micrograd's API), built in
three stages, and the ``Neuron`` / ``Layer`` / ``MLP`` built on it.

Each stage has its own tests, and each test uses only what its stage and the earlier ones
define, so a right first stage earns its points while a later one is missing:

* stage 1, ``test_value_basics``, ``test_value_second_backward``, ``test_value_deep``: ``+``,
  ``*`` (and reflected) and ``backward()`` only;
* stage 2, ``test_value_ops``: ``**``, ``exp``, ``tanh``, ``relu`` (through ``+`` and ``*``);
* stage 3, ``test_value_rest``: unary ``-``, ``-``, ``/``, ``__rsub__``, ``__rtruediv__``;
* the network, ``test_mlp``: structure, ``parameters()``, the forward pass, and every
  parameter's and input's gradient of a loss through the learner's MLP.

The oracle is the same expression evaluated in float64 on plain numbers (``_Node`` below does
the forward arithmetic with the math module; the MLP's with numpy), differentiated by central
differences. Mistakes are named three ways:

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
from ..i18n import _
from .toolkit import (
    DelegationDetected,
    assert_own_work,
    expect,
    require_written,
    rng_for,
)

__all__ = ["test_value_basics", "test_value_second_backward", "test_value_deep", "test_value_ops",
           "test_value_rest", "test_mlp", "require_written", "check_worked_case",
           "check_tanh_at_half", "check_rsub_at_half", "check_parameter_count"]

_exp, _tanh, _prod, _isfinite = math.exp, math.tanh, math.prod, math.isfinite
_array = np.array


def N_(message: str) -> str:
    """Mark a message of a module-level table for extraction (``make i18n`` finds ``N_``); it is
    translated with ``_()`` where it is shown, so it follows the language chosen later."""
    return message


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
        raise AssertionError(_("Value must be a class, got {kind}.").format(
            kind=type(Value).__name__))
    assert_own_work(Value, _autograd.Value)
    for base in Value.__mro__[1:]:
        module = getattr(base, "__module__", "") or ""
        if module.split(".")[0] in ("bpcourse", "micrograd"):
            raise DelegationDetected(_(
                "Value inherits from {base}: the exercise is to write the engine yourself, so "
                "this answer earns no points.").format(base=f"{module}.{base.__qualname__}"))


def _not_written(what):
    return AssertionError(_("{what}: a method it needs is not written yet (it still raises "
                            "NotImplementedError); see the traceback for which one.").format(
                                what=what))


def _number(x, what):
    if isinstance(x, bool) or not isinstance(x, (int, float, np.floating, np.integer)):
        raise AssertionError(_("{what} is a {kind} ({value}); it must be a plain number (float). "
                               "Store numbers in .data and .grad, not Values.").format(
                                   what=what, kind=type(x).__name__, value=repr(x)))
    return float(x)


def _at(a, b) -> str:
    return _("at a={a}, b={b}").format(a=f"{a:.4g}", b=f"{b:.4g}")


def _run(Value, expr, point, what):
    """Build expr with the learner's Value at point, call backward(); return (out, leaves)."""
    try:
        leaves = [Value(float(p)) for p in point]
        out = expr(Value, *leaves)
    except NotImplementedError:
        raise _not_written(what) from None
    except Exception as err:
        raise AssertionError(_("{what}: building the expression raised {error}: {message}").format(
            what=what, error=type(err).__name__, message=err)) from None
    if not hasattr(out, "backward"):
        raise AssertionError(_("{what}: the result is a {kind}, not a Value; every operation must "
                               "return a new Value.").format(what=what, kind=type(out).__name__))
    for leaf in leaves:
        if _number(leaf.grad, _("{what}: a fresh Value's .grad").format(what=what)) != 0.0:
            raise AssertionError(_("{what}: a fresh Value has grad {grad}; start at 0.0.").format(
                what=what, grad=leaf.grad))
    try:
        out.backward()
    except NotImplementedError:
        raise _not_written(what) from None
    except RecursionError:
        raise
    except Exception as err:
        raise AssertionError(_("{what}: backward() raised {error}: {message}").format(
            what=what, error=type(err).__name__, message=err)) from None
    return out, leaves


def _grads(leaves, what):
    return _array([_number(leaf.grad, f"{what}: .grad") for leaf in leaves])


def _check_forward(out, expected, what):
    got = _number(out.data, f"{what}: .data")
    if not (_isfinite(got) and abs(got - expected) <= 1e-9 * max(1.0, abs(expected))):
        raise AssertionError(_("{what}: forward value is {got}, expected {expected}. Check the "
                               "arithmetic that computes out.data.").format(
                                   what=what, got=repr(got), expected=repr(expected)))


def _not_seeded(what, grad):
    return AssertionError(_("{what}: after L.backward(), L.grad is {grad}; backward() must seed "
                            "the output's grad with 1.0 (dL/dL = 1).").format(what=what, grad=grad))


# ----- per-operation tests -----
# The hints below are marked with N_ and translated with _() where they are used.

_UPSTREAM = N_("the upstream gradient is not multiplied in: the chain rule is "
               "input.grad += local derivative × out.grad")

_ASSIGN = N_("`=` instead of `+=` in a _backward closure: where a value is used twice (a fork), "
             "the gradients of both uses must add up")

_FORWARD_ORDER = N_("backward in forward order: walk the topological order reversed (output "
                    "first, leaves last)")

# name, expression (V is the Value class, a and b are Values), domain of |a| and |b|, and the
# known mistakes: (hint, function of the numbers (a, b) returning the local gradient
# [dop/da, dop/db] that the mistake computes). One list per stage of the notebook.
_BASIC_OPS = [
    ("a + b", lambda V, a, b: a + b, (-2, 2), []),
    ("a * b", lambda V, a, b: a * b, (-2, 2), [
        (N_("in a * b the local derivatives are swapped: d(a·b)/da is b, the OTHER factor "
            "(self.grad += other.data * out.grad)"), lambda a, b: [a, b])]),
    ("2.5 + a", lambda V, a, b: 2.5 + a, (-2, 2), []),
    ("3 * a", lambda V, a, b: 3 * a, (-2, 2), []),
    ("a * 2 + b * a", lambda V, a, b: a * 2 + b * a, (-2, 2), []),
]
_MORE_OPS = [
    ("a ** 3", lambda V, a, b: a**3, (-2, 2), [
        (N_("power rule: d(a^n)/da = n·a^(n-1) (the exponent drops by one)"),
         lambda a, b: [3 * a**3, 0.0]),
        (N_("power rule: the factor n is missing in n·a^(n-1)"), lambda a, b: [a**2, 0.0])]),
    ("a ** 2.5", lambda V, a, b: a**2.5, (0.5, 2), [
        (N_("power rule: d(a^n)/da = n·a^(n-1) (the exponent drops by one)"),
         lambda a, b: [2.5 * a**2.5, 0.0])]),
    ("a ** -2", lambda V, a, b: a**-2, (0.5, 2), []),
    ("a.exp()", lambda V, a, b: a.exp(), (-2, 2), [
        (N_("exp: d(e^a)/da = e^a, which is out.data"), lambda a, b: [a, 0.0])]),
    ("a.tanh()", lambda V, a, b: a.tanh(), (-2, 2), [
        (N_("tanh: d(tanh a)/da = 1 - tanh(a)², i.e. 1 - out.data**2, not 1 - a**2"),
         lambda a, b: [1 - a * a, 0.0]),
        (N_("tanh: d(tanh a)/da = 1 - tanh(a)² (the square is missing)"),
         lambda a, b: [1 - _tanh(a), 0.0])]),
    ("a.relu()", lambda V, a, b: a.relu(), (-2, 2), [
        (N_("relu: the gradient flows only where the input is > 0 (mask it with out.data > 0)"),
         lambda a, b: [1.0, 0.0])]),
]
_REST_OPS = [
    ("-a", lambda V, a, b: -a, (-2, 2), [
        (N_("unary minus: d(-a)/da = -1"), lambda a, b: [1.0, 0.0])]),
    ("a - b", lambda V, a, b: a - b, (-2, 2), [
        (N_("sign: d(a - b)/db = -1"), lambda a, b: [1.0, 1.0])]),
    ("a / b", lambda V, a, b: a / b, (0.5, 2), [
        (N_("division: d(a/b)/db = -a/b² (a / b is a * b**-1)"),
         lambda a, b: [1 / b, a / b**2])]),
    ("2.5 - a", lambda V, a, b: 2.5 - a, (-2, 2), [
        (N_("__rsub__ computes other - self (2.5 - a), not self - other"),
         lambda a, b: [1.0, 0.0])]),
    ("2.0 / a", lambda V, a, b: 2.0 / a, (0.5, 2), [
        (N_("__rtruediv__ computes other / self (2 / a), not self / other"),
         lambda a, b: [0.5, 0.0])]),
    ("a * 2 - b / 4", lambda V, a, b: a * 2 - b / 4, (-2, 2), []),
]
_OPS = _BASIC_OPS + _MORE_OPS + _REST_OPS

_FORWARD_MISTAKES = {  # name: (what the slip computes from the numbers a, b, hint)
    "a - b": (lambda a, b: b - a,
              N_("__sub__ computes self - other (a - b), not other - self")),
    "2.5 - a": (lambda a, b: a - 2.5,
                N_("__rsub__ computes other - self (2.5 - a), not self - other")),
    "2.0 / a": (lambda a, b: a / 2.0,
                N_("__rtruediv__ computes other / self (2 / a), not self / other")),
    "a / b": (lambda a, b: b / a, N_("__truediv__ computes self / other (a / b)")),
    "-a": (lambda a, b: a, N_("unary minus computes -self (self * -1), not self")),
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
        " " + _at(a, b)
    out, leaves = _run(Value, expr, (a, b), what)
    value, exact = _oracle(expr, (a, b))
    if name in _FORWARD_MISTAKES:
        wrong, hint = _FORWARD_MISTAKES[name]
        got = out.data
        if isinstance(got, (int, float)) and abs(got - wrong(a, b) * u) <= 1e-9 * max(1, abs(got)) \
                and abs(value - got) > 1e-9 * max(1, abs(value)):
            raise AssertionError(_("{what}: forward value is {got}, expected {expected}. "
                                   "Likely mistake: {hint}.").format(
                                       what=what, got=repr(got), expected=repr(value),
                                       hint=_(hint)))
    _check_forward(out, value, what)
    got = _grads(leaves, what)
    if out.grad != 1.0:
        raise _not_seeded(what, out.grad)
    named = [(_(_FORWARD_ORDER), _model(expr, (a, b), "forward_order")),
             (_(_ASSIGN), _model(expr, (a, b), "assign"))]
    if upstream is not None:
        named.append((_(_UPSTREAM), exact / upstream))
    named += [(_(hint), _array(model(a, b)) * u) for hint, model in mistakes]
    expect(got, exact, f"{what}: [a.grad, b.grad]", mistakes=named, tol=1e-6)


def _check_ops(Value, ops, seeds, *, alone=()) -> None:
    """Each op's gradient against central differences of the same float64 expression: the ops
    named in `alone` as they are, then every op times a random upstream factor u
    (L = op(a, b) * u), so a closure that forgets out.grad is caught."""
    _own_work(Value)
    for seed in seeds:
        rng = rng_for(seed)
        for name, op, domain, mistakes in ops:
            if name in alone:
                _check_op(Value, name, op, domain, mistakes, rng, upstream=None)
        upstream = float(rng.uniform(1.5, 3.0))
        for name, op, domain, mistakes in ops:
            _check_op(Value, name, op, domain, mistakes, rng, upstream)


def test_value_basics(Value, seeds=(31, 32, 33)) -> None:
    """Stage 1: ``+`` and ``*`` (numbers on either side), forks and diamonds built from them, the
    order of the pass and the seed dL/dL = 1. Uses nothing but ``+``, ``*`` and ``backward()``."""
    _check_ops(Value, _BASIC_OPS, seeds, alone=("a + b", "a * b"))
    _check_graphs(Value, _BASIC_GRAPHS, seeds)


def test_value_ops(Value, seeds=(34, 35, 36)) -> None:
    """Stage 2: ``**`` (int and float exponents), ``exp``, ``tanh``, ``relu``, alone and in
    graphs (through ``+`` and ``*`` only)."""
    _check_ops(Value, _MORE_OPS, seeds)
    _check_graphs(Value, _MORE_GRAPHS, seeds)


def test_value_rest(Value, seeds=(37, 38, 39)) -> None:
    """Stage 3: unary ``-``, ``-``, ``/``, numbers on the left of ``-`` and ``/``, and a graph
    that uses every operation."""
    _check_ops(Value, _REST_OPS, seeds)
    _check_graphs(Value, _REST_GRAPHS, seeds)


# ----- graph tests: forks, diamonds, reuse, order -----

def _fork(V, a, b):
    c = a + a
    return c + c


def _square_plus(V, a, b):
    return a * a + b


def _product_diamond(V, a, b):
    e = a * b
    return e * e * 0.5 + e * a + 2 * b


def _polynomial(V, a, b):
    z = a * 0.7 + b * -1.3 + 0.4
    return z * z + 0.1 * a * a


def _diamond(V, a, b):
    e = a * b
    f = e.tanh()
    return f * e + a


def _tanh_neuron(V, a, b):
    out = (a * 0.7 + b * -1.3 + 0.4).tanh()
    return (out + -0.25) ** 2 + (a * b).exp() * 0.1 + (a * 1.5).relu() * b


def _neuron(V, a, b):
    z = a * 0.7 + b * -1.3 + 0.4
    out = z.tanh()
    return (out - 0.25) ** 2 + 0.1 * a * a


def _shared_tail(V, a, b):
    s = (a * b).exp() / (1 + a * a)
    t = s.relu() * s
    return t + s * b - 3 / s


_BASIC_GRAPHS = [("c = a + a; L = c + c", _fork), ("L = a*a + b", _square_plus),
                 ("e = a*b; L = e*e*0.5 + e*a + 2b", _product_diamond),
                 ("z = 0.7a - 1.3b + 0.4; L = z*z + 0.1*a*a", _polynomial)]
_MORE_GRAPHS = [("e = a*b; L = tanh(e)*e + a", _diamond),
                ("L = (tanh(0.7a - 1.3b + 0.4) - 0.25)**2 + 0.1exp(ab) + relu(1.5a)*b",
                 _tanh_neuron)]
_REST_GRAPHS = [("L = (tanh(0.7a - 1.3b + 0.4) - 0.25)**2 + 0.1*a*a", _neuron),
                ("s = exp(ab)/(1+a²); L = relu(s)*s + s*b - 3/s", _shared_tail)]
_GRAPHS = _BASIC_GRAPHS + _MORE_GRAPHS + _REST_GRAPHS


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
        raise AssertionError(_(
            "{what}: a '{op}' node's _backward ran {count} times, so its gradient was passed on "
            "more than once. Likely mistake: no topological order: build the topological order "
            "of the graph (each node once), then call each node's _backward in reverse order, "
            "once per node.").format(what=what, op=getattr(node, "_op", "?"),
                                     count=count[id(node)]))
    if calls[0] is not out and position.get(id(out), -1) == len(calls) - 1 and len(calls) > 2:
        raise AssertionError(_(
            "{what}: the output's _backward ran last. Likely mistake: {hint}.").format(
                what=what, hint=_(_FORWARD_ORDER)))
    for consumer in nodes:
        for child in consumer._prev:
            if id(child) in position and id(consumer) in position and child._prev \
                    and position[id(child)] < position[id(consumer)]:
                raise AssertionError(_(
                    "{what}: a '{op}' node passed its gradient on before the '{user}' node "
                    "that uses it had added its share. Likely mistake: no topological order: "
                    "build the topological order of the graph, then call each node's _backward "
                    "in reverse order, once per node.").format(
                        what=what, op=getattr(child, "_op", "?"),
                        user=getattr(consumer, "_op", "?")))


def _check_graphs(Value, graphs, seeds) -> None:
    """Gradients add at forks (c = a + a; L = c + c gives dL/da = 4), diamonds, reuse; each node
    passes its gradient on only after all its uses (reverse topological order)."""
    _own_work(Value)
    for seed in seeds:
        rng = rng_for(seed + 10)
        for name, expr in graphs:
            a, b = (float(v) for v in rng.uniform(0.3, 1.2, size=2) * rng.choice([-1, 1], 2))
            if expr is _shared_tail:
                a, b = abs(a), abs(b)
            what = f"{name}, {_at(a, b)}"
            try:
                leaves = [Value(a), Value(b)]
                out = expr(Value, *leaves)
            except NotImplementedError:
                raise _not_written(what) from None
            except Exception as err:
                raise AssertionError(_("{what}: building the graph raised {error}: "
                                       "{message}").format(
                                           what=what, error=type(err).__name__,
                                           message=err)) from None
            calls, nodes = _trace_backward_calls(out)
            try:
                out.backward()
            except NotImplementedError:
                raise _not_written(what) from None
            except Exception as err:
                raise AssertionError(_("{what}: backward() raised {error}: {message}").format(
                    what=what, error=type(err).__name__, message=err)) from None
            got = _grads(leaves, what)
            value, exact = _oracle(expr, (a, b))
            _check_forward(out, value, what)
            mistakes = [
                (_(_ASSIGN), _model(expr, (a, b), "assign")),
                (_(_UPSTREAM), _model(expr, (a, b), "no_upstream")),
                (_(_FORWARD_ORDER), _model(expr, (a, b), "forward_order")),
                (_("backward() did not seed the output: set its grad to 1.0 (dL/dL = 1) before "
                   "walking the graph"), _array([0.0, 0.0])),
            ]
            try:
                expect(got, exact, f"{what}: [a.grad, b.grad]", mistakes=mistakes, tol=1e-6)
            except AssertionError as failure:
                if any(hint in str(failure) for hint, _model_grads in mistakes):
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

    what = _("a chain {depth} operations deep").format(depth=depth)
    try:
        out, (x, _unused) = _run(Value, expr, (x0, 0.0), what)
    except RecursionError:
        raise AssertionError(_(
            "{what}: backward() raised RecursionError. Likely mistake: a recursive topological "
            "sort hits Python's recursion limit (about 1000 calls deep): build the order with "
            "an explicit stack (a list you push to and pop from).").format(what=what)) from None
    if out.grad != 1.0:
        raise _not_seeded(what, out.grad)
    expect(_array([_number(x.grad, f"{what}: x.grad")]), _array([_prod(factors)]),
           f"{what}: dL/dx", mistakes=[(_(_FORWARD_ORDER), _array([0.0]))], tol=1e-8)


def test_value_second_backward(Value, seeds=(61, 62)) -> None:
    """After setting every node's .grad to 0, a second backward() gives the same gradients
    (stage 1: graphs of + and * only)."""
    _own_work(Value)
    for seed in seeds:
        rng = rng_for(seed)
        a0, b0 = (float(v) for v in rng.uniform(0.3, 1.2, size=2))
        for name, expr in _BASIC_GRAPHS[1:]:
            what = f"{name}, {_at(a0, b0)}"
            out, leaves = _run(Value, expr, (a0, b0), what)
            first = _grads(leaves, _("{what} (first backward)").format(what=what))
            for node in _topological_order(out):
                node.grad = 0.0
            try:
                out.backward()
            except Exception as err:
                raise AssertionError(_("{what}: the second backward() raised {error}: "
                                       "{message}").format(
                                           what=what, error=type(err).__name__,
                                           message=err)) from None
            again = _grads(leaves, _("{what} (second backward)").format(what=what))
            expect(again, first,
                   _("{what}: gradients of a second backward() after zeroing every .grad").format(
                       what=what),
                   mistakes=[(_("the second backward() found no nodes to visit: a visited set "
                                "or topological list that outlives one call (a mutable default "
                                "argument such as visited=set(), or a class attribute); create "
                                "them inside backward()"), _array([0.0, 0.0]))], tol=1e-12)


# ----- the network: Neuron, Layer, MLP on the learner's Value -----

_NAMES = N_("MLP(nin, nouts).layers: a list of Layers; Layer.neurons: a list of Neurons; "
            "Neuron.w: a list of nin weight Values and Neuron.b: the bias Value (micrograd's "
            "names)")


_NO_BIASES = N_("parameters() misses the biases: a neuron's parameters are self.w + [self.b]")


def _own_work_net(*classes):
    for cls in classes:
        if not isinstance(cls, type):
            raise AssertionError(_("{name} must be a class, got {kind}.").format(
                name=getattr(cls, "__name__", cls), kind=type(cls).__name__))
        for base in cls.__mro__[1:]:
            module = getattr(base, "__module__", "") or ""
            if module.split(".")[0] in ("bpcourse", "micrograd"):
                raise DelegationDetected(_(
                    "{name} inherits from {base}: the exercise is to write the network "
                    "yourself, so this answer earns no points.").format(
                        name=cls.__name__, base=f"{module}.{base.__qualname__}"))


def _call(fn, what, *args):
    try:
        return fn(*args)
    except NotImplementedError:
        raise _not_written(what) from None
    except AssertionError:
        raise
    except Exception as err:
        raise AssertionError(_("{what} raised {error}: {message}").format(
            what=what, error=type(err).__name__, message=err)) from None


def _structure(model, nin, nouts, what):
    """[(w, b) per neuron] per layer, read through micrograd's names; named structural slips."""
    layers = getattr(model, "layers", None)
    if not isinstance(layers, (list, tuple)):
        raise AssertionError(_("{what}: no list .layers. Keep micrograd's names: {names}.").format(
            what=what, names=_(_NAMES)))
    if len(layers) != len(nouts):
        raise AssertionError(_("{what}: {count} layers, expected {expected} (one Layer per entry "
                               "of nouts).").format(what=what, count=len(layers),
                                                    expected=len(nouts)))
    structure, sizes = [], [nin, *nouts]
    for k, layer in enumerate(layers):
        neurons = getattr(layer, "neurons", None)
        if not isinstance(neurons, (list, tuple)):
            raise AssertionError(_("{what}: layer {k} has no list .neurons. Keep micrograd's "
                                   "names: {names}.").format(what=what, k=k, names=_(_NAMES)))
        if len(neurons) != sizes[k + 1]:
            raise AssertionError(_("{what}: layer {k} has {count} neurons, expected {expected} "
                                   "(nouts[{k}]).").format(what=what, k=k, count=len(neurons),
                                                           expected=sizes[k + 1]))
        if len({id(n) for n in neurons}) < len(neurons):
            raise AssertionError(_(
                "{what}: layer {k} holds the same Neuron object several times. Likely mistake: "
                "a layer that reuses one neuron ([Neuron(nin)] * nout repeats one object): "
                "create a new Neuron for each output, [Neuron(nin) for _ in range(nout)].").format(
                    what=what, k=k))
        rows = []
        for neuron in neurons:
            w, b = getattr(neuron, "w", None), getattr(neuron, "b", None)
            if not isinstance(w, (list, tuple)) or b is None:
                raise AssertionError(_("{what}: a neuron of layer {k} has no list .w or no .b. "
                                       "Keep micrograd's names: {names}.").format(
                                           what=what, k=k, names=_(_NAMES)))
            if len(w) != sizes[k]:
                raise AssertionError(_(
                    "{what}: a neuron of layer {k} has {count} weights, expected {expected} (the "
                    "layer's number of inputs). Likely mistake: layer {k} must be "
                    "Layer(sizes[{k}], sizes[{k1}]) with sizes = [nin] + nouts.").format(
                        what=what, k=k, k1=k + 1, count=len(w), expected=sizes[k]))
            rows.append((list(w), b))
        structure.append(rows)
    return structure


def _check_parameters(model, structure, what):
    params = _call(model.parameters, f"{what}: parameters()")
    if not isinstance(params, (list, tuple)):
        raise AssertionError(_("{what}: parameters() returned a {kind}; it must return a list of "
                               "Values.").format(what=what, kind=type(params).__name__))
    if any(isinstance(p, (list, tuple)) for p in params):
        raise AssertionError(_("{what}: parameters() returned a list of lists. Likely mistake: "
                               "it must be one flat list of Values ([p for layer in self.layers "
                               "for p in layer.parameters()]).").format(what=what))
    weights = [wi for layer in structure for w, _b in layer for wi in w]
    biases = [b for layer in structure for _w, b in layer]
    listed = {id(p) for p in params}
    if len(listed) < len(params):
        raise AssertionError(_("{what}: parameters() lists some Values more than once; list each "
                               "weight and bias exactly once.").format(what=what))
    if biases and not any(id(b) in listed for b in biases) and all(id(w) in listed
                                                                   for w in weights):
        raise AssertionError(_("{what}: parameters() has {count} Values, expected {expected}. "
                               "Likely mistake: {hint}.").format(
                                   what=what, count=len(params),
                                   expected=len(weights) + len(biases), hint=_(_NO_BIASES)))
    missing = [p for p in weights + biases if id(p) not in listed]
    if missing or len(params) != len(weights) + len(biases):
        raise AssertionError(_("{what}: parameters() has {count} Values, expected every weight "
                               "and bias ({expected}); {missing} of them are not listed.").format(
                                   what=what, count=len(params),
                                   expected=len(weights) + len(biases), missing=len(missing)))
    return weights + biases


def _net_forward(Ws, bs, x, act, last):
    h = np.asarray(x, dtype=float)
    for k, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        z = W @ h + b
        h = last(z) if k == len(Ws) - 1 else act(z)
    return h


_ACTS = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "none": lambda z: z}


def _outputs(out, n, what):
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    if len(outs) != n:
        raise AssertionError(_("{what}: returned {count} outputs, expected {expected} (the last "
                               "layer's size; micrograd returns the Value itself when it is "
                               "1).").format(what=what, count=len(outs), expected=n))
    for o in outs:
        if not hasattr(o, "data"):
            raise AssertionError(_("{what}: an output is a {kind}, not a Value: build the "
                                   "forward pass from Values so gradients can flow.").format(
                                       what=what, kind=type(o).__name__))
    return outs


def _which_activation(got, Ws, bs, x, what):
    """'tanh' or 'relu' when the forward pass is right with hidden layers of that kind;
    otherwise the named mistake."""
    for name in ("tanh", "relu"):
        if np.allclose(got, _net_forward(Ws, bs, x, _ACTS[name], _ACTS["none"]),
                       rtol=1e-9, atol=1e-12):
            return name
    models = [(_("the last layer is nonlinear: the MLP's output layer must be linear (no tanh "
                 "or relu), as in micrograd's MLP(nonlin=i != len(nouts) - 1)"), act, act)
              for act in (_ACTS["tanh"], _ACTS["relu"])]
    models.append((_("the hidden layers are linear: a hidden neuron applies its nonlinearity "
                     "(tanh or relu) to w·x + b"), _ACTS["none"], _ACTS["none"]))
    if len(Ws) == 1:
        models = models[:2]
    wrong = _("{what}: wrong outputs. Likely mistake: {hint}.")
    for hint, act, last in models:
        if np.allclose(got, _net_forward(Ws, bs, x, act, last), rtol=1e-9, atol=1e-12):
            raise AssertionError(wrong.format(what=what, hint=hint))
    no_bias = [np.zeros_like(b) for b in bs]
    for name in ("tanh", "relu"):
        if np.allclose(got, _net_forward(Ws, no_bias, x, _ACTS[name], _ACTS["none"]),
                       rtol=1e-9, atol=1e-12):
            raise AssertionError(wrong.format(what=what, hint=_(
                "the bias is not added: a neuron computes act(w·x + b)")))
    expected = _net_forward(Ws, bs, x, _ACTS["tanh"], _ACTS["none"])
    raise AssertionError(_("{what}: outputs {got}, expected {expected} (tanh hidden layers, "
                           "linear last layer; relu hidden layers are accepted too).").format(
                               what=what, got=np.round(got, 6).tolist(),
                               expected=np.round(expected, 6).tolist()))


def _check_network(Neuron, Layer, MLP, nin, nouts, rng, as_values):
    what = f"MLP({nin}, {nouts})"
    model = _call(MLP, what, nin, list(nouts))
    structure = _structure(model, nin, nouts, what)
    for k, layer in enumerate(model.layers):
        if not isinstance(layer, Layer) or not all(isinstance(n, Neuron)
                                                   for n in layer.neurons):
            raise AssertionError(_("{what}: layer {k} is not built from your Layer and Neuron "
                                   "classes: an MLP is a list of Layers, a Layer a list of "
                                   "Neurons.").format(what=what, k=k))
    params = _check_parameters(model, structure, what)
    Value = type(params[0])
    if Value is _autograd.Value or (getattr(Value, "__module__", "") or "").startswith(
            "micrograd"):
        raise DelegationDetected(_("{what}: the parameters are {module}.Value: build the network "
                                   "on your own Value, so this answer earns no points.").format(
                                       what=what, module=Value.__module__))
    Ws = [rng.uniform(-1.0, 1.0, size=(len(layer), len(layer[0][0]))) for layer in structure]
    bs = [rng.uniform(-0.5, 0.5, size=len(layer)) for layer in structure]
    for layer, W, b in zip(structure, Ws, bs, strict=True):
        for (w, bias), row, b_k in zip(layer, W, b, strict=True):
            for wi, value in zip(w, row, strict=True):
                wi.data = float(value)
            bias.data = float(b_k)
    x = rng.uniform(-1.5, 1.5, size=nin)
    inputs = [Value(float(v)) for v in x] if as_values else [float(v) for v in x]
    call_what = (_("{what}(x) on a list of Values") if as_values
                 else _("{what}(x) on a list of numbers")).format(what=what)
    outs = _outputs(_call(model, call_what, inputs), nouts[-1], call_what)
    got = _array([_number(o.data, f"{call_what}: .data") for o in outs])
    act = _ACTS[_which_activation(got, Ws, bs, x, call_what)]

    # A loss through the network: L = sum_k c_k o_k + 0.5 o_k², built with + and * only.
    c = rng.uniform(-1.0, 1.0, size=len(outs))
    loss = outs[0] * float(c[0]) + outs[0] * outs[0] * 0.5
    for o, c_k in zip(outs[1:], c[1:], strict=True):
        loss = loss + o * float(c_k) + o * o * 0.5
    for p in params:
        p.grad = 0.0
    _call(loss.backward, _("{what}: backward() of a loss").format(what=call_what))
    leaves = params + (inputs if as_values else [])
    got_grad = _array([_number(p.grad, _("{what}: a parameter's .grad").format(what=call_what))
                       for p in leaves])

    shapes = [W.shape for W in Ws]

    def loss_of(theta):
        Ws_, bs_, i = [], [], 0
        for rows, cols in shapes:
            Ws_.append(theta[i:i + rows * cols].reshape(rows, cols))
            i += rows * cols
        for rows, _cols in shapes:
            bs_.append(theta[i:i + rows])
            i += rows
        out = _net_forward(Ws_, bs_, theta[i:] if as_values else x, act, _ACTS["none"])
        return float(c @ out + 0.5 * out @ out)

    theta = np.concatenate([W.ravel() for W in Ws] + bs + ([x] if as_values else []))
    exact = np.zeros_like(theta)
    for i in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += 1e-6
        minus[i] -= 1e-6
        exact[i] = (loss_of(plus) - loss_of(minus)) / 2e-6
    names = (_("every weight, then every bias, then every input") if as_values
             else _("every weight, then every bias"))
    cut = (got_grad == 0.0) & (np.abs(exact) > 1e-6)
    if cut.any():
        raise AssertionError(_(
            "{what}: {count} of the {size} gradients ({names}) are 0 where they should not be. "
            "Likely mistake: no gradient reaches them: the forward pass builds a new Value from "
            "a .data (or uses floats), which cuts the graph; combine the Values themselves "
            "(w_i * x_i, sums of Values).").format(what=call_what, count=int(cut.sum()),
                                                   size=cut.size, names=names))
    expect(got_grad, exact, _("{what}: gradients of a loss w.r.t. {names}").format(
        what=call_what, names=names), tol=1e-5)


def test_mlp(Neuron, Layer, MLP, seeds=(71, 72, 73)) -> None:
    """MLPs of random sizes: micrograd's structure (layers / neurons / w, b), ``parameters()``
    (every weight and bias, once), the forward pass (nonlinear hidden layers, a linear last
    one) on numbers and on Values, and the gradient of a loss w.r.t. every parameter and input
    against central differences in float64."""
    _own_work_net(Neuron, Layer, MLP)
    neuron = _call(Neuron, "Neuron(3)", 3)
    params = _call(getattr(neuron, "parameters", lambda: None), "Neuron(3).parameters()")
    if not isinstance(params, (list, tuple)) or len(params) != 4:
        size = len(params) if isinstance(params, (list, tuple)) else type(params).__name__
        raise AssertionError(_("Neuron(3).parameters() gives {size}, expected 4 Values (3 "
                               "weights and the bias). Likely mistake: {hint}.").format(
                                   size=size, hint=_(_NO_BIASES)))
    for seed in seeds:
        rng = rng_for(seed)
        nin = int(rng.integers(2, 5))
        hidden = [int(k) for k in rng.integers(2, 5, size=int(rng.integers(1, 3)))]
        nouts = hidden + [int(rng.integers(1, 3))]
        for as_values in (False, True):
            _check_network(Neuron, Layer, MLP, nin, nouts, rng, as_values)


# ----- the visible tests' first checks: one worked case per exercise, named mistakes -----
# The notebook's visible test cells call these, so that every word a learner reads there is in
# the learner's language; the hidden tests above check the same and more on random numbers.

def check_worked_case(Value) -> None:
    """Stage 1's worked case: c = a*b + a at a = 2, b = -3 gives dc/da = b + 1 = -2 and
    dc/db = a = 2 (a is used twice, its two shares add)."""
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a
    c.backward()
    expect(_array([a.grad, b.grad]), _array([-2.0, 2.0]), _("[a.grad, b.grad] for c = a*b + a"),
           mistakes=[(_("`=` instead of `+=`: a is used twice, both shares must add"),
                      _array([-3.0, 2.0])),
                     (_("grad not seeded: backward() must set the output's grad to 1.0 first"),
                      _array([0.0, 0.0]))])


def check_tanh_at_half(Value) -> None:
    """Stage 2's worked case: d(tanh a)/da at a = 0.5 is 1 - tanh(0.5)² = 0.786448..."""
    a = Value(0.5)
    a.tanh().backward()
    expect(_array([a.grad]), _array([1 - _tanh(0.5) ** 2]), _("a.grad for tanh(a) at 0.5"),
           mistakes=[(_("tanh: use 1 - tanh(a)**2 (1 - out.data**2), not 1 - a**2"),
                      _array([1 - 0.5 ** 2]))])


def check_rsub_at_half(Value) -> None:
    """Stage 3's worked case: c = 2 - a at a = 0.5 is 1.5, and dc/da = -1."""
    a = Value(0.5)
    c = 2 - a
    c.backward()
    expect(_array([c.data, a.grad]), _array([1.5, -1.0]), _("[c.data, a.grad] for c = 2 - a"),
           mistakes=[(_("__rsub__ computes other - self (2 - a), not self - other"),
                      _array([-1.5, 1.0]))])


def check_parameter_count(MLP) -> None:
    """MLP(3, [4, 4, 1]) lists 41 parameters, 4·(3+1) + 4·(4+1) + 1·(4+1), and returns one Value
    for one input."""
    net = MLP(3, [4, 4, 1])
    count = len(net.parameters())
    if count != 41:
        message = _("MLP(3, [4, 4, 1]).parameters() lists {count} Values, expected 41 = "
                    "4·(3+1) + 4·(4+1) + 1·(4+1).").format(count=count)
        if count == 32:  # 41 minus the 9 biases
            message += " " + _("Likely mistake: {hint}.").format(hint=_(_NO_BIASES))
        raise AssertionError(message)
    out = net([1.0, -2.0, 0.5])
    if not hasattr(out, "data"):
        raise AssertionError(_("MLP(3, [4, 4, 1]) must return one Value, got {kind}.").format(
            kind=type(out).__name__))
