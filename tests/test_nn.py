"""Modules: backward fills every parameter's .grad, checked against central differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bpcourse import data, layers, nn

seeds = st.integers(0, 2**32 - 1)
ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


@st.composite
def mlps(draw):
    """A random MLP: 1 to 3 Linear layers of non-square sizes, random activations between."""
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=4))
    acts = draw(st.lists(st.sampled_from(sorted(ACTIVATIONS)), min_size=len(sizes) - 2,
                         max_size=len(sizes) - 2))
    seed = draw(seeds)
    modules = []
    for k, (d, m) in enumerate(zip(sizes, sizes[1:], strict=False)):
        modules.append(nn.Linear(d, m, seed=seed + k))
        if k < len(acts):
            modules.append(ACTIVATIONS[acts[k]]())
    return nn.Sequential(*modules), sizes


def _relu_inputs_away_from_kink(model, x, margin=1e-3):
    """A central difference straddling a ReLU's kink is wrong: skip such draws."""
    for layer in model.layers:
        if isinstance(layer, nn.ReLU) and np.min(np.abs(x)) < margin:
            return False
        x = layer.forward(x)
    return True


@given(mlp=mlps(), n=st.integers(1, 5), seed=seeds, loss_name=st.sampled_from(["ce", "mse"]))
def test_backward_fills_every_parameter_grad_like_central_differences(
        mlp, n, seed, loss_name, assert_matches_oracle, extrapolated_gradient):
    model, sizes = mlp
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, sizes[0]))
    assume(_relu_inputs_away_from_kink(model, x))
    if loss_name == "ce":
        loss_fn, target = nn.SoftmaxCrossEntropy(), rng.integers(0, sizes[-1], size=n)
    else:
        loss_fn, target = nn.MSELoss(), rng.standard_normal((n, sizes[-1]))

    def loss_of(_):
        return loss_fn.forward(model.forward(x), target)

    for p in model.params:
        p.grad[...] = 123.0  # leftovers that zero_grad must clear
    model.zero_grad()
    loss_fn.forward(model.forward(x), target)
    dx = model.backward(loss_fn.backward())
    grads = [p.grad.copy() for p in model.params]
    assert len(grads) == 2 * (len(sizes) - 1)
    for p, grad in zip(model.params, grads, strict=True):
        assert grad.shape == p.data.shape
        assert_matches_oracle(grad, extrapolated_gradient(loss_of, p.data), f"{p!r}.grad")
    numeric_dx = extrapolated_gradient(lambda v: loss_fn.forward(model.forward(v), target), x)
    assert_matches_oracle(dx, numeric_dx, "dx returned by Sequential.backward")


def test_gradients_accumulate_until_zero_grad():
    model = nn.Sequential(nn.Linear(3, 4, seed=1), nn.Tanh(), nn.Linear(4, 2, seed=2))
    x = np.random.default_rng(0).standard_normal((5, 3))
    dout = np.ones((5, 2))
    model.forward(x)
    model.backward(dout)
    once = [p.grad.copy() for p in model.params]
    model.forward(x)
    model.backward(dout)
    assert all(np.allclose(p.grad, 2 * g, rtol=1e-15) for p, g in zip(model.params, once,
                                                                       strict=True))
    model.zero_grad()
    assert all(not p.grad.any() for p in model.params)


def test_loss_modules_are_the_layer_functions():
    rng = np.random.default_rng(3)
    logits, y = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    ce = nn.SoftmaxCrossEntropy()
    loss, dlogits = layers.softmax_cross_entropy(logits, y)
    assert ce(logits, y) == loss and np.array_equal(ce.backward(), dlogits)
    pred, target = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    mse = nn.MSELoss()
    loss, dpred = layers.mse_loss(pred, target)
    assert mse(pred, target) == loss and np.array_equal(mse.backward(), dpred)


@pytest.mark.parametrize("module", [nn.Linear(2, 3), nn.ReLU(), nn.Sigmoid(), nn.Tanh()])
def test_backward_before_forward_says_to_run_forward(module):
    with pytest.raises(RuntimeError, match=r"backward\(\) called before forward\(\)"):
        module.backward(np.ones((1, 3)))


