"""05_layered_backprop: forward_pass, backward_pass, sgd_step over the package's modules."""

from .series import standard

A = "05_layered_backprop"

ALTERNATIVES = {
    "forward_pass": '''
def forward_pass(layers, x):
    from functools import reduce
    return reduce(lambda h, layer: layer.forward(h), layers, x)
''',
    "backward_pass": '''
def backward_pass(layers, dout):
    grad = dout
    for i in range(len(layers) - 1, -1, -1):
        grad = layers[i].backward(grad)
    return grad
''',
    "sgd_step": '''
def sgd_step(params, lr):
    for p in params:
        np.subtract(p.data, lr * p.grad, out=p.data)
''',
}

MISTAKES = {
    "forward_pass": [
        ("reversed", [("for layer in layers:", "for layer in reversed(layers):")],
         "the layers ran in reverse order"),
        ("return_in_loop", [("        x = layer.forward(x)\n    return x",
                             "        x = layer.forward(x)\n        return x")],
         "`return` is inside the loop"),
        ("not_chained", [("        x = layer.forward(x)\n    return x",
                          "        out = layer.forward(x)\n    return out")],
         "got the original x"),
        ("one_short", [("for layer in layers:", "for layer in layers[:-1]:")],
         "the last layer never ran"),
    ],
    "backward_pass": [
        ("forward_order", [("for layer in reversed(layers):", "for layer in layers:")],
         "backward in forward order"),
        ("stops_before_first", [("for layer in reversed(layers):",
                                 "for layer in [layers[i] for i in range(len(layers) - 1, 0, -1)]:"
                                 )], "never got its backward call"),
        ("not_chained", [("        dout = layer.backward(dout)\n    return dout",
                          "        dx = layer.backward(dout)\n    return dx")],
         "the original dout"),
        ("returns_given_dout", [("        dout = layer.backward(dout)\n    return dout",
                                 "        g = layer.backward(g)\n    return dout"),
                                ("for layer in reversed(layers):",
                                 "g = dout\n    for layer in reversed(layers):")],
         "returned dout, the gradient you were given"),
    ],
    "sgd_step": [
        ("uphill", [("p.data -= lr * p.grad", "p.data += lr * p.grad")], "uphill"),
        ("no_lr", [("p.data -= lr * p.grad", "p.data -= p.grad")], "the learning rate is missing"),
        ("new_array", [("p.data -= lr * p.grad", "p.data = p.data - lr * p.grad")],
         "p.data is a new array"),
        ("zeroes_grad", [("p.data -= lr * p.grad",
                          "p.data -= lr * p.grad\n        p.grad[...] = 0")],
         "p.grad was changed"),
    ],
}

# zeroes_grad: the visible sgd_step test (1 point) checks p.data only.
PARTIAL: dict[str, float] = {"zeroes_grad": 1.0}


def submissions():
    return standard("nb05", A, ALTERNATIVES, MISTAKES, PARTIAL)
