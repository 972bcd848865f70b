"""The reference layers: every backward against central differences, stability, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpcourse import layers
from bpcourse.numgrad import numerical_gradient, numerical_gradient_array

sizes = st.integers(1, 6)
seeds = st.integers(0, 2**32 - 1)
# Inputs of moderate size for oracle comparisons: a central difference's absolute error is
# ~1e-16·|L|/h, so a saturated unit's tiny gradient has no meaningful relative error.
# Large inputs are tested separately, against exact values.
SCALE = 2.0


def strict_numpy():
    """Overflow, 0/0 and x/0 raise instead of warning (underflow to 0 is fine)."""
    return np.errstate(over="raise", invalid="raise", divide="raise")


# ----- linear -----

@given(n=sizes, d=sizes, m=sizes, seed=seeds)
def test_linear_forward_is_x_W_plus_b(n, d, m, seed):
    rng = np.random.default_rng(seed)
    x, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
    out, _ = layers.linear_forward(x, W, b)
    expected = np.array([[sum(x[i, k] * W[k, j] for k in range(d)) + b[j] for j in range(m)]
                         for i in range(n)])
    assert out.shape == (n, m) and np.allclose(out, expected, rtol=1e-12, atol=1e-12)


@given(n=sizes, d=sizes, m=sizes, seed=seeds)
def test_linear_backward_matches_central_differences(n, d, m, seed, assert_matches_oracle):
    rng = np.random.default_rng(seed)
    x, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
    dout = rng.standard_normal((n, m))
    _, cache = layers.linear_forward(x, W, b)
    dx, dW, db = layers.linear_backward(dout, cache)
    # each gradient has the shape of what it differentiates (dimension analysis)
    assert (dx.shape, dW.shape, db.shape) == (x.shape, W.shape, b.shape)
    assert_matches_oracle(dx, numerical_gradient_array(lambda v: v @ W + b, x, dout), "dx")
    assert_matches_oracle(dW, numerical_gradient_array(lambda v: x @ v + b, W, dout), "dW")
    assert_matches_oracle(db, numerical_gradient_array(lambda v: x @ W + v, b, dout), "db")


def test_the_bias_gradient_adds_over_the_batch():
    x, W, b = np.ones((5, 2)), np.ones((2, 3)), np.zeros(3)
    _, cache = layers.linear_forward(x, W, b)
    _, _, db = layers.linear_backward(np.ones((5, 3)), cache)
    assert np.array_equal(db, np.full(3, 5.0))  # b was added to each of the 5 rows


# ----- elementwise nonlinearities -----

def _away_from_kink(x):
    return np.where(np.abs(x) < 1e-3, 0.5, x)  # the oracle straddles the kink within h


ELEMENTWISE = {
    "relu": (layers.relu_forward, layers.relu_backward, lambda x: np.maximum(x, 0)),
    "sigmoid": (layers.sigmoid_forward, layers.sigmoid_backward, lambda x: 1 / (1 + np.exp(-x))),
    "tanh": (layers.tanh_forward, layers.tanh_backward, np.tanh),
}
any_shape = st.lists(sizes, min_size=1, max_size=3).map(tuple)


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(shape=any_shape, seed=seeds)
def test_elementwise_forward_and_backward(name, shape, seed, assert_matches_oracle):
    forward, backward, formula = ELEMENTWISE[name]
    rng = np.random.default_rng(seed)
    x = _away_from_kink(rng.standard_normal(shape) * SCALE)
    dout = rng.standard_normal(shape)
    out, cache = forward(x)
    assert out.shape == x.shape and np.allclose(out, formula(x), rtol=1e-14, atol=0)
    dx = backward(dout, cache)
    assert_matches_oracle(dx, numerical_gradient_array(lambda v: forward(v)[0], x, dout), name)


def test_relu_passes_the_gradient_where_the_input_was_positive():
    x = np.array([[-2.0, 0.0, 3.0]])
    _, cache = layers.relu_forward(x)
    assert np.array_equal(layers.relu_backward(np.array([[5.0, 5.0, 5.0]]), cache),
                          [[0.0, 0.0, 5.0]])


@pytest.mark.parametrize("x, value", [(1000.0, 1.0), (-1000.0, 0.0), (800.0, 1.0),
                                      (-745.0, 0.0), (0.0, 0.5)])
def test_sigmoid_is_stable_at_large_inputs(x, value):
    with strict_numpy():
        out, cache = layers.sigmoid_forward(np.array([x]))
        dx = layers.sigmoid_backward(np.array([1.0]), cache)
    assert out[0] == pytest.approx(value, abs=1e-300) and np.all(np.isfinite(dx))
    assert dx[0] == pytest.approx(value * (1 - value))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_layers_keep_float32(name):
    forward, backward, _ = ELEMENTWISE[name]
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    out, cache = forward(x)
    assert out.dtype == np.float32
    assert backward(np.ones_like(x), cache).dtype == np.float32


# ----- softmax cross-entropy -----

def naive_cross_entropy(logits, y):
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(y)), y]))


@given(n=sizes, c=st.integers(2, 6), seed=seeds)
def test_softmax_cross_entropy_loss_and_gradient(n, c, seed, assert_matches_oracle):
    rng = np.random.default_rng(seed)
    logits, y = rng.standard_normal((n, c)) * SCALE, rng.integers(0, c, size=n)
    loss, dlogits = layers.softmax_cross_entropy(logits, y)
    assert isinstance(loss, float)
    assert loss == pytest.approx(naive_cross_entropy(logits, y), rel=1e-12)
    numeric = numerical_gradient(lambda v: layers.softmax_cross_entropy(v, y)[0], logits)
    assert_matches_oracle(dlogits, numeric, "dlogits")
    assert np.allclose(dlogits.sum(axis=1), 0, atol=1e-15)  # probabilities minus a one-hot


@given(n=sizes, c=st.integers(2, 6), seed=seeds, shift=st.floats(-1000, 1000))
def test_softmax_cross_entropy_ignores_a_constant_added_to_a_row(n, c, seed, shift):
    rng = np.random.default_rng(seed)
    logits, y = rng.standard_normal((n, c)), rng.integers(0, c, size=n)
    with strict_numpy():
        shifted = layers.softmax_cross_entropy(logits + shift, y)
    loss, dlogits = layers.softmax_cross_entropy(logits, y)
    assert shifted[0] == pytest.approx(loss, rel=1e-9, abs=1e-12)
    assert np.allclose(shifted[1], dlogits, rtol=1e-7, atol=1e-12)


def test_softmax_cross_entropy_is_stable_at_logits_of_plus_minus_1000():
    logits = np.array([[1000.0, -1000.0], [1000.0, -1000.0], [-1000.0, 1000.0]])
    y = np.array([0, 1, 0])
    with strict_numpy():
        loss, dlogits = layers.softmax_cross_entropy(logits, y)
    # rows: right and certain (loss 0), wrong by 2000, wrong by 2000
    assert loss == pytest.approx((0 + 2000 + 2000) / 3, rel=1e-12)
    expected = np.array([[0.0, 0.0], [1.0, -1.0], [-1.0, 1.0]]) / 3
    assert np.allclose(dlogits, expected, rtol=0, atol=1e-15)


# ----- mean squared error -----

@given(shape=any_shape, seed=seeds)
def test_mse_loss_and_gradient(shape, seed, assert_matches_oracle):
    rng = np.random.default_rng(seed)
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    loss, dpred = layers.mse_loss(pred, target)
    assert loss == pytest.approx(np.sum((pred - target) ** 2) / pred.size, rel=1e-12)
    numeric = numerical_gradient(lambda v: layers.mse_loss(v, target)[0], pred)
    assert_matches_oracle(dpred, numeric, "dpred")


# ----- normalisation: batch norm (axis 0) and layer norm (axis 1) -----

NORMS = {"batchnorm": (layers.batchnorm_forward, layers.batchnorm_backward, 0),
         "layernorm": (layers.layernorm_forward, layers.layernorm_backward, 1)}


def _normalise_by_loops(x, gamma, beta, eps, axis):
    """The definition, one mean and one biased variance at a time, in plain Python floats."""
    out = np.empty_like(x)
    lines = range(x.shape[1 - axis])
    for i in lines:
        v = x[:, i] if axis == 0 else x[i, :]
        mu = sum(v) / len(v)
        var = sum((a - mu) ** 2 for a in v) / len(v)
        normed = [(a - mu) / (var + eps) ** 0.5 for a in v]
        if axis == 0:
            out[:, i] = [gamma[i] * z + beta[i] for z in normed]
        else:
            out[i, :] = [g * z + b for z, g, b in zip(normed, gamma, beta, strict=True)]
    return out


@pytest.mark.parametrize("name", NORMS)
@given(n=sizes, d=sizes, seed=seeds, eps=st.sampled_from([1e-5, 0.1]))
def test_normalisation_forward_is_its_definition(name, n, d, seed, eps):
    forward, _, axis = NORMS[name]
    rng = np.random.default_rng(seed)
    x, gamma, beta = rng.standard_normal((n, d)) * 3 + 1, rng.standard_normal(d), rng.normal(size=d)
    out, _ = forward(x, gamma, beta, eps)
    assert out.shape == (n, d)
    expected = _normalise_by_loops(x, gamma, beta, eps, axis)
    assert np.allclose(out, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", NORMS)
@given(n=sizes, d=sizes, seed=seeds, eps=st.sampled_from([1e-5, 0.1]))
def test_normalisation_backward_matches_central_differences(
        name, n, d, seed, eps, assert_matches_oracle, extrapolated_gradient):
    forward, backward, _ = NORMS[name]
    rng = np.random.default_rng(seed)
    x, gamma, beta = rng.standard_normal((n, d)) * 2, rng.standard_normal(d), rng.normal(size=d)
    dout = rng.standard_normal((n, d))
    _, cache = forward(x, gamma, beta, eps)
    dx, dgamma, dbeta = backward(dout, cache)
    assert (dx.shape, dgamma.shape, dbeta.shape) == (x.shape, gamma.shape, beta.shape)
    for got, arg, label in ((dx, 0, "dx"), (dgamma, 1, "dgamma"), (dbeta, 2, "dbeta")):
        args = [x, gamma, beta]

        def loss(v, arg=arg, args=args):
            return np.sum(forward(*args[:arg], v, *args[arg + 1:], eps)[0] * dout)

        assert_matches_oracle(got, extrapolated_gradient(loss, args[arg].copy()),
                              f"{name} {label}")


@pytest.mark.parametrize("name", NORMS)
@given(n=st.integers(2, 6), d=st.integers(2, 6), seed=seeds)
def test_shifting_a_normalised_group_changes_nothing_so_dx_sums_to_zero_over_it(name, n, d, seed):
    """Adding c to every x of one group moves its mean by c and leaves x_hat as it was: the
    loss cannot feel it, so dx has no component along the group (the mean's path at work)."""
    forward, backward, axis = NORMS[name]
    rng = np.random.default_rng(seed)
    x, gamma, beta = rng.standard_normal((n, d)), rng.standard_normal(d), rng.standard_normal(d)
    out, cache = forward(x, gamma, beta)
    assert np.allclose(forward(x + 3.0, gamma, beta)[0], out, atol=1e-12)
    dx, _, _ = backward(rng.standard_normal((n, d)), cache)
    # Zero up to rounding, which scales with the entries summed (seen: 1.1e-12 beside 4.1).
    assert np.allclose(dx.sum(axis=axis), 0, atol=1e-12 * max(1.0, np.abs(dx).max()) * n * d)


def test_batchnorm_output_has_mean_beta_and_std_gamma_per_feature():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 3)) * [1.0, 10.0, 0.1] + [5.0, -2.0, 0.0]
    gamma, beta = np.array([2.0, 0.5, 1.0]), np.array([1.0, 0.0, -3.0])
    out, _ = layers.batchnorm_forward(x, gamma, beta, eps=0.0)
    assert np.allclose(out.mean(axis=0), beta) and np.allclose(out.std(axis=0), gamma)


