"""The judge: a graded test runs here, in the grader, and asks the kernel only for answers.

A test cell such as ``nb04.test_linear_forward(linear_forward)`` is run by ``judge_cell`` in
the grader's own interpreter, with the course's own ``bpcourse``. Each name it takes from the
notebook (``linear_forward``) is a *proxy*: calling it, reading an attribute of what it returns,
``a * b`` of two learner Values, all become requests to the kernel (``bpcourse.probe``), which
answers with plain data or with a handle to one of its objects. The reference answers, the
comparison and the message are computed here, so nothing the learner's code does in its kernel
can reach them: it can only answer.

    kernel (sandboxed)                           judge (the grader)
    serve(socket) ─────── requests ◀──────────── nb04.test_linear_forward(linear_forward)
      linear_forward(x, W, b)  ─── an array ───▶   expected = layers.linear_forward(x, W, b)
                                                   compare, name the mistake → the cell's output

The proxies behave like the objects they stand for wherever the tests use them: calls,
attributes, operators, ``len``/``iter``/indexing, ``isinstance`` against a learner's class, a
class's ``__mro__`` and ``vars()``; a proxy is the same Python object for the same kernel
object, so ``is``, ``id`` and sets work. A function of the judge that a learner's code must call
(the ``f`` of ``numerical_gradient(f, x)``) travels as a callback.
"""

from __future__ import annotations

import ast
import builtins
import io
import socket
import sys
import threading
import time
import traceback
import warnings

import numpy as np

from .probe import MAX_TEXT, Channel, Codec, ProtocolError, text

__all__ = ["Session", "Remote", "KernelStopped", "judge_cell", "same", "free_names",
           "CELL_FILE", "serve_cell", "course_imports", "TRUSTED_MODULES"]

CELL_FILE = "<test cell>"
MAX_NESTING = 200  # requests inside callbacks inside requests


class KernelStopped(BaseException):
    """The kernel stopped answering (it timed out, closed the socket or broke the protocol).
    A BaseException, so that a test's ``except Exception`` cannot mistake it for the learner's
    error and go on."""


class RemoteError(Exception):
    """An exception of the learner's code whose type is not a builtin one; its subclass has
    the kernel's type name, so messages say e.g. ``ShapeError``."""


_ERROR_TYPES: dict[str, type] = {}


def _error(name, message) -> BaseException:
    name, message = text(name)[:100], text(message)
    kind = getattr(builtins, name, None)
    if not (isinstance(kind, type) and issubclass(kind, Exception)):
        kind = _ERROR_TYPES.setdefault(name, type(name if name.isidentifier() else "RemoteError",
                                                  (RemoteError,), {}))
    try:
        return kind(message)
    except Exception:  # an exception type whose constructor wants other arguments
        return RemoteError(f"{name}: {message}")


# ----- the conversation -----

