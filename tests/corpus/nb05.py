"""05_layered_backprop: the learner's modules, network, update, training step and grad_norms.

Mistakes are edits of the reference answer ((old, new) replacements): the mistake is the only
difference, so a lost point can only come from it. The k-th mistakes of all exercises share a
notebook; only train_step calls another answer (sgd_step), so the sgd mistakes that change the
update are paired with train_step mistakes whose hint fires before the update is compared.
"""

from .build import Submission
from .series import standard

A = "05_layered_backprop"

ALTERNATIVES = {
    "linear_module": '''
class Linear:
    def __init__(self, n_in, n_out, seed=None):
        rng = np.random.default_rng(seed)
        self.W = nn.Parameter(np.sqrt(2.0 / n_in) * rng.standard_normal((n_in, n_out)), "W")
        self.b = nn.Parameter(np.zeros((n_out,)), "b")
        self.x = None

    @property
    def params(self):
        return [self.W, self.b]

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W.data) + self.b.data

    def backward(self, dout):
        self.W.grad = self.W.grad + self.x.T @ dout
        np.add(self.b.grad, dout.sum(axis=0), out=self.b.grad)
        return dout @ self.W.data.T
''',
    "relu_module": '''
class ReLU:
    def __init__(self):
        self.params = []

    def forward(self, x):
        self.mask = x > 0
        return np.where(self.mask, x, 0.0)

    def backward(self, dout):
        return dout * self.mask
''',
    "loss_module": '''
class SoftmaxCrossEntropy:
    def forward(self, logits, y):
        self.saved = layers.softmax_cross_entropy(logits, y)
        return self.saved[0]

    def backward(self):
        return self.saved[1]
''',
    "sequential": '''
class Sequential:
    def __init__(self, layers):
        self.layers = list(layers)
        self.params = [p for layer in self.layers for p in layer.params]

    def forward(self, x):
        out = x
        for i in range(len(self.layers)):
            out = self.layers[i].forward(out)
        return out

    def backward(self, dout):
        for layer in self.layers[::-1]:
            dout = layer.backward(dout)
        return dout

    def zero_grad(self):
        for p in self.params:
            p.grad.fill(0.0)
''',
    "sgd_step": '''
def sgd_step(params, lr):
    for p in params:
        np.subtract(p.data, lr * p.grad, out=p.data)
''',
    "train_step": '''
def train_step(model, loss_fn, x, y, lr):
    for p in model.params:
        p.grad[...] = 0
    logits = model.forward(x)
    loss = loss_fn.forward(logits, y)
    dlogits = loss_fn.backward()
    model.backward(dlogits)
    sgd_step(model.params, lr)
    return float(loss)
''',
    "grad_norms": '''
def grad_norms(model):
    norms = []
    for layer in model.layers:
        if len(layer.params) > 0:
            flat = np.concatenate([p.grad.ravel() for p in layer.params])
            norms.append(np.linalg.norm(flat))
    return norms
''',
}

_STEP = "p.data -= lr * p.grad"  # also in the docstring: replaced there too, harmlessly
_BWD = "            dout = layer.backward(dout)\n        return dout\n"

