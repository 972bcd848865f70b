"""Modules built on ``bpcourse.layers``: a network is a list of layers.

Every module has
    forward(x)      -> out, remembering what its backward pass needs;
    backward(dout)  -> dx, the gradient w.r.t. its input, after adding the
                       gradients of its parameters into their ``.grad``;
    params          a list of ``Parameter`` (``.data`` and ``.grad``, same shape).

Gradients *accumulate* (``+=``), as in PyTorch and in ``bpcourse.autograd``:
call ``zero_grad()`` (on the model or the optimizer) before each backward pass.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from . import layers
from .i18n import _

__all__ = [
    "Parameter", "Module", "Linear", "ReLU", "Sigmoid", "Tanh", "Sequential",
    "BatchNorm1d", "LayerNorm", "Conv1d",
    "SoftmaxCrossEntropy", "MSELoss", "SGD",
]


class Parameter:
    """A trainable array and its gradient.

    Attributes:
        data: float array of any shape.
        grad: array shaped like data; dL/d(data) after a backward pass.
    """

    __slots__ = ("data", "grad", "name")

    def __init__(self, data: np.ndarray, name: str = ""):
        self.data = layers.require_float_array(np.asarray(data), name or "data")
        self.grad = np.zeros_like(self.data)
        self.name = name

    def zero_grad(self) -> None:
        self.grad.fill(0)

    def __repr__(self) -> str:
        return f"Parameter({self.name or ''} shape={self.data.shape}, dtype={self.data.dtype})"


class Module:
    """Base class: a layer with forward, backward and params."""

    params: list[Parameter] = []

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def zero_grad(self) -> None:
        for p in self.params:
            p.zero_grad()

    def _require_forward(self) -> None:
        if getattr(self, "_cache", None) is None:
            raise RuntimeError(_("{module}.backward() called before forward(): run the "
                                 "forward pass first.").format(module=type(self).__name__))


class Linear(Module):
    """out = x @ W + b, with x (N, in_features) and out (N, out_features).

    W is drawn from N(0, 2 / in_features) (He initialisation, suited to ReLU) with
    a seeded generator, b starts at 0, both of the given ``dtype`` (float64 or float32).
    ``input_grad=False`` (for a network's first layer) makes ``backward`` skip dx, the
    gradient w.r.t. the data, and return None: it saves a matmul as large as dW's.
    """

    def __init__(self, in_features: int, out_features: int, *, seed: int | None = 0,
                 rng: np.random.Generator | None = None, dtype=np.float64,
                 input_grad: bool = True):
        for name, v in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(_("{owner}: {name} must be a positive int, got {value}.")
                                 .format(owner="Linear", name=name, value=repr(v)))
        rng = rng if rng is not None else np.random.default_rng(seed)
        scale = np.sqrt(2.0 / in_features)
        self.W = Parameter((rng.standard_normal((in_features, out_features)) * scale)
                           .astype(dtype), "W")
        self.b = Parameter(np.zeros(out_features, dtype=dtype), "b")
        self.params = [self.W, self.b]
        self.input_grad = bool(input_grad)
        self._cache = None

    def forward(self, x):
        out, self._cache = layers.linear_forward(x, self.W.data, self.b.data,
                                                 trusted_params=True)
        return out

    def backward(self, dout):
        self._require_forward()
        dx, dW, db = layers.linear_backward(dout, self._cache, input_grad=self.input_grad)
        self.W.grad += dW
        self.b.grad += db
        return dx

    def __repr__(self) -> str:
        d, m = self.W.data.shape
        return f"Linear({d}, {m})"


class _Elementwise(Module):
    """A parameter-free layer given by a forward/backward pair from ``layers``."""

    _forward = _backward = None

    def __init__(self):
        self.params = []
        self._cache = None

    def forward(self, x):
        out, self._cache = type(self)._forward(x)
        return out

    def backward(self, dout):
        self._require_forward()
        return type(self)._backward(dout, self._cache)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(_Elementwise):
    """out = max(0, x)."""

    _forward, _backward = staticmethod(layers.relu_forward), staticmethod(layers.relu_backward)


class Sigmoid(_Elementwise):
    """out = 1 / (1 + e^(−x))."""

    _forward = staticmethod(layers.sigmoid_forward)
    _backward = staticmethod(layers.sigmoid_backward)


class Tanh(_Elementwise):
    """out = tanh(x)."""

    _forward, _backward = staticmethod(layers.tanh_forward), staticmethod(layers.tanh_backward)


def _positive_int(owner: str, name: str, value) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(_("{owner}: {name} must be a positive int, got {value}.")
                         .format(owner=owner, name=name, value=repr(value)))


class _Normalisation(Module):
    """gamma · normalise(x) + beta with gamma = 1, beta = 0 at the start; x (N, D)."""

    _forward = _backward = None

    def __init__(self, num_features: int, *, eps: float = 1e-5, dtype=np.float64):
        _positive_int(type(self).__name__, "num_features", num_features)
        self.gamma = Parameter(np.ones(num_features, dtype=dtype), "gamma")
        self.beta = Parameter(np.zeros(num_features, dtype=dtype), "beta")
        self.params = [self.gamma, self.beta]
        self.eps = float(eps)
        self._cache = None

    def forward(self, x):
        out, self._cache = type(self)._forward(x, self.gamma.data, self.beta.data, self.eps)
        return out

    def backward(self, dout):
        self._require_forward()
        dx, dgamma, dbeta = type(self)._backward(dout, self._cache)
        self.gamma.grad += dgamma
        self.beta.grad += dbeta
        return dx

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.gamma.data.shape[0]})"


class BatchNorm1d(_Normalisation):
    """Batch normalisation in training mode: each feature normalised over the batch (axis 0).

    Only training mode: it keeps no running statistics, so a batch of one example has
    variance 0 and gives beta.
    """

    _forward = staticmethod(layers.batchnorm_forward)
    _backward = staticmethod(layers.batchnorm_backward)


class LayerNorm(_Normalisation):
    """Layer normalisation: each example normalised over its features (axis 1)."""

    _forward = staticmethod(layers.layernorm_forward)
    _backward = staticmethod(layers.layernorm_backward)


class Conv1d(Module):
    """out = conv1d(x, w) + b: x (N, in_channels, L) -> out (N, out_channels, L − K + 1).

    Stride 1, no padding. w (out_channels, in_channels, K) is drawn from
    N(0, 2 / (in_channels · K)) (He initialisation) with a seeded generator, b starts at 0.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *,
                 seed: int | None = 0, rng: np.random.Generator | None = None,
                 dtype=np.float64):
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels),
                        ("kernel_size", kernel_size)):
            _positive_int("Conv1d", name, v)
        rng = rng if rng is not None else np.random.default_rng(seed)
        scale = np.sqrt(2.0 / (in_channels * kernel_size))
        self.w = Parameter((rng.standard_normal((out_channels, in_channels, kernel_size))
                            * scale).astype(dtype), "w")
        self.b = Parameter(np.zeros(out_channels, dtype=dtype), "b")
        self.params = [self.w, self.b]
        self._cache = None

    def forward(self, x):
        out, self._cache = layers.conv1d_forward(x, self.w.data, self.b.data)
        return out

    def backward(self, dout):
        self._require_forward()
        dx, dw, db = layers.conv1d_backward(dout, self._cache)
        self.w.grad += dw
        self.b.grad += db
        return dx

    def __repr__(self) -> str:
        c_out, c_in, k = self.w.data.shape
        return f"Conv1d({c_in}, {c_out}, kernel_size={k})"


