"""Central differences, the oracle, checked against analytic gradients."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bpcourse.check import rel_error
from bpcourse.numgrad import numerical_gradient, numerical_gradient_array

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)
seeds = st.integers(0, 2**32 - 1)


@given(shape=shapes, seed=seeds)
def test_central_differences_match_the_analytic_gradient_of_a_scalar_function(
        shape, seed, assert_matches_oracle):
    x = np.random.default_rng(seed).standard_normal(shape)
    # f(x) = Σ e^(x/2) + x³/3  has  df/dx = e^(x/2)/2 + x², never near 0 (so a relative
    # error means something) and with a third derivative that makes h² matter
    grad = numerical_gradient(lambda v: np.sum(np.exp(v / 2) + v**3 / 3), x)
    assert_matches_oracle(grad, np.exp(x / 2) / 2 + x**2, "d/dx Σ e^(x/2) + x³/3")
    assert rel_error(grad, np.exp(x / 2) / 2 + x**2) < 1e-7


@given(d=st.integers(1, 6), k=st.integers(1, 6), m=st.integers(1, 6), seed=seeds)
def test_central_differences_of_a_quadratic_form_with_non_square_matrices(
        d, k, m, seed, assert_matches_oracle):
    rng = np.random.default_rng(seed)
    A, x = rng.standard_normal((m, d)), rng.standard_normal((d, k))
    # f(x) = ||A x||²  has  df/dx = 2 Aᵀ A x   (D, K)
    grad = numerical_gradient(lambda v: np.sum((A @ v) ** 2), x)
    assert_matches_oracle(grad, 2 * A.T @ (A @ x), "d/dx ||Ax||²")


@given(d=st.integers(1, 6), k=st.integers(1, 6), m=st.integers(1, 6), seed=seeds)
def test_array_valued_function_against_an_upstream_gradient(d, k, m, seed,
                                                            assert_matches_oracle):
    rng = np.random.default_rng(seed)
    A, x, dout = rng.standard_normal((m, d)), rng.standard_normal((d, k)), \
        rng.standard_normal((m, k))
    # out = A x, L = Σ out · dout  gives  dL/dx = Aᵀ dout
    dx = numerical_gradient_array(lambda v: A @ v, x, dout)
    assert dx.shape == x.shape
    assert_matches_oracle(dx, A.T @ dout, "dx of A @ x")


@given(shape=shapes, seed=seeds)
def test_array_valued_elementwise_function(shape, seed, assert_matches_oracle):
    rng = np.random.default_rng(seed)
    x, dout = rng.standard_normal(shape), rng.standard_normal(shape)
    dx = numerical_gradient_array(np.tanh, x, dout)
    assert_matches_oracle(dx, dout * (1 - np.tanh(x) ** 2), "dx of tanh")


def test_result_is_float64_and_shaped_like_x_even_for_float32_input():
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    grad = numerical_gradient(lambda v: float(np.sum(v**2)), x, h=1e-2)
    assert grad.dtype == np.float64 and grad.shape == (2, 3)
    assert rel_error(grad, 2 * x.astype(np.float64)) < 1e-5


def test_central_differences_are_second_order_in_h():
    x = np.array([0.3, -1.2, 2.0])
    exact = np.exp(x)
    err = {h: np.max(np.abs(numerical_gradient(lambda v: np.sum(np.exp(v)), x, h) - exact))
           for h in (1e-2, 1e-3)}
    # error ≈ h²/6 · f''' : ten times smaller h, a hundred times smaller error
    assert 70 < err[1e-2] / err[1e-3] < 130


def test_it_costs_two_evaluations_of_f_per_parameter():
    calls = []
    x = np.zeros((3, 4))
    numerical_gradient(lambda v: calls.append(1) or 0.0, x)
    assert len(calls) == 2 * x.size


def test_x_is_left_unchanged_bit_for_bit():
    x = np.random.default_rng(0).standard_normal((4, 3))
    before = x.copy()
    numerical_gradient(lambda v: np.sum(np.exp(v)), x)
    numerical_gradient_array(np.sin, x, np.ones_like(x))
    assert np.array_equal(x, before)


@pytest.mark.parametrize("fail_on_call", [1, 2, 5])
def test_x_is_restored_even_when_f_raises(fail_on_call):
    x = np.random.default_rng(1).standard_normal((2, 3))
    before = x.copy()
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == fail_on_call:
            raise RuntimeError("boom")
        return float(np.sum(v))

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    assert np.array_equal(x, before)


def test_a_zero_dimensional_array_is_a_parameter_too():
    grad = numerical_gradient(lambda v: float(v) ** 3, np.array(2.0))
    assert grad.shape == () and abs(float(grad) - 12.0) < 1e-8


@pytest.mark.parametrize("x, error, words", [
    ([1.0, 2.0], TypeError, ["x must be a numpy array", "list", "np.asarray"]),
    (np.array([1, 2]), TypeError, ["x must be a floating-point array", "int64", "astype"]),
    (np.zeros((0, 3)), ValueError, ["x is empty", "(0, 3)"]),
])
def test_bad_x_gives_an_error_naming_x_and_the_fix(x, error, words):
    with pytest.raises(error) as info:
        numerical_gradient(lambda v: 0.0, x)
    for word in words:
        assert word in str(info.value)


def test_f_returning_an_array_is_sent_to_the_array_version():
    with pytest.raises(ValueError, match=r"single number.*shape \(3,\).*numerical_gradient_array"):
        numerical_gradient(lambda v: v * 2, np.ones(3))


def test_f_returning_none_says_so():
    with pytest.raises(TypeError, match="f returned None"):
        numerical_gradient(lambda v: None, np.ones(3))


def test_dout_shaped_unlike_f_x_is_an_error_naming_both_shapes():
    with pytest.raises(ValueError, match=r"f\(x\) has shape \(2, 3\) but dout has shape \(3, 2\)"):
        numerical_gradient_array(lambda v: v, np.ones((2, 3)), np.ones((3, 2)))


def test_float32_input_uses_the_step_actually_taken():
    # x + h is rounded to float32; dividing by the rounded step keeps the estimate close
    x = np.random.default_rng(0).standard_normal(50).astype(np.float32)
    grad = numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), x)
    assert rel_error(grad, 2 * x.astype(np.float64)) < 1e-6


@pytest.mark.parametrize("h, words", [
    (0.0, "h must be a positive step, got 0.0"),
    (-1e-5, "h must be a positive step"),
    (1e-20, "h=1e-20 is too small for x[1] = 1.0 in float64"),
])
def test_a_step_that_cannot_work_is_refused(h, words):
    with pytest.raises(ValueError) as info:
        numerical_gradient(lambda v: float(np.sum(v)), np.array([0.0, 1.0]), h)
    assert words in str(info.value)