class Session:
    """The judge's end of one conversation with a kernel, until `deadline` (time.monotonic)."""

    def __init__(self, channel: Channel, deadline: float):
        self.channel, self.deadline = channel, deadline
        self.codec = Codec(self._outgoing, self._incoming)
        self.proxies: dict[int, object] = {}
        self.callbacks: dict[int, object] = {}
        self.callback_ids: dict[int, int] = {}
        self.types: dict[tuple, type] = {}
        self.depth = 0

    def request(self, op: str, *args, handle: bool = False):
        """Ask the kernel to do `op` with `args`; its answer (a value or a proxy)."""
        if self.depth > MAX_NESTING:
            raise KernelStopped(f"the kernel's calls nest deeper than {MAX_NESTING}")
        buffers, sent = [], []
        payload = [*args, True] if handle else list(args)
        self._send({"op": op, "a": self.codec.encode(payload, buffers, record=sent)}, buffers)
        self.depth += 1
        try:
            while True:
                message, buffers = self._recv()
                if "cb" in message or "cbget" in message or "cbset" in message:
                    self._answer_callback(message, buffers)
                    continue
                return self._result(message, buffers, sent)
        finally:
            self.depth -= 1

    def done(self) -> None:
        """Tell the kernel the test is over (its probe cell then ends)."""
        try:
            self._send({"op": "done"}, [])
        except KernelStopped:
            pass

    def _result(self, message: dict, buffers: list, sent: list):
        if "err" in message:
            try:
                name, msg = message["err"]
            except (TypeError, ValueError):
                raise KernelStopped("the kernel's error breaks the probe's format") from None
            raise _error(name, msg)
        try:
            if "ok" not in message:
                raise ProtocolError("an answer without ok or err")
            value = self.codec.decode(message["ok"], buffers, sent=sent)
            for i, data in message.get("m", []):  # arrays the call changed in place
                new = self.codec.decode(data, buffers)
                old = sent[i] if isinstance(i, int) and 0 <= i < len(sent) else None
                if old is not None and old.shape == new.shape and old.flags.writeable:
                    old[...] = new
            caught = [(text(name), text(msg)) for name, msg in message.get("w", [])[:100]]
        except (ProtocolError, ValueError, TypeError, KeyError, IndexError) as err:
            raise KernelStopped(f"the kernel's answer breaks the probe's format: {err}") from None
        for name, msg in caught:
            kind = getattr(builtins, name, None)
            if not (isinstance(kind, type) and issubclass(kind, Warning)):
                kind = UserWarning
            warnings.warn_explicit(msg, kind, CELL_FILE, 0, registry={})
        return value

    def _answer_callback(self, message: dict, buffers: list) -> None:
        """Answer the kernel's call of one of our objects, or its reading or setting of a
        public attribute of one."""
        try:
            obj = self.callbacks[message.get("cb", message.get("cbget", message.get("cbset")))]
            value = self.codec.decode(message.get("a"), buffers)
            name = message.get("n")
        except (ProtocolError, ValueError, TypeError, KeyError) as err:
            raise KernelStopped(f"the kernel's callback breaks the probe's format: {err}") \
                from None
        try:
            if "cb" in message:
                args, kwargs = value
                result = obj(*args, **dict(kwargs))
            elif not (isinstance(name, str) and name and not name.startswith("_")):
                raise AttributeError(f"the grader's objects show no attribute {name!r}")
            elif "cbget" in message:
                result = getattr(obj, name)
            elif callable(getattr(type(obj), name, None)):
                raise AttributeError(f"{name} is a method of the grader's object")
            else:
                result = setattr(obj, name, value)
            out: list = []
            reply = {"cbr": self.codec.encode(result, out)}
        except KernelStopped:
            raise
        except Exception as err:
            out, reply = [], {"cbe": [type(err).__name__, text(err)]}
        self._send(reply, out)

    def _sync(self, message: dict, buffers: list) -> None:
        """Copy into our objects' arrays what the kernel changed in its copies of them."""
        for entry in message.get("sync", [])[:10_000]:
            cid, name, data = entry
            new = self.codec.decode(data, buffers)
            old = getattr(self.callbacks.get(cid), name, None) if isinstance(name, str) \
                and not name.startswith("_") else None
            if isinstance(old, np.ndarray) and old.shape == new.shape and old.flags.writeable:
                old[...] = new

    def _send(self, message: dict, buffers: list) -> None:
        try:
            self.channel.sock.settimeout(max(0.001, self.deadline - time.monotonic()))
            self.channel.send(message, buffers)
        except OSError as err:
            raise KernelStopped(f"the kernel stopped answering the grader ({err})") from None

    def _recv(self):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise KernelStopped("the kernel did not answer the grader in time")
        try:
            self.channel.sock.settimeout(remaining)
            message, buffers = self.channel.recv()
            self._sync(message, buffers)
            return message, buffers
        except (ValueError, TypeError, KeyError) as err:
            raise KernelStopped(f"the kernel's message breaks the probe's format: {err}") \
                from None
        except TimeoutError:
            raise KernelStopped("the kernel did not answer the grader in time") from None
        except (OSError, ProtocolError) as err:
            raise KernelStopped(f"the kernel stopped answering the grader ({err})") from None

    # what is not plain data
    def _outgoing(self, obj) -> dict:
        hid = getattr(obj, "_remote_id", None) if _is_proxy(obj) else None
        if hid is not None:
            return {"H": hid}
        cid = self.callback_ids.get(id(obj))
        if cid is None or self.callbacks.get(cid) is not obj:
            cid = self.callback_ids[id(obj)] = len(self.callbacks) + 1
            self.callbacks[cid] = obj
        return {"C": cid}

    def _incoming(self, data: dict):
        if "C" in data and data["C"] in self.callbacks:
            return self.callbacks[data["C"]]  # one of ours, back again
        if "H" not in data or not isinstance(data["H"], int):
            raise ProtocolError("an unknown tag")
        if data.get("k") == "module" and _trusted_module(data.get("n")):
            return sys.modules[data["n"]]  # `np` in a test cell is the grader's numpy
        hid = data["H"]
        if hid not in self.proxies:
            self.proxies[hid] = _make_proxy(self, hid, data)
        return self.proxies[hid]


