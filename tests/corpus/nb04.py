"""04_layers: reference, another correct style per exercise, the release, and named mistakes.

Mistakes are edits of the reference answer ((old, new) replacements): the mistake is the only
difference, so a lost point can only come from it.
"""

from .build import Submission
from .series import standard

A = "04_layers"

ALTERNATIVES = {
    "linear": '''
def linear_forward(x, W, b):
    out = np.dot(x, W) + b[np.newaxis, :]
    return out, {"x": x, "W": W}


def linear_backward(dout, cache):
    x, W = cache["x"], cache["W"]
    dx = np.einsum("nm,dm->nd", dout, W)
    dW = np.einsum("nd,nm->dm", x, dout)
    db = np.ones(dout.shape[0]) @ dout
    return dx, dW, db
''',
    "relu": '''
def relu_forward(x):
    mask = x > 0
    return np.where(mask, x, 0.0), mask


def relu_backward(dout, cache):
    dx = dout.copy()
    dx[~cache] = 0.0
    return dx
''',
    "sigmoid": '''
def sigmoid_forward(x):
    out = np.exp(-np.logaddexp(0.0, -x))   # 1 / (1 + e^-x) = exp(-log(1 + e^-x))
    return out, x


def sigmoid_backward(dout, cache):
    s, _ = sigmoid_forward(cache)
    return dout * s * (1.0 - s)
''',
    "softmax_cross_entropy": '''
def softmax_cross_entropy(logits, y):
    n, c = logits.shape
    onehot = np.eye(c)[y]
    m = np.max(logits, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    log_p = logits - lse
    loss = -np.sum(onehot * log_p) / n
    return loss, (np.exp(log_p) - onehot) / n
''',
    "mse_loss": '''
def mse_loss(pred, target):
    k = pred.size
    d = pred - target
    return float(np.sum(d * d) / k), d * (2.0 / k)
''',
}

# exercise -> [(label, replacements of the reference answer, text the hint must contain)]
MISTAKES = {
    "linear": [
        ("dW_transposed", [("dW = x.T @ dout", "dW = dout.T @ x")], "transposed"),
        ("db_not_summed", [("db = dout.sum(axis=0)", "db = dout")], "not summed over the batch"),
        ("bias_not_added", [("out = x @ W + b", "out = x @ W")], "bias b is not added"),
        ("dW_averaged", [("dW = x.T @ dout", "dW = x.T @ dout / x.shape[0]")],
         "dW averaged over the batch"),
        ("dx_without_transpose", [("dx = dout @ W.T", "dx = dout @ W")], "W must be transposed"),
    ],
    "relu": [
        ("np_max", [("np.maximum(x, 0)", "np.max(x, 0)")], "np.max(x, 0) reduces over axis 0"),
        ("mask_from_dout", [("dx = dout * (x > 0)", "dx = dout * (dout > 0)")],
         "the mask is taken from dout"),
        ("mask_missing", [("dx = dout * (x > 0)", "dx = dout")], "the mask is missing"),
        ("in_place", [("out = np.maximum(x, 0)", "x[x < 0] = 0\n    out = x")],
         "changed its input x in place"),
    ],
    "sigmoid": [
        ("sign_error", [("np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
                         "np.where(x >= 0, z / (1 + z), 1 / (1 + z))")],
         "sign error in the exponent"),
        ("factor_missing", [("dx = dout * s * (1 - s)", "dx = dout * s")],
         "the factor (1 − σ(x)) is missing"),
        ("overflow", [("np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
                       "np.exp(x) / (1 + np.exp(x))")], "overflow"),
        ("sigmoid_twice", [("s = cache", "s = 1 / (1 + np.exp(-cache))")], "σ applied twice"),
    ],
    "softmax_cross_entropy": [
        ("minus_one_missing", [("dlogits[np.arange(N), y] -= 1", "pass  # no -1 here")],
         "the −1 at the true class is missing"),
        ("every_label", [("dlogits[np.arange(N), y] -= 1", "dlogits[:, y] -= 1")],
         "subtracts 1 in every row at every label"),
        ("global_max", [("logits.max(axis=1, keepdims=True)", "logits.max()")],
         "with the global max"),
        ("summed_loss", [("log_p[np.arange(N), y].mean()", "log_p[np.arange(N), y].sum()")],
         "the loss is summed over the batch"),
        ("no_shift", [("shifted = logits - logits.max(axis=1, keepdims=True)",
                       "shifted = logits")], "subtract each row's max"),
    ],
    "mse_loss": [
        ("factor_2_missing", [("dpred = 2 * diff / diff.size", "dpred = diff / diff.size")],
         "the factor 2 is missing"),
        ("squares_summed", [("loss = np.mean(diff ** 2)", "loss = np.sum(diff ** 2)")],
         "the squares are summed"),
        ("sign_flipped", [("dpred = 2 * diff / diff.size", "dpred = -2 * diff / diff.size")],
         "sign flipped"),
        ("divided_by_rows", [("dpred = 2 * diff / diff.size", "dpred = 2 * diff / len(diff)")],
         "divided by N"),
    ],
}

# Points an exercise keeps with a mistake (default 0), when a test cannot see that mistake.
# global_max: softmax is shift-invariant, so the visible test (small logits, 2 points) passes;
# the hidden test's logits of ±1000 underflow whole rows to 0 and give NaN.
PARTIAL: dict[str, float] = {"global_max": 2.0}




# Functions that only hand the work to bpcourse.layers: no points, visible or hidden.
DELEGATING = {
    "linear": "from bpcourse import layers\nlinear_forward = layers.linear_forward\n"
              "def linear_backward(dout, cache):\n    return layers.linear_backward(dout, cache)\n",
    "relu": "from bpcourse.layers import relu_forward, relu_backward\n",
    "mse_loss": "import bpcourse.layers\ndef mse_loss(pred, target):\n"
                "    return bpcourse.layers.mse_loss(pred, target)\n",
}


def submissions() -> list[Submission]:
    return standard("nb04", A, ALTERNATIVES, MISTAKES, PARTIAL) + [
        Submission("nb04-delegates-to-layers", A, answers=dict(DELEGATING),
                   expected=dict.fromkeys(DELEGATING, 0.0),
                   hints=dict.fromkeys(DELEGATING, "reference implementation"))]
