"""The probe: how a grading kernel answers the judge, and nothing more.

When a notebook is graded, its test cells do not run in the learner's kernel. The judge
(``bpcourse.tools.judge``, in the grader's own process) runs each test there and asks the kernel
only for what the learner wrote: "call ``linear_forward`` with these arrays", "what is this
Value's ``.grad``?". The kernel runs one cell, ``serve(path)``, which connects to the judge's
socket and answers until the judge says it is done. Whatever the kernel's code does, it can
only change its *answers*, never the expected values, the comparison or the verdict: those never
enter the kernel.

What crosses the socket is plain data (the ``Codec``), never pickle:

    message  = header (4 bytes: JSON length, 4 bytes: number of buffers)
               + JSON + for each buffer (8 bytes: its length, then its bytes)
    value    = None | bool | int | float | str                      (JSON itself)
             | {"L": [...]} list, {"T": [...]} tuple, {"S": [...]} set, {"F": [...]} frozenset
             | {"D": [[key, value], ...]} dict   | {"SL": [start, stop, step]} slice
             | {"E": 0} Ellipsis   | {"X": [re, im]} complex
             | {"A": i, "t": dtype, "s": shape}  an array, its bytes in buffer i
             | {"N": dtype, "v": value}  a numpy scalar
             | {"R": i}    the very array the request sent as buffer i (``got is x``)
             | {"H": id, ...}  a handle: an object that stays in the kernel (a function, a
                               class, a Value); the judge can only ask about it
             | {"C": id}   an object that stays in the judge (the f that a learner's
                           numerical_gradient(f, x) evaluates, a layer a test hands over):
                           the kernel may call it and read or set its public attributes

The requests (judge to kernel) are ``globals``, ``getattr``, ``setattr``, ``call`` and ``op``
(an ``operator``-module function such as ``add`` or ``getitem``); each is answered with
``{"ok": value}`` or ``{"err": [type name, message]}``. While a call runs, the kernel may ask
about a judge's object (``{"cb": id}`` a call, ``{"cbget": id, "n": name}``, ``{"cbset": ...}``)
and the judge may send requests of its own before it answers (``{"cbr": value}``): both sides
serve each other, so nesting works as in one interpreter. A call also reports the numpy warnings
it raised and which of the arrays it was given it changed in place, and any message carries the
arrays read from a judge's object that the kernel changed since (``"sync"``), so that the judge
sees what a test in the kernel would have seen.
"""

from __future__ import annotations

import builtins
import json
import operator
import socket
import struct
import sys
import warnings

import numpy as np

__all__ = ["Codec", "Channel", "ProtocolError", "serve", "DTYPES", "MAX_MESSAGE"]

MAX_MESSAGE = 256 * 2**20  # bytes in one message, JSON and buffers together
MAX_JSON = 16 * 2**20
MAX_BUFFERS = 100_000
MAX_DEPTH = 64  # nesting of lists, tuples and dicts in one value
MAX_TEXT = 4000  # characters of a name, an error message or a repr
DTYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint64",
          "uint32", "uint16", "uint8", "bool", "complex128", "complex64")
_CONTAINERS = {list: "L", tuple: "T", set: "S", frozenset: "F"}
_HEADER = struct.Struct("!II")
_LENGTH = struct.Struct("!Q")
# The operator-module functions a request may name (``op``), and the builtins beside them.
OPERATORS = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "neg", "pos",
             "abs", "lt", "le", "gt", "ge", "eq", "ne", "getitem", "setitem", "delitem",
             "contains", "invert", "and_", "or_", "xor", "truth")
BUILTINS = ("len", "float", "int", "bool", "repr", "str", "list", "isinstance", "issubclass",
            "hash", "array", "mro", "dict", "complex", "index", "type")


class ProtocolError(Exception):
    """A message that breaks the format or its limits; the conversation ends there."""