class Sequential(Module):
    """Layers applied in order; backward walks them in reverse."""

    def __init__(self, *modules: Module):
        if not modules:
            raise ValueError(_("Sequential needs at least one layer, e.g. "
                               "Sequential(Linear(2, 3))."))
        for i, m in enumerate(modules):
            if not (hasattr(m, "forward") and hasattr(m, "backward")):
                raise TypeError(_("Sequential: layer {i} ({layer}) has no forward/backward.")
                                .format(i=i, layer=repr(m)))
        self.layers = list(modules)

    @property
    def params(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.params]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def __repr__(self) -> str:
        return "Sequential(" + ", ".join(map(repr, self.layers)) + ")"


class SoftmaxCrossEntropy:
    """Loss module: forward(logits (N, C), y (N,) int) -> float; backward() -> dlogits (N, C)."""

    def __init__(self):
        self._dlogits = None

    def forward(self, logits: np.ndarray, y: np.ndarray) -> float:
        loss, self._dlogits = layers.softmax_cross_entropy(logits, y)
        return loss

    __call__ = forward

    def backward(self) -> np.ndarray:
        if self._dlogits is None:
            raise RuntimeError(_("{module}.backward() called before forward(): run the "
                                 "forward pass first.").format(module="SoftmaxCrossEntropy"))
        return self._dlogits


class MSELoss:
    """Loss module: forward(pred, target) -> float; backward() -> dpred (shape of pred)."""

    def __init__(self):
        self._dpred = None

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        loss, self._dpred = layers.mse_loss(pred, target)
        return loss

    __call__ = forward

    def backward(self) -> np.ndarray:
        if self._dpred is None:
            raise RuntimeError(_("{module}.backward() called before forward(): run the "
                                 "forward pass first.").format(module="MSELoss"))
        return self._dpred


class SGD:
    """Plain gradient descent: p.data -= lr * p.grad for every parameter, in place."""

    def __init__(self, params: list[Parameter], lr: float):
        if isinstance(lr, bool) or not (isinstance(lr, Real) and lr > 0):
            raise ValueError(_("SGD: lr must be a positive number, got {lr}.")
                             .format(lr=repr(lr)))
        self.params, self.lr = list(params), float(lr)
        # lr · grad goes into a buffer kept between steps: for a large layer, a new array the
        # size of the parameter on every step costs more than the arithmetic.
        self._scaled_grads = [np.empty_like(p.data) for p in self.params]

    def step(self) -> None:
        for p, scaled in zip(self.params, self._scaled_grads, strict=True):
            np.multiply(p.grad, self.lr, out=scaled)
            p.data -= scaled

    def zero_grad(self) -> None:
        for p in self.params:
            p.zero_grad()
