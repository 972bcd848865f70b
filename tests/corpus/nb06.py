"""06_cost_of_backprop: FLOP accounting."""

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
}

MISTAKES = {
    "count_params": [("no_biases", [("d * m + m", "d * m")], "the biases are missing")],
    "passes": [("factor_2_missing", [("return 2 * n * count_params", "return n * count_params")],
                "the factor 2 is missing")],
    "numeric_gradient_flops": [("forward_difference", [("return 2 * count_params",
                                                        "return count_params")],
                                "forward difference")],
}

PARTIAL: dict[str, float] = {}
# The reference forward_flops and backward_flops call the learner's count_params, and
# numeric_gradient_flops calls count_params and forward_flops: a mistake there costs those too.
KNOCK_ON = {"no_biases": {"passes": 0.0, "numeric_gradient_flops": 0.0},
            "factor_2_missing": {"numeric_gradient_flops": 0.0}}


def submissions():
    return standard("nb06", A, ALTERNATIVES, MISTAKES, PARTIAL, together=False,
                    knock_on=KNOCK_ON)