@pytest.mark.parametrize("loss", [nn.SoftmaxCrossEntropy(), nn.MSELoss()])
def test_loss_backward_before_forward(loss):
    with pytest.raises(RuntimeError, match=r"backward\(\) called before forward\(\)"):
        loss.backward()


def test_sgd_step_moves_against_the_gradient_in_place():
    layer = nn.Linear(3, 2, seed=0)
    W_before = layer.W.data
    W_values = W_before.copy()
    layer.W.grad[...] = np.arange(6.0).reshape(3, 2)
    layer.b.grad[...] = [1.0, -1.0]
    opt = nn.SGD(layer.params, lr=0.1)
    opt.step()
    assert layer.W.data is W_before  # in place: the array a learner holds is updated
    assert np.allclose(layer.W.data, W_values - 0.1 * np.arange(6.0).reshape(3, 2), rtol=1e-15)
    assert np.allclose(layer.b.data, [-0.1, 0.1], rtol=1e-15)
    opt.zero_grad()
    assert not layer.W.grad.any() and not layer.b.grad.any()
    assert nn.SGD(layer.params, lr=np.float32(0.5)).lr == 0.5  # numpy numbers are numbers


def test_one_sgd_step_with_a_small_rate_lowers_the_loss():
    X, y = data.spiral(20, 3, seed=1)
    model = nn.Sequential(nn.Linear(2, 16, seed=0), nn.Tanh(), nn.Linear(16, 3, seed=1))
    loss_fn = nn.SoftmaxCrossEntropy()
    before = loss_fn(model(X), y)
    model.backward(loss_fn.backward())
    nn.SGD(model.params, lr=0.05).step()
    assert loss_fn(model(X), y) < before


def test_training_on_the_spiral_reaches_high_accuracy():
    X, y = data.spiral(100, 3, seed=0)
    model = nn.Sequential(nn.Linear(2, 64, seed=1), nn.ReLU(), nn.Linear(64, 3, seed=2))
    loss_fn, opt = nn.SoftmaxCrossEntropy(), nn.SGD(model.params, lr=1.0)
    first = None
    for _ in range(2000):
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        first = loss if first is None else first
        model.backward(loss_fn.backward())
        opt.step()
    accuracy = np.mean(model(X).argmax(axis=1) == y)
    assert loss < first / 10 and accuracy >= 0.95, (first, loss, accuracy)


# ----- initialisation -----

def test_linear_is_seeded_and_he_initialised():
    assert np.array_equal(nn.Linear(4, 3, seed=7).W.data, nn.Linear(4, 3, seed=7).W.data)
    assert not np.array_equal(nn.Linear(4, 3, seed=7).W.data, nn.Linear(4, 3, seed=8).W.data)
    big = nn.Linear(400, 300, seed=0)
    assert big.W.data.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert not big.b.data.any() and big.b.data.shape == (300,)
    rng = np.random.default_rng(5)
    assert np.array_equal(nn.Linear(2, 2, rng=rng).W.data,
                          np.random.default_rng(5).standard_normal((2, 2)) * 1.0)
    assert nn.Linear(2, 2, dtype=np.float32).W.data.dtype == np.float32


def test_a_module_must_define_forward_and_backward():
    class Half(nn.Module):
        pass

    with pytest.raises(NotImplementedError):
        Half()(np.ones((1, 2)))
    with pytest.raises(NotImplementedError):
        Half().backward(np.ones((1, 2)))
    assert Half().params == []


def test_params_and_repr():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert [p.data.shape for p in model.params] == [(2, 3), (3,), (3, 1), (1,)]
    assert repr(model) == "Sequential(Linear(2, 3), ReLU(), Linear(3, 1))"
    assert "shape=(2, 3)" in repr(model.params[0])


@pytest.mark.parametrize("make, error, words", [
    (lambda: nn.Linear(0, 3), ValueError, ["in_features must be a positive int", "0"]),
    (lambda: nn.Linear(2, 2.5), ValueError, ["out_features must be a positive int", "2.5"]),
    (lambda: nn.Sequential(), ValueError, ["at least one layer"]),
    (lambda: nn.Sequential(nn.ReLU(), "relu"), TypeError, ["layer 1", "no forward/backward"]),
    (lambda: nn.SGD([], lr=0), ValueError, ["lr must be a positive number", "0"]),
    (lambda: nn.SGD([], lr=True), ValueError, ["lr must be a positive number", "True"]),
    (lambda: nn.Parameter(np.arange(3)), TypeError, ["floating-point", "int64"]),
    (lambda: nn.Linear(3, 2).forward(np.ones((4, 2))), ValueError, ["(4, 2)", "(3, 2)"]),
])
def test_mistakes_give_clear_errors(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value)