class Channel:
    """One end of the socket, sending and receiving whole messages: (a JSON object, buffers)."""

    def __init__(self, sock: socket.socket):
        self.sock = sock

    def send(self, message: dict, buffers: list) -> None:
        text = json.dumps(message, allow_nan=True, separators=(",", ":")).encode()
        parts = [_HEADER.pack(len(text), len(buffers)), text]
        for buf in buffers:
            parts += [_LENGTH.pack(len(buf)), buf]
        self.sock.sendall(b"".join(parts))

    def recv(self) -> tuple[dict, list[bytearray]]:
        size, count = _HEADER.unpack(self._exactly(_HEADER.size))
        if size > MAX_JSON or count > MAX_BUFFERS:
            raise ProtocolError(f"a message of {size} bytes and {count} buffers is over the limit")
        try:
            message = json.loads(self._exactly(size))
        except (ValueError, RecursionError) as err:
            raise ProtocolError(f"a message is not JSON: {err}") from None
        if not isinstance(message, dict):
            raise ProtocolError("a message must be a JSON object")
        buffers, total = [], size
        for _i in range(count):
            (length,) = _LENGTH.unpack(self._exactly(_LENGTH.size))
            total += length
            if total > MAX_MESSAGE:
                raise ProtocolError(f"a message is over {MAX_MESSAGE // 2**20} MB")
            buffers.append(self._exactly(length))
        return message, buffers

    def _exactly(self, n: int) -> bytearray:
        data = bytearray(n)
        view, got = memoryview(data), 0
        while got < n:
            k = self.sock.recv_into(view[got:])
            if k == 0:
                raise ConnectionError("the other side closed the connection")
            got += k
        return data


class Codec:
    """Turns values into the JSON-and-buffers form above and back, for one side.

    A side says what it does with what is not plain data: ``outgoing(obj)`` gives the tag for
    an object of its own (the kernel: a handle; the judge: a callback), ``incoming(tag)`` turns
    a tag of the other side into an object (the judge: a proxy; the kernel: a callable).
    """

    def __init__(self, outgoing, incoming):
        self.outgoing, self.incoming = outgoing, incoming

    # ----- to the wire -----
    def encode(self, value, buffers: list, sent: list | None = None, depth: int = 0,
               record: list | None = None):
        """JSON for value; arrays go to `buffers` (and, as themselves, to `record`). `sent`:
        the arrays of the request being answered (an answer that is one of them is sent as
        {"R": i})."""
        if depth > MAX_DEPTH:
            raise ValueError(f"a value nested deeper than {MAX_DEPTH} levels")

        def enc(v):
            return self.encode(v, buffers, sent, depth + 1, record)

        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, np.generic):
            return int(value) if isinstance(value, int) else float(value)
        if isinstance(value, np.ndarray):
            if sent is not None:
                for i, arr in enumerate(sent):
                    if arr is value:
                        return {"R": i}
            arr = np.asarray(value)
            if arr.dtype.name not in DTYPES:
                return self.outgoing(value)
            buffers.append(np.ascontiguousarray(arr).tobytes())
            if record is not None:
                record.append(value)
            return {"A": len(buffers) - 1, "t": arr.dtype.name, "s": list(arr.shape)}
        if isinstance(value, np.generic) and value.dtype.name in DTYPES:
            v = value.item()
            return {"N": value.dtype.name, "v": [v.real, v.imag] if isinstance(v, complex) else v}
        if isinstance(value, complex):
            return {"X": [value.real, value.imag]}
        tag = _CONTAINERS.get(type(value))
        if tag:
            return {tag: [enc(v) for v in value]}
        if type(value) is dict:
            return {"D": [[enc(k), enc(v)] for k, v in value.items()]}
        if isinstance(value, slice):
            return {"SL": [enc(v) for v in (value.start, value.stop, value.step)]}
        if value is Ellipsis:
            return {"E": 0}
        return self.outgoing(value)

    # ----- from the wire -----
    def decode(self, data, buffers: list, arrays: list | None = None, depth: int = 0,
               sent: list | None = None):
        """The value `data` (JSON) stands for. `arrays`: the arrays decoded so far are appended
        to it, in buffer order (what {"R": i} and in-place changes refer to). `sent`: the arrays
        this side sent in the request being answered, which {"R": i} names."""
        if depth > MAX_DEPTH:
            raise ProtocolError(f"a value nested deeper than {MAX_DEPTH} levels")
        if data is None or isinstance(data, (bool, int, float, str)):
            return data
        if not (isinstance(data, dict) and len(data) >= 1):
            raise ProtocolError(f"not a value: {type(data).__name__}")

        def dec(v):
            return self.decode(v, buffers, arrays, depth + 1, sent)

        for tag, kind in (("L", list), ("T", tuple), ("S", set), ("F", frozenset)):
            if tag in data:
                return kind(dec(v) for v in _items(data[tag]))
        if "D" in data:
            return {dec(k): dec(v) for k, v in (_pair(p) for p in _items(data["D"]))}
        if "A" in data:
            return _array(data, buffers, arrays)
        if "N" in data:
            dtype = _dtype(data["N"])
            v = data["v"]
            return dtype.type(complex(*v) if isinstance(v, list) else v)
        if "X" in data:
            return complex(*(float(v) for v in data["X"]))
        if "SL" in data:
            return slice(*(dec(v) for v in _items(data["SL"])[:3]))
        if "E" in data:
            return Ellipsis
        if "R" in data:
            i = data["R"]
            if sent is None or not (isinstance(i, int) and 0 <= i < len(sent)):
                raise ProtocolError("an answer names an array the request did not send")
            return sent[i]
        return self.incoming(data)


