"""A scalar autograd engine: the chain rule, one number at a time (micrograd's API).

Each operation builds its output ``Value`` and, right beside it, a closure ``_backward`` that
adds the upstream gradient times the operation's local derivative into its inputs' ``.grad``::

    out = a * b                  # forward:  out.data = a.data * b.data
    a.grad += b.data * out.grad  # backward: d(out)/da = b, times upstream dL/d(out)

``backward()`` calls the closures in reverse topological order, so a node passes its gradient
on only after every use of it has added its share (``+=``: ``b = a + a`` gives db/da = 2).

What differs from micrograd, and why:

* the topological order is built with an explicit stack, not recursion: a chain a million
  nodes deep backpropagates (micrograd stops near depth 1000);
* a second ``backward()`` recomputes the interior nodes' gradients and adds into the leaves'
  (as PyTorch does); ``zero_grad()`` starts afresh;
* a wrong operand, ``0 ** -1`` or ``exp(1000)`` raise errors that say what is wrong;
* ``log()`` and ``sigmoid()`` are there too.

It refuses to be clever: no caches, no fast paths beyond ``__slots__``. It is never slower than
micrograd on a long chain or a wide graph (benchmark B5).
"""

from __future__ import annotations

import math
from numbers import Real

# Absolute, unlike the other modules: tests run this very source as a learner's answer cell
# (tests/test_grading_hints.py), where a relative import has no package.
from bpcourse.i18n import _

__all__ = ["Value", "topological_order"]


def _real(x, op: str = "") -> float:
    """x as a float; a TypeError that names the operation if x is no real number."""
    if isinstance(x, bool) or not isinstance(x, Real):
        if op:
            raise TypeError(_("Value {op} {type}: the other operand must be a Value or a real "
                              "number (int or float), got {type} {value}.").format(
                                  op=op, type=type(x).__name__, value=repr(x)))
        raise TypeError(_("Value(data): data must be a Value or a real number (int or float), "
                          "got {type} {value}.").format(type=type(x).__name__, value=repr(x)))
    return float(x)


def _leaf_backward():  # a leaf has no inputs to pass its gradient on to
    pass


class Value:
    """One scalar node of a computation graph.

    Attributes:
        data: float, the value computed by the forward pass.
        grad: float, dL/d(this node), filled by ``backward()`` on the output L.
        label: str, an optional name shown in graph pictures.
    """

    __slots__ = ("data", "grad", "label", "_backward", "_prev", "_op")  # small and fast

    def __init__(self, data: float, _children: tuple = (), _op: str = "", label: str = ""):
        self.data = data if type(data) is float else _real(data)
        self.grad = 0.0
        self.label = label
        self._backward = _leaf_backward
        self._prev = _children
        self._op = _op

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(_real(other, "+"))
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad  # d(a+b)/da = 1
            other.grad += out.grad  # d(a+b)/db = 1

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(_real(other, "*"))
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad  # d(ab)/da = b
            other.grad += self.data * out.grad  # d(ab)/db = a

        out._backward = _backward
        return out

    def __pow__(self, exponent: float) -> Value:
        if isinstance(exponent, bool) or not isinstance(exponent, Real):
            raise TypeError(_("Value ** exponent: the exponent must be an int or float "
                              "constant, got {type}. For a Value b use (b * a.log()).exp().")
                            .format(type=type(exponent).__name__))
        if self.data == 0 and exponent < 0:
            raise ZeroDivisionError(_("Value ** {exponent}: the base is 0 (a / b with b = 0 "
                                      "comes here as b ** -1): division by zero.")
                                    .format(exponent=f"{exponent:g}"))
        if self.data < 0 and not float(exponent).is_integer():
            raise ValueError(_("Value ** {exponent}: a negative base ({base}) has no real "
                               "power with a non-integer exponent.").format(
                                   exponent=f"{exponent:g}", base=f"{self.data:g}"))
        out = Value(self.data**exponent, (self,), f"**{exponent:g}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad  # d(a^n)/da

        out._backward = _backward
        return out

    def exp(self) -> Value:
        try:
            out = Value(math.exp(self.data), (self,), "exp")
        except OverflowError:  # math's bare "math range error" does not say why
            raise OverflowError(_("Value.exp(): e**{x} is too large for a float (the limit is "
                                  "about e**709); scale the input down.").format(
                                      x=f"{self.data:g}")) from None

        def _backward():
            self.grad += out.data * out.grad  # d(e^a)/da = e^a

        out._backward = _backward
        return out

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(_("Value.log(): log needs a positive number, got {x}.")
                             .format(x=repr(self.data)))
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data  # d(ln a)/da = 1/a

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1.0 - t * t) * out.grad  # d(tanh a)/da = 1 - tanh(a)^2

        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        z = math.exp(-abs(self.data))  # in (0, 1]: never overflows
        s = 1.0 / (1.0 + z) if self.data >= 0 else z / (1.0 + z)
        out = Value(s, (self,), "sigmoid")

        def _backward():
            self.grad += s * (1.0 - s) * out.grad  # d(sigma a)/da = sigma (1 - sigma)

        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            self.grad += (out.data > 0) * out.grad  # 1 where a > 0, else 0

        out._backward = _backward
        return out

    # compound operations reuse the ones above, so their gradients come for free

    def __neg__(self):  # -self
        return self * -1

    def __sub__(self, other):  # self - other
        return self + (-other)

    def __truediv__(self, other):  # self / other
        return self * (other if isinstance(other, Value) else Value(other)) ** -1

    def __radd__(self, other):  # other + self
        return self + other

    def __rmul__(self, other):  # other * self
        return self * other

    def __rsub__(self, other):  # other - self
        return -self + other

    def __rtruediv__(self, other):  # other / self
        return self**-1 * other

    def backward(self) -> None:
        """Fill ``.grad`` of every node this one depends on with d(self)/d(node).

        Interior gradients are recomputed; leaf gradients accumulate across calls.
        """
        order = topological_order(self)
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad += 1.0  # dL/dL = 1 (just zeroed if interior; a leaf accumulates)
        for node in reversed(order):
            node._backward()

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 for this node and every node it depends on."""
        for node in topological_order(self):
            node.grad = 0.0

    def topological_order(self) -> list[Value]:
        return topological_order(self)

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"


def topological_order(root) -> list:
    """Every node `root` depends on, each listed after all of its inputs, `root` last.

    The explicit stack holds (node, are its inputs done?): no recursion, so no depth limit.
    Works on any node with a ``_prev`` of input nodes that hash by identity (this Value,
    micrograd's, a learner's).
    """
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            for child in node._prev:
                if child not in visited:
                    stack.append((child, False))
    return order
