"""A scalar autograd engine: the chain rule, one number at a time.

Each operation builds its output ``Value`` and, right beside it, a small closure
``_backward`` that knows the operation's *local* derivative and adds the
*upstream* gradient times that local derivative into its inputs' ``.grad``
(the chain rule, 链式法则)::

    out = a * b                 # forward:  out.data = a.data * b.data
    a.grad += b.data * out.grad # backward: d(out)/da = b, times upstream d(L)/d(out)

``backward()`` walks the graph (计算图) in reverse topological order, so that a
node passes its gradient on only after every use of it has added its share.
Gradients add where a value is used twice (``+=``): ``b = a + a`` gives
``db/da = 2``.

The API is micrograd's (``data``, ``grad``, ``+ - * / **``, ``exp``, ``tanh``,
``relu``, ``backward``), with three differences a learner will meet:

* the topological order is built with an explicit stack, not recursion, so a
  chain a million nodes deep backpropagates;
* **calling backward() twice**: each call first zeroes the gradients of the
  interior (non-leaf) nodes, then adds this pass's gradients. Leaves therefore
  *accumulate* across calls, exactly as in PyTorch: a second ``backward()``
  doubles every leaf's ``.grad``. Call ``zero_grad()`` to start afresh;
* ``log()`` and ``sigmoid()`` are there too.
"""

from __future__ import annotations

import gc
import math
from numbers import Real

__all__ = ["Value", "topological_order"]


def _as_value(other: Value | float, op: str) -> Value:
    if isinstance(other, Value):
        return other
    if type(other) is float or isinstance(other, Real) and not isinstance(other, bool):
        return Value(float(other))
    raise TypeError(
        f"Value {op} {type(other).__name__}: the other operand must be a Value or a real "
        f"number (int or float), got {other!r}."
    )


class Value:
    """One scalar node of a computation graph.

    Attributes:
        data: float, the value computed by the forward pass.
        grad: float, dL/d(this node), filled by ``backward()`` on the output L.
        label: str, an optional name shown in graph pictures.
    """

    __slots__ = ("data", "grad", "label", "_backward", "_prev", "_op")

    def __init__(self, data: float, _children: tuple = (), _op: str = "", label: str = ""):
        if type(data) is not float:  # a float, by far the most common, needs no checks
            if isinstance(data, bool) or not isinstance(data, Real):
                raise TypeError(
                    f"Value(data): data must be a real number (int or float), got "
                    f"{type(data).__name__} {data!r}."
                )
            data = float(data)
        self.data = data
        self.grad = 0.0
        self.label = label
        self._backward = None  # a leaf has nothing to pass its gradient on to
        self._prev = _children
        self._op = _op

    # ----- operations: forward value and local derivative side by side -----

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else _as_value(other, "+")
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad  # d(a+b)/da = 1
            other.grad += out.grad  # d(a+b)/db = 1

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else _as_value(other, "*")
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad  # d(ab)/da = b
            other.grad += self.data * out.grad  # d(ab)/db = a

        out._backward = _backward
        return out

    def __pow__(self, exponent: float) -> Value:
        if isinstance(exponent, bool) or not isinstance(exponent, Real):
            raise TypeError(
                f"Value ** exponent: the exponent must be an int or float constant, got "
                f"{type(exponent).__name__}. For a Value exponent use (b * a.log()).exp()."
            )
        if self.data == 0 and exponent < 0:
            raise ZeroDivisionError(f"Value ** {exponent:g}: the base is 0 (a / b with b = 0 "
                                    "comes here as b ** -1): division by zero.")
        if self.data < 0 and not float(exponent).is_integer():
            raise ValueError(f"Value ** {exponent:g}: a negative base ({self.data:g}) has no real "
                             "power with a non-integer exponent.")
        out = Value(self.data**exponent, (self,), f"**{exponent:g}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad  # d(a^n)/da

        out._backward = _backward
        return out

    def exp(self) -> Value:
        try:
            out = Value(math.exp(self.data), (self,), "exp")
        except OverflowError:  # instead of math's bare "math range error"
            raise OverflowError(f"Value.exp(): e**{self.data:g} is too large for a float "
                                "(the limit is about e**709); scale the input down.") from None

        def _backward():
            self.grad += out.data * out.grad  # d(e^a)/da = e^a

        out._backward = _backward
        return out

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"Value.log(): log needs a positive number, got {self.data!r}.")
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
        x = self.data  # written so that exp never overflows, for large |x| of either sign
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
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

    # ----- compound operations reuse the primitives, so their gradients come for free -----

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | float) -> Value:
        return self + (-_as_value(other, "-"))

    def __truediv__(self, other: Value | float) -> Value:
        return self * _as_value(other, "/") ** -1

    def __radd__(self, other: float) -> Value:
        return self + other

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __rsub__(self, other: float) -> Value:
        return _as_value(other, "-") + (-self)

    def __rtruediv__(self, other: float) -> Value:
        return _as_value(other, "/") * self**-1

    # ----- the backward pass -----

    def topological_order(self) -> list[Value]:
        """Every node this one depends on, each after all of its inputs (see topological_order)."""
        return topological_order(self)

    def backward(self) -> None:
        """Fill ``.grad`` of every node this one depends on with d(self)/d(node).

        Seeds d(self)/d(self) = 1, then calls each node's local ``_backward`` in
        reverse topological order. Interior gradients are reset first; leaf
        gradients accumulate across calls (see the module docstring).
        """
        # The backward pass makes no reference cycles, so the cyclic garbage collector has
        # nothing to find; paused, it does not rescan the whole graph again and again.
        collecting = gc.isenabled()
        gc.disable()
        try:
            order = self.topological_order()
            for node in order:
                if node._prev:
                    node.grad = 0.0
            self.grad += 1.0  # dL/dL = 1 (just zeroed if interior; a leaf accumulates)
            for node in reversed(order):
                if node._backward is not None:
                    node._backward()
        finally:
            if collecting:
                gc.enable()

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 for this node and every node it depends on."""
        for node in self.topological_order():
            node.grad = 0.0

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"


def topological_order(root) -> list:
    """Every node `root` depends on, each listed after all of its inputs.

    Iterative depth-first search, so no recursion limit. Works on any node with a
    ``_prev`` collection of input nodes that hashes by identity (this module's Value,
    micrograd's, a learner's that defines no ``__eq__``).

    Returns:
        list of nodes, starting at leaves and ending with `root`.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if node in visited:  # nodes hash by identity (no __eq__), as in micrograd
            continue
        visited.add(node)
        stack.append((node, True))
        for child in node._prev:
            if child not in visited:
                stack.append((child, False))
    return order
