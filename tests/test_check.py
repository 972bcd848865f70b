"""rel_error and check_gradient: shape and dtype first, then the number, then the likely mistake."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bpcourse.check import GradientMismatch, check_gradient, compare, diagnose, rel_error

finite = st.floats(-1e6, 1e6, allow_nan=False)


# ----- rel_error -----

def test_rel_error_is_the_course_formula():
    # max over elements of |a - b| / max(1e-8, |a| + |b|)
    a, b = np.array([1.0, 2.0, 0.0]), np.array([1.1, 2.0, 0.0])
    assert rel_error(a, b) == pytest.approx(0.1 / 2.1, rel=1e-12)
    assert rel_error(np.array([1e-9]), np.array([0.0])) == pytest.approx(1e-9 / 1e-8)


@given(a=hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=finite),
       seed=st.integers(0, 2**32 - 1))
def test_rel_error_is_symmetric_zero_on_equal_arrays_and_at_most_one(a, seed):
    b = a + np.random.default_rng(seed).standard_normal(a.shape)
    assert rel_error(a, a) == 0.0
    assert rel_error(a, b) == rel_error(b, a)
    assert 0.0 <= rel_error(a, b) <= 1.0


def test_rel_error_of_empty_arrays_is_zero():
    assert rel_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


def test_rel_error_refuses_to_broadcast():
    with pytest.raises(ValueError, match=r"shapes differ, \(64,\) vs \(1, 64\)"):
        rel_error(np.ones(64), np.ones((1, 64)))


def test_rel_error_cannot_be_fooled_by_a_monkeypatched_numpy(monkeypatch):
    monkeypatch.setattr(np, "abs", lambda x: np.zeros_like(x))
    monkeypatch.setattr(np, "max", lambda x, **k: 0.0)
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)


# ----- check_gradient: what passes -----

def test_a_correct_gradient_passes_and_returns_its_relative_error():
    g = np.random.default_rng(0).standard_normal((3, 4))
    assert check_gradient(g, g.copy(), "dW") == 0.0
    err = check_gradient(g * (1 + 1e-10), g, "dW")
    assert 0 < err < 1e-7


def test_float32_is_accepted_at_a_looser_tolerance():
    g = np.random.default_rng(0).standard_normal((3, 4))
    assert check_gradient(g.astype(np.float32), g, tol=1e-6) < 1e-6


# ----- check_gradient: every message names the thing, what was expected and what was got -----

def _message(got, expected, name="dW", **kw) -> str:
    with pytest.raises(GradientMismatch) as info:
        check_gradient(got, expected, name, **kw)
    assert isinstance(info.value, AssertionError)  # a failing notebook test, for nbgrader
    message = str(info.value)
    assert message.startswith(f"{name}: ")
    return message


@pytest.fixture
def W_grad():
    return np.random.default_rng(42).standard_normal((3, 5))  # non-square on purpose


def test_none_reminds_to_return(W_grad):
    m = _message(None, W_grad)
    assert "got None" in m and "(3, 5)" in m and "return" in m


def test_a_list_is_not_an_array(W_grad):
    m = _message(W_grad.tolist(), W_grad)
    assert "got a list" in m and "numpy array" in m and "(3, 5)" in m


def test_an_integer_array_truncates_gradients(W_grad):
    m = _message(W_grad.astype(np.int64), W_grad)
    assert "dtype int64" in m and "floating-point" in m and "np.zeros" in m


def test_shape_is_checked_before_values_no_broadcasting():
    db = np.arange(1.0, 65.0)
    m = _message(db.reshape(1, 64), db, "db")
    assert "wrong shape" in m and "Expected (64,), got (1, 64)" in m
    assert "extra or missing axis of length 1" in m and "keepdims" in m


def test_a_wrong_shape_with_no_known_cause_says_what_a_gradient_is_shaped_like(W_grad):
    m = _message(np.ones((2, 2)), W_grad)
    assert "Expected (3, 5), got (2, 2)" in m and "shape of the thing it differentiates" in m


def test_hint_transposed_non_square(W_grad):
    m = _message(W_grad.T.copy(), W_grad)
    assert "Expected (3, 5), got (5, 3)" in m and "transposed" in m and "matmul" in m


def test_hint_transposed_square():
    g = np.random.default_rng(3).standard_normal((4, 4))
    m = _message(g.T.copy(), g)
    assert "transposed" in m and "expected" in m and "got" in m


def _assert_reports_values(m, got, expected):
    # "At index (i, j) expected E, got G."
    index = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(got - expected)), got.shape))
    assert f"At index {index} expected {expected[index]:.6g}, got {got[index]:.6g}" in m


@pytest.mark.parametrize("factor, batch_size, hint", [
    (-1.0, None, "sign flipped"),
    (8.0, 8, "scaled by N=8: the 1/N of the mean is missing"),
    (1 / 8, 8, "scaled by 1/N=1/8: the 1/N was applied twice"),
    (2.0, None, "scaled by 2"),
    (0.5, None, "scaled by 1/2: a factor 2 is missing"),
])
def test_hint_scaled(W_grad, factor, batch_size, hint):
    got = factor * W_grad
    m = _message(got, W_grad, batch_size=batch_size)
    assert "relative error" in m and f"Likely mistake: {hint}" in m
    _assert_reports_values(m, got, W_grad)


def test_hint_batch_sum_missing():
    dout = np.random.default_rng(5).standard_normal((6, 4))  # N=6, M=4
    m = _message(dout.copy(), dout.sum(axis=0), "db", upstream=dout)
    assert "Expected (4,), got (6, 4)" in m and "batch sum is missing" in m and "axis=0" in m


def test_hint_sum_over_the_wrong_axis():
    dout = np.random.default_rng(6).standard_normal((4, 4))  # square, so the shape matches
    m = _message(dout.sum(axis=1), dout.sum(axis=0), "db", upstream=dout)
    assert "wrong axis" in m and ".sum(axis=0)" in m


def test_hint_sum_over_the_wrong_axis_non_square_is_a_shape_error():
    dout = np.random.default_rng(7).standard_normal((6, 4))
    m = _message(dout.sum(axis=1), dout.sum(axis=0), "db", upstream=dout)
    assert "Expected (4,), got (6,)" in m and "wrong axis" in m


def test_hint_all_zeros(W_grad):
    got = np.zeros_like(W_grad)
    m = _message(got, W_grad)
    assert "all zeros" in m and "never written" in m
    _assert_reports_values(m, got, W_grad)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_hint_nan_or_inf(W_grad, bad):
    got = W_grad.copy()
    got[1, 2] = bad
    m = _message(got, W_grad)
    assert "NaN or inf" in m and "overflow" in m
    assert f"At index (1, 2) expected {W_grad[1, 2]:.6g}, got {bad}" in m


def test_an_unrecognised_mistake_still_says_where_expected_and_got(W_grad):
    got = W_grad.copy()
    got[2, 1] += 3.0
    m = _message(got, W_grad)
    assert "Likely mistake" not in m
    assert f"At index (2, 1) expected {W_grad[2, 1]:.6g}, got {got[2, 1]:.6g}" in m


def test_tolerance_is_respected():
    g = np.ones(3)
    check_gradient(g * (1 + 1e-5), g, tol=1e-4)
    m = _message(g * (1 + 1e-5), g, tol=1e-7)
    assert "tolerance 1e-07" in m


# ----- diagnose -----

@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 6), m=st.integers(2, 6))
def test_diagnose_finds_nothing_in_an_unrelated_array(seed, n, m):
    rng = np.random.default_rng(seed)
    assert diagnose(rng.standard_normal((n, m)), rng.standard_normal((n, m)), batch_size=n) is None


# ----- compare -----

def test_compare_is_one_line_at_a_glance():
    g = np.ones((2, 3))
    assert compare("dW", g, g) == "dW      | exact: True  | approx: True  | maxdiff: 0.0e+00"
    line = compare("dW", g + 1e-12, g)
    assert "exact: False" in line and "approx: True" in line and "maxdiff: 1.0e-12" in line
    assert "approx: False" in compare("dW", 2 * g, g)
    assert compare("db", np.ones((1, 3)), np.ones(3)) == "db      | shape (1, 3) != expected (3,)"