# Modules a test cell may take from the notebook (`np`, `nb04`) that are the grader's own:
# the kernel's copy of them would answer for them.
TRUSTED_MODULES = ("numpy", "math", "bpcourse")


def _trusted_module(name) -> bool:
    return (isinstance(name, str) and name.split(".")[0] in TRUSTED_MODULES
            and name in sys.modules)


def _is_proxy(obj) -> bool:
    return isinstance(obj, (Remote, RemoteClass, RemoteModule))


def same(value, reference) -> bool:
    """`value is reference`, where value may be a proxy of the kernel's copy of a ``bpcourse``
    object: then the same module and qualified name (a kernel that lies here only names itself
    as the package's reference)."""
    if value is reference:
        return True
    if not _is_proxy(value):
        return False
    meta = object.__getattribute__(value, "_remote_meta")
    return (meta.get("m"), meta.get("q")) == (getattr(reference, "__module__", None),
                                              getattr(reference, "__qualname__", None))


# ----- proxies -----

# Attributes Python and numpy look up on their own; asking the kernel for them would only
# cost a round trip (or make numpy treat a Value as an array).
_LOCAL_ONLY = ("__array_interface__", "__array_struct__", "__array_priority__",
               "__array_ufunc__", "__array_function__", "__length_hint__", "__deepcopy__",
               "__copy__", "__getstate__", "__setstate__", "__reduce__", "__reduce_ex__",
               "__fspath__", "__await__", "__aiter__", "__enter__", "__exit__",
               "__getnewargs__", "__getnewargs_ex__", "__dataclass_fields__", "__wrapped__")


def _local_only(name: str) -> bool:
    return name in _LOCAL_ONLY or name.startswith(("_repr_", "_ipython_", "__array"))


def _ask(proxy, op: str, *args, handle: bool = False):
    return object.__getattribute__(proxy, "_remote_session").request(op, *args, handle=handle)


class Remote:
    """An object that stays in the kernel; everything done to it is asked of the kernel."""

    def __init__(self, session: Session, hid: int, meta: dict):
        object.__setattr__(self, "_remote_session", session)
        object.__setattr__(self, "_remote_id", hid)
        object.__setattr__(self, "_remote_meta", meta)

    def __getattr__(self, name):
        if _local_only(name):
            raise AttributeError(name)
        return _ask(self, "getattr", self, name, handle=name in ("__globals__", "__dict__"))

    def __setattr__(self, name, value):
        _ask(self, "setattr", self, name, value)

    def __delattr__(self, name):
        _ask(self, "delattr", self, name)

    def __repr__(self):
        try:
            return text(_ask(self, "repr", self))
        except Exception:
            return f"<{type(self).__name__} in the kernel>"

    def __str__(self):
        try:
            return text(_ask(self, "str", self))
        except Exception:
            return repr(self)

    def __format__(self, spec):
        return format(float(self), spec) if spec else str(self)

    def __len__(self):
        return _ask(self, "len", self)

    def __iter__(self):
        return iter(_ask(self, "list", self))

    def __bool__(self):
        return bool(_ask(self, "bool", self))

    def __float__(self):
        return float(_ask(self, "float", self))

    def __int__(self):
        return int(_ask(self, "int", self))

    def __index__(self):
        return int(_ask(self, "index", self))

    def __array__(self, dtype=None, copy=None):
        return np.asarray(_ask(self, "array", self), dtype=dtype)

    def __contains__(self, item):
        return bool(_ask(self, "contains", self, item))

    def __getitem__(self, key):
        return _ask(self, "getitem", self, key)

    def __setitem__(self, key, value):
        _ask(self, "setitem", self, key, value)

    def __delitem__(self, key):
        _ask(self, "delitem", self, key)

    __hash__ = object.__hash__  # identity: one proxy per kernel object

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other


def _binary(op: str):
    def forward(self, other):
        return _ask(self, op, self, other)

    def reflected(self, other):
        return _ask(self, op, other, self)

    return forward, reflected


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and",
              "or", "xor"):
    _op = _name + "_" if _name in ("and", "or") else _name
    _forward, _reflected = _binary(_op)
    setattr(Remote, f"__{_name}__", _forward)
    setattr(Remote, f"__r{_name}__", _reflected)
for _name in ("lt", "le", "gt", "ge"):
    setattr(Remote, f"__{_name}__", _binary(_name)[0])
