"""02_chain_rule: staged gradients by hand."""

from .series import standard

A = "02_chain_rule"

ALTERNATIVES = {
    "grad_add_mul": '''
def grad_add_mul(x, y, z):
    # f = (x + y) z, differentiated on paper
    return z, z, x + y
''',
    "grad_sigmoid_neuron": '''
def grad_sigmoid_neuron(w0, x0, w1, x1, w2):
    s = 1.0 / (1.0 + math.exp(-(w0 * x0 + w1 * x1 + w2)))
    ds = s - s * s
    return tuple(v * ds for v in (x0, w0, x1, w1, 1.0))
''',
    "grad_fork": '''
def grad_fork(x, y):
    # f = (x + y) x = x² + x y
    return 2 * x + y, x
''',
}

MISTAKES = {
    "grad_add_mul": [("dz_is_z", [("df_dz = q * df_df", "df_dz = z * df_df")],
                      "the OTHER factor")],
    "grad_sigmoid_neuron": [("ds_is_s", [("dz = s * (1.0 - s) * 1.0", "dz = s")],
                             "not σ(z)")],
    "grad_fork": [("one_path", [("df_dx += 1.0 * df_dq", "df_dx = 1.0 * df_dq")],
                   "the gradients of both uses add")],
}

PARTIAL: dict[str, float] = {}


def submissions():
    return standard("nb02", A, ALTERNATIVES, MISTAKES, PARTIAL)
