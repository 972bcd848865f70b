"""Named mistakes: each known buggy implementation fails its grading test with the right hint,
and each notebook's own solution passes.

Shared by both notebook engineers (01-03 and 04-06): each adds their own test functions with
small edits; nobody rewrites the others'.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _builder(name: str):
    """Import scripts/notebooks/<name>.py, whose module constants hold the solution sources."""
    path = ROOT / "scripts" / "notebooks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_builder_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent.parent))
    return module


def _define(source: str, *names: str, replace: tuple[str, str] | None = None):
    """Run an answer cell's source (optionally with one line mutated); return its functions."""
    if replace is not None:
        old, new = replace
        assert source.count(old) == 1, f"mutation target {old!r} not found exactly once"
        source = source.replace(old, new)
    scope = {"np": np}
    exec(compile(source, "<answer cell>", "exec"), scope)
    return tuple(scope[n] for n in names)


# ----- notebook 04: layers (owned by the 04-06 engineer) -----

def _nb04():
    from bpcourse.grading import nb04

    return nb04, _builder("nb04_layers")


_NB04_EXERCISES = {  # exercise: (source constant, function names, grading test)
    "linear": ("LINEAR", ("linear_forward", "linear_backward"), "test_linear"),
    "relu": ("RELU", ("relu_forward", "relu_backward"), "test_relu"),
    "sigmoid": ("SIGMOID", ("sigmoid_forward", "sigmoid_backward"), "test_sigmoid"),
    "softmax": ("SOFTMAX", ("softmax_cross_entropy",), "test_softmax_cross_entropy"),
    "mse": ("MSE", ("mse_loss",), "test_mse_loss"),
}

# (exercise, [(line in the notebook's solution, buggy replacement)], words the hint must contain)
NB04_MISTAKES = [
    ("linear", [("    out = x @ W + b\n", "    out = x @ W\n")], "bias b is not added"),
    ("linear", [("dW = x.T @ dout ", "dW = dout.T @ x ")], "dW is transposed"),
    ("linear", [("dx = dout @ W.T ", "dx = dout @ W ")], "W must be transposed"),
    ("linear", [("dW = x.T @ dout ", "dW = x.T @ dout / len(x) ")], "dW averaged over the batch"),
    ("linear", [("db = dout.sum(axis=0)", "db = dout")], "db is not summed"),
    ("linear", [("db = dout.sum(axis=0)", "db = dout.sum(axis=1)")], "wrong axis"),
    ("linear", [("db = dout.sum(axis=0)", "db = dout.mean(axis=0)")], "db averaged"),
    ("relu", [("dx = dout * (x > 0)", "dx = dout * (dout > 0)")], "mask is taken from dout"),
    ("relu", [("dx = dout * (x > 0)", "dx = (x > 0) * 1.0")], "without the upstream gradient"),
    ("relu", [("dx = dout * (x > 0)", "dx = dout * np.maximum(x, 0)")], "multiplied dout by x"),
    ("relu", [("dx = dout * (x > 0)", "dx = dout.copy()")], "mask is missing"),
    ("relu", [("out = np.maximum(x, 0)", "out = np.max(x, 0)")], "np.max(x, 0) reduces"),
    ("relu", [("out = np.maximum(x, 0)", "x[x < 0] = 0; out = x")], "changed its input x"),
    ("sigmoid", [("z = np.exp(-np.abs(x))", "z = 0"),
                 ("out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
                  "out = 1 / (1 + np.exp(-x))")], "not numerically stable"),
    ("sigmoid", [("z = np.exp(-np.abs(x))", "z = 0"),
                 ("out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
                  "out = np.exp(x) / (1 + np.exp(x))")], "overflows for large x"),
    ("sigmoid", [("out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
                  "out = np.where(x >= 0, z / (1 + z), 1 / (1 + z))")], "sign error"),
    ("sigmoid", [("dx = dout * s * (1 - s)", "dx = dout * s")], "(1 − σ(x)) is missing"),
    ("sigmoid", [("dx = dout * s * (1 - s)", "dx = s * (1 - s)")], "upstream gradient is missing"),
    ("sigmoid", [("s = cache", "s = 1 / (1 + np.exp(-cache))")], "σ applied twice"),
    ("softmax", [("shifted = logits - logits.max(axis=1, keepdims=True)", "shifted = logits")],
     "subtract each row's max"),
    ("softmax", [("logits.max(axis=1, keepdims=True)", "logits.max()")], "global max"),
    ("softmax", [("logits.max(axis=1, keepdims=True)", "logits.max()"),
                 ("log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
                  "log_p = np.log(np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True))"
                  )], "global max"),
    ("softmax", [("dlogits[np.arange(N), y] -= 1", "pass")], "−1 at the true class"),
    ("softmax", [("dlogits[np.arange(N), y] -= 1", "dlogits[:, y] -= 1")],
     "dlogits[np.arange(N), y] -= 1"),
    ("softmax", [("dlogits /= N", "pass")], "1/N of the mean is missing"),
    ("softmax", [("loss = -log_p[np.arange(N), y].mean()",
                  "loss = -log_p[np.arange(N), y].sum()")], "summed over the batch"),
    ("softmax", [("loss = -log_p[np.arange(N), y].mean()",
                  "loss = -np.log(np.exp(log_p)[np.arange(N), y]).mean()")], "log-sum-exp"),
    ("softmax", [("logits.max(axis=1, keepdims=True)", "logits.max(axis=0, keepdims=True)"),
                 ("np.exp(shifted).sum(axis=1, keepdims=True)",
                  "np.exp(shifted).sum(axis=0, keepdims=True)")], "wrong axis"),
    ("mse", [("dpred = 2 * diff / diff.size", "dpred = diff / diff.size")], "factor 2"),
    ("mse", [("dpred = 2 * diff / diff.size", "dpred = 2 * diff / len(diff)")], "number of rows"),
    ("mse", [("dpred = 2 * diff / diff.size", "dpred = 2 * diff")], "1/K of the mean"),
    ("mse", [("diff = pred - target", "diff = target - pred")], "sign flipped"),
    ("mse", [("loss = np.mean(diff ** 2)", "loss = np.sum(diff ** 2)")], "squares are summed"),
    ("mse", [("loss = np.mean(diff ** 2)", "loss = np.mean(diff)")], "not squared"),
]