# ----- the modules of notebook 07: BatchNorm1d, LayerNorm, Conv1d -----

def _new_layer_model(kind: str, seed: int):
    if kind == "conv":
        return nn.Sequential(nn.Conv1d(2, 3, 3, seed=seed), nn.Tanh(), nn.Conv1d(3, 2, 2,
                                                                                 seed=seed + 1))
    norm = {"batchnorm": nn.BatchNorm1d, "layernorm": nn.LayerNorm}[kind]
    model = nn.Sequential(nn.Linear(3, 4, seed=seed), norm(4), nn.Tanh(),
                          nn.Linear(4, 2, seed=seed + 1))
    rng = np.random.default_rng(seed)
    model.layers[1].gamma.data[:] = 1 + 0.5 * rng.standard_normal(4)  # not the identity
    model.layers[1].beta.data[:] = rng.standard_normal(4)
    return model


@pytest.mark.parametrize("kind", ["batchnorm", "layernorm", "conv"])
@given(seed=st.integers(0, 2**16))
def test_new_modules_fill_every_grad_like_central_differences(
        kind, seed, assert_matches_oracle, extrapolated_gradient):
    model = _new_layer_model(kind, seed)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((5, 2, 8) if kind == "conv" else (5, 3))
    dout = rng.standard_normal(model.forward(x).shape)

    def loss_of(_=None, v=x):
        return float(np.sum(model.forward(v) * dout))

    model.zero_grad()
    model.forward(x)
    dx = model.backward(dout)
    for p in model.params:
        assert_matches_oracle(p.grad, extrapolated_gradient(loss_of, p.data), f"{p!r}.grad")
    assert_matches_oracle(dx, extrapolated_gradient(lambda v: loss_of(v=v), x.copy()), "dx")


def test_new_modules_params_repr_and_accumulation():
    bn, ln, conv = nn.BatchNorm1d(4), nn.LayerNorm(3), nn.Conv1d(2, 5, 3)
    assert [p.name for p in bn.params] == ["gamma", "beta"]
    assert (repr(bn), repr(ln), repr(conv)) == ("BatchNorm1d(4)", "LayerNorm(3)",
                                                "Conv1d(2, 5, kernel_size=3)")
    assert [p.data.shape for p in conv.params] == [(5, 2, 3), (5,)]
    x = np.random.default_rng(0).standard_normal((6, 2, 7))
    dout = np.ones((6, 5, 5))
    conv.forward(x)
    conv.backward(dout)
    once = conv.w.grad.copy()
    conv.backward(dout)
    assert np.allclose(conv.w.grad, 2 * once, rtol=1e-15)  # backward adds into .grad


def test_batchnorm_module_makes_every_feature_mean_0_std_1_at_the_start():
    x = np.random.default_rng(1).standard_normal((64, 3)) * [1.0, 100.0, 0.01] + 7.0
    out = nn.BatchNorm1d(3, eps=0.0).forward(x)
    assert np.allclose(out.mean(axis=0), 0, atol=1e-12) and np.allclose(out.std(axis=0), 1)


@pytest.mark.parametrize("make, words", [
    (lambda: nn.BatchNorm1d(0), ["BatchNorm1d: num_features must be a positive int"]),
    (lambda: nn.LayerNorm(2.0), ["LayerNorm: num_features must be a positive int"]),
    (lambda: nn.Conv1d(2, 3, 0), ["Conv1d: kernel_size must be a positive int"]),
])
def test_new_modules_check_their_sizes(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("module", [nn.BatchNorm1d(3), nn.LayerNorm(3), nn.Conv1d(1, 1, 1)])
def test_new_modules_backward_before_forward(module):
    with pytest.raises(RuntimeError, match=r"backward\(\) called before forward\(\)"):
        module.backward(np.ones((1, 3)))
