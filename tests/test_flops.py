"""FLOP accounting: the course's model (2nP, 4nP, 2P forward passes) and the exact counts.

The exact forward count is checked against an independent oracle: the same MLP built from
scalar ``Value`` operations, whose graph has one node per multiply, add and ReLU.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import flops
from bpcourse.autograd import Value
from bpcourse.cost import build_mlp

layer_sizes = st.lists(st.integers(1, 40), min_size=2, max_size=5)
batch = st.integers(1, 50)


def test_count_params_small_by_hand():
    # [2, 3, 1]: W1 2x3 + b1 3 + W2 3x1 + b2 1
    assert flops.count_params([2, 3, 1]) == 13
    assert flops.count_params([784, 128, 10]) == 784 * 128 + 128 + 128 * 10 + 10


@given(layer_sizes)
@settings(max_examples=30, deadline=None)
def test_count_params_equals_the_numbers_in_a_built_network(sizes):
    model = build_mlp(sizes)
    assert flops.count_params(sizes) == sum(p.data.size for p in model.params)


@given(layer_sizes, batch)
@settings(max_examples=50, deadline=None)
def test_the_model_forward_2nP_backward_twice_forward_numeric_2P_forwards(sizes, n):
    p = flops.count_params(sizes)
    assert flops.forward_flops(sizes, n) == 2 * n * p
    assert flops.backward_flops(sizes, n) == 2 * flops.forward_flops(sizes, n)
    assert flops.numeric_gradient_flops(sizes, n) == 2 * p * flops.forward_flops(sizes, n)


def test_mlp_flops_small_network_by_hand():
    # [2, 3, 1], n = 4.  Layer 0 (D=2, M=3): matmul 4·3·(2·2−1) = 36, bias 12, relu 12;
    # dW 2·3·(2·4−1) = 42, db 3·3 = 9, accumulate 6+3 = 9, relu backward 2·12 = 24, no dx.
    # Layer 1 (D=3, M=1): matmul 4·1·5 = 20, bias 4; dW 3·1·7 = 21, db 1·3 = 3,
    # accumulate 4, dx 4·3·(2·1−1) = 12.  Loss (C=1): 7·4·1 + 4 = 32.
    got = flops.mlp_flops([2, 3, 1], 4)
    assert got["forward_ops"] == {"matmul": 56, "bias": 16, "relu": 12, "loss": 32}
    assert got["backward_ops"] == {"relu": 24, "dW": 63, "db": 12, "dx": 12, "accumulate": 13}
    assert got["forward"] == 116
    assert got["backward"] == 124
    assert got["update"] == 26
    assert got["numeric_gradient"] == 2 * 13 * 116 + 4 * 13


def _value_mlp_op_counts(sizes, n):
    """Build the MLP's forward pass from scalar Values; count the nodes of each kind."""
    rng = np.random.default_rng(0)
    x = [[Value(float(v)) for v in row] for row in rng.standard_normal((n, sizes[0]))]
    for layer, (d, m) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        W = [[Value(float(v)) for v in row] for row in rng.standard_normal((d, m))]
        b = [Value(float(v)) for v in rng.standard_normal(m)]
        out = []
        for row in x:
            cols = []
            for j in range(m):
                acc = row[0] * W[0][j]
                for i in range(1, d):
                    acc = acc + row[i] * W[i][j]
                acc = acc + b[j]
                cols.append(acc.relu() if layer < len(sizes) - 2 else acc)
            out.append(cols)
        x = out
    root = Value(0.0)
    for row in x:
        for v in row:
            root = root + v  # joins the outputs into one graph; subtracted below
    counts: dict[str, int] = {}
    for node in root.topological_order():
        counts[node._op] = counts.get(node._op, 0) + 1
    counts["+"] -= n * sizes[-1]
    return counts


@pytest.mark.parametrize("sizes,n", [([2, 3, 1], 4), ([3, 5, 4, 2], 3), ([1, 1], 1),
                                     ([4, 7, 3], 2)])
def test_exact_forward_matches_a_scalar_graph_of_the_same_network(sizes, n):
    nodes = _value_mlp_op_counts(sizes, n)
    got = flops.mlp_flops(sizes, n)["forward_ops"]
    assert got["matmul"] + got["bias"] == nodes["*"] + nodes["+"], (got, nodes)
    assert got["relu"] == nodes.get("relu", 0), (got, nodes)


@given(layer_sizes, batch)
@settings(max_examples=50, deadline=None)
def test_first_layer_dx_is_the_only_difference_input_grad_makes(sizes, n):
    without = flops.mlp_flops(sizes, n)
    with_dx = flops.mlp_flops(sizes, n, input_grad=True)
    assert with_dx["forward"] == without["forward"]
    assert with_dx["backward"] - without["backward"] == n * sizes[0] * (2 * sizes[1] - 1)


@pytest.mark.parametrize("sizes", [[1000, 1000, 1000, 10], [2000, 3000, 2000]])
def test_exact_counts_approach_the_model_for_wide_layers(sizes):
    n = 256
    exact = flops.mlp_flops(sizes, n, input_grad=True)
    assert exact["forward"] / flops.forward_flops(sizes, n) == pytest.approx(1, rel=0.01)
    assert exact["backward"] / flops.backward_flops(sizes, n) == pytest.approx(1, rel=0.01)


def test_skipping_the_first_dx_makes_backward_less_than_twice_forward():
    # 784-128-10: the first layer holds almost all the weights, so backward ≈ forward.
    f = flops.mlp_flops([784, 128, 10], 64)
    assert 0.95 < f["backward"] / f["forward"] < 1.1
    g = flops.mlp_flops([16, 512, 512, 512, 10], 64)
    assert 1.8 < g["backward"] / g["forward"] < 2.0


@pytest.mark.parametrize("bad,word", [([], "at least two"), ([3], "at least two"),
                                      ([3, 0], "layer_sizes[1]"), ([3, 2.5], "layer_sizes[1]"),
                                      ([True, 3], "layer_sizes[0]")])
def test_bad_layer_sizes_are_named(bad, word):
    with pytest.raises(ValueError, match=word.replace("[", r"\[").replace("]", r"\]")):
        flops.count_params(bad)


def test_layer_sizes_as_a_string_is_a_type_error_with_an_example():
    with pytest.raises(TypeError, match=r"\[784, 128, 10\]"):
        flops.forward_flops("784-128-10", 64)


@pytest.mark.parametrize("bad_n", [0, -3, 2.0, True, None])
def test_bad_batch_size_is_named(bad_n):
    with pytest.raises(ValueError, match="n, the number of examples"):
        flops.backward_flops([3, 2], bad_n)
