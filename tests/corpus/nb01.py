"""01_numerical_gradients: reference, another correct style, the release, named mistakes."""

from .build import Submission
from .series import standard

A = "01_numerical_gradients"

ALTERNATIVES = {
    "numerical_gradient": '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.empty_like(x, dtype=float)
    flat = x.reshape(-1)                 # a view: writing flat[k] writes x
    for k in range(flat.size):
        saved = flat[k]
        flat[k] = saved + h
        up = f(x)
        flat[k] = saved - h
        down = f(x)
        flat[k] = saved
        grad.reshape(-1)[k] = (up - down) / (h + h)
    return grad
''',
    "rel_error": '''
def rel_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.abs(a) + np.abs(b)
    scale[scale < 1e-8] = 1e-8
    return (np.abs(a - b) / scale).max().item()
''',
}

WHOLE_ARRAY = '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        grad[i] = (f(x + h) - f(x - h)) / (2 * h)
    return grad
'''

FIRST_AXIS_ONLY = '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
'''

# exercise -> [(label, the answer's source or replacements of the reference, hint text)]
MISTAKES = {
    "numerical_gradient": [
        ("forward_difference", [("x[i] = old - h\n        f_minus = f(x)",
                                 "x[i] = old\n        f_minus = f(x)"),
                                ("(2 * h)", "h")], "forward difference"),
        ("divided_by_h", [("(2 * h)", "h")], "divided by h instead of 2h"),
        ("not_restored", [("        x[i] = old                     # restore before moving on\n",
                           "")], "not restored"),
        ("whole_array", WHOLE_ARRAY, "whole array was perturbed"),
        ("first_axis_only", FIRST_AXIS_ONLY, "first axis only"),
        ("h_ignored", [("grad = np.zeros(x.shape)", "grad = np.zeros(x.shape)\n    h = 1e-5")],
         "the h argument is ignored"),
    ],
    "rel_error": [
        ("mean", [("np.max(", "np.mean(")], "the mean over elements instead of the max"),
        ("abs_of_sum", [("np.abs(a) + np.abs(b)", "np.abs(a + b)")],
         "|a + b| in the denominator"),
        ("no_floor", [("np.maximum(1e-8, np.abs(a) + np.abs(b))", "(np.abs(a) + np.abs(b))")],
         "0/0 where a and b are both 0"),
        ("no_abs_numerator", [("np.abs(a - b)", "(a - b)")], "no abs in the numerator"),
        ("ratio_of_maxima", [("np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))",
                              "np.max(np.abs(a - b)) / max(1e-8, np.max(np.abs(a) + np.abs(b)))"
                              )], "the ratio of the maxima"),
    ],
}

# Points an exercise keeps with a mistake (default 0), when a test cannot see that mistake:
# the visible rel_error test (1 point) has a and b of the same sign, where |a + b| = |a| + |b|,
# and its largest difference sits where |a| + |b| is largest, where both ratios agree.
PARTIAL: dict[str, float] = {"abs_of_sum": 1.0, "ratio_of_maxima": 1.0}


def submissions() -> list[Submission]:
    return standard("nb01", A, ALTERNATIVES, MISTAKES, PARTIAL)