def _items(items) -> list:
    if not isinstance(items, list):
        raise ProtocolError("a container's items must be a list")
    return items


def _pair(pair) -> list:
    if not (isinstance(pair, list) and len(pair) == 2):
        raise ProtocolError("a dict item must be a [key, value] pair")
    return pair


def _dtype(name) -> np.dtype:
    if name not in DTYPES:
        raise ProtocolError(f"dtype {name!r} is not one the probe sends")
    return np.dtype(name)


def _array(data: dict, buffers: list, arrays: list | None) -> np.ndarray:
    index, dtype, shape = data.get("A"), _dtype(data.get("t")), data.get("s")
    if not (isinstance(index, int) and 0 <= index < len(buffers)):
        raise ProtocolError("an array names a buffer that is not there")
    if not (isinstance(shape, list) and all(isinstance(n, int) and n >= 0 for n in shape)):
        raise ProtocolError("an array's shape must be a list of sizes")
    buf = buffers[index]
    if int(np.prod(shape, dtype=np.int64)) * dtype.itemsize != len(buf):
        raise ProtocolError("an array's bytes do not fit its shape")
    arr = np.frombuffer(buf, dtype=dtype).reshape(shape)
    if arrays is not None:
        arrays.append(arr)
    return arr


def text(value) -> str:
    """A message or name as it may travel: a str of at most MAX_TEXT characters."""
    value = value if isinstance(value, str) else str(value)
    return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"


# ----- the kernel's side -----

class _Keep:
    """A value to send as a handle even if it is plain data (a function's ``__globals__``)."""

    def __init__(self, value):
        self.value = value


class _JudgeObject:
    """An object of the judge as the kernel sees it (the f of numerical_gradient(f, x), a layer
    a test hands to the learner's Sequential): calling it, reading or setting one of its public
    attributes asks the judge. Attributes that start with "_" are not reachable."""

    __slots__ = ("_server", "_cid")

    def __init__(self, server: _Server, cid: int):
        object.__setattr__(self, "_server", server)
        object.__setattr__(self, "_cid", cid)

    def __call__(self, *args, **kwargs):
        return self._server.ask_judge({"cb": self._cid}, [list(args), dict(kwargs)])

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        value = self._server.ask_judge({"cbget": self._cid, "n": name})
        if isinstance(value, np.ndarray):
            self._server.borrow(self._cid, name, value)
        return value

    def __setattr__(self, name, value):
        if self._server.is_borrowed(self._cid, name, value):
            return  # `p.data -= x` sets back the array it changed in place: that is a sync
        self._server.ask_judge({"cbset": self._cid, "n": name}, value)