for _name in ("neg", "pos", "abs", "invert"):
    setattr(Remote, f"__{_name}__", lambda self, _op=_name: _ask(self, _op, self))


class RemoteCallable(Remote):
    """A kernel object that can be called."""

    def __call__(self, *args, **kwargs):
        return _ask(self, "call", self, list(args), dict(kwargs))


class RemoteFunction(RemoteCallable):
    """A function (or method) of the kernel; its name and module are known here."""


class RemoteModule(type(sys)):
    """A module of the kernel (``isinstance(m, types.ModuleType)`` holds)."""

    def __init__(self, session: Session, hid: int, meta: dict):
        super().__init__(meta.get("n") or "module")
        object.__setattr__(self, "_remote_session", session)
        object.__setattr__(self, "_remote_id", hid)
        object.__setattr__(self, "_remote_meta", meta)

    def __getattr__(self, name):
        if _local_only(name) or name.startswith("_remote_"):
            raise AttributeError(name)
        return _ask(self, "getattr", self, name)

    def __repr__(self):
        return f"<module {self.__name__!r} in the kernel>"


class RemoteClass(type):
    """The metaclass of a proxy for a kernel class: ``isinstance(Value, type)`` holds,
    ``Value(2.0)`` is made in the kernel, ``isinstance(v, Value)``, ``Value.__mro__`` and
    ``vars(Value)`` are asked of it."""

    def __call__(cls, *args, **kwargs):
        return _ask(cls, "call", cls, list(args), dict(kwargs))

    def __getattr__(cls, name):
        if _local_only(name) or name.startswith("_remote_"):
            raise AttributeError(name)
        return _ask(cls, "getattr", cls, name)

    def __setattr__(cls, name, value):
        if name.startswith("_remote_"):
            return super().__setattr__(name, value)
        _ask(cls, "setattr", cls, name, value)

    def __instancecheck__(cls, obj):
        return _is_proxy(obj) and bool(_ask(cls, "isinstance", obj, cls))

    def __subclasscheck__(cls, other):
        return _is_proxy(other) and bool(_ask(cls, "issubclass", other, cls))

    @property
    def __mro__(cls):
        return _ask(cls, "mro", cls)

    @property
    def __dict__(cls):
        return _ask(cls, "dict", cls)

    def __repr__(cls):
        return f"<class {cls.__qualname__!r} in the kernel>"

    __hash__ = type.__hash__


def _make_proxy(session: Session, hid: int, meta: dict):
    kind = meta.get("k")
    name = text(meta.get("n") or "object")[:200]
    if kind == "class":
        cls = RemoteClass.__new__(RemoteClass, name if name.isidentifier() else "Class", (), {})
        type.__setattr__(cls, "__module__", text(meta.get("m") or ""))
        type.__setattr__(cls, "__qualname__", text(meta.get("q") or name))
        for attr, value in (("_remote_session", session), ("_remote_id", hid),
                            ("_remote_meta", meta)):
            type.__setattr__(cls, attr, value)
        return cls
    if kind == "module":
        return RemoteModule(session, hid, meta)
    base = RemoteFunction if kind == "function" else RemoteCallable if meta.get("cc") else Remote
    kind_of_proxy = _proxy_type(session, base, meta)
    proxy = object.__new__(kind_of_proxy)
    Remote.__init__(proxy, session, hid, meta)
    if kind_of_proxy.__dict__["_remote_example"] is None:
        type.__setattr__(kind_of_proxy, "_remote_example", proxy)
    if kind == "function":
        for attr, key in (("__name__", "n"), ("__qualname__", "q"), ("__module__", "m")):
            object.__setattr__(proxy, attr, text(meta.get(key) or ""))
    return proxy


class _ProxyType(type):
    """The metaclass of the local classes named like a kernel object's class: calling one
    (``type(params[0])(1.0)``) makes an object of the kernel's class, in the kernel."""

    def __call__(cls, *args, **kwargs):
        example = cls.__dict__.get("_remote_example")
        if example is None:
            raise TypeError(f"{cls.__name__} stands for a class of the kernel")
        return _ask(example, "type", example)(*args, **kwargs)


def _proxy_type(session: Session, base: type, meta: dict) -> type:
    """A local class named like the kernel object's class (messages say 'a Value', 'a list'),
    one per kernel class name and session."""
    name = text(meta.get("cn") or "object")[:100]
    key = (base, name, text(meta.get("cm") or "")[:200])
    if key not in session.types:
        session.types[key] = _ProxyType(name if name.isidentifier() else "Object", (base,),
                                        {"__module__": key[2], "_remote_example": None})
    return session.types[key]


