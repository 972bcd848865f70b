"""The probe and the judge (bpcourse.probe, bpcourse.judge), without nbgrader: a kernel's side
served from a thread over a socket pair, so every request really crosses the wire format.

What is proved: plain data arrives exactly (arrays bit for bit, -0.0, NaN, inf, numpy scalars,
nested containers), and nothing else does (an ndarray subclass arrives as a plain array);
proxies behave as the objects they stand for in the ways the tests use them; callbacks nest;
in-place changes and `got is x` survive the trip; numpy warnings are re-raised; a kernel that
breaks the format, says nothing or is too slow ends the conversation with KernelStopped.
"""

from __future__ import annotations

import json
import math
import socket
import struct
import threading
import time
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bpcourse import judge, probe


def _session(namespace: dict, timeout: float = 10.0, server=None):
    """A judge's Session talking to a kernel side serving `namespace` from a thread."""
    ours, theirs = socket.socketpair()

    def serve():
        try:
            probe._Server(probe.Channel(theirs), namespace).serve()
        except OSError:  # the session went away without saying done
            pass

    thread = threading.Thread(target=server or serve, daemon=True)
    thread.start()
    session = judge.Session(probe.Channel(ours), time.monotonic() + timeout)
    session._peer = theirs  # kept open as long as the session
    return session


def _names(namespace: dict, *names):
    session = _session(namespace)
    found = session.request("globals", list(names))
    return [found.get(n) for n in names] if len(names) > 1 else found.get(names[0])


plain = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=60, deadline=None)
@given(value=plain)
def test_plain_values_arrive_equal_and_of_the_same_type(value):
    echo = _names({"echo": lambda v: v}, "echo")
    got = echo(value)
    assert got == value
    assert type(got) is type(value)


@settings(max_examples=40, deadline=None)
@given(arr=hnp.arrays(dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_,
                                              np.complex128]),
                      shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)))
def test_arrays_arrive_bit_for_bit(arr):
    got = _names({"copy": lambda a: a.copy()}, "copy")(arr)
    assert type(got) is np.ndarray and got.dtype == arr.dtype and got.shape == arr.shape
    assert got.tobytes() == arr.tobytes()


def test_special_floats_and_numpy_scalars_keep_their_identity():
    values = _names({"v": [-0.0, math.inf, -math.inf, math.nan, np.float64(2.5), np.int64(3),
                           np.float32(1.5), np.bool_(True), 1 + 2j]}, "v")
    assert math.copysign(1.0, values[0]) == -1.0 and values[1] == math.inf
    assert values[2] == -math.inf and math.isnan(values[3])
    assert type(values[4]) is np.float64 and values[4] == 2.5
    assert type(values[5]) is np.int64 and type(values[6]) is np.float32
    assert type(values[7]) is np.bool_ and values[8] == 1 + 2j


def test_an_ndarray_subclass_arrives_as_a_plain_array():
    class Lying(np.ndarray):
        def __eq__(self, other):
            return True

        @property
        def shape(self):
            return (99,)

    got = _names({"a": np.arange(4.0).view(Lying)}, "a")
    assert type(got) is np.ndarray and got.shape == (4,)
    assert got.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_in_place_changes_and_identity_come_back():
    def scale(x, factor):
        x *= factor
        return x

    x = np.arange(3.0)
    got = _names({"scale": scale}, "scale")(x, 2.0)
    assert got is x and x.tolist() == [0.0, 2.0, 4.0]
    d = {"w": np.ones(2)}
    _names({"scale": lambda p: p["w"].__imul__(3.0)}, "scale")(d)
    assert d["w"].tolist() == [3.0, 3.0]


def test_callbacks_nest_both_ways():
    def numerical_gradient(f, x, h=1e-5):
        grad = np.zeros_like(x)
        for i in range(x.size):
            old = x.flat[i]
            x.flat[i] = old + h
            plus = f(x)
            x.flat[i] = old - h
            minus = f(x)
            x.flat[i] = old
            grad.flat[i] = (plus - minus) / (2 * h)
        return grad

    session = _session({"numerical_gradient": numerical_gradient, "square": lambda v: v * v})
    found = session.request("globals", ["numerical_gradient", "square"])
    x = np.array([1.0, -2.0, 3.0])
    # the judge's f calls the kernel's square from inside the kernel's numerical_gradient
    got = found["numerical_gradient"](lambda v: float(np.sum(found["square"](v))), x)
    np.testing.assert_allclose(got, 2 * x, rtol=1e-8)
    assert x.tolist() == [1.0, -2.0, 3.0]


