"""06_cost_of_backprop: FLOP accounting, forward mode, activation memory."""

from .series import standard

A = "06_cost_of_backprop"

ALTERNATIVES = {
    "count_params": '''
def count_params(layer_sizes):
    total = 0
    for i in range(1, len(layer_sizes)):
        total += (layer_sizes[i - 1] + 1) * layer_sizes[i]   # weights and one bias per output
    return total
''',
    "passes": '''
def forward_flops(layer_sizes, n):
    return sum(2 * n * (d + 1) * m for d, m in zip(layer_sizes, layer_sizes[1:]))


def backward_flops(layer_sizes, n):
    return 2 * forward_flops(layer_sizes, n)
''',
    "numeric_gradient_flops": '''
def numeric_gradient_flops(layer_sizes, n):
    p = count_params(layer_sizes)
    return (2 * p) * (2 * n * p)
''',
    "dual": '''
class Dual:
    """Every operation written out, no reuse; its own quotient rule."""

    def __init__(self, value, tangent=0.0):
        self.value, self.tangent = value, tangent

    @staticmethod
    def lift(v):
        return v if isinstance(v, Dual) else Dual(v)

    def __add__(self, o):
        o = Dual.lift(o)
        return Dual(self.value + o.value, self.tangent + o.tangent)

    __radd__ = __add__

    def __sub__(self, o):
        o = Dual.lift(o)
        return Dual(self.value - o.value, self.tangent - o.tangent)

    def __rsub__(self, o):
        return Dual.lift(o) - self

    def __mul__(self, o):
        o = Dual.lift(o)
        return Dual(self.value * o.value, self.tangent * o.value + self.value * o.tangent)

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = Dual.lift(o)
        return Dual(self.value / o.value,
                    (self.tangent * o.value - self.value * o.tangent) / o.value ** 2)

    def __rtruediv__(self, o):
        return Dual.lift(o) / self

    def __pow__(self, k):
        return Dual(self.value ** k, k * self.value ** (k - 1) * self.tangent)

    def exp(self):
        return Dual(math.exp(self.value), math.exp(self.value) * self.tangent)

    def tanh(self):
        t = math.tanh(self.value)
        return Dual(t, (1 - t ** 2) * self.tangent)
''',
    "forward_mode_gradient": '''
def forward_mode_gradient(f, x):
    grad = []
    for seed in np.eye(len(x)):          # the i-th unit vector seeds pass i
        grad.append(f([Dual(v, t) for v, t in zip(x, seed)]).tangent)
    return grad
''',
    "activation_memory": '''
def activation_memory(layer_sizes, n, bytes_per_number=8):
    numbers = n * layer_sizes[0]                      # the data, cached by the first Linear
    for width in layer_sizes[1:-1]:
        numbers += 2 * n * width                      # ReLU input, and the next Linear's input
    return numbers * bytes_per_number
''',
}

MISTAKES = {
    "count_params": [("no_biases", [("d * m + m", "d * m")], "the biases are missing")],
    "passes": [("factor_2_missing", [("return 2 * n * count_params", "return n * count_params")],
                "the factor 2 is missing")],
    "numeric_gradient_flops": [("forward_difference", [("return 2 * count_params",
                                                        "return count_params")],
                                "forward difference")],
    "dual": [
        ("no_product_rule", [("self.tangent * other.value + self.value * other.tangent)",
                              "self.tangent * other.tangent)")], "needs the product rule"),
        ("exp_without_chain", [("return Dual(e, e * self.tangent)", "return Dual(e, e)")],
         "(the chain rule)"),
        ("rsub_sign", [("return (-self) + other",
                        "return Dual(other - self.value, self.tangent)")], "reflected 3 − a"),
        ("quotient_sign", [("        return self * other ** -1\n",
                            "        other = other if isinstance(other, Dual) else Dual(other)\n"
                            "        return Dual(self.value / other.value, (self.tangent * "
                            "other.value + self.value * other.tangent) / other.value ** 2)\n")],
         "the sign in the quotient rule"),
    ],
    "forward_mode_gradient": [
        ("all_tangents_at_once", [("Dual(v, 1.0 if j == i else 0.0)", "Dual(v, 1.0)")],
         "seeds every tangent at once"),
        ("seeds_not_reset", [("1.0 if j == i else 0.0", "1.0 if j <= i else 0.0")],
         "not reset"),
        ("value_not_tangent", [("grad[i] = f(inputs).tangent", "grad[i] = f(inputs).value")],
         "f's value"),
        ("central_differences", [("        grad[i] = f(inputs).tangent\n",
                                  "        up, down = list(map(float, x)), list(map(float, x))\n"
                                  "        up[i] += 1e-6\n        down[i] -= 1e-6\n"
                                  "        grad[i] = (f(up) - f(down)) / 2e-6\n")],
         "plain numbers"),
    ],
    "activation_memory": [
        ("counts_parameters", [("    return bytes_per_number * n * (linear_inputs + relu_inputs)",
                                "    return bytes_per_number * sum(a * b + b for a, b in "
                                "zip(layer_sizes, layer_sizes[1:]))")],
         "counts the parameters"),
        ("forgets_input", [("linear_inputs = sum(layer_sizes[:-1])",
                            "linear_inputs = sum(layer_sizes[1:-1])")], "the input is missing"),
        ("forgets_batch", [("return bytes_per_number * n * (", "return bytes_per_number * (")],
         "the batch is missing"),
        ("hidden_once", [("relu_inputs = sum(layer_sizes[1:-1])", "relu_inputs = 0")],
         "two arrays"),
    ],
}

# "x / 2" and "2 / x" of the visible test hold b's tangent at 0 or go through __rtruediv__:
# a wrong sign in __truediv__'s quotient rule passes the visible test (1 point of 3).
PARTIAL: dict[str, float] = {"quotient_sign": 1.0}
# The reference forward_flops and backward_flops call the learner's count_params, and
# numeric_gradient_flops calls count_params and forward_flops: a mistake there costs those too.
KNOCK_ON = {"no_biases": {"passes": 0.0, "numeric_gradient_flops": 0.0},
            "factor_2_missing": {"numeric_gradient_flops": 0.0},
            # forward_mode_gradient runs on the learner's Dual: the visible test (x0·x1 + 3·x2)
            # needs *, the hidden functions also exp, tanh and /.
            "no_product_rule": {"forward_mode_gradient": 0.0},
            "exp_without_chain": {"forward_mode_gradient": 1.0},
            "quotient_sign": {"forward_mode_gradient": 1.0}}


def submissions():
    return standard("nb06", A, ALTERNATIVES, MISTAKES, PARTIAL, together=False,
                    knock_on=KNOCK_ON)
