"""07_capstone: reference, another correct style per exercise, the release, and named mistakes.

Each exercise's forward pass is given; the learner writes the backward pass. Mistakes are edits
of the reference backward pass ((old, new) replacements), so a lost point can only come from
the mistake. Every mistake below fails the visible test too (its central differences see it),
so each costs the exercise all its points.
"""

from .series import standard

A = "07_capstone"

_NORM_FORWARD = '''
def {name}_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis={axis}, keepdims=True)
    xc = x - mu
    var = (xc ** 2).mean(axis={axis}, keepdims=True)
    x_hat = xc / np.sqrt(var + eps)
    return gamma * x_hat + beta, (x_hat, np.sqrt(var + eps), gamma)


def {name}_backward(dout, cache):
    x_hat, std, gamma = cache
    g = dout * gamma                                   # the gradient arriving at x_hat
    dx = (g - g.mean(axis={axis}, keepdims=True)
          - x_hat * (g * x_hat).mean(axis={axis}, keepdims=True)) / std
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
'''

ALTERNATIVES = {
    # The compact formula of the recap, with a cache of its own.
    "batchnorm": _NORM_FORWARD.format(name="batchnorm", axis=0),
    "layernorm": _NORM_FORWARD.format(name="layernorm", axis=1),
    # Loop over the K taps instead of the T positions, with einsum.
    "conv1d": '''
def conv1d_forward(x, w, b):
    T = x.shape[2] - w.shape[2] + 1
    out = sum(np.einsum("nct,oc->not", x[:, :, k:k + T], w[:, :, k]) for k in range(w.shape[2]))
    return out + b[None, :, None], (x, w)


def conv1d_backward(dout, cache):
    x, w = cache
    T, K = dout.shape[2], w.shape[2]
    dx = np.zeros(x.shape)
    dw = np.stack([np.einsum("not,nct->oc", dout, x[:, :, k:k + T]) for k in range(K)], axis=2)
    for k in range(K):
        dx[:, :, k:k + T] += np.einsum("not,oc->nct", dout, w[:, :, k])
    return dx, dw, dout.sum(axis=2).sum(axis=0)
''',
}

# The backward pass's own lines (the forward pass has lines that look alike).
_BN_STD = "std = np.sqrt(var + eps)                      # (D,)"
_LN_STD = "std = np.sqrt(var + eps)                                     # (N, 1)"

# exercise -> [(label, replacements of the reference answer, text the hint must contain)]
MISTAKES = {
    "batchnorm": [
        ("mean_ignored", [("dx = dxc + dmu / N ", "dx = dxc ")],
         "the mean's dependence on x is ignored"),
        ("variance_path_dropped", [("dxc += dvar * 2 * xc / N ", "pass  # ")],
         "the variance path is dropped"),
        ("n_minus_1", [("dxc += dvar * 2 * xc / N ", "dxc += dvar * 2 * xc / (N - 1) ")],
         "N−1 in the variance's derivative"),
        ("eps_forgotten", [(_BN_STD, _BN_STD.replace("var + eps", "var"))],
         "ε is forgotten in the backward pass"),
    ],
    "layernorm": [
        ("batchnorm_axis", [("D = dout.shape[1]", "D = dout.shape[0]"),
                            ("(dx_hat * xc).sum(axis=1, keepdims=True)",
                             "(dx_hat * xc).sum(axis=0)"),
                            ("dmu = -dxc.sum(axis=1, keepdims=True)", "dmu = -dxc.sum(axis=0)")],
         "the statistics are taken over the wrong axis"),
        ("dgamma_axis_1", [("dgamma = (dout * x_hat).sum(axis=0)",
                            "dgamma = (dout * x_hat).sum(axis=1)")],
         "dgamma summed over the wrong axis"),
        ("variance_path_dropped", [("    dxc += dvar * 2 * xc / D\n", "")],
         "the variance path is dropped"),
        ("mean_ignored", [("dx = dxc + dmu / D", "dx = dxc")],
         "the mean's dependence on x is ignored"),
        ("eps_forgotten", [(_LN_STD, _LN_STD.replace("var + eps", "var"))],
         "ε is forgotten in the backward pass"),
    ],
    "conv1d": [
        ("dw_not_summed_over_positions", [("dw += (d.T @ window)", "dw = (d.T @ window)")],
         "the weight gradient is not summed over positions"),
        ("dx_kernel_flipped", [("(d @ W).reshape(N, C_in, K)",
                                "(d @ W).reshape(N, C_in, K)[:, :, ::-1]")],
         "the input gradient is not correlated correctly"),
        ("db_wrong_axes", [("db = dout.sum(axis=(0, 2))", "db = dout.sum(axis=(1, 2))")],
         "the bias gradient is summed over the wrong axes"),
        ("dx_overwritten", [("dx[:, :, t:t + K] += ", "dx[:, :, t:t + K] = ")],
         "the input gradient is overwritten, not added"),
        ("dw_averaged_over_batch", [("dw += (d.T @ window).reshape(w.shape)",
                                     "dw += (d.T @ window).reshape(w.shape) / N")],
         "the weight gradient is averaged over the batch"),
    ],
}

PARTIAL: dict[str, float] = {}


def submissions():
    return standard("nb07", A, ALTERNATIVES, MISTAKES, PARTIAL)