class Value:
    def __init__(self, data, _prev=()):
        self.data, self.grad, self._prev = data, 0.0, tuple(_prev)
        self._backward = lambda: None

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    __rmul__ = __mul__

    def backward(self):
        self.grad = 1.0
        self._backward()


def test_a_class_proxy_behaves_as_the_class():
    Proxy = _names({"Value": Value}, "Value")
    assert isinstance(Proxy, type) and Proxy.__name__ == "Value"
    a = Proxy(3.0)
    out = 2.0 * a * a
    assert isinstance(out, Proxy) and not isinstance(3.0, Proxy)
    assert type(out).__name__ == "Value" and out.data == 18.0
    assert out._prev[0]._prev[0] is a and out._prev[1] is a  # one proxy per kernel object
    assert len({id(p) for p in (*out._prev, a)}) == 2
    assert [c.__name__ for c in Proxy.__mro__] == ["Value", "object"]
    assert "backward" in vars(Proxy)
    assert type(a)(5.0).data == 5.0  # the local class makes kernel objects too
    calls = []
    inner = out._backward
    out._backward = lambda: (calls.append("traced"), inner())
    out.backward()
    assert calls == ["traced"] and out._prev[1].grad == 6.0


def test_a_functions_names_and_code_are_readable():
    def linear_forward(x, W, b):
        raise NotImplementedError()

    f = _names({"linear_forward": linear_forward}, "linear_forward")
    assert f.__name__ == "linear_forward" and callable(f)
    assert "NotImplementedError" in f.__code__.co_names
    with pytest.raises(NotImplementedError):
        f(1, 2, 3)


def test_trusted_modules_are_the_graders_own():
    import numpy

    got = _names({"np": numpy, "json": json}, "np", "json")
    assert got[0] is numpy
    assert isinstance(got[1], type(numpy)) and got[1] is not json


def test_errors_keep_their_type_names_and_never_stop_the_judge():
    class ShapeError(Exception):
        pass

    def raises(kind):
        raise {"value": ValueError("bad shape"), "own": ShapeError("(2, 3) vs (3,)"),
               "exit": SystemExit(0), "interrupt": KeyboardInterrupt()}[kind]

    f = _names({"f": raises}, "f")
    with pytest.raises(ValueError, match="bad shape"):
        f("value")
    with pytest.raises(judge.RemoteError) as caught:
        f("own")
    assert type(caught.value).__name__ == "ShapeError"
    for kind in ("exit", "interrupt"):
        with pytest.raises(judge.RemoteError):
            f(kind)


def test_numpy_warnings_of_the_kernel_are_raised_in_the_judge():
    f = _names({"f": lambda x: np.exp(x)}, "f")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f(np.array([1000.0]))
    assert any("overflow" in str(w.message) and w.category is RuntimeWarning for w in caught)


def _replying(reply: bytes):
    """A kernel side that connects and answers every request with the bytes `reply`."""
    def serve(sock):
        try:
            while True:
                size, count = struct.unpack("!II", sock.recv(8, socket.MSG_WAITALL))
                sock.recv(size, socket.MSG_WAITALL)
                for _ in range(count):
                    (n,) = struct.unpack("!Q", sock.recv(8, socket.MSG_WAITALL))
                    sock.recv(n, socket.MSG_WAITALL)
                sock.sendall(reply)
        except (OSError, struct.error):
            pass
    return serve


@pytest.mark.parametrize("reply", [
    b"\x00\x00\x00\x05\x00\x00\x00\x00{nope",  # not JSON
    struct.pack("!II", 2**30, 0),  # over the size limit
    struct.pack("!II", 13, 0) + b'{"ok":{"H":1}',  # cut short, then closed
    struct.pack("!II", 28, 1) + b'{"ok":{"A":0,"t":"O","s":[]}' + struct.pack("!Q", 0),  # dtype
    struct.pack("!II", 32, 1) + b'{"ok":{"A":0,"t":"float64","s":[3]}'[:32]
    + struct.pack("!Q", 8) + b"\x00" * 8,  # bytes that do not fit the shape
], ids=["not-json", "too-big", "cut-short", "object-dtype", "wrong-size"])
def test_a_kernel_that_breaks_the_format_stops_the_conversation(reply):
    ours, theirs = socket.socketpair()
    threading.Thread(target=_replying(reply), args=(theirs,), daemon=True).start()
    if reply.startswith(struct.pack("!II", 13, 0)):
        theirs.shutdown(socket.SHUT_WR)
    session = judge.Session(probe.Channel(ours), time.monotonic() + 5)
    with pytest.raises(judge.KernelStopped):
        session.request("globals", ["f"])