def _nb04_answer(exercise: str, mutations=()):
    nb04, builder = _nb04()
    const, names, test_name = _NB04_EXERCISES[exercise]
    source = getattr(builder, const)
    for old, new in mutations:
        assert source.count(old) == 1, f"{old!r} is not exactly once in the {const} solution"
        source = source.replace(old, new)
    return _define(source, *names), getattr(nb04, test_name)


@pytest.mark.parametrize("exercise", sorted(_NB04_EXERCISES))
def test_nb04_solution_passes(exercise):
    answers, grading_test = _nb04_answer(exercise)
    grading_test(*answers)


@pytest.mark.parametrize(("exercise", "mutations", "hint"), NB04_MISTAKES,
                         ids=[f"{e}-{h[:30]}" for e, _, h in NB04_MISTAKES])
def test_nb04_mistake_is_named(exercise, mutations, hint):
    answers, grading_test = _nb04_answer(exercise, mutations)
    with pytest.raises(AssertionError) as failure:
        grading_test(*answers)
    assert hint in str(failure.value), str(failure.value)


def test_nb04_every_exercise_names_at_least_three_mistakes():
    counts = {e: sum(1 for m in NB04_MISTAKES if m[0] == e) for e in _NB04_EXERCISES}
    assert all(c >= 3 for c in counts.values()), counts


def test_nb04_release_placeholder_fails_with_not_written():
    nb04, builder = _nb04()
    release = builder.LINEAR.split("### BEGIN SOLUTION")[0] + "raise NotImplementedError()\n"
    (linear_forward,) = _define(release, "linear_forward")
    with pytest.raises(AssertionError, match="linear_forward is not written yet"):
        nb04.require_written(linear_forward)
    with pytest.raises(AssertionError, match="not written yet"):
        nb04.test_linear(linear_forward, linear_forward)


def test_nb04_delegating_to_the_reference_earns_nothing():
    nb04, _ = _nb04()
    from bpcourse.grading import DelegationDetected

    (mse_loss,) = _define("from bpcourse import layers\n"
                          "def mse_loss(pred, target):\n"
                          "    return layers.mse_loss(pred, target)\n", "mse_loss")
    with pytest.raises(DelegationDetected, match="bpcourse.layers.mse_loss"):
        nb04.test_mse_loss(mse_loss)


def test_nb04_oracles_agree_with_central_differences():
    """The analytic softmax oracle is itself checked against an independent numeric gradient."""
    nb04, _ = _nb04()
    from bpcourse.numgrad import numerical_gradient

    for logits, y, kind in nb04.softmax_ce_cases():
        if kind != "random":
            continue
        loss, dlogits = nb04.softmax_ce_oracle(logits, y)
        naive = np.log(np.exp(logits).sum(axis=1)) - logits[np.arange(len(y)), y]
        assert np.isclose(loss, naive.mean(), rtol=1e-12)
        numeric = numerical_gradient(lambda z, y=y: nb04.softmax_ce_oracle(z, y)[0], logits)
        assert np.allclose(dlogits, numeric, rtol=1e-6, atol=1e-9)