def test_layernorm_normalises_each_example_so_the_batch_does_not_matter():
    rng = np.random.default_rng(1)
    x, gamma, beta = rng.standard_normal((4, 5)), rng.standard_normal(5), rng.standard_normal(5)
    out, _ = layers.layernorm_forward(x, gamma, beta)
    alone, _ = layers.layernorm_forward(x[2:3], gamma, beta)
    assert np.allclose(out[2:3], alone, rtol=1e-14)


# ----- 1-D convolution -----

@st.composite
def conv_shapes(draw):
    n, c_in, c_out, k = (draw(st.integers(1, 4)) for _ in range(4))
    return n, c_in, draw(st.integers(k, k + 6)), c_out, k


@given(shapes=conv_shapes(), seed=seeds)
def test_conv1d_forward_is_numpy_correlate_summed_over_input_channels(shapes, seed):
    n, c_in, length, c_out, k = shapes
    rng = np.random.default_rng(seed)
    x, w, b = (rng.standard_normal(s) for s in ((n, c_in, length), (c_out, c_in, k), c_out))
    out, _ = layers.conv1d_forward(x, w, b)
    expected = np.array([[sum(np.correlate(x[i, c], w[o, c], mode="valid") for c in range(c_in))
                          + b[o] for o in range(c_out)] for i in range(n)])
    assert out.shape == (n, c_out, length - k + 1)
    assert np.allclose(out, expected, rtol=1e-12, atol=1e-12)


