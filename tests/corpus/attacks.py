"""Submissions that attack the grader itself, on 04_layers: they read the instructor's files,
write other students' grades, fork, allocate, connect and write outside their folder. Graded
by `bpcourse autograde` in its sandbox, each attack fails and the rest of that submission is
graded as usual; everybody else keeps exact grades.

Each attack prints one line "ATTACK <what>: <result>" into the graded notebook (EVIDENCE says
what the line must say). Unsandboxed, every one of them succeeds: the kernel's working folder
is autograded/<student>/04_layers inside the course, so walking up finds solutions/, the
gradebook and submitted/; and bpcourse/'s folder is next to the repository's solutions/.
"""

from __future__ import annotations

from .build import Submission, add_cell

A = "04_layers"

# Folders an attack searches: every parent of the working folder, and the repository that the
# package was installed from (editable install: bpcourse/ sits beside solutions/).
_CANDIDATES = '''
import bpcourse
from pathlib import Path
_places = [Path.cwd(), *Path.cwd().parents, Path(bpcourse.__file__).resolve().parents[1]]
'''

READ_SOLUTIONS = _CANDIDATES + '''
import json
_found = [p / "solutions" / "04_layers" / "04_layers.ipynb" for p in _places]
_found = [p for p in _found if p.exists()]
print("ATTACK solutions:", f"found {_found[0]}" if _found else "not found")
for _cell in json.loads(_found[0].read_text())["cells"]:
    if _cell["metadata"].get("nbgrader", {}).get("grade_id") == "linear":
        exec("".join(_cell["source"]))
'''

READ_GRADEBOOK = _CANDIDATES + '''
import sqlite3
_dbs = [p / "gradebook.db" for p in _places if (p / "gradebook.db").exists()]
if _dbs:
    _db = sqlite3.connect(f"file:{_dbs[0]}?mode=ro", uri=True)
    _rows = _db.execute("select source from source_cell").fetchall()
    print("ATTACK gradebook read: found", len(_rows), "cells")
    for (_src,) in _rows:
        print(_src)  # the hidden tests, into this notebook's feedback
else:
    print("ATTACK gradebook read: not found")
'''

WRITE_GRADES = _CANDIDATES + '''
import sqlite3
_dbs = [p / "gradebook.db" for p in _places if (p / "gradebook.db").exists()]
if _dbs:
    _db = sqlite3.connect(str(_dbs[0]))
    _db.execute("update grade set manual_score = 0")  # everyone graded so far: 0
    _db.commit()
    print("ATTACK gradebook write: wrote", _dbs[0])
else:
    print("ATTACK gradebook write: not found")
'''

READ_OTHER_SUBMISSION = _CANDIDATES + '''
import json
_found = [q for p in _places for q in sorted(p.glob("submitted/*/04_layers/04_layers.ipynb"))
          if q.parts[-3] == "nb04-reference"]
print("ATTACK other submission:", f"found {_found[0]}" if _found else "not found")
for _cell in json.loads(_found[0].read_text())["cells"]:
    if _cell["metadata"].get("nbgrader", {}).get("grade_id") == "mse_loss":
        exec("".join(_cell["source"]))
'''

# Every process forks for 3 s; a child never returns to the kernel's code (os._exit).
FORK_BOMB = '''
import os
import time
_deadline, _children, _refused = time.monotonic() + 3, 0, 0
while time.monotonic() < _deadline:
    try:
        _pid = os.fork()
    except OSError:
        _refused += 1
        time.sleep(0.001)
        continue
    if _pid == 0:
        try:
            while time.monotonic() < _deadline:
                try:
                    os.fork()
                except OSError:
                    time.sleep(0.001)
        finally:
            os._exit(0)
    _children += 1
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
print("ATTACK fork bomb:", "refused" if _refused else "not refused",
      f"({_children} children, {_refused} refused forks)")
'''

MEMORY_HOG = '''
import numpy as np
try:
    _hog = np.ones(8 * 2**30 // 8)  # 8 GiB, touched
    print("ATTACK memory: allocated 8 GiB")
    del _hog
except MemoryError:
    print("ATTACK memory: refused")
'''

NETWORK = '''
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
    print("ATTACK network: connected")
except OSError as _err:
    print("ATTACK network: refused", type(_err).__name__)
'''

