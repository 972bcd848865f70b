"""`bpcourse similarity`: planted copies are flagged, however disguised; independent correct
answers in different styles are not flagged against each other.

The submissions are 04_layers notebooks built from the release (tests/corpus/build.py): the
reference answers, the corpus's other style (einsum, np.where, logaddexp), a style written with
loops here, and copies disguised by `disguise` (every local name renamed, the functions in
reverse order, other comments). No kernel runs: similarity reads the notebooks only.
"""

from __future__ import annotations

import ast
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("copydetect", reason="copydetect (the [grading] extra) is not installed")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import nb04  # noqa: E402
from corpus.build import Submission, build  # noqa: E402

from bpcourse.tools import similarity  # noqa: E402
from bpcourse.tools.notebook import load_notebook  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
A = "04_layers"

LOOPS = {
    "linear": '''
def linear_forward(x, W, b):
    n, m = x.shape[0], W.shape[1]
    out = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            out[i, j] = sum(x[i, k] * W[k, j] for k in range(x.shape[1])) + b[j]
    return out, (x, W)


def linear_backward(dout, cache):
    x, W = cache
    dx = np.zeros_like(x)
    dW = np.zeros_like(W)
    for i in range(x.shape[0]):
        dx[i] = W.dot(dout[i])
        dW += np.outer(x[i], dout[i])
    db = np.zeros(dout.shape[1])
    for row in dout:
        db += row
    return dx, dW, db
''',
    "relu": '''
def relu_forward(x):
    flat = [v if v > 0 else 0.0 for v in x.ravel()]
    return np.array(flat).reshape(x.shape), x


def relu_backward(dout, cache):
    grads = [g if v > 0 else 0.0 for g, v in zip(dout.ravel(), cache.ravel())]
    return np.array(grads).reshape(dout.shape)
''',
    "sigmoid": '''
import math


def _one(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def sigmoid_forward(x):
    out = np.array([_one(v) for v in x.ravel()]).reshape(x.shape)
    return out, out


def sigmoid_backward(dout, cache):
    return np.array([g * s * (1.0 - s) for g, s in zip(dout.ravel(), cache.ravel())]
                    ).reshape(dout.shape)
''',
    "softmax_cross_entropy": '''
def softmax_cross_entropy(logits, y):
    n = len(logits)
    total = 0.0
    grad = np.zeros_like(logits, dtype=float)
    for i in range(n):
        row = logits[i] - max(logits[i])
        exps = [math.exp(v) for v in row]
        z = sum(exps)
        for j in range(len(row)):
            grad[i, j] = exps[j] / z / n
        grad[i, y[i]] -= 1.0 / n
        total -= row[y[i]] - math.log(z)
    return total / n, grad
''',
    "mse_loss": '''
def mse_loss(pred, target):
    count, total = 0, 0.0
    dpred = np.empty_like(pred, dtype=float)
    for index in np.ndindex(pred.shape):
        d = pred[index] - target[index]
        total += d * d
        count += 1
        dpred[index] = 2 * d
    return total / count, dpred / count
''',
}


def disguise(source: str, tag: str = "mine") -> str:
    """A copy as a student hides one: every argument and local variable renamed, the
    top-level functions in reverse order, the comments replaced by others."""
    tree = ast.parse(source)
    local = {a.arg for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
             for a in node.args.args}
    local |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
              and isinstance(n.ctx, ast.Store)}
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.arg in local:
            node.arg = f"{tag}_{node.arg.lower()}"
        elif isinstance(node, ast.Name) and node.id in local:
            node.id = f"{tag}_{node.id.lower()}"
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    others = [n for n in tree.body if not isinstance(n, ast.FunctionDef)]
    tree.body = others + functions[::-1]
    lines = []
    for line in ast.unparse(tree).splitlines():
        lines.append(line)
        if line.lstrip().startswith("def "):
            lines.append(" " * (len(line) - len(line.lstrip()) + 4)
                         + "# my own work, written from scratch")
    return "\n".join(lines)


