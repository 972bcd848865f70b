"""03_scalar_autograd: Value in three stages, then Neuron/Layer/MLP on it.

The stages build on each other (a later stage's tests run the earlier stages' code), so each
mistake is its own notebook, and a mistake may cost later exercises points too: each entry
says exactly which, and why."""

from .build import Submission

A = "03_scalar_autograd"

# Another correct style, all in the stage-1 cell (the later cells then only say so): a table
# of local derivatives instead of closures, division and subtraction as
# primitives, a recursion-free order found by counting parents (Kahn).
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

RSUB = '''def __rsub__(self, other):     # other - self, when other is a number
    return (-self) + other'''

RSUB_WITHOUT_SIGN = '''def __rsub__(self, other):     # other - self
    out = Value(other - self.data, (self,), "rsub")

    def _backward():
        self.grad += out.grad

    out._backward = _backward
    return out'''

# A network in another style: relu hidden layers (micrograd's choice), loops, a Layer that
# builds its neurons one by one, parameters listed last layer first.
ALTERNATIVE_NETWORK = '''
class Neuron:
    def __init__(self, nin, nonlin=True):
        self.w = []
        for _ in range(nin):
            self.w.append(Value(random.uniform(-1, 1)))
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        total = self.b
        for wi, xi in zip(self.w, x):
            total = total + wi * xi
        return total.relu() if self.nonlin else total

    def parameters(self):
        return [self.b] + list(self.w)


class Layer:
    def __init__(self, nin, nout, nonlin=True):
        self.neurons = []
        for _ in range(nout):
            self.neurons.append(Neuron(nin, nonlin))

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs if len(outs) > 1 else outs[0]

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin, nouts):
        self.layers = []
        for i, nout in enumerate(nouts):
            self.layers.append(Layer(nin if i == 0 else nouts[i - 1], nout,
                                     nonlin=i < len(nouts) - 1))

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in reversed(self.layers) for p in layer.parameters()]
'''

STAGES = ("value_basics", "value_ops", "value_rest", "network")

# (label, answer changes, exact points of the exercises that lose some, hint by exercise).
# Exercises not named keep all their points. Maxima: value_basics 5 (visible 2, hidden 2,
# deep 1), value_ops 3, value_rest 2, network 5.
MISTAKES = [
    # Stage 1. `=` at a fork: the deep chain (1) uses every node once, so it keeps that point;
    # every later stage and the network (inputs feed every neuron) have forks.
    ("assign_not_accumulate",
     {"value_basics": [("self.grad += out.grad ", "self.grad = out.grad "),
                       ("other.grad += out.grad ", "other.grad = out.grad "),
                       ("self.grad += other.data", "self.grad = other.data"),
                       ("other.grad += self.data", "other.grad = self.data")]},
     {"value_basics": 1.0, "value_ops": 0.0, "value_rest": 0.0, "network": 0.0},
     {"value_basics": "`=` instead of `+=`"}),
    ("output_not_seeded", {"value_basics": [("self.grad = 1.0 ", "pass ")]},
     {name: 0.0 for name in STAGES}, {"value_basics": "seed"}),
    ("forward_order", {"value_basics": [("for node in reversed(order):", "for node in order:")]},
     {name: 0.0 for name in STAGES}, {"value_basics": "backward in forward order"}),
    # Stage 2. tanh: stage 3's graphs and the network's hidden layers use tanh.
    ("tanh_of_input", {"value_ops": [("(1.0 - t * t)", "(1.0 - self.data ** 2)")]},
     {"value_ops": 0.0, "value_rest": 0.0, "network": 0.0}, {"value_ops": "not 1 - a**2"}),
    # relu without its mask: stage 3's one relu sees a positive input; the network uses tanh.
    ("relu_without_mask", {"value_ops": [("(out.data > 0) * out.grad", "out.grad")]},
     {"value_ops": 0.0}, {"value_ops": "only where the input is > 0"}),
    # the power rule without n: stage 3 divides (b ** -1) and squares.
    ("power_without_n", {"value_ops": [("exponent * self.data ** (exponent - 1)",
                                        "self.data ** (exponent - 1)")]},
     {"value_ops": 0.0, "value_rest": 0.0}, {"value_ops": "the factor n is missing"}),
    # Stage 3: the network uses none of - / reflected - and /.
    ("rsub_without_sign", {"value_rest": [(RSUB, RSUB_WITHOUT_SIGN)]},
     {"value_rest": 0.0}, {"value_rest": "__rsub__ computes other - self"}),
    ("rtruediv_flipped", {"value_rest": [("return self ** -1 * other", "return self / other")]},
     {"value_rest": 0.0}, {"value_rest": "__rtruediv__ computes other / self"}),
    ("neg_without_sign", {"value_rest": [("return self * -1", "return self * 1")]},
     {"value_rest": 0.0}, {"value_rest": "unary minus"}),
    # The network.
    ("parameters_without_biases", {"network": [("return self.w + [self.b]", "return self.w")]},
     {"network": 0.0}, {"network": "misses the biases"}),
    ("last_layer_nonlinear", {"network": [("nonlin=i != len(nouts) - 1)", "nonlin=True)")]},
     {"network": 0.0}, {"network": "the last layer is nonlinear"}),
    ("one_neuron_reused", {"network": [("[Neuron(nin, **kwargs) for _ in range(nout)]",
                                        "[Neuron(nin, **kwargs)] * nout")]},
     {"network": 0.0}, {"network": "reuses one neuron"}),
    ("hidden_layers_linear", {"network": [("return act.tanh() if self.nonlin else act",
                                           "return act")]},
     {"network": 0.0}, {"network": "the hidden layers are linear"}),
]


def submissions() -> list[Submission]:
    subs = [Submission("nb03-reference", A),
            Submission("nb03-release", A, base="release",
                       hints={name: "NotImplementedError" for name in STAGES}),
            Submission("nb03-alternative-style", A, answers={
                "value_basics": ALTERNATIVE,
                "value_ops": "# written in the class above: __pow__, exp, tanh, relu\n",
                "value_rest": "# written in the class above: -, /, reflected - and /\n",
                "network": ALTERNATIVE_NETWORK}),
            # Stage 1 done, nothing after it: stage 1 earns all its points on its own.
            Submission("nb03-stage-one-only", A, base="release",
                       answers={"value_basics": [], },
                       expected={"value_basics": 5.0},
                       hints={"value_ops": "not written yet",
                              "value_rest": "not written yet", "network": "not written yet"})]
    for label, answers, expected, hints in MISTAKES:
        subs.append(Submission(f"nb03-mistake-{label}", A, answers=answers, expected=expected,
                               hints=hints, note=label))
    return subs


def named_count() -> dict[str, int]:
    """exercise -> how many of its mistakes are named by the hint they must show."""
    counts = dict.fromkeys(STAGES, 0)
    for _, answers, _, hints in MISTAKES:
        for name in hints:
            if name in answers:
                counts[name] += 1
    return counts


# backward()'s body with micrograd's recursive topological sort: right on small graphs, a
# RecursionError on deep ones (the hints tests in both languages grade it).
RECURSIVE_TOPO = '''
        order, visited = [], set()

        def build(node):
            if node not in visited:
                visited.add(node)
                for child in node._prev:
                    build(child)
                order.append(node)

        build(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
'''