# The names it writes are checked on the host by tests/test_corpus.py (OUTSIDE_NAME).
OUTSIDE_NAME = "written-by-a-submission.txt"
WRITE_OUTSIDE = _CANDIDATES + '''
import numpy
_targets = [p / "{name}" for p in _places[1:]]
_targets += [Path(bpcourse.__file__).parent / "{name}", Path(numpy.__file__).parent / "{name}"]
_written = []
for _t in _targets:
    try:
        _t.write_text("pwned")
        _written.append(str(_t))
    except OSError:
        pass
print("ATTACK write outside: wrote", _written)
'''.replace("{name}", OUTSIDE_NAME)

# student -> the line its graded notebook must show (the attack failed)
EVIDENCE = {
    "bad-reads-solutions": "ATTACK solutions: not found",
    "bad-reads-gradebook": "ATTACK gradebook read: not found",
    "bad-writes-grades": "ATTACK gradebook write: not found",
    "bad-reads-other-submission": "ATTACK other submission: not found",
    "bad-fork-bomb": "ATTACK fork bomb: refused",
    "bad-memory-hog": "ATTACK memory: refused",
    "bad-network": "ATTACK network: refused",
    "bad-writes-outside": "ATTACK write outside: wrote",
}


def _before(definition: str, attack: str) -> list[tuple[str, str]]:
    """The attack runs first in the answer cell; the reference answer follows it."""
    return [(definition, attack.strip() + "\n\n\n" + definition)]


def submissions(port: int) -> list[Submission]:
    """port: a TCP port on 127.0.0.1 that the test listens on."""
    return [
        # The exec'd solution would earn linear's 5 points; the file is not there: 0.
        Submission("bad-reads-solutions", A, answers={"linear": READ_SOLUTIONS.strip()},
                   expected={"linear": 0.0}, hints={"linear": "NameError"}),
        Submission("bad-reads-gradebook", A,
                   answers={"relu": _before("def relu_forward(x):", READ_GRADEBOOK)}),
        Submission("bad-writes-grades", A,
                   answers={"sigmoid": _before("def sigmoid_forward(x):", WRITE_GRADES)}),
        Submission("bad-reads-other-submission", A,
                   answers={"mse_loss": READ_OTHER_SUBMISSION.strip()},
                   expected={"mse_loss": 0.0}, hints={"mse_loss": "NameError"}),
        Submission("bad-fork-bomb", A,
                   answers={"relu": _before("def relu_forward(x):", FORK_BOMB)}),
        Submission("bad-memory-hog", A,
                   answers={"sigmoid": _before("def sigmoid_forward(x):", MEMORY_HOG)}),
        Submission("bad-network", A,
                   answers={"mse_loss": _before("def mse_loss(pred, target):",
                                                NETWORK.replace("{port}", str(port)))}),
        Submission("bad-writes-outside", A,
                   answers={"linear": _before("def linear_forward(x, W, b):", WRITE_OUTSIDE)}),
    ]


# ----- submissions that try to fake their grade -----
# Every answer below is written but wrong (zeros of the right shapes); each submission adds one
# way of changing what the tests see or do. The tests run in the grader (bpcourse.judge), the
# kernel only answering, so each earns exactly what its wrong answers earn: 0.

WRONG_ANSWERS = {
    "linear": '''
def linear_forward(x, W, b):
    return np.zeros((x.shape[0], W.shape[1])), (x, W, b)


def linear_backward(dout, cache):
    x, W, b = cache
    return np.zeros_like(x), np.zeros_like(W), np.zeros_like(b)
''',
    "relu": '''
def relu_forward(x):
    return np.zeros_like(x), x


def relu_backward(dout, cache):
    return np.zeros_like(dout)
''',
    "sigmoid": '''
def sigmoid_forward(x):
    return np.zeros_like(x), x


def sigmoid_backward(dout, cache):
    return np.zeros_like(dout)
''',
    "softmax_cross_entropy": '''
def softmax_cross_entropy(logits, y):
    return 0.0, np.zeros_like(logits)
''',
    "mse_loss": '''
def mse_loss(pred, target):
    return 0.0, np.zeros_like(pred)
''',
}