def _package_answers() -> dict[str, str]:
    """The package's own layers (bpcourse/layers.py) as a learner would paste them."""
    source = (ROOT / "bpcourse" / "layers.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    funcs = {n.name: ast.get_source_segment(source, n) for n in tree.body
             if isinstance(n, ast.FunctionDef)}
    pick = {"linear": ["linear_forward", "linear_backward"],
            "relu": ["relu_forward", "relu_backward"],
            "sigmoid": ["_stable_sigmoid", "sigmoid_forward", "sigmoid_backward"],
            "softmax_cross_entropy": ["softmax_cross_entropy"], "mse_loss": ["mse_loss"]}
    helpers = "\n\n".join(funcs[n] for n in ("require_float_array", "_same_shape"))
    return {ex: (helpers + "\n\n" if ex == "linear" else "")
            + "\n\n\n".join(funcs[n] for n in names) for ex, names in pick.items()}


STYLES = ("style-reference", "style-other", "style-loops")
COPIES = {"copy-of-other": "style-other", "copy-of-loops": "style-loops",
          "copy-of-the-package": "reference:layers.py"}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    course = tmp_path_factory.mktemp("similarity")
    release = load_notebook(ROOT / "notebooks" / A / f"{A}.ipynb")
    solution = load_notebook(ROOT / "solutions" / A / f"{A}.ipynb")
    (course / "notebooks" / A).mkdir(parents=True)
    (course / "notebooks" / A / f"{A}.ipynb").write_text(json.dumps(release))
    subs = {
        "style-reference": {},
        "style-other": dict(nb04.ALTERNATIVES),
        "style-loops": dict(LOOPS),
        "copy-of-other": {ex: disguise(src, "their") for ex, src in nb04.ALTERNATIVES.items()},
        "copy-of-loops": {ex: disguise(src, "v") for ex, src in LOOPS.items()},
        "copy-of-the-package": {ex: disguise(src, "p")
                                for ex, src in _package_answers().items()},
    }
    for student, answers in subs.items():
        nb = build(Submission(student, A, answers=answers), release, solution)
        path = course / "submitted" / student / A / f"{A}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(nb))
    proc = subprocess.run([sys.executable, "-m", "bpcourse", "similarity", A, "--course",
                           str(course)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = course / "similarity" / A
    with open(out / "pairs.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    pairs = similarity.compare(
        similarity.student_code(course, A, {A: release}), similarity.reference_code())
    return proc, out, rows, {frozenset((p.a, p.b)): p for p in pairs}


@pytest.mark.slow
def test_planted_copies_are_flagged_however_disguised(report):
    proc, _, rows, pairs = report
    flagged = {frozenset((r["student"], r["compared_with"])) for r in rows}
    for copy, original in COPIES.items():
        pair = pairs[frozenset((copy, original))]
        assert frozenset((copy, original)) in flagged, (pair, proc.stdout)
        assert pair.score >= similarity.THRESHOLD, pair


@pytest.mark.slow
def test_independent_answers_in_different_styles_are_not_flagged(report):
    _, _, rows, pairs = report
    flagged = {frozenset((r["student"], r["compared_with"])) for r in rows}
    for i, a in enumerate(STYLES):
        for b in STYLES[i + 1:]:
            assert frozenset((a, b)) not in flagged, pairs[frozenset((a, b))]
            assert pairs[frozenset((a, b))].score < similarity.THRESHOLD / 2, (a, b)


@pytest.mark.slow
def test_the_csv_is_sorted_and_the_report_shows_matches_side_by_side(report):
    _, out, rows, _ = report
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True) and scores
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "highlight-red" in html and "highlight-green" in html
    assert "copy-of-other" in html
    assert (out / "code" / "students" / "style-loops.py").exists()


def test_only_what_the_student_wrote_is_compared():
    skeleton = ('def f(x):\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError()'
                '\n    return out, cache\n')
    answer = ('def f(x):\n    """Doc."""\n    # square it\n    out = x * x  # elementwise\n'
              '    cache = x\n    return out, cache\n')
    kept = similarity.written_code(answer, skeleton).splitlines()
    assert [line.strip() for line in kept] == ["out = x * x", "cache = x"]