# ----- running a test cell -----

def free_names(source: str) -> set[str]:
    """The names a cell reads without binding them itself, builtins aside: what it takes
    from the notebook."""
    loaded, bound = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return loaded - bound - set(dir(builtins))


class _Streams(io.TextIOBase):
    """sys.stdout / sys.stderr while judges run: each judging thread writes to its own
    buffer, every other thread to the stream that was there before."""

    def __init__(self, original):
        self.original, self.local = original, threading.local()

    def write(self, s):
        target = getattr(self.local, "buffer", None)
        return (target or self.original).write(s)

    def flush(self):
        if getattr(self.local, "buffer", None) is None:
            self.original.flush()


_streams_lock = threading.Lock()


def _routed(name: str) -> _Streams:
    with _streams_lock:
        current = getattr(sys, name)
        if not isinstance(current, _Streams):
            current = _Streams(current)
            setattr(sys, name, current)
        return current


def _trusted_import(node) -> bool:
    if isinstance(node, ast.Import):
        return all(a.name.split(".")[0] in TRUSTED_MODULES for a in node.names)
    return (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None
            and node.module.split(".")[0] in TRUSTED_MODULES)


def _defined(tree) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def course_imports(cells: list[str], answers: list[str]) -> dict:
    """What the course's own import statements bind (``np``, ``nb04``, ``expect``), imported
    here, for a test cell to use instead of the kernel's copies; never a name that an answer
    cell defines.

    Args:
        cells: the sources of the course's code cells (of its own notebook, not the learner's).
        answers: the sources of its answer cells.
    """
    scope: dict = {}
    for source in cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        imports = [n for n in tree.body if _trusted_import(n)]
        if imports:
            exec(compile(ast.Module(imports, []), "<course imports>", "exec"), scope)
    scope.pop("__builtins__", None)
    for source in answers:
        try:
            for name in _defined(ast.parse(source)):
                scope.pop(name, None)
        except SyntaxError:
            continue
    return scope


def judge_cell(source: str, session: Session, machinery: dict | None = None) -> list[dict]:
    """Run the test cell `source` here, its notebook names taken from the kernel, except those
    in `machinery` (``course_imports``); the outputs it leaves (nbformat output dicts): what it
    printed, and its error if it failed."""
    out, err = _routed("stdout"), _routed("stderr")
    printed, complained = io.StringIO(), io.StringIO()
    out.local.buffer, err.local.buffer = printed, complained
    error = None
    try:
        code = compile(source, CELL_FILE, "exec")
        machinery = machinery or {}
        scope = {"__name__": "__main__", "__builtins__": builtins}
        scope.update(session.request("globals", sorted(free_names(source) - set(machinery))))
        scope.update(machinery)
        exec(code, scope)
    except BaseException as failure:
        error = failure
    finally:
        out.local.buffer = err.local.buffer = None
    outputs = [{"output_type": "stream", "name": name, "text": value}
               for name, value in (("stdout", printed.getvalue()),
                                   ("stderr", complained.getvalue())) if value]
    if error is not None:
        outputs.append(_error_output(error, source))
    return outputs


def _error_output(error: BaseException, source: str) -> dict:
    """An nbformat error output for `error`: where in the test cell, then the message."""
    lines = source.splitlines()
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == CELL_FILE]
    where = [f"line {f.lineno}: {lines[f.lineno - 1].strip()}" for f in frames[-1:]
             if f.lineno and 0 < f.lineno <= len(lines)]
    ename, evalue = type(error).__name__, str(error)[:MAX_TEXT * 4]
    return {"output_type": "error", "ename": ename, "evalue": evalue,
            "traceback": [*where, f"{ename}: {evalue}"]}


def serve_cell(listener: socket.socket, source: str, timeout: float,
               machinery: dict | None = None) -> list[dict]:
    """Wait (at most `timeout` s) for the kernel to connect to `listener`, judge the cell
    `source` with it, and tell it that the test is over; the cell's outputs."""
    deadline = time.monotonic() + timeout
    try:
        listener.settimeout(timeout)
        sock, _addr = listener.accept()
    except OSError:
        message = ("the kernel did not run the grader's probe: a test cell must reach the "
                   "grader (did code in the notebook change how cells run?)")
        return [_error_output(KernelStopped(message), source)]
    with sock:
        session = Session(Channel(sock), deadline)
        try:
            return judge_cell(source, session, machinery)
        finally:
            session.done()