FAKES = {
    # IPython's input transformers see every later cell first: the test cells become empty.
    "fake-input-transformer": '''
def _hide_tests(lines):
    return [] if any("nb04" in line or "grading" in line for line in lines) else lines
get_ipython().input_transformers_cleanup.append(_hide_tests)
''',
    # An AST transformer wraps every later cell in try/except BaseException: pass.
    "fake-ast-transformer": '''
import ast as _ast
class _Swallow(_ast.NodeTransformer):
    def visit_Module(self, node):
        handler = _ast.ExceptHandler(type=_ast.Name("BaseException", _ast.Load()), name=None,
                                     body=[_ast.Pass()])
        node.body = [_ast.Try(body=node.body or [_ast.Pass()], handlers=[handler], orelse=[],
                              finalbody=[])]
        return _ast.fix_missing_locations(node)
get_ipython().ast_transformers.append(_Swallow())
''',
    # A post_run_cell hook forgets each cell's error and clears its output.
    "fake-post-run-hook": '''
from IPython.display import clear_output as _clear_output
def _forget(result):
    result.error_in_exec = result.error_before_exec = None
    _clear_output()
get_ipython().events.register("post_run_cell", _forget)
''',
    # The comparison functions get a body that accepts everything; the identity checks see the
    # same function objects.
    "fake-code-swap": '''
import bpcourse.check as _check
import bpcourse.grading.toolkit as _toolkit
_check.rel_error.__code__ = (lambda a, b: 0.0).__code__
_check.check_gradient.__code__ = (lambda got, expected, name, tol=1e-6, **kw: 0.0).__code__
_toolkit.expect.__code__ = (lambda got, expected, name, mistakes=(), tol=1e-6, **kw: 0.0).__code__
''',
    # Answers are arrays that, in any numpy operation, walk up the stack to the test's frame and
    # copy the expected array into themselves.
    "fake-stack-walker": '''
import sys as _sys
class _Copycat(np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        frame = _sys._getframe(1)
        while frame is not None:
            for name, value in list(frame.f_locals.items()):
                if isinstance(value, np.ndarray) and not isinstance(value, _Copycat) \\
                        and value.shape == self.shape and "expect" in name:
                    np.copyto(self.view(np.ndarray), value)
            frame = frame.f_back
        plain = [np.asarray(i).view(np.ndarray) if isinstance(i, _Copycat) else i for i in inputs]
        return getattr(ufunc, method)(*plain, **kwargs)
_zeros, _zeros_like = np.zeros, np.zeros_like
def _lying_zeros(*args, **kwargs):
    return _zeros(*args, **kwargs).view(_Copycat)
def _lying_zeros_like(a, *args, **kwargs):
    return _zeros_like(np.asarray(a), *args, **kwargs).view(_Copycat)
''',
    # The probe never reaches the grader.
    "fake-silent-probe": '''
import bpcourse.probe as _probe
_probe.serve = lambda path, namespace=None: None
''',
    # A probe of its own: it answers every request with "ok: 0.0".
    "fake-lying-probe": '''
import bpcourse.probe as _probe
import json as _json, socket as _socket, struct as _struct
def _lie(path, namespace=None):
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    sock.connect(path)
    while True:
        head = sock.recv(8, _socket.MSG_WAITALL)
        if len(head) < 8:
            return
        size, count = _struct.unpack("!II", head)
        message = _json.loads(sock.recv(size, _socket.MSG_WAITALL))
        for _ in range(count):
            (length,) = _struct.unpack("!Q", sock.recv(8, _socket.MSG_WAITALL))
            sock.recv(length, _socket.MSG_WAITALL)
        if message.get("op") == "done":
            return
        reply = _json.dumps({"ok": 0.0}).encode()
        sock.sendall(_struct.pack("!II", len(reply), 0) + reply)
_probe.serve = _lie
''',
}


# The ones whose lines the report's tampering scan flags (it looks for assignments into
# bpcourse, numpy, builtins and sys); the others it does not see, and need not: they earn 0.
FLAGGED = ("fake-code-swap", "fake-silent-probe", "fake-lying-probe")


def fakes() -> list[Submission]:
    """Wrong answers and a way to fake their grade; each must earn 0 on every exercise."""
    subs = []
    for student, trick in FAKES.items():
        answers = {k: v.strip() for k, v in WRONG_ANSWERS.items()}
        if student == "fake-stack-walker":
            answers = {k: v.replace("np.zeros_like(", "_lying_zeros_like(")
                       .replace("np.zeros(", "_lying_zeros(") for k, v in answers.items()}
        subs.append(Submission(student, A, answers=answers, edits=(add_cell(trick.strip()),),
                               expected=dict.fromkeys(WRONG_ANSWERS, 0.0),
                               tampering=student in FLAGGED))
    return subs
