"""03_scalar_autograd: the Value class is one exercise, so each mistake is its own notebook."""

from .build import Submission

A = "03_scalar_autograd"

# Another correct style: a table of local derivatives instead of closures, division and
# subtraction as primitives, a recursive-free order found by counting parents (Kahn).
ALTERNATIVE = '''
class Value:
    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self.grad, self.label = float(data), 0.0, label
        self._prev, self._op, self._local = tuple(_children), _op, ()
        self._backward = lambda: None

    @staticmethod
    def _lift(x):
        return x if isinstance(x, Value) else Value(x)

    def _node(self, data, parents, local, op):
        out = Value(data, parents, op)
        out._local = tuple(local)

        def _backward():
            for parent, d in zip(out._prev, out._local):
                parent.grad += d * out.grad
        out._backward = _backward
        return out

    def __add__(self, o):
        o = Value._lift(o)
        return self._node(self.data + o.data, (self, o), (1.0, 1.0), "+")

    def __sub__(self, o):
        o = Value._lift(o)
        return self._node(self.data - o.data, (self, o), (1.0, -1.0), "-")

    def __mul__(self, o):
        o = Value._lift(o)
        return self._node(self.data * o.data, (self, o), (o.data, self.data), "*")

    def __truediv__(self, o):
        o = Value._lift(o)
        return self._node(self.data / o.data, (self, o),
                          (1.0 / o.data, -self.data / o.data ** 2), "/")

    def __pow__(self, n):
        return self._node(self.data ** n, (self,), (n * self.data ** (n - 1),), f"**{n}")

    def __neg__(self):
        return self._node(-self.data, (self,), (-1.0,), "neg")

    def __radd__(self, o):
        return Value._lift(o) + self

    def __rsub__(self, o):
        return Value._lift(o) - self

    def __rmul__(self, o):
        return Value._lift(o) * self

    def __rtruediv__(self, o):
        return Value._lift(o) / self

    def exp(self):
        e = math.exp(self.data)
        return self._node(e, (self,), (e,), "exp")

    def tanh(self):
        t = math.tanh(self.data)
        return self._node(t, (self,), (1.0 - t ** 2,), "tanh")

    def relu(self):
        return self._node(max(0.0, self.data), (self,), (float(self.data > 0),), "relu")

    def backward(self):
        nodes, todo = {id(self): self}, [self]
        while todo:
            for p in todo.pop()._prev:
                if id(p) not in nodes:
                    nodes[id(p)] = p
                    todo.append(p)
        waiting = {k: 0 for k in nodes}
        for node in nodes.values():
            for p in node._prev:
                waiting[id(p)] += 1
        ready, self.grad = [self], 1.0
        while ready:
            node = ready.pop()
            node._backward()
            for p in node._prev:
                waiting[id(p)] -= 1
                if waiting[id(p)] == 0:
                    ready.append(p)
'''

RSUB_WITHOUT_SIGN = '''def __rsub__(self, other):  # other - self
        out = Value(other - self.data, (self,), "rsub")

        def _backward():
            self.grad += out.grad

        out._backward = _backward
        return out'''

# (label, replacements of the reference Value, text the hint must contain (None: the mistake
# loses its points but no test names it), points kept). Swapped derivatives of `*` are not
# here: every hidden case multiplies by an upstream constant, so that mistake fails an earlier
# case without a name. Points kept, with why:
# assign_not_accumulate: the hidden per-operation tests (3) and the deep chain (1) use every
# node once, so `=` and `+=` agree there; tanh_of_input: the deep chain (1) has no tanh;
# rsub_without_sign: only the visible test (2, it runs the per-operation test once) and the
# per-operation test (3) have `2.5 - a`; the graphs (3) and the deep chain (1) do not.
MISTAKES = [
    ("assign_not_accumulate", [("self.grad += out.grad ", "self.grad = out.grad "),
                               ("other.grad += out.grad ", "other.grad = out.grad "),
                               ("self.grad += other.data", "self.grad = other.data"),
                               ("other.grad += self.data", "other.grad = self.data")],
     "`=` instead of `+=`", 4.0),
    ("output_not_seeded", [("self.grad = 1.0 ", "pass ")], "must seed the output's grad", 0.0),
    ("tanh_of_input", [("(1.0 - t * t)", "(1.0 - self.data ** 2)")], "not 1 - a**2", 1.0),
    ("forward_order", [("for node in reversed(order):", "for node in order:")],
     "backward in forward order", 0.0),
    ("rsub_without_sign", [("""def __rsub__(self, other):  # other - self
        return (-self) + other""", RSUB_WITHOUT_SIGN)], "__rsub__ computes other - self", 4.0),
]


def submissions() -> list[Submission]:
    subs = [Submission("nb03-reference", A),
            Submission("nb03-release", A, base="release",
                       hints={"value": "NotImplementedError"}),
            Submission("nb03-alternative-style", A, answers={"value": ALTERNATIVE})]
    for label, repl, hint, kept in MISTAKES:
        subs.append(Submission(f"nb03-mistake-{label}", A, answers={"value": repl},
                               expected={"value": kept}, hints={"value": hint} if hint else {},
                               note=label))
    return subs
