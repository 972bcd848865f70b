"""bpcourse.cost: the gradients it times are right, its rows are complete and consistent, the
sampled numeric gradient is the full one on the sampled indices, and the extrapolation is the
arithmetic it claims. No timing thresholds: the machine's speed is what is being measured.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpcourse import cost, flops, layers, nn
from bpcourse.numgrad import numerical_gradient


def _loss_of_flat(model, x, y):
    """L(θ) for a flat parameter vector θ: sets the model's parameters, runs forward + loss."""
    def f(theta):
        start = 0
        for p in model.params:
            p.data[...] = theta[start:start + p.data.size].reshape(p.data.shape)
            start += p.data.size
        return layers.softmax_cross_entropy(model.forward(x), y)[0]
    return f


def _flat(model):
    return np.concatenate([p.data.ravel() for p in model.params])


def _away_from_kinks(model, x, seed):
    """Random biases, so that no ReLU input sits at 0 where central differences see a kink.

    (Biases start at 0: a layer whose ReLUs are all off feeds exactly 0 to the next one.)
    """
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, nn.Linear):
            layer.b.data[...] = rng.normal(0.0, 0.5, layer.b.data.shape)
    h = x
    for layer in model.layers:
        if isinstance(layer, nn.ReLU):
            assert np.min(np.abs(h)) > 1e-4, "test set-up: a ReLU input is too close to 0"
        h = layer.forward(h)


@pytest.mark.parametrize("sizes,n,seed", [
    ([3, 4, 2], 5, 0),            # non-square layers
    ([5, 3, 3, 3, 3, 4], 2, 1),   # deep
    ([2, 1, 7], 6, 2),            # a bottleneck of width 1
    ([6, 9], 1, 3),               # a single layer, batch of one
])
def test_backprop_gradient_matches_central_differences(sizes, n, seed):
    model = cost.build_mlp(sizes, seed=seed)
    x, y = cost.make_batch(sizes, n, seed=seed)
    _away_from_kinks(model, x, seed)
    theta = _flat(model)
    expected = numerical_gradient(_loss_of_flat(model, x, y), theta.copy())
    _loss_of_flat(model, x, y)(theta)  # restore the parameters
    got = cost.backprop_gradient(model, x, y)
    assert got.shape == (flops.count_params(sizes),)
    err = np.max(np.abs(got - expected) / np.maximum(1e-8, np.abs(got) + np.abs(expected)))
    assert err < 1e-6, f"backprop vs central differences: max relative error {err:.2e}"


def test_backprop_gradient_with_large_logits_is_finite_and_right():
    model = cost.build_mlp([4, 6, 3], seed=5)
    model.layers[-1].W.data *= 300.0  # logits in the hundreds
    x, y = cost.make_batch([4, 6, 3], 8, seed=5)
    x *= 10.0
    theta = _flat(model)
    expected = numerical_gradient(_loss_of_flat(model, x, y), theta.copy(), h=1e-6)
    _loss_of_flat(model, x, y)(theta)
    got = cost.backprop_gradient(model, x, y)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_build_mlp_alternates_linear_and_relu_and_skips_the_first_dx():
    model = cost.build_mlp([5, 4, 3, 2], dtype=np.float32)
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert [m.input_grad for m in model.layers if isinstance(m, nn.Linear)] == [False, True, True]
    assert all(p.data.dtype == np.float32 for p in model.params)
    x, y = cost.make_batch([5, 4, 3, 2], 3, dtype=np.float32)
    _, dlogits = layers.softmax_cross_entropy(model.forward(x), y)
    assert model.backward(dlogits) is None  # no gradient for the data


