"""The memory backprop pays for its speed: the activations a forward pass keeps for backward.

What ``bpcourse.layers`` caches, for an MLP ``[m0, m1, ..., mL]`` (Linear layers with a ReLU
between each two, as ``bpcourse.cost.build_mlp``) on a batch of n examples:

    each Linear m_in -> m_out   its input x, (n, m_in), for dW = x.T @ dout   (and W, which
                                exists anyway: a parameter, not an activation)
    each ReLU (hidden layers)   its input, (n, m), for the mask x > 0

The ReLU's output is a new array, the next Linear's input: a hidden layer keeps two arrays of
(n, m). So the forward pass keeps n · (m0 + 2 · (m1 + ... + m(L-1))) numbers for its backward
pass (``activation_count``): linear in the batch n, and in the depth. Inference keeps none of
them: each layer's output can be dropped as soon as the next layer has read it.

``measure_memory`` measures it with ``tracemalloc`` (numpy reports its arrays' memory to
it): what a forward pass with caches still holds when it ends, the peak of a whole training
step (forward with caches, loss, backward) and the peak of an inference (forward only,
dropping each activation), above what existed before.

It refuses to model frameworks: PyTorch keeps other things (e.g. a ReLU's output or a mask
instead of its input), and the count is of ``bpcourse.layers``' caches, nothing else.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Sequence

import numpy as np

from . import cost, flops, layers, nn

__all__ = ["activation_count", "activation_bytes", "measure_memory"]


def activation_count(layer_sizes: Sequence[int], n: int) -> int:
    """Numbers the forward pass caches for backward: n · (m0 + 2 · Σ hidden widths).

    Args:
        layer_sizes: [m0, ..., mL].
        n: batch size.
    """
    sizes, n = flops._check_layer_sizes(layer_sizes), flops._check_n(n)
    return n * (sizes[0] + 2 * sum(sizes[1:-1]))


def activation_bytes(layer_sizes: Sequence[int], n: int, bytes_per_number: int = 8) -> int:
    """``activation_count`` in bytes (8 per float64 number, 4 per float32)."""
    return bytes_per_number * activation_count(layer_sizes, n)


def _inference(model, x, y) -> None:
    h = x
    for layer in model.layers:  # only the current activation is alive: no caches
        if isinstance(layer, nn.Linear):
            h = h @ layer.W.data
            h += layer.b.data
        else:
            np.maximum(h, 0, out=h)
    layers.softmax_cross_entropy(h, y)


def measure_memory(layer_sizes: Sequence[int], n: int, *, seed: int = 0) -> dict:
    """Memory of one training step and one inference on a batch of n, with ``tracemalloc``.

    The model is built and its gradients allocated before tracing starts (they do not depend
    on n); the batch x (n, m0) is made inside, so the count and the measurements both include
    the input.

    Args:
        layer_sizes: [m0, ..., mL]; n: batch size.
        seed: seeds the weights and the batch.

    Returns:
        dict of bytes: ``kept`` (allocated and still held after the forward pass and the loss
        of a training step: the caches, plus the loss's dlogits, n·mL),
        ``peak_train`` (the peak over the whole step, forward then backward: the caches plus,
        for a moment, backward's gradients dout and dW), ``peak_inference`` (the peak of a
        forward pass that keeps no caches), and ``counted`` (``activation_bytes``).
    """
    sizes, n = flops._check_layer_sizes(layer_sizes), flops._check_n(n)
    model = cost.build_mlp(sizes, seed=seed)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, sizes[-1], n)
    model.zero_grad()  # every .grad allocated before tracing: they do not grow with n
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        out = {}
        for kind in ("train", "inference"):
            for layer in model.layers:
                layer._cache = None
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            x = rng.standard_normal((n, sizes[0]))
            if kind == "train":
                _, dlogits = layers.softmax_cross_entropy(model.forward(x), y)
                out["kept"] = tracemalloc.get_traced_memory()[0] - before
                model.backward(dlogits)
                del dlogits
            else:
                _inference(model, x, y)
            out[f"peak_{kind}"] = tracemalloc.get_traced_memory()[1] - before
            del x
    finally:
        for layer in model.layers:
            layer._cache = None
        if not was_tracing:
            tracemalloc.stop()
    out["counted"] = activation_bytes(sizes, n)
    return out
