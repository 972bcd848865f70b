"""Hidden tests of notebook 06_cost_of_backprop: the FLOP accounting of an MLP.

The counting model is the course's (stated in the notebook and in ``bpcourse.flops``): an MLP
``[D0, D1, ..., DL]`` has P = Σ_l (D(l-1)·D(l) + D(l)) parameters; over n examples the forward
pass costs 2·n·P FLOPs (every parameter takes part in one multiply-add, 2 FLOPs, per example),
the backward pass 4·n·P (every weight in two: one for dW, one for dx), and a central-difference
gradient 2P forward passes, 2P · 2nP. The oracles below are written here from those sentences,
not taken from ``bpcourse.flops`` (the tests of this module cross-check the two).
"""

from __future__ import annotations

import numpy as np

from .. import flops as _reference
from .toolkit import assert_own_work, assert_untampered, require_written

__all__ = ["test_count_params", "test_forward_backward_flops", "test_numeric_gradient_flops",
           "random_layer_sizes", "require_written"]




def random_layer_sizes(seed: int) -> tuple[list[int], int]:
    """A random MLP (2 to 5 sizes, each 1 to 500, never all equal) and a batch size n.

    Small enough that every count stays below 2**53, so an answer computed in floats is exact.
    """
    r = np.random.default_rng(seed)
    sizes = [int(v) for v in r.integers(1, 501, size=int(r.integers(2, 6)))]
    if len(set(sizes)) == 1:
        sizes[0] += 1
    return sizes, int(r.integers(1, 513))


def _cases(seeds) -> list[tuple[list[int], int]]:
    fixed = [([2, 3, 1], 4), ([784, 10], 1), ([1, 1], 7), ([10, 20, 30, 40, 5], 32)]
    return fixed + [random_layer_sizes(s) for s in seeds]


def _weights(sizes: list[int]) -> int:
    return sum(sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1))


def _params(sizes: list[int]) -> int:
    """Each Linear layer D -> M has a (D, M) weight matrix and an (M,) bias."""
    return _weights(sizes) + sum(sizes[1:])


def _number(value, name: str) -> int:
    """The learner's result as an int; a float is fine if it is a whole number."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise AssertionError(f"{name} must return a number (an int), got "
                             f"{type(value).__name__}.")
    if isinstance(value, (float, np.floating)) and (not np.isfinite(value) or
                                                    value != int(value)):
        raise AssertionError(f"{name} returned {value!r}, which is not a whole number: a count "
                             "of FLOPs or parameters is an int (use // or int(), not /).")
    return int(value)


def _expect_count(got, expected: int, name: str, mistakes) -> None:
    assert_untampered()
    if got == expected:
        return
    for hint, wrong in mistakes:
        if got == wrong:
            raise AssertionError(f"{name}: got {got:,}, expected {expected:,}. Likely mistake: "
                                 f"{hint}.")
    raise AssertionError(f"{name}: got {got:,}, expected {expected:,}.")


def _call(fn, name: str, *args) -> int:
    from .nb04 import call

    return _number(call(fn, name, *args), name)


# ----- count_params -----

def test_count_params(count_params, seeds=(91, 92, 93, 94, 95)) -> None:
    """P = Σ over layers of D·M weights + M biases, on fixed and random MLPs."""
    assert_own_work(count_params, _reference.count_params)
    for sizes, _ in _cases(seeds):
        name = f"count_params({sizes})"
        w = _weights(sizes)
        _expect_count(_call(count_params, name, list(sizes)), _params(sizes), name, [
            ("the biases are missing: each layer D -> M also has M biases", w),
            ("each layer's bias has M entries (its outputs), not D (its inputs)",
             w + sum(sizes[:-1])),
            ("the input has no bias: only the layers' outputs D1..DL have biases",
             w + sum(sizes)),
            ("weights are D·M for consecutive sizes (D(l-1), D(l)), not D(l)²",
             sum(d * d + d for d in sizes[1:])),
        ])


# ----- forward and backward -----

def test_forward_backward_flops(forward_flops, backward_flops, seeds=(101, 102, 103, 104)
                                ) -> None:
    """forward = 2·n·P and backward = 4·n·P, on fixed and random MLPs and batch sizes."""
    assert_own_work(forward_flops, _reference.forward_flops, _reference.count_params)
    assert_own_work(backward_flops, _reference.backward_flops, _reference.count_params)
    for sizes, n in _cases(seeds):
        p, w = _params(sizes), _weights(sizes)
        name = f"forward_flops({sizes}, n={n})"
        _expect_count(_call(forward_flops, name, list(sizes), n), 2 * n * p, name, [
            ("the factor 2 is missing: a multiply-add is 2 FLOPs", n * p),
            ("n is missing: the forward pass runs once per example in the batch", 2 * p),
            ("the biases are missing from P: use P = Σ (D·M + M)", 2 * n * w),
            ("that is the backward pass's count; the forward pass is 2·n·P", 4 * n * p),
        ] if n > 1 else [("the factor 2 is missing: a multiply-add is 2 FLOPs", n * p)])
        name = f"backward_flops({sizes}, n={n})"
        _expect_count(_call(backward_flops, name, list(sizes), n), 4 * n * p, name, [
            ("only one use of each weight counted: each takes part in two multiply-adds, "
             "one for dW and one for dx, so 4·n·P", 2 * n * p),
            ("that is forward + backward (6·n·P); backward alone is 4·n·P", 6 * n * p),
            ("n is missing: the backward pass runs once per example in the batch", 4 * p),
            ("the biases are missing from P: use P = Σ (D·M + M)", 4 * n * w),
        ] if n > 1 else [("only one use of each weight counted: 4·n·P", 2 * n * p)])


# ----- numeric gradient -----

def test_numeric_gradient_flops(numeric_gradient_flops, seeds=(111, 112, 113, 114)) -> None:
    """Central differences: 2 forward passes per parameter, 2P · 2nP = 4·n·P² FLOPs."""
    assert_own_work(numeric_gradient_flops, _reference.numeric_gradient_flops,
                    _reference.forward_flops, _reference.count_params)
    for sizes, n in _cases(seeds):
        p = _params(sizes)
        name = f"numeric_gradient_flops({sizes}, n={n})"
        _expect_count(_call(numeric_gradient_flops, name, list(sizes), n), 4 * n * p * p, name, [
            ("one forward pass per parameter is a forward difference; central differences "
             "evaluate f(θ + h) and f(θ − h), 2 per parameter", 2 * n * p * p),
            ("the cost of a forward pass is missing: 2P passes of 2·n·P FLOPs each", 2 * p),
            ("n is missing: each forward pass processes the whole batch", 4 * p * p),
            ("2P passes, each 2·n·P: multiply them, don't add", 2 * p + 2 * n * p),
        ])