def test_sampled_numeric_gradient_is_the_full_one_on_the_sampled_indices():
    sizes, n = [4, 5, 3], 6
    model = cost.build_mlp(sizes, seed=7)
    x, y = cost.make_batch(sizes, n, seed=7)
    theta = _flat(model)
    full = numerical_gradient(_loss_of_flat(model, x, y), theta.copy())
    _loss_of_flat(model, x, y)(theta)
    indices = np.array([0, 3, 19, 20, 24, 25, 40, theta.size - 1])
    sampled = cost.numeric_gradient_sampled(model, x, y, indices)
    np.testing.assert_allclose(sampled, full[indices], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(_flat(model), theta)  # parameters restored


def test_numeric_gradient_restores_the_parameter_when_the_loss_raises():
    model = cost.build_mlp([3, 2], seed=0)
    x, _ = cost.make_batch([3, 2], 4)
    before = _flat(model)
    with pytest.raises(ValueError, match="class indices"):
        cost.numeric_gradient_sampled(model, x, np.array([0, 1, 5, 0]), [4])
    np.testing.assert_array_equal(_flat(model), before)


def test_flat_parameter_walks_the_parameters_in_order():
    model = cost.build_mlp([2, 3, 1])  # W1 (2,3): 0..5, b1: 6..8, W2 (3,1): 9..11, b2: 12
    p, offset = cost.flat_parameter(model, 7)
    assert p is model.params[1] and offset == 1
    p, offset = cost.flat_parameter(model, 12)
    assert p is model.params[3] and offset == 0
    with pytest.raises(IndexError):
        cost.flat_parameter(model, 13)


def test_extrapolation_is_linear_in_the_number_of_parameters():
    assert cost.extrapolate(0.5, 100, 100) == 0.5
    assert cost.extrapolate(0.5, 100, 10_000) == pytest.approx(50.0)
    assert cost.extrapolate(2e-3, 7, 70) == pytest.approx(2e-2)
    with pytest.raises(ValueError, match="sampled"):
        cost.extrapolate(1.0, 0, 10)
    with pytest.raises(ValueError, match="sampled"):
        cost.extrapolate(1.0, 11, 10)


def _check_row(row, sizes, n):
    assert tuple(row) == cost.COLUMNS
    p = flops.count_params(sizes)
    exact = flops.mlp_flops(sizes, n)
    assert row["layer_sizes"] == "-".join(map(str, sizes))
    assert (row["params"], row["n"], row["dtype"]) == (p, n, "float64")
    assert row["flops_forward"] == flops.forward_flops(sizes, n)
    assert row["flops_backward"] == flops.backward_flops(sizes, n)
    assert row["flops_numeric"] == flops.numeric_gradient_flops(sizes, n)
    assert (row["exact_forward"], row["exact_backward"], row["exact_numeric"]) == (
        exact["forward"], exact["backward"], exact["numeric_gradient"])
    for key in ("t_forward", "t_backward", "t_backprop", "t_numeric", "t_numeric_parameter"):
        assert math.isfinite(row[key]) and row[key] > 0, key
    k = row["numeric_sampled"]
    assert row["t_numeric"] == pytest.approx(
        cost.extrapolate(row["t_numeric_parameter"] * k, k, p), rel=1e-12)
    assert row["t_numeric"] == pytest.approx(p * row["t_numeric_parameter"], rel=1e-12)
    assert row["speedup"] == pytest.approx(row["t_numeric"] / row["t_backprop"], rel=1e-12)
    assert row["ratio_backward_forward"] == pytest.approx(row["t_backward"] / row["t_forward"])
    assert row["ratio_backward_forward_predicted"] == pytest.approx(
        exact["backward"] / exact["forward"])
    assert row["speedup_predicted"] == pytest.approx(
        exact["numeric_gradient"] / (exact["forward"] + exact["backward"]))


def test_measure_full_and_sampled_estimate_the_same_quantity_at_small_p():
    sizes, n = [4, 6, 3], 8
    p = flops.count_params(sizes)
    full = cost.measure(sizes, n, repeats=2)
    sampled = cost.measure(sizes, n, repeats=2, numeric_sample=10)
    _check_row(full, sizes, n)
    _check_row(sampled, sizes, n)
    assert (full["numeric_sampled"], full["numeric_extrapolated"]) == (p, False)
    assert (sampled["numeric_sampled"], sampled["numeric_extrapolated"]) == (10, True)
    # Same network, same counts: the two rows differ only in how t_numeric was obtained.
    same = [c for c in cost.COLUMNS if not c.startswith(("t_", "numeric_", "ratio_b", "speedup"))]
    assert {c: full[c] for c in same} == {c: sampled[c] for c in same}


def test_a_sample_larger_than_p_measures_every_parameter():
    row = cost.measure([2, 2], 3, repeats=1, numeric_sample=10_000)
    assert row["numeric_sampled"] == row["params"] == 6
    assert row["numeric_extrapolated"] is False


def test_predicted_speedup_is_about_two_thirds_of_p_for_a_wide_network():
    row = cost.measure([32, 300, 300, 10], 16, repeats=1, numeric_sample=2)
    assert 0.9 < row["speedup_predicted"] / (2 * row["params"] / 3) < 1.2


@pytest.mark.parametrize("kwargs,word", [({"repeats": 0}, "repeats"),
                                         ({"numeric_sample": 0}, "numeric_sample"),
                                         ({"repeats": 2.5}, "repeats")])
def test_measure_names_a_bad_argument(kwargs, word):
    with pytest.raises(ValueError, match=word):
        cost.measure([2, 2], 3, **kwargs)


def test_sweep_returns_one_row_per_network_in_order(capsys):
    sizes_list = [[3, 2, 2], [3, 4, 2], [3, 8, 2]]
    rows = cost.sweep(sizes_list, 4, repeats=1, numeric_sample=5, progress=True)
    assert [r["layer_sizes"] for r in rows] == ["3-2-2", "3-4-2", "3-8-2"]
    assert [r["numeric_sampled"] for r in rows] == [5, 5, 5]
    assert "numeric vs backprop" in capsys.readouterr().err  # the progress bar
    with pytest.raises(ValueError, match="sizes_list is empty"):
        cost.sweep([], 4)


def test_default_sizes_span_ten_to_the_two_to_ten_to_the_five():
    sizes = cost.default_sizes()
    params = [flops.count_params(s) for s in sizes]
    assert params == sorted(params)
    assert 100 <= params[0] < 200 and 1e5 <= params[-1] <= 1.2e5
    assert all(flops.count_params(s) <= 5000 for s in cost.default_sizes(5000))
    with pytest.raises(ValueError, match="max_params"):
        cost.default_sizes(50)


def test_csv_round_trip(tmp_path):
    rows = cost.sweep([[3, 2, 2], [3, 5, 2]], 4, repeats=1, numeric_sample=3, progress=False)
    path = cost.write_csv(rows, tmp_path / "cost.csv")
    assert path.read_text().splitlines()[0] == ",".join(cost.COLUMNS)
    back = cost.read_csv(path)
    assert len(back) == 2
    for a, b in zip(rows, back, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            assert b[key] == (pytest.approx(a[key]) if isinstance(a[key], float) else a[key]), key


def test_plots_mark_measured_and_extrapolated_points_differently(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bpcourse.plots import plot_backward_ratio, plot_cost

    rows = cost.sweep([[3, 2, 2], [3, 6, 2], [3, 12, 2]], 4, repeats=1, numeric_sample=20,
                      progress=False)
    assert [r["numeric_extrapolated"] for r in rows] == [False, True, True]
    fig, (a, b) = plt.subplots(1, 2)
    plot_cost(rows, ax=a)
    plot_backward_ratio(rows, ax=b)
    labels = {line.get_label(): line for line in a.get_lines()}
    measured = labels["numeric (measured)"]
    extrapolated = labels["numeric (extrapolated from a sample)"]
    assert len(measured.get_xdata()) == 1 and len(extrapolated.get_xdata()) == 2
    assert extrapolated.get_markerfacecolor() == "none" != measured.get_markerfacecolor()
    assert a.get_xscale() == a.get_yscale() == "log"
    theory = [line for name, line in labels.items() if name.startswith("theory")]
    assert len(theory) == 2
    # The numeric theory line grows as P² (4nP² FLOPs), the backprop one as P.
    p = np.array([r["params"] for r in rows], dtype=float)
    num_line = labels["theory: 2P forward passes, 4nP² FLOPs"].get_ydata()
    assert np.allclose(num_line / num_line[0], (p / p[0]) ** 2)
    fig.savefig(tmp_path / "cost.png")
    plt.close(fig)
    with pytest.raises(ValueError, match="rows is empty"):
        plot_cost([])


@pytest.mark.parametrize("argv,word", [
    (["--repeats", "0"], "--repeats"),
    (["--batch", "many"], "--batch"),
    (["--out", "cost.txt"], "--out"),
    (["--out", "no/such/folder/cost.png"], "--out"),
    (["--max-params", "5"], "--max-params"),
    (["--threads", "-1"], "--threads"),
])
def test_cli_names_the_bad_argument(argv, word, capsys):
    assert cost.cli("cost", argv) == 2
    assert word in capsys.readouterr().err


def test_cli_measures_plots_and_writes_the_table(tmp_path, capsys):
    out = tmp_path / "cost.png"
    code = cost.cli("cost", ["--out", str(out), "--max-params", "500", "--repeats", "1",
                             "--sample", "20", "--no-progress"])
    assert code == 0
    assert out.stat().st_size > 10_000
    rows = cost.read_csv(tmp_path / "cost.csv")
    assert [r["params"] for r in rows] == [102, 202, 426]
    printed = capsys.readouterr().out
    assert "32-8-8-10" in printed and "extrapolated" in printed
    # FLOPs are not time: the largest network's products, their rates, where the time goes
    assert "x.T @ dout" in printed and "GFLOP/s" in printed and "backward/forward" in printed
    assert all(r["blas_threads"] in (0, 1) for r in rows)


def test_main_dispatches_the_cost_command(capsys):
    from bpcourse.__main__ import main

    assert main(["cost", "--help"]) == 0
    assert "--max-params" in capsys.readouterr().out


def test_median_times_interleaves_the_runs_and_takes_medians():
    calls = []
    durations = {"a": [5, 1, 3], "b": [2, 9, 4]}
    now = [0.0]

    def timer():
        return now[0]

    def make(name):
        def run():
            calls.append(name)
            if len(calls) > 2:  # past the untimed warm-up calls
                now[0] += durations[name].pop(0)
        return run

    got = cost.median_times({"a": make("a"), "b": make("b")}, repeats=3, timer=timer)
    assert calls == ["a", "b", "a", "b", "a", "b", "a", "b"]  # warm-up, then round-robin
    assert got == {"a": 3, "b": 4}


def test_a_nan_in_the_weights_is_still_caught_downstream():
    # nn.Linear checks its parameters' shapes only on each call (trusted_params); a NaN an
    # update put into them reaches the output, which the loss checks.
    model = cost.build_mlp([3, 4, 2])
    x, y = cost.make_batch([3, 4, 2], 5)
    model.layers[0].W.data[1, 2] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        cost.loss_value(model, x, y)


# ----- FLOPs are not time: the products of the passes and their rates -----

@pytest.mark.parametrize("sizes,n", [([3, 4, 2], 5), ([32, 256, 256, 10], 64), ([7, 1], 3)])
def test_matmul_products_are_the_matmul_terms_of_the_exact_count(sizes, n):
    """x @ W, x.T @ dout and dout @ W.T (not for the first layer) cost 2·rows·inner·cols:
    the exact count's matmul, dW and dx terms plus the adds it does not need (D − 1 per sum)
    and the bias (a Linear layer costs exactly 2·n·a·b forward)."""
    products = cost.matmul_products(sizes, n)
    exact = flops.mlp_flops(sizes, n)
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    by = {(r["pass"], r["product"]): 0 for r in products}
    for r in products:
        rows, inner, cols = r["shape"]
        assert r["flops"] == 2 * rows * inner * cols
        by[(r["pass"], r["product"])] += r["flops"]
    assert by[("forward", "x @ W")] == exact["forward_ops"]["matmul"] + exact["forward_ops"]["bias"]
    assert by[("backward", "x.T @ dout")] == exact["backward_ops"]["dW"] + sum(a * b
                                                                              for a, b in pairs)
    assert by.get(("backward", "dout @ W.T"), 0) == exact["backward_ops"]["dx"] + sum(
        n * a for a, _ in pairs[1:])
    skinny = [r for r in products if r["product"] == "x.T @ dout"]
    assert all(r["shape"][1] == n for r in skinny)  # the inner dimension is the batch


def test_matmul_rates_are_flops_over_seconds():
    rates = cost.matmul_rates([8, 16, 4], 6, repeats=1)
    assert [r["product"] for r in rates] == ["x @ W", "x @ W", "x.T @ dout", "x.T @ dout",
                                             "dout @ W.T"]
    for r in rates:
        assert r["seconds"] > 0 and r["seconds_in_pass"] > 0
        assert r["gflops"] == pytest.approx(r["flops"] / r["seconds"] / 1e9)
        assert r["gflops_in_pass"] == pytest.approx(r["flops"] / r["seconds_in_pass"] / 1e9)


def test_the_replayed_passes_compute_what_the_model_computes():
    """The in-pass timings replay build_mlp's passes: the same products, the same gradients."""
    sizes, n = [5, 4, 3, 2], 6
    x, y = cost.make_batch(sizes, n)
    expected = cost.backprop_gradient(cost.build_mlp(sizes), x, y)
    model = cost.build_mlp(sizes)
    model.zero_grad()
    seen = []
    cost.replay_step(model, x, y, lambda key, product: seen.append(key) or product())
    got = np.concatenate([p.grad.ravel() for p in model.params])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert sorted(seen) == sorted((r["pass"], r["layer"], r["product"])
                                  for r in cost.matmul_products(sizes, n))


def test_where_time_goes_splits_each_pass_into_products_and_the_rest():
    rates = [{"pass": "forward", "seconds": 2.0, "flops": 10},
             {"pass": "backward", "seconds": 3.0, "flops": 12},
             {"pass": "backward", "seconds": 1.0, "flops": 8}]
    split = cost.where_time_goes(rates, {"t_forward": 5.0, "t_backward": 6.0})
    assert split["forward"]["matmul"] == 2.0 and split["forward"]["other"] == 3.0
    assert split["backward"]["matmul"] == 4.0 and split["backward"]["other"] == 2.0
    assert split["ratio_measured"] == 6.0 / 5.0
    assert split["ratio_matmul_time"] == 2.0 and split["ratio_matmul_flops"] == 2.0
    text = cost.format_rates([{**r, "layer": 0, "product": "x @ W", "shape": (1, 2, 3),
                               "gflops": 1.0, "blas_threads": 1} for r in rates],
                             {"t_forward": 5.0, "t_backward": 6.0})
    assert "BLAS threads: 1" in text and "the rest" in text and "skinny" in text


def test_blas_threads_limits_blas_or_says_it_did_not():
    with cost.blas_threads(None) as used:
        assert used == 0
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with cost.blas_threads(1) as used:
        assert used == 1
        pools = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
        assert pools and all(p["num_threads"] == 1 for p in pools)


def test_measure_records_the_blas_threads_it_used():
    row = cost.measure([4, 3, 2], 2, repeats=1, numeric_sample=1, threads=None)
    assert row["blas_threads"] == 0
    assert set(row) == set(cost.COLUMNS)