@given(shapes=conv_shapes(), seed=seeds)
def test_conv1d_backward_matches_central_differences(shapes, seed, assert_matches_oracle):
    n, c_in, length, c_out, k = shapes
    rng = np.random.default_rng(seed)
    x, w, b = (rng.standard_normal(s) for s in ((n, c_in, length), (c_out, c_in, k), c_out))
    out, cache = layers.conv1d_forward(x, w, b)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = layers.conv1d_backward(dout, cache)
    assert (dx.shape, dw.shape, db.shape) == (x.shape, w.shape, b.shape)
    f = layers.conv1d_forward
    assert_matches_oracle(dx, numerical_gradient_array(lambda v: f(v, w, b)[0], x, dout), "dx")
    assert_matches_oracle(dw, numerical_gradient_array(lambda v: f(x, v, b)[0], w, dout), "dw")
    assert_matches_oracle(db, numerical_gradient_array(lambda v: f(x, w, v)[0], b, dout), "db")


def test_shared_weights_add_their_gradients_over_positions():
    """Weight sharing: conv1d's dw is the sum over positions of the linear layer's dW at each
    position (the window flattened to (N, C_in·K), notebook 04's layer)."""
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((3, 2, 9)), rng.standard_normal((4, 2, 3)), np.zeros(4)
    out, cache = layers.conv1d_forward(x, w, b)
    dout = rng.standard_normal(out.shape)
    _, dw, db = layers.conv1d_backward(dout, cache)
    per_position = [layers.linear_backward(dout[:, :, t], (x[:, :, t:t + 3].reshape(3, 6),
                                                            w.reshape(4, 6).T))
                    for t in range(out.shape[2])]
    assert np.allclose(dw, sum(g[1] for g in per_position).T.reshape(w.shape), rtol=1e-12)
    assert np.allclose(db, sum(g[2] for g in per_position), rtol=1e-12)