# exercise -> [(label, replacements of the reference answer, text the hint must contain)]
MISTAKES = {
    "linear_module": [
        ("grad_assigned", [("self.W.grad += dW", "self.W.grad = dW"),
                           ("self.b.grad += db", "self.b.grad = db")], "`=` instead of `+=`"),
        ("linear_cache_on_class", [("out, self.cache = layers", "out, Linear.cache = layers"),
                                   ("(dout, self.cache)", "(dout, Linear.cache)")],
         "overwrote the first one's cache"),
        ("params_no_bias", [("self.params = [self.W, self.b]", "self.params = [self.W]")],
         "the bias b is missing"),
        ("returns_none", [("        return dx", "")], "returned None"),
    ],
    "relu_module": [
        ("relu_cache_on_class", [("out, self.cache = layers", "out, ReLU.cache = layers"),
                                 ("(dout, self.cache)", "(dout, ReLU.cache)")],
         "overwrote the first one's cache"),
        ("no_params", [("self.params = []\n", "")], "has no `params`"),
        ("returns_none", [("return layers.relu_backward(dout, self.cache)",
                           "layers.relu_backward(dout, self.cache)")], "returned None"),
    ],
    "loss_module": [
        ("returns_tuple", [("        return loss\n", "        return loss, self.dlogits\n")],
         "returned a tuple"),
        ("backward_returns_none", [("        return self.dlogits", "        self.dlogits")],
         "returned None"),
        ("first_forward_only", [("loss, self.dlogits = layers.softmax_cross_entropy(logits, y)",
                                 "loss, dlogits = layers.softmax_cross_entropy(logits, y)\n"
                                 "        if self.dlogits is None:\n"
                                 "            self.dlogits = dlogits")],
         "the gradient of the first forward"),
    ],
    "sequential": [
        ("backward_forward_order", [("for layer in reversed(self.layers):",
                                     "for layer in self.layers:")], "backward in forward order"),
        ("params_no_bias", [("return [p for layer in self.layers for p in layer.params]",
                             "return [layer.params[0] for layer in self.layers if layer.params]")],
         "misses the biases"),
        ("backward_not_chained", [(_BWD, "            dx = layer.backward(dout)\n"
                                         "        return dx\n")], "the original dout"),
        ("zero_grad_zeroes_data", [("            p.grad[...] = 0", "            p.data[...] = 0")],
         "never the weights p.data"),
    ],
    "sgd_step": [
        ("uphill", [(_STEP, "p.data += lr * p.grad")], "uphill"),
        ("no_lr", [(_STEP, "p.data -= p.grad")], "the learning rate is missing"),
        ("new_array", [(_STEP, "p.data = p.data - lr * p.grad")], "p.data is a new array"),
        ("zeroes_grad", [(_STEP, "p.data -= lr * p.grad\n        p.grad[...] = 0")],
         "p.grad was changed"),
    ],
    "train_step": [  # in this order: see the module docstring
        ("zero_grad_after_backward", [("    model.zero_grad()\n", ""),
                                      ("    sgd_step(model.params, lr)\n",
                                       "    model.zero_grad()\n    sgd_step(model.params, lr)\n")],
         "zero_grad ran after backward"),
        ("step_before_backward", [("    model.backward(loss_fn.backward())\n"
                                   "    sgd_step(model.params, lr)\n",
                                   "    sgd_step(model.params, lr)\n"
                                   "    model.backward(loss_fn.backward())\n")],
         "the step must come after backward"),
        ("zero_grad_missing", [("    model.zero_grad()\n", "")], "zero_grad is missing"),
        ("returns_none", [("    return loss", "")], "returned None"),
    ],
    "grad_norms": [
        ("no_sqrt", [("float(np.sqrt(sum(np.sum(p.grad ** 2) for p in layer.params)))",
                      "float(sum(np.sum(p.grad ** 2) for p in layer.params))")],
         "the square root is missing"),
        ("no_bias", [("for p in layer.params)))", "for p in layer.params[:1])))")],
         "the bias gradients are left out"),
        ("every_layer", [("            for layer in model.layers if layer.params]",
                          "            for layer in model.layers]")],
         "one per layer that has parameters"),
        ("data_norms", [("np.sum(p.grad ** 2) for", "np.sum(p.data ** 2) for")],
         "not of their gradients"),
    ],
}

# Points an exercise keeps with a mistake (default 0), when its visible test cannot see it.
# linear cache_on_class: the visible test has one Linear (2 points); the hidden test has two.
# sgd zeroes_grad: the visible sgd_step test (1 point) checks p.data only.
PARTIAL: dict[str, float] = {"linear_cache_on_class": 2.0, "zeroes_grad": 1.0}

# train_step calls the notebook's sgd_step: an update that goes uphill or has no lr breaks it.
KNOCK_ON = {"uphill": {"train_step": 0.0}, "no_lr": {"train_step": 0.0}}


def _standard():
    return standard("nb05", A, ALTERNATIVES, MISTAKES, PARTIAL, knock_on=KNOCK_ON)


# Modules that only hand the work to bpcourse.nn's finished ones: no points, visible or hidden.
DELEGATING = {
    "linear_module": "Linear = nn.Linear\n",
    "relu_module": "class ReLU(nn.ReLU):\n    pass\n",
    "loss_module": '''
class SoftmaxCrossEntropy:
    def __init__(self):
        self.inner = nn.SoftmaxCrossEntropy()

    def forward(self, logits, y):
        return self.inner.forward(logits, y)

    def backward(self):
        return self.inner.backward()
''',
    "sequential": '''
class Sequential(nn.Sequential):
    def __init__(self, layers):
        super().__init__(*layers)
''',
    "sgd_step": '''
def sgd_step(params, lr):
    nn.SGD(params, lr).step()
''',
}


def submissions():
    return _standard() + [
        Submission("nb05-delegates-to-nn", A, answers=dict(DELEGATING),
                   expected=dict.fromkeys(DELEGATING, 0.0),
                   hints=dict.fromkeys(DELEGATING, "reference"))]