def test_a_silent_kernel_stops_the_conversation_at_the_deadline():
    ours, theirs = socket.socketpair()
    session = judge.Session(probe.Channel(ours), time.monotonic() + 0.5)
    start = time.monotonic()
    with pytest.raises(judge.KernelStopped, match="in time"):
        session.request("globals", ["f"])
    assert time.monotonic() - start < 3
    theirs.close()


def _linear_forward(x, W, b):
    return x @ W + b, (x, W, b)


def _linear_backward(dout, cache):
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def test_a_test_cell_is_judged_here_with_the_notebooks_names():
    source = ("from bpcourse.grading import nb04\n"
              "nb04.test_linear(linear_forward, linear_backward)\n"
              "print('checked')\n")
    right = {"linear_forward": _linear_forward, "linear_backward": _linear_backward}
    outputs = judge.judge_cell(source, _session(right))
    assert outputs == [{"output_type": "stream", "name": "stdout", "text": "checked\n"}]
    no_bias = {**right, "linear_forward": lambda x, W, b: (x @ W, (x, W, b))}
    outputs = judge.judge_cell(source, _session(no_bias))
    assert [o["output_type"] for o in outputs] == ["error"]
    assert outputs[0]["traceback"][0] == (
        "line 2: nb04.test_linear(linear_forward, linear_backward)")
    assert "bias" in outputs[0]["evalue"].lower(), outputs[0]["evalue"]


def test_free_names_are_what_a_cell_takes_from_the_notebook():
    source = ("from bpcourse.grading import nb01\nimport numpy as np\nx = np.ones(3)\n"
              "nb01.test(numerical_gradient, lambda v: f(v) + len(x), seeds=[0])\n")
    assert judge.free_names(source) == {"numerical_gradient", "f"}


class _Parameter:
    def __init__(self, data):
        self.data, self.grad = data, np.zeros_like(data)


class _Layer:
    def __init__(self, n):
        self.params = [_Parameter(np.ones(n)), _Parameter(np.ones(1))]

    def forward(self, x):
        return x * 2


def test_the_judges_objects_travel_as_themselves_and_their_arrays_sync_back():
    class Sequential:
        def __init__(self, layers):
            self.layers = layers
            self.params = [p for layer in layers for p in layer.params]

        def zero_grad(self):
            for p in self.params:
                p.grad[...] = 0.0  # in place, in the kernel's copy of the judge's array

        def step(self, lr):
            for p in self.params:
                p.data -= lr * p.grad  # in place, then set back: the judge's array stays

        def forward(self, x):
            for layer in self.layers:
                x = layer.forward(x)
            return x

    Proxy = _names({"Sequential": Sequential}, "Sequential")
    layers = [_Layer(3), _Layer(2)]
    for layer in layers:
        for p in layer.params:
            p.grad[...] = 7.0
    model = Proxy(layers)
    assert [p is q for p, q in zip(model.params, [p for la in layers for p in la.params],
                                   strict=True)] == [True] * 4
    assert model.forward(np.ones(2)).tolist() == [4.0, 4.0]
    model.zero_grad()
    assert all(not p.grad.any() for layer in layers for p in layer.params)
    first = layers[0].params[0]
    data, first.grad[...] = first.data, 1.0
    model.step(0.5)
    assert first.data is data and data.tolist() == [0.5, 0.5, 0.5]


def test_the_judges_objects_show_no_private_attribute_and_keep_their_methods():
    def snoop(layer, what):
        if what == "private":
            return layer.__dict__  # (its __class__ is the kernel's stand-in class)
        if what == "method":
            layer.forward = print
        return None

    f = _names({"snoop": snoop}, "snoop")
    layer = _Layer(2)
    with pytest.raises(AttributeError):
        f(layer, "private")
    with pytest.raises(AttributeError):
        f(layer, "method")
    assert layer.forward(np.ones(1)).tolist() == [2.0]