# ----- clear errors naming the argument -----

x23, W34, b4 = np.ones((2, 3)), np.ones((3, 4)), np.ones(4)


def _cache():
    return layers.linear_forward(x23, W34, b4)[1]


BAD_CALLS = {
    "x not an array": (lambda: layers.linear_forward(x23.tolist(), W34, b4), TypeError,
                       ["x must be a numpy array", "list"]),
    "integer x": (lambda: layers.linear_forward(np.ones((2, 3), dtype=int), W34, b4), TypeError,
                  ["x must be a floating-point array", "int64", "astype"]),
    "x 1-d": (lambda: layers.linear_forward(np.ones(3), W34, b4), ValueError,
              ["x must have 2 dimension(s)", "(3,)"]),
    "D mismatch": (lambda: layers.linear_forward(x23, np.ones((4, 4)), b4), ValueError,
                   ["(2, 3)", "(4, 4)", "D differ"]),
    "b shape": (lambda: layers.linear_forward(x23, W34, np.ones(3)), ValueError,
                ["b must have shape (M,) = (4,)", "got (3,)"]),
    "NaN in W": (lambda: layers.linear_forward(x23, W34 * np.nan, b4), ValueError,
                 ["W contains NaN or inf"]),
    "empty x": (lambda: layers.linear_forward(np.ones((0, 3)), W34, b4), ValueError,
                ["x is empty", "(0, 3)"]),
    "dout shape": (lambda: layers.linear_backward(np.ones((4, 2)), _cache()), ValueError,
                   ["dout must have the shape of out", "(2, 4)", "got (4, 2)"]),
    "relu dout": (lambda: layers.relu_backward(np.ones(3), np.ones(4)), ValueError,
                  ["dout has shape (3,) but x has shape (4,)"]),
    "sigmoid int": (lambda: layers.sigmoid_forward(np.arange(3)), TypeError,
                    ["x must be a floating-point array"]),
    "tanh dout": (lambda: layers.tanh_backward(np.ones((2, 2)), np.ones((2, 3))), ValueError,
                  ["dout has shape (2, 2) but x has shape (2, 3)"]),
    "y float": (lambda: layers.softmax_cross_entropy(x23, np.array([0.0, 1.0])), TypeError,
                ["y must be an integer numpy array", "float64", "astype(int)"]),
    "y list": (lambda: layers.softmax_cross_entropy(x23, [0, 1]), TypeError,
               ["y must be an integer numpy array", "list"]),
    "y shape": (lambda: layers.softmax_cross_entropy(x23, np.array([0, 1, 2])), ValueError,
                ["y must have shape (N,) = (2,)", "(2, 3)", "got (3,)"]),
    "y range": (lambda: layers.softmax_cross_entropy(x23, np.array([0, 3])), ValueError,
                ["[0, 3)", "from 0 to 3"]),
    "y negative": (lambda: layers.softmax_cross_entropy(x23, np.array([-1, 0])), ValueError,
                   ["[0, 3)", "from -1 to 0"]),
    "logits inf": (lambda: layers.softmax_cross_entropy(x23 * np.inf, np.array([0, 1])),
                   ValueError, ["logits contains NaN or inf"]),
    "mse shapes": (lambda: layers.mse_loss(np.ones((3, 1)), np.ones(3)), ValueError,
                   ["pred has shape (3, 1) but target has shape (3,)"]),
    "mse int target": (lambda: layers.mse_loss(np.ones(3), np.ones(3, dtype=int)), TypeError,
                       ["target must be a floating-point array"]),
    "batchnorm gamma": (lambda: layers.batchnorm_forward(x23, np.ones(2), np.ones(3)),
                        ValueError, ["gamma must have shape (D,) = (3,)", "got (2,)"]),
    "layernorm x 3-d": (lambda: layers.layernorm_forward(np.ones((2, 3, 1)), np.ones(3),
                                                         np.ones(3)),
                        ValueError, ["x must have 2 dimension(s)"]),
    "batchnorm eps": (lambda: layers.batchnorm_forward(x23, np.ones(3), np.ones(3), -1.0),
                      ValueError, ["eps must be a number >= 0"]),
    "conv C_in": (lambda: layers.conv1d_forward(np.ones((1, 2, 5)), np.ones((3, 4, 2)),
                                                np.ones(3)),
                  ValueError, ["(1, 2, 5)", "(3, 4, 2)", "C_in differ"]),
    "conv K > L": (lambda: layers.conv1d_forward(np.ones((1, 2, 2)), np.ones((3, 2, 4)),
                                                 np.ones(3)),
                   ValueError, ["K = 4 > L = 2"]),
    "conv dout": (lambda: layers.conv1d_backward(
        np.ones((1, 3, 5)), layers.conv1d_forward(np.ones((1, 2, 5)), np.ones((3, 2, 2)),
                                                  np.ones(3))[1]),
                  ValueError, ["(N, C_out, L − K + 1) = (1, 3, 4)", "got (1, 3, 5)"]),
}


@pytest.mark.parametrize("case", BAD_CALLS)
def test_bad_input_gives_an_error_naming_the_argument_and_shapes(case):
    call, error, words = BAD_CALLS[case]
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), f"{word!r} not in {str(info.value)!r}"