def test_nb04_grading_is_quiet(capfd):
    """nbgrader scores a test cell 0 on any stderr: a failing unstable answer prints nothing."""
    answers, grading_test = _nb04_answer("softmax", [(
        "shifted = logits - logits.max(axis=1, keepdims=True)", "shifted = logits")])
    with pytest.raises(AssertionError):
        grading_test(*answers)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


# ----- notebook 05: layered backprop (owned by the 04-06 engineer) -----

def _nb05_answer(const: str, name: str, mutations=()):
    from bpcourse.grading import nb05

    source = getattr(_builder("nb05_layered_backprop"), const)
    for old, new in mutations:
        assert source.count(old) == 1, f"{old!r} is not exactly once in the {const} solution"
        source = source.replace(old, new)
    return _define(source, name)[0], nb05


_NB05 = {"forward": ("FORWARD", "forward_pass", "test_forward_pass"),
         "backward": ("BACKWARD", "backward_pass", "test_backward_pass"),
         "sgd": ("SGD", "sgd_step", "test_sgd_step")}

_STEP = "p.data -= lr * p.grad\n"  # the solution's line (the docstring has it without \n)
NB05_MISTAKES = [
    ("forward", [("for layer in layers:", "for layer in reversed(layers):")], "reverse order"),
    ("forward", [("        x = layer.forward(x)\n", "        out = layer.forward(x)\n"),
                 ("    return x\n", "    return out\n")], "got the original x"),
    ("forward", [("    return x\n", "    return x\n    return None\n"),
                 ("        x = layer.forward(x)\n", "        x = layer.forward(x)\n"
                  "        return x\n")], "only the first layer ran"),
    ("forward", [("for layer in layers:", "for layer in layers[:-1]:")], "last layer never ran"),
    ("forward", [("    return x\n", "    pass\n")], "forget to `return`"),
    ("backward", [("for layer in reversed(layers):", "for layer in layers:")],
     "backward in forward order"),
    ("backward", [("for layer in reversed(layers):", "for layer in layers[:0:-1]:")],
     "first layer (index 0) never got its backward call"),
    ("backward", [("        dout = layer.backward(dout)\n", "        dx = layer.backward(dout)\n"),
                  ("    return dout\n", "    return dx\n")], "the original dout"),
    ("backward", [("        dout = layer.backward(dout)\n",
                   "        layer.zero_grad()\n        dout = layer.backward(dout)\n")],
     "Don't zero them here"),
    ("backward", [("        dout = layer.backward(dout)\n", "        dx = layer.backward(dout)\n"
                   "        dout = dx\n        result = dout if layer is layers[-1] else "
                   "result\n"), ("    return dout\n", "    return result\n")],
     "returned the last layer's gradient"),
    ("sgd", [(_STEP, "p.data += lr * p.grad\n")], "goes uphill"),
    ("sgd", [(_STEP, "p.data -= p.grad\n")], "learning rate is missing"),
    ("sgd", [(_STEP, "p.data = p.data - lr * p.grad\n")], "new array"),
    ("sgd", [(_STEP, "p.data -= lr * p.grad\n        return\n")], "`return` is inside the loop"),
    ("sgd", [(_STEP, "p = p.data - lr * p.grad\n")], "nothing was updated"),
    ("sgd", [(_STEP, "p.data -= lr * p.grad\n        p.grad[...] = 0\n")], "p.grad was changed"),
]


@pytest.mark.parametrize("exercise", sorted(_NB05))
def test_nb05_solution_passes(exercise):
    const, name, test_name = _NB05[exercise]
    answer, nb05 = _nb05_answer(const, name)
    getattr(nb05, test_name)(answer)


@pytest.mark.parametrize(("exercise", "mutations", "hint"), NB05_MISTAKES,
                         ids=[f"{e}-{h[:30]}" for e, _, h in NB05_MISTAKES])
def test_nb05_mistake_is_named(exercise, mutations, hint):
    const, name, test_name = _NB05[exercise]
    answer, nb05 = _nb05_answer(const, name, mutations)
    with pytest.raises(AssertionError) as failure:
        getattr(nb05, test_name)(answer)
    assert hint in str(failure.value), str(failure.value)


def test_nb05_every_exercise_names_at_least_three_mistakes():
    counts = {e: sum(1 for m in NB05_MISTAKES if m[0] == e) for e in _NB05}
    assert all(c >= 3 for c in counts.values()), counts


def test_nb05_delegating_to_sequential_earns_nothing():
    from bpcourse.grading import DelegationDetected, nb05

    (backward_pass,) = _define("from bpcourse import nn\n"
                               "def backward_pass(layers, dout):\n"
                               "    return nn.Sequential(*layers).backward(dout)\n",
                               "backward_pass")
    with pytest.raises(DelegationDetected, match="Sequential"):
        nb05.test_backward_pass(backward_pass)
