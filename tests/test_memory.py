"""bpcourse.memory: the activation count is what bpcourse.layers caches, and tracemalloc sees
it. No timing; the memory numbers are deterministic up to a few small Python objects."""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse import cost, memory

SLACK = 16_384  # bytes of small Python objects (tuples, array headers) tracemalloc also sees


@pytest.mark.parametrize("sizes,n,expected", [
    ([2, 3, 1], 4, 4 * (2 + 3 + 3)),            # x, the ReLU's input, the next Linear's input
    ([5, 7], 3, 3 * 5),                          # one layer: only the data
    ([4, 8, 6, 2], 10, 10 * (4 + 2 * 8 + 2 * 6)),
])
def test_activation_count_by_hand(sizes, n, expected):
    assert memory.activation_count(sizes, n) == expected
    assert memory.activation_bytes(sizes, n) == 8 * expected
    assert memory.activation_bytes(sizes, n, 4) == 4 * expected


def test_the_count_is_the_arrays_in_the_caches():
    sizes, n = [6, 9, 5, 3], 7
    model = cost.build_mlp(sizes)
    model.forward(np.random.default_rng(0).standard_normal((n, sizes[0])))
    activations = [layer._cache[0] if isinstance(layer._cache, tuple) else layer._cache
                   for layer in model.layers]
    assert sum(a.nbytes for a in activations) == memory.activation_bytes(sizes, n)


@pytest.mark.parametrize("sizes", [[16, 64, 64, 10], [32, 128, 4]])
def test_tracemalloc_sees_the_count_and_it_grows_linearly_with_the_batch(sizes):
    small, large = (memory.measure_memory(sizes, n) for n in (32, 64))
    for n, row in ((32, small), (64, large)):
        dlogits = 8 * n * sizes[-1]
        assert row["counted"] == memory.activation_bytes(sizes, n)
        assert row["counted"] + dlogits <= row["kept"] <= row["counted"] + dlogits + SLACK
        assert row["peak_train"] >= row["kept"]
        # Inference holds at most two activations at a time; with one hidden layer that is
        # as much as the caches (measured: 75,328 beside 75,296 bytes), with more it is less.
        assert row["peak_inference"] <= row["kept"] + SLACK
        if len(sizes) > 3:
            assert row["peak_inference"] < row["kept"]
    per_example = (memory.activation_bytes(sizes, 64) - memory.activation_bytes(sizes, 32)) / 32
    assert (large["kept"] - small["kept"]) / 32 == pytest.approx(per_example + 8 * sizes[-1],
                                                                 abs=SLACK / 32)


def test_measure_memory_leaves_tracemalloc_as_it_found_it():
    import tracemalloc

    assert not tracemalloc.is_tracing()
    memory.measure_memory([3, 4, 2], 2)
    assert not tracemalloc.is_tracing()