class _Server:
    """Answers the judge's requests with the objects of the kernel's namespace."""

    def __init__(self, channel: Channel, namespace: dict):
        self.channel, self.namespace = channel, namespace
        self.objects: dict[int, object] = {}
        self.ids: dict[int, int] = {}
        self.codec = Codec(self._handle, self._resolve)
        self.judge_objects: dict[int, _JudgeObject] = {}
        self.borrowed: list[list] = []  # [judge object id, attribute, array, its bytes then]

    def _handle(self, obj) -> dict:
        obj = obj.value if isinstance(obj, _Keep) else obj
        if isinstance(obj, _JudgeObject):  # the judge's own, handed back
            return {"C": object.__getattribute__(obj, "_cid")}
        hid = self.ids.get(id(obj))
        if hid is None or self.objects.get(hid) is not obj:
            hid = len(self.objects) + 1
            self.objects[hid], self.ids[id(obj)] = obj, hid
        kind = "class" if isinstance(obj, type) else "module" if type(obj) is type(sys) else \
            "function" if callable(obj) and hasattr(obj, "__code__") else "object"
        cls = type(obj)
        return {"H": hid, "k": kind, "n": text(getattr(obj, "__name__", cls.__name__)),
                "q": text(getattr(obj, "__qualname__", "")),
                "m": text(getattr(obj, "__module__", "") or ""),
                "cn": text(cls.__name__), "cm": text(cls.__module__), "cc": callable(obj)}

    def _resolve(self, data: dict):
        if "H" in data and data["H"] in self.objects:
            return self.objects[data["H"]]
        if "C" in data and isinstance(data["C"], int):
            return self.judge_objects.setdefault(data["C"], _JudgeObject(self, data["C"]))
        raise ProtocolError("an unknown handle or tag")

    def serve(self) -> None:
        """Answer requests until the judge says it is done."""
        while True:
            message, buffers = self.channel.recv()
            if message.get("op") == "done":
                return
            self._answer(message, buffers)

    def _answer(self, message: dict, buffers: list) -> None:
        arrays: list = []
        before: list = []
        try:
            op = message.get("op")
            args = self.codec.decode(message.get("a", {"L": []}), buffers, arrays)
            before = [bytes(a.data) for a in arrays]
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
                    result = self._do(op, args)
            changed = [i for i, (arr, old) in enumerate(zip(arrays, before, strict=True))
                       if bytes(arr.data) != old]
            out: list = []
            reply = {"ok": self.codec.encode(result, out, arrays),
                     "w": [[type(w.message).__name__, text(w.message)] for w in caught[:100]],
                     "m": [[i, self.codec.encode(arrays[i].copy(), out)] for i in changed]}
        except (ProtocolError, ConnectionError):
            raise
        except BaseException as err:  # the judge decides what an error means
            out, reply = [], {"err": [type(err).__name__, text(err)]}
        self.send(reply, out)

    def _do(self, op, args):
        if op == "globals":
            return {name: self.namespace[name] for name in args[0] if name in self.namespace}
        if op == "getattr":
            value = getattr(args[0], args[1])
            return _Keep(value) if len(args) > 2 and args[2] else value
        if op == "setattr":
            return setattr(args[0], args[1], args[2])
        if op == "delattr":
            return delattr(args[0], args[1])
        if op == "call":
            fn, positional, keywords = args
            return fn(*positional, **keywords)
        if op in OPERATORS:
            return getattr(operator, op)(*args)
        if op in BUILTINS:
            return _builtin(op, args)
        raise ProtocolError(f"unknown request {op!r}")

    def borrow(self, cid: int, name: str, arr: np.ndarray) -> None:
        """Remember an array read from a judge's object: changed in place here, it is sent back
        with the next message, so ``p.grad[...] = 0`` reaches the judge's ``p``."""
        self.borrowed = [b for b in self.borrowed if not (b[0] == cid and b[1] == name)]
        self.borrowed.append([cid, name, arr, bytes(arr.data)])

    def is_borrowed(self, cid: int, name: str, value) -> bool:
        return any(b[0] == cid and b[1] == name and b[2] is value for b in self.borrowed)

    def send(self, message: dict, buffers: list) -> None:
        """Send `message`, with the borrowed arrays that changed since they were read."""
        sync = []
        for entry in self.borrowed:
            cid, name, arr, before = entry
            now = bytes(arr.data)
            if now != before:
                sync.append([cid, name, self.codec.encode(arr.copy(), buffers)])
                entry[3] = now
        if sync:
            message = {**message, "sync": sync}
        self.channel.send(message, buffers)

    def ask_judge(self, message: dict, value=None):
        """Send `message` (with `value` as its "a") to the judge and answer its requests until
        it replies."""
        out: list = []
        self.send({**message, "a": self.codec.encode(value, out)}, out)
        while True:
            reply, buffers = self.channel.recv()
            if "cbr" in reply:
                return self.codec.decode(reply["cbr"], buffers)
            if "cbe" in reply:
                name, msg = reply["cbe"]
                kind = getattr(builtins, str(name), None)
                if not (isinstance(kind, type) and issubclass(kind, Exception)):
                    kind = RuntimeError
                raise kind(msg)
            if reply.get("op") == "done":
                raise ConnectionError("the judge ended the conversation during a callback")
            self._answer(reply, buffers)


def _builtin(op: str, args):
    if op == "array":
        return np.array(args[0], dtype=float)
    if op == "mro":
        return tuple(args[0].__mro__)
    if op == "dict":
        return dict(vars(args[0]))
    if op == "list":
        return list(args[0])
    return getattr(builtins, op)(*args)


def serve(path: str, namespace: dict | None = None) -> None:
    """Connect to the judge's socket at `path` and answer it with the objects of `namespace`
    (default: the caller's globals, i.e. the notebook's) until it is done."""
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    try:
        _Server(Channel(sock), namespace).serve()
    finally:
        sock.close()
