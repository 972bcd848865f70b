"""FLOP accounting for a multilayer perceptron: what backprop costs, counted before it is timed.

An MLP is given by its ``layer_sizes`` ``[m0, m1, ..., mL]``, the widths: a Linear layer
``m(l-1) -> m(l)`` for each l, a ReLU after every Linear but the last, and a softmax
cross-entropy loss on the last layer's C = mL outputs, over a batch of n examples.

**The course's model** (notebook 06). With P parameters, one pass over n examples costs

    forward           ≈ 2 n P     each weight is used once per example: a multiply and an add
    backward          ≈ 4 n P     each weight is used twice: once for dW, once for dx
    numeric gradient  = 2 P forward passes = 2P · 2nP   (central differences: f(θ+h), f(θ−h))

so backprop gives all P gradients for about three forward passes, and numeric
differentiation is about 2P/3 times as expensive. ``count_params``, ``forward_flops``,
``backward_flops`` and ``numeric_gradient_flops`` compute exactly these formulas.

**Another notation.** Some texts write forward ≈ 2PD and backward ≈ 4PD with D = the amount
of data: the same numbers, their D is this module's n, the number of examples. Widths are m
here, never D, so that D cannot mean two things.

**Where the rule holds.** Per multiply-add of a weight with an activation: 2 FLOPs forward,
4 backward (one multiply-add for the weight's gradient, one for the input's), in any layer
made of them. "Per parameter" (2nP) holds only where each weight is used once per example,
as in these dense layers; with weight sharing (convolutions, recurrent nets) a weight takes
part in many multiply-adds per example and the cost is 2n × (multiply-adds per example). It
says nothing about memory (``bpcourse.memory``), which grows with the activations.

**What the code actually does** (``mlp_flops``): the exact counts of bpcourse.nn's forward
and backward passes of that MLP, operation by operation (see ``mlp_flops`` for the formulas).
Every add, multiply, compare, exp, log and divide counts as one FLOP. They differ from the
model by the bias, ReLU and loss terms, and above all because the first layer's dx, the
gradient with respect to the data, is not needed: that makes backward/forward noticeably
less than 2 when the first layer is the widest. FLOPs are not time: ``bpcourse.cost``
measures how fast each product runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from numbers import Integral

from .i18n import _

__all__ = ["count_params", "forward_flops", "backward_flops", "numeric_gradient_flops",
           "mlp_flops"]


def _check_layer_sizes(layer_sizes: Sequence[int]) -> list[int]:
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
        raise TypeError(_("layer_sizes must be a list of ints such as [784, 128, 10] (input "
                          "size, hidden sizes..., number of outputs), got {type}.").format(
                              type=type(layer_sizes).__name__))
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(_("layer_sizes needs at least two sizes, the input and the output, "
                           "e.g. [784, 10]; got {sizes}.").format(sizes=sizes))
    for i, d in enumerate(sizes):
        if isinstance(d, bool) or not isinstance(d, Integral) or d < 1:
            raise ValueError(_("layer_sizes[{i}] must be a positive int, got {value} (in "
                               "layer_sizes={sizes}).").format(i=i, value=repr(d), sizes=sizes))
    return [int(d) for d in sizes]


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
        raise ValueError(_("n, the number of examples in the batch, must be a positive int; "
                           "got {n}.").format(n=repr(n)))
    return int(n)


def count_params(layer_sizes: Sequence[int]) -> int:
    """Number of parameters of the MLP: Σ_l (m(l-1)·m(l) weights + m(l) biases).

    Args:
        layer_sizes: [m0, m1, ..., mL], input width first, number of outputs last.

    Returns:
        P, an int. E.g. count_params([2, 3, 1]) = (2·3 + 3) + (3·1 + 1) = 13.
    """
    sizes = _check_layer_sizes(layer_sizes)
    return sum(d * m + m for d, m in pairwise(sizes))


def forward_flops(layer_sizes: Sequence[int], n: int) -> int:
    """The model's cost of one forward pass over n examples: 2·n·P.

    Args:
        layer_sizes: [m0, ..., mL].
        n: batch size (number of examples).

    Returns:
        2·n·P, an int.
    """
    return 2 * _check_n(n) * count_params(layer_sizes)


def backward_flops(layer_sizes: Sequence[int], n: int) -> int:
    """The model's cost of one backward pass over n examples: 4·n·P (twice the forward).

    Args:
        layer_sizes: [m0, ..., mL].
        n: batch size.

    Returns:
        4·n·P, an int.
    """
    return 4 * _check_n(n) * count_params(layer_sizes)


def numeric_gradient_flops(layer_sizes: Sequence[int], n: int) -> int:
    """The model's cost of a central-difference gradient: 2P forward passes, 2P · 2nP.

    Args:
        layer_sizes: [m0, ..., mL].
        n: batch size.

    Returns:
        4·n·P², an int.
    """
    return 2 * count_params(layer_sizes) * forward_flops(layer_sizes, n)


def mlp_flops(layer_sizes: Sequence[int], n: int, *, input_grad: bool = False) -> dict:
    """Exact FLOP counts of bpcourse.nn's forward and backward passes of the MLP.

    For each Linear layer a -> b (x (n, a), W (a, b), bias (b,), out (n, b)) and C = mL::

        forward   x @ W            n·b·(2a − 1)   (a multiplies and a − 1 adds per output)
                  + bias           n·b            so a Linear layer costs exactly 2·n·a·b
                  ReLU             n·b            one compare per element (hidden layers)
                  loss             7·n·C + n      softmax cross-entropy, value and dlogits
                                                  (max, shift, exp, sum, log, log p, mean:
                                                  5·n·C; dlogits = (p − onehot)/n: 2·n·C + n)
        backward  ReLU             2·n·b          compare x > 0 and multiply (hidden layers)
                  dW = x.T @ dout  a·b·(2n − 1)   inner dimension n: a skinny product
                  db = Σ_n dout    b·(n − 1)
                  dx = dout @ W.T  n·a·(2b − 1)   not for the first layer unless input_grad
                  .grad +=         a·b + b        accumulation into the parameters' .grad
        update    SGD              2·P            p.data −= lr · p.grad

    The central-difference gradient evaluates the forward pass and loss 2P times and does
    4 FLOPs per parameter (θ+h, θ−h, the difference, the division by 2h).

    Args:
        layer_sizes: [m0, ..., mL].
        n: batch size.
        input_grad: count the gradient w.r.t. the input x too (the first layer's dx).

    Returns:
        dict with ints ``forward`` (layers and loss), ``backward``, ``update``,
        ``numeric_gradient``, and dicts ``forward_ops`` / ``backward_ops`` mapping each
        operation above ("matmul", "bias", "relu", "loss"; "relu", "dW", "db", "dx",
        "accumulate") to its total over the layers.
    """
    sizes, n = _check_layer_sizes(layer_sizes), _check_n(n)
    fwd = dict.fromkeys(("matmul", "bias", "relu", "loss"), 0)
    bwd = dict.fromkeys(("relu", "dW", "db", "dx", "accumulate"), 0)
    last = len(sizes) - 2
    for layer, (d, m) in enumerate(pairwise(sizes)):
        fwd["matmul"] += n * m * (2 * d - 1)
        fwd["bias"] += n * m
        bwd["dW"] += d * m * (2 * n - 1)
        bwd["db"] += m * (n - 1)
        bwd["accumulate"] += d * m + m
        if layer > 0 or input_grad:
            bwd["dx"] += n * d * (2 * m - 1)
        if layer < last:
            fwd["relu"] += n * m
            bwd["relu"] += 2 * n * m
    c = sizes[-1]
    fwd["loss"] = 7 * n * c + n
    p = count_params(sizes)
    forward = sum(fwd.values())
    return {
        "forward": forward,
        "backward": sum(bwd.values()),
        "update": 2 * p,
        "numeric_gradient": 2 * p * forward + 4 * p,
        "forward_ops": fwd,
        "backward_ops": bwd,
    }
