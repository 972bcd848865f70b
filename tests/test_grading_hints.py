"""Named mistakes: each known buggy implementation fails its grading test with the right hint,
and each notebook's own solution passes.

Shared by both notebook engineers (01-03 and 04-06): each adds their own test functions with
small edits; nobody rewrites the others'.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest
from builders import load_builder
from corpus.nb03 import RECURSIVE_TOPO
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent


def _builder(name: str):
    """Import scripts/notebooks/<name>.py, whose module constants hold the solution sources."""
    return load_builder(ROOT / "scripts" / "notebooks" / f"{name}.py")


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


def test_nb04_the_reference_itself_earns_nothing_visible_or_hidden():
    """`linear_forward = layers.linear_forward` calls nothing: it *is* the reference."""
    from bpcourse import layers
    from bpcourse.grading import DelegationDetected, nb04

    with pytest.raises(DelegationDetected, match="bpcourse.layers.linear_forward"):
        nb04.test_linear(layers.linear_forward, layers.linear_backward)
    with pytest.raises(DelegationDetected, match="reference"):
        nb04.assert_own_answer(layers.relu_forward)
    own, _ = _nb04_answer("relu")
    nb04.assert_own_answer(*own)  # the notebook's own answer passes


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

_NB05 = {  # exercise: (source constants, the name graded, grading test)
    "linear": (("LINEAR",), "Linear", "test_linear_module"),
    "relu": (("RELU",), "ReLU", "test_relu_module"),
    "loss": (("LOSS",), "SoftmaxCrossEntropy", "test_loss_module"),
    "sequential": (("SEQUENTIAL",), "Sequential", "test_sequential"),
    "sgd": (("SGD",), "sgd_step", "test_sgd_step"),
    "train": (("SGD", "TRAIN_STEP"), "train_step", "test_train_step"),
    "norms": (("GRAD_NORMS",), "grad_norms", "test_grad_norms"),
}


def _nb05_answer(exercise: str, mutations=()):
    """The notebook's answer for `exercise` (with `mutations` applied to its own source), run
    in a scope like the notebook's (np, nn, layers; train_step sees the notebook's sgd_step)."""
    from bpcourse import layers, nn
    from bpcourse.grading import nb05

    consts, name, test_name = _NB05[exercise]
    builder = _builder("nb05_layered_backprop")
    *before, own = (getattr(builder, c) for c in consts)
    for old, new in mutations:
        assert own.count(old) == 1, f"{old!r} is not exactly once in the {consts[-1]} solution"
        own = own.replace(old, new)
    scope = {"np": np, "nn": nn, "layers": layers}
    for source in (*before, own):
        exec(compile(source, "<answer cell>", "exec"), scope)
    return scope[name], getattr(nb05, test_name)


_STEP = "p.data -= lr * p.grad\n"  # the solution's line (the docstring has it without \n)
_TO_W = "self.W.grad += dW"
_TO_B = "self.b.grad += db"
_FWD = "        x = layer.forward(x)\n        return x\n"
_BWD = "            dout = layer.backward(dout)\n        return dout\n"
NB05_MISTAKES = [
    ("linear", [(_TO_W, "self.W.grad = dW"), (_TO_B, "self.b.grad = db")],
     "`=` instead of `+=`"),
    ("linear", [("out, self.cache = layers", "out, Linear.cache = layers"),
                ("(dout, self.cache)", "(dout, Linear.cache)")], "overwrote the first one's cache"),
    ("linear", [("self.params = [self.W, self.b]", "self.params = [self.W]")],
     "the bias b is missing"),
    ("linear", [("(rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)",
                 "(rng.standard_normal((n_out, n_in)) * np.sqrt(2 / n_in)")], "W is transposed"),
    ("linear", [("rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)",
                 "np.zeros((n_in, n_out))")], "W starts at zero"),
    ("linear", [("        return dx\n", "")], "returned None"),
    ("linear", [(_TO_W, "pass")], "W.grad is still zero"),
    ("linear", [("layers.linear_forward(x, self.W.data, self.b.data)",
                 "layers.linear_forward(x, self.W.data, 0 * self.b.data)")], "bias b is not added"),
    ("relu", [("self.params = []\n", "")], "has no `params`"),
    ("relu", [("out, self.cache = layers", "out, ReLU.cache = layers"),
              ("(dout, self.cache)", "(dout, ReLU.cache)")], "overwrote the first one's cache"),
    ("relu", [("return layers.relu_backward(dout, self.cache)",
               "layers.relu_backward(dout, self.cache)")], "returned None"),
    ("relu", [("return layers.relu_backward(dout, self.cache)",
               "return np.maximum(self.cache, 0)")], "returned the forward output"),
    ("loss", [("        return loss\n", "        return loss, self.dlogits\n")],
     "returned a tuple"),
    ("loss", [("        return self.dlogits\n", "        self.dlogits\n")], "returned None"),
    ("loss", [("loss, self.dlogits = layers.softmax_cross_entropy(logits, y)",
               "loss, dlogits = layers.softmax_cross_entropy(logits, y)\n"
               "        if self.dlogits is None:\n            self.dlogits = dlogits")],
     "the gradient of the first forward"),
    ("loss", [("        return self.dlogits\n", "        return self.loss\n"),
              ("        return loss\n", "        self.loss = loss\n        return loss\n")],
     "it returns dlogits"),
    ("sequential", [("for layer in reversed(self.layers):", "for layer in self.layers:")],
     "backward in forward order"),
    ("sequential", [("return [p for layer in self.layers for p in layer.params]",
                     "return [layer.params[0] for layer in self.layers if layer.params]")],
     "misses the biases"),
    ("sequential", [("return [p for layer in self.layers for p in layer.params]",
                     "return [layer.params for layer in self.layers]")], "list of lists"),
    ("sequential", [(_FWD, "        out = layer.forward(x)\n        return out\n")],
     "got the original x"),
    ("sequential", [(_BWD, "            dx = layer.backward(dout)\n        return dx\n")],
     "the original dout"),
    ("sequential", [(_BWD, "            dout = layer.backward(dout)\n"
                     "            return dout\n")], "`return` is inside the loop"),
    ("sequential", [("            p.grad[...] = 0", "            p.data[...] = 0")],
     "never the weights p.data"),
    ("sequential", [("        for p in self.params:\n            p.grad[...] = 0",
                     "        for layer in self.layers[:1]:\n"
                     "            for p in layer.params:\n                p.grad[...] = 0")],
     "with a non-zero grad"),
    ("sequential", [(_BWD, "            layer.zero_grad()\n" + _BWD)], "Don't zero them"),
    ("sgd", [(_STEP, "p.data += lr * p.grad\n")], "goes uphill"),
    ("sgd", [(_STEP, "p.data -= p.grad\n")], "learning rate is missing"),
    ("sgd", [(_STEP, "p.data = p.data - lr * p.grad\n")], "new array"),
    ("sgd", [(_STEP, "p.data -= lr * p.grad\n        return\n")], "`return` is inside the loop"),
    ("sgd", [(_STEP, "p = p.data - lr * p.grad\n")], "nothing was updated"),
    ("sgd", [(_STEP, "p.data -= lr * p.grad\n        p.grad[...] = 0\n")], "p.grad was changed"),
    ("train", [("    model.zero_grad()\n", "")], "zero_grad is missing"),
    ("train", [("    model.zero_grad()\n", ""),
               ("    sgd_step(model.params, lr)\n",
                "    model.zero_grad()\n    sgd_step(model.params, lr)\n")],
     "zero_grad ran after backward"),
    ("train", [("    model.backward(loss_fn.backward())\n    sgd_step(model.params, lr)\n",
                "    sgd_step(model.params, lr)\n    model.backward(loss_fn.backward())\n")],
     "the step must come after backward"),
    ("train", [("    return loss\n", "")], "returned None"),
    ("norms", [("float(np.sqrt(sum(np.sum(p.grad ** 2) for p in layer.params)))",
                "float(sum(np.sum(p.grad ** 2) for p in layer.params))")],
     "the square root is missing"),
    ("norms", [("for p in layer.params)))", "for p in layer.params[:1])))")],
     "the bias gradients are left out"),
    ("norms", [("            for layer in model.layers if layer.params]",
                "            for layer in model.layers]")], "one per layer that has parameters"),
    ("norms", [("np.sum(p.grad ** 2) for", "np.sum(p.data ** 2) for")],
     "not of their gradients"),
]


@pytest.mark.parametrize("exercise", sorted(_NB05))
def test_nb05_solution_passes(exercise):
    answer, grading_test = _nb05_answer(exercise)
    grading_test(answer)


@pytest.mark.parametrize(("exercise", "mutations", "hint"), NB05_MISTAKES,
                         ids=[f"{e}-{h[:30]}" for e, _, h in NB05_MISTAKES])
def test_nb05_mistake_is_named(exercise, mutations, hint):
    answer, grading_test = _nb05_answer(exercise, mutations)
    with pytest.raises(AssertionError) as failure:
        grading_test(answer)
    assert hint in str(failure.value), str(failure.value)


def test_nb05_every_exercise_names_at_least_three_mistakes():
    counts = {e: sum(1 for m in NB05_MISTAKES if m[0] == e) for e in _NB05}
    assert all(c >= 3 for c in counts.values()), counts


@pytest.mark.parametrize(("name", "source", "test_name", "reference"), [
    ("Sequential", "class Sequential(nn.Sequential):\n"
                   "    def __init__(self, layers):\n        super().__init__(*layers)\n",
     "test_sequential", "Sequential"),
    ("Linear", "Linear = nn.Linear\n", "test_linear_module", "Linear"),
    ("Linear", "class Linear:\n    def __init__(self, n_in, n_out, seed=None):\n"
               "        self.inner = nn.Linear(n_in, n_out, seed=seed)\n"
               "        self.W, self.b = self.inner.W, self.inner.b\n"
               "        self.params = self.inner.params\n"
               "    def forward(self, x):\n        return self.inner.forward(x)\n"
               "    def backward(self, dout):\n        return self.inner.backward(dout)\n",
     "test_linear_module", "Linear"),
    ("ReLU", "class ReLU(nn.ReLU):\n    pass\n", "test_relu_module", "ReLU"),
    ("SoftmaxCrossEntropy", "SoftmaxCrossEntropy = nn.SoftmaxCrossEntropy\n",
     "test_loss_module", "SoftmaxCrossEntropy"),
])
def test_nb05_delegating_to_the_reference_modules_earns_nothing(name, source, test_name,
                                                                reference):
    from bpcourse import layers, nn
    from bpcourse.grading import DelegationDetected, nb05

    scope = {"np": np, "nn": nn, "layers": layers}
    exec(compile(source, "<answer cell>", "exec"), scope)
    with pytest.raises(DelegationDetected, match=reference):
        getattr(nb05, test_name)(scope[name])


def test_nb05_modules_may_build_on_the_functional_layers():
    """The design: Linear, ReLU and the loss call bpcourse.layers' functions, and that passes."""
    from bpcourse import layers

    for exercise in ("linear", "relu", "loss"):
        answer, grading_test = _nb05_answer(exercise)
        assert "layers" in answer.forward.__code__.co_names
        assert answer.forward.__globals__["layers"] is layers
        grading_test(answer)


def test_nb05_grading_is_quiet(capfd):
    """nbgrader scores a test cell 0 on any stderr: a failing answer prints nothing."""
    answer, grading_test = _nb05_answer("sequential", [(
        "for layer in reversed(self.layers):", "for layer in self.layers:")])
    with pytest.raises(AssertionError):
        grading_test(answer)
    assert capfd.readouterr() == ("", "")


# ----- notebooks 01-03 (owned by the 01-03 engineer) -----

def _answer_0103(builder: str, const: str, names: tuple, mutations=(), source: str | None = None):
    """The notebook's answer cell (or `source`), with each (old, new) replaced exactly once."""
    import math
    import random

    text = getattr(_builder(builder), const) if source is None else source
    for old, new in mutations:
        assert text.count(old) == 1, f"{old!r} is not exactly once in the {const} solution"
        text = text.replace(old, new)
    scope = {"np": np, "math": math, "random": random, "__name__": "learner"}
    exec(compile(text, "<answer cell>", "exec"), scope)
    return tuple(scope[n] for n in names)


_PREORDER = '''
        self.grad = 1.0

        def visit(node):
            node._backward()
            for child in node._prev:
                visit(child)

        visit(self)
'''
_WHOLE_ARRAY = '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        saved = x.copy()
        x += h
        f_plus = f(x)
        x -= 2 * h
        f_minus = f(x)
        x[...] = saved
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
'''
_FIRST_AXIS = '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(len(x)):
        old = np.copy(x[i])
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
'''
_RATIO_OF_MAXIMA = '''
def rel_error(a, b):
    return float(np.max(np.abs(a - b)) / max(1e-8, np.max(np.abs(a) + np.abs(b))))
'''


def _backward_body(new_body: str):
    """Mutation replacing the solution's backward() body (between the markers)."""
    source = _builder("nb03_scalar_autograd").VALUE
    start = source.index("### BEGIN SOLUTION", source.index("def backward(self)"))
    start = source.index("\n", start) + 1
    end = source.index("        ### END SOLUTION", start)
    return [(source[start:end], new_body.lstrip("\n"))]


_NG, _RE = ("numerical_gradient",), ("rel_error",)
_V = ("Value",)
# (label, builder, constant, names, grading test, mutations or None, full source or None, hint)
MISTAKES_0103 = [
    ("forward difference", "nb01_numerical_gradients", "NUMERICAL_GRADIENT", _NG,
     "test_numerical_gradient",
     [("        x[i] = old - h\n", "        x[i] = old\n"),
      ("(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / h")], None,
     "a forward difference"),
    ("h instead of 2h", "nb01_numerical_gradients", "NUMERICAL_GRADIENT", _NG,
     "test_numerical_gradient", [("/ (2 * h)", "/ h")], None, "divided by h instead of 2h"),
    ("not restored", "nb01_numerical_gradients", "NUMERICAL_GRADIENT", _NG,
     "test_numerical_gradient", [("x[i] = old                     # restore", "# restore")], None,
     "the input is not restored"),
    ("whole array", "nb01_numerical_gradients", None, _NG, "test_numerical_gradient", (),
     _WHOLE_ARRAY, "the whole array was perturbed at once"),
    ("first axis only", "nb01_numerical_gradients", None, _NG, "test_numerical_gradient", (),
     _FIRST_AXIS, "the loop runs over the first axis only"),
    ("h ignored", "nb01_numerical_gradients", "NUMERICAL_GRADIENT", _NG,
     "test_numerical_gradient_step",
     [("x[i] = old + h", "x[i] = old + 1e-5"), ("x[i] = old - h", "x[i] = old - 1e-5"),
      ("/ (2 * h)", "/ (2 * 1e-5)")], None, "the h argument is ignored"),
    ("no floor", "nb01_numerical_gradients", "REL_ERROR", _RE, "test_rel_error",
     [("np.maximum(1e-8, np.abs(a) + np.abs(b))", "(np.abs(a) + np.abs(b))")], None,
     "0/0 where a and b are both 0"),
    ("mean", "nb01_numerical_gradients", "REL_ERROR", _RE, "test_rel_error",
     [("float(np.max(", "float(np.mean(")], None, "the mean over elements instead of the max"),
    ("|a+b|", "nb01_numerical_gradients", "REL_ERROR", _RE, "test_rel_error",
     [("np.maximum(1e-8, np.abs(a) + np.abs(b))", "np.maximum(1e-8, np.abs(a + b))")], None,
     "|a + b| in the denominator"),
    ("numerator abs", "nb01_numerical_gradients", "REL_ERROR", _RE, "test_rel_error",
     [("np.abs(a - b) /", "(a - b) /")], None, "no abs in the numerator"),
    ("ratio of maxima", "nb01_numerical_gradients", None, _RE, "test_rel_error", (),
     _RATIO_OF_MAXIMA, "the ratio of the maxima"),
    ("array returned", "nb01_numerical_gradients", "REL_ERROR", _RE, "test_rel_error",
     [("return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))",
       "return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))")], None,
     "return one number, the max"),
    ("dz other factor", "nb02_chain_rule", "GRAD_ADD_MUL", ("grad_add_mul",), "test_grad_add_mul",
     [("df_dz = q * df_df", "df_dz = z * df_df")], None, "OTHER factor"),
    ("local + is 1", "nb02_chain_rule", "GRAD_ADD_MUL", ("grad_add_mul",), "test_grad_add_mul",
     [("df_dx = 1.0 * df_dq", "df_dx = q"), ("df_dy = 1.0 * df_dq", "df_dy = q"),
      ("df_dz = q * df_df", "df_dz = q")], None, "the local gradient of + is 1"),
    ("sigma not sigma'", "nb02_chain_rule", "GRAD_SIGMOID_NEURON", ("grad_sigmoid_neuron",),
     "test_grad_sigmoid_neuron", [("dz = s * (1.0 - s) * 1.0", "dz = s")], None,
     "σ(z)·(1 − σ(z)), not σ(z)"),
    ("w and x swapped", "nb02_chain_rule", "GRAD_SIGMOID_NEURON", ("grad_sigmoid_neuron",),
     "test_grad_sigmoid_neuron",
     [("dw0, dx0 = x0 * dz, w0 * dz", "dw0, dx0 = w0 * dz, x0 * dz"),
      ("dw1, dx1 = x1 * dz, w1 * dz", "dw1, dx1 = w1 * dz, x1 * dz")], None, "swapped"),
    ("only direct path", "nb02_chain_rule", "GRAD_FORK", ("grad_fork",), "test_grad_fork",
     [("df_dx += 1.0 * df_dq", "pass")], None, "kept only the direct path"),
    ("only path via q", "nb02_chain_rule", "GRAD_FORK", ("grad_fork",), "test_grad_fork",
     [("df_dx = q                  # the direct", "df_dx = 0.0  # the direct")], None,
     "kept only the path through q"),
    ("= not +=", "nb03_scalar_autograd", "VALUE", _V, "test_value_basics",
     [("self.grad += out.grad              #", "self.grad = out.grad  #"),
      ("other.grad += out.grad             #", "other.grad = out.grad  #"),
      ("self.grad += other.data * out.grad", "self.grad = other.data * out.grad"),
      ("other.grad += self.data * out.grad", "other.grad = self.data * out.grad")], None,
     "`=` instead of `+=`"),
    ("forward order", "nb03_scalar_autograd", "VALUE", _V, "test_value_basics",
     [("for node in reversed(order):", "for node in order:")], None, "forward order"),
    ("forward order (ops)", "nb03_scalar_autograd", "VALUE", _V, "test_value_ops",
     [("for node in reversed(order):", "for node in order:")], None, "forward order"),
    ("no topological order", "nb03_scalar_autograd", "VALUE", _V, "test_value_basics",
     "preorder", None, "no topological order"),
    ("recursive order", "nb03_scalar_autograd", "VALUE", _V, "test_value_deep",
     "recursive", None, "recursion limit"),
    ("no seed", "nb03_scalar_autograd", "VALUE", _V, "test_value_basics",
     [("self.grad = 1.0                  # dL/dL = 1", "pass")], None, "seed the output's grad"),
    ("no seed (deep)", "nb03_scalar_autograd", "VALUE", _V, "test_value_deep",
     [("self.grad = 1.0                  # dL/dL = 1", "pass")], None, "seed the output's grad"),
    ("shared visited set", "nb03_scalar_autograd", "VALUE", _V, "test_value_second_backward",
     [("order, visited = [], set()", "order, visited = [], _SEEN"),
      ("class Value:", "_SEEN = set()\n\n\nclass Value:")], None,
     "outlives one call"),
    ("no upstream", "nb03_scalar_autograd", "VALUE", _V, "test_value_ops",
     [("(1.0 - t * t) * out.grad", "(1.0 - t * t)")], None, "upstream gradient is not multiplied"),
    ("tanh 1-a²", "nb03_scalar_autograd", "VALUE", _V, "test_value_ops",
     [("(1.0 - t * t) * out.grad", "(1.0 - self.data ** 2) * out.grad")], None,
     "not 1 - a**2"),
    ("mul swapped", "nb03_scalar_autograd", "VALUE", _V, "test_value_basics",
     [("self.grad += other.data * out.grad", "self.grad += self.data * out.grad"),
      ("other.grad += self.data * out.grad", "other.grad += other.data * out.grad")], None,
     "local derivatives are swapped"),
    ("power rule n", "nb03_scalar_autograd", "VALUE", _V, "test_value_ops",
     [("exponent * self.data ** (exponent - 1) * out.grad",
       "self.data ** (exponent - 1) * out.grad")], None, "the factor n is missing"),
    ("exp", "nb03_scalar_autograd", "VALUE", _V, "test_value_ops",
     [("self.grad += out.data * out.grad", "self.grad += self.data * out.grad")], None,
     "which is out.data"),
    ("relu mask", "nb03_scalar_autograd", "VALUE", _V, "test_value_ops",
     [("self.grad += (out.data > 0) * out.grad", "self.grad += out.grad")], None,
     "only where the input is > 0"),
    ("rsub order", "nb03_scalar_autograd", "VALUE", _V, "test_value_rest",
     [("return (-self) + other", "return self - other")], None, "__rsub__ computes other - self"),
    ("rtruediv order", "nb03_scalar_autograd", "VALUE", _V, "test_value_rest",
     [("return self ** -1 * other", "return self / other")], None,
     "__rtruediv__ computes other / self"),
]


def _mistake_answer(builder, const, names, mutations, source):
    if mutations == "preorder":
        mutations = _backward_body(_PREORDER)
    elif mutations == "recursive":
        mutations = _backward_body(RECURSIVE_TOPO)
    return _answer_0103(builder, const, names, mutations, source)


_NB0103_EXERCISES = [  # (builder, constant, names, grading tests)
    ("nb01_numerical_gradients", "NUMERICAL_GRADIENT", _NG,
     ["test_numerical_gradient", "test_numerical_gradient_step"]),
    ("nb01_numerical_gradients", "REL_ERROR", _RE, ["test_rel_error"]),
    ("nb02_chain_rule", "GRAD_ADD_MUL", ("grad_add_mul",), ["test_grad_add_mul"]),
    ("nb02_chain_rule", "GRAD_SIGMOID_NEURON", ("grad_sigmoid_neuron",),
     ["test_grad_sigmoid_neuron"]),
    ("nb02_chain_rule", "GRAD_FORK", ("grad_fork",), ["test_grad_fork"]),
    ("nb03_scalar_autograd", "VALUE", _V, ["test_value_basics", "test_value_second_backward",
                                           "test_value_deep", "test_value_ops",
                                           "test_value_rest"]),
]


def _grading_module(builder: str):
    import importlib

    return importlib.import_module(f"bpcourse.grading.nb{builder[2:4]}")


@pytest.mark.parametrize(("builder", "const", "names", "tests"), _NB0103_EXERCISES,
                         ids=[e[1].lower() for e in _NB0103_EXERCISES])
def test_nb01_03_solution_passes(builder, const, names, tests):
    answers = _answer_0103(builder, const, names)
    for name in tests:
        getattr(_grading_module(builder), name)(*answers)


@pytest.mark.parametrize(("label", "builder", "const", "names", "test", "mutations", "source",
                          "hint"), MISTAKES_0103, ids=[m[0] for m in MISTAKES_0103])
def test_nb01_03_mistake_is_named(label, builder, const, names, test, mutations, source, hint):
    answers = _mistake_answer(builder, const, names, mutations, source)
    with pytest.raises(AssertionError) as failure, np.errstate(all="ignore"):
        getattr(_grading_module(builder), test)(*answers)
    assert hint in str(failure.value), str(failure.value)


def test_nb01_nb03_every_exercise_names_at_least_three_mistakes():
    counts = {}
    for m in MISTAKES_0103:
        if m[1].startswith(("nb01", "nb03")):
            counts[m[3]] = counts.get(m[3], 0) + 1
    assert counts == {_NG: counts[_NG], _RE: counts[_RE], _V: counts[_V]}, counts
    assert min(counts.values()) >= 3, counts


def _micrograd_with_exp_and_tanh():
    """micrograd's engine, as published, plus exp() and tanh() written in its own style."""
    import inspect

    engine = pytest.importorskip("micrograd.engine", reason="micrograd (the [bench] extra)")
    source = inspect.getsource(engine) + '''

def _exp(self):
    out = Value(math.exp(self.data), (self,), 'exp')
    def _backward():
        self.grad += out.data * out.grad
    out._backward = _backward
    return out

def _tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), 'tanh')
    def _backward():
        self.grad += (1 - t**2) * out.grad
    out._backward = _backward
    return out

Value.exp, Value.tanh = _exp, _tanh
'''
    return _answer_0103("nb03_scalar_autograd", None, _V, source="import math\n" + source)[0]


def test_nb03_micrograd_semantics_pass_except_depth():
    """micrograd's Value (its backward() sets grad = 1 and recurses) passes every test but the
    deep chain, where the hint names the recursion limit."""
    from bpcourse.grading import nb03

    Value = _micrograd_with_exp_and_tanh()
    nb03.test_value_basics(Value)
    nb03.test_value_second_backward(Value)
    nb03.test_value_ops(Value)
    nb03.test_value_rest(Value)
    with pytest.raises(AssertionError, match="recursion limit"):
        nb03.test_value_deep(Value)


def test_nb03_package_semantics_pass():
    """bpcourse.autograd's rules (interior grads reset, leaves accumulate) pass too, when the
    same source is the learner's own class."""
    import inspect

    from bpcourse import autograd
    from bpcourse.grading import nb03

    (Value,) = _answer_0103("nb03_scalar_autograd", None, _V, source=inspect.getsource(autograd))
    for name in ("test_value_basics", "test_value_second_backward", "test_value_deep",
                 "test_value_ops", "test_value_rest"):
        getattr(nb03, name)(Value)


@pytest.mark.parametrize("source", [
    "import bpcourse\nclass Value(bpcourse.Value):\n    pass\n",
    pytest.param("from micrograd.engine import Value as _V\nclass Value(_V):\n    pass\n",
                 marks=pytest.mark.skipif(importlib.util.find_spec("micrograd") is None,
                                          reason="micrograd (the [bench] extra)")),
    "from bpcourse.autograd import Value\n",
], ids=["subclass of bpcourse.Value", "subclass of micrograd", "the package's Value itself"])
def test_nb03_delegating_to_an_engine_earns_nothing(source):
    from bpcourse.grading import DelegationDetected, nb03

    (Value,) = _answer_0103("nb03_scalar_autograd", None, _V, source=source)
    with pytest.raises(DelegationDetected):
        nb03.test_value_ops(Value)


def test_nb03_stage_one_alone_earns_its_points():
    """Stage 1 (+, *, backward) passes its tests while stages 2 and 3 are still the release's
    placeholders: its tests use nothing else, and the later stages' tests fail, saying so."""
    from bpcourse.grading import nb03

    builder = _builder("nb03_scalar_autograd")
    release = [re.sub(r"( *)### BEGIN SOLUTION.*?### END SOLUTION",
                      r"\1raise NotImplementedError()", part, flags=re.S)
               for part in (builder.VALUE_OPS, builder.VALUE_REST)]
    (Value,) = _answer_0103("nb03_scalar_autograd", None, _V,
                            source=builder.VALUE_BASICS + "".join(release))
    for name in ("test_value_basics", "test_value_second_backward", "test_value_deep"):
        getattr(nb03, name)(Value)
    for name in ("test_value_ops", "test_value_rest"):
        with pytest.raises(AssertionError, match="not written yet"):
            getattr(nb03, name)(Value)


# ----- notebook 03: the network on the learner's engine -----

_NET = ("Neuron", "Layer", "MLP")
# (label, [(old, new) in the notebook's NETWORK solution], words the hint must contain)
NB03_NETWORK_MISTAKES = [
    ("parameters without biases", [("return self.w + [self.b]", "return self.w")],
     "misses the biases"),
    ("last layer nonlinear", [("nonlin=i != len(nouts) - 1)", "nonlin=True)")],
     "the last layer is nonlinear"),
    ("one neuron reused", [("[Neuron(nin, **kwargs) for _ in range(nout)]",
                            "[Neuron(nin, **kwargs)] * nout")], "reuses one neuron"),
    ("hidden layers linear", [("return act.tanh() if self.nonlin else act", "return act")],
     "the hidden layers are linear"),
    ("no bias in forward", [("zip(self.w, x)), self.b)", "zip(self.w, x)), 0.0)")],
     "the bias is not added"),
    ("graph cut", [("return act.tanh() if self.nonlin else act",
                    "return Value(act.data).tanh() if self.nonlin else act")],
     "no gradient reaches them"),
    ("every layer has nin inputs", [("Layer(sizes[i], sizes[i + 1]", "Layer(nin, sizes[i + 1]")],
     "must be Layer(sizes["),
]


def _network(mutations=(), source=None):
    builder = _builder("nb03_scalar_autograd")
    network = builder.NETWORK if source is None else source
    for old, new in mutations:
        assert network.count(old) == 1, f"{old!r} is not exactly once in the NETWORK solution"
        network = network.replace(old, new)
    return _answer_0103("nb03_scalar_autograd", None, _NET, source=builder.VALUE + network)


def test_nb03_network_solution_passes():
    from bpcourse.grading import nb03

    nb03.test_mlp(*_network())


@pytest.mark.parametrize(("label", "mutations", "hint"), NB03_NETWORK_MISTAKES,
                         ids=[m[0] for m in NB03_NETWORK_MISTAKES])
def test_nb03_network_mistake_is_named(label, mutations, hint):
    from bpcourse.grading import nb03

    with pytest.raises(AssertionError) as failure, np.errstate(all="ignore"):
        nb03.test_mlp(*_network(mutations))
    assert hint in str(failure.value), str(failure.value)


def test_nb03_network_names_at_least_three_mistakes():
    assert len(NB03_NETWORK_MISTAKES) >= 3


def test_nb03_network_with_relu_and_other_code_passes():
    """micrograd's own choice (relu hidden layers) and another way to write it pass too."""
    from bpcourse.grading import nb03

    nb03.test_mlp(*_network([
        ("return act.tanh() if self.nonlin else act", "return act.relu() if self.nonlin else act"),
        ("return [p for layer in self.layers for p in layer.parameters()]",
         "params = []\n        for layer in reversed(self.layers):\n"
         "            params += layer.parameters()\n        return params")]))


@pytest.mark.parametrize("source", [
    "import micrograd.nn\nclass Neuron(micrograd.nn.Neuron):\n    pass\n"
    "class Layer(micrograd.nn.Layer):\n    pass\nclass MLP(micrograd.nn.MLP):\n    pass\n",
    "from micrograd.nn import Neuron, Layer, MLP\n",
], ids=["subclasses of micrograd.nn", "micrograd.nn itself"])
def test_nb03_network_delegating_earns_nothing(source):
    pytest.importorskip("micrograd.nn", reason="micrograd (the [bench] extra)")
    from bpcourse.grading import DelegationDetected, nb03

    with pytest.raises(DelegationDetected):
        nb03.test_mlp(*_network(source=source))


def test_nb03_network_on_the_package_value_earns_nothing():
    from bpcourse.grading import DelegationDetected, nb03

    Neuron, Layer, MLP = _network(source="from bpcourse import Value\n"
                                  + _builder("nb03_scalar_autograd").NETWORK)
    with pytest.raises(DelegationDetected, match="your own Value"):
        nb03.test_mlp(Neuron, Layer, MLP)


def test_nb03_network_release_placeholder_fails():
    from bpcourse.grading import nb03

    release = re.sub(r"( *)### BEGIN SOLUTION.*?### END SOLUTION",
                     r"\1raise NotImplementedError()", _builder("nb03_scalar_autograd").NETWORK,
                     flags=re.S)
    with pytest.raises(AssertionError, match="not written yet"):
        nb03.test_mlp(*_network(source=release))


def test_nb01_delegating_to_numgrad_earns_nothing():
    from bpcourse.grading import DelegationDetected, nb01

    (numerical_gradient,) = _answer_0103(
        "nb01_numerical_gradients", None, _NG,
        source="import bpcourse\ndef numerical_gradient(f, x, h=1e-5):\n"
               "    return bpcourse.numerical_gradient(f, x, h)\n")
    with pytest.raises(DelegationDetected, match="numgrad.numerical_gradient"):
        nb01.test_numerical_gradient(numerical_gradient)


def test_nb01_03_release_placeholders_fail():
    """What the release ships (the solution replaced by raise NotImplementedError) fails."""
    for builder, const, names, tests in _NB0103_EXERCISES:
        source = getattr(_builder(builder), const)
        release = re.sub(r"( *)### BEGIN SOLUTION.*?### END SOLUTION",
                         r"\1raise NotImplementedError()", source, flags=re.S)
        answers = _answer_0103(builder, const, names, source=release)
        for name in tests:
            with pytest.raises(AssertionError, match="not written yet"):
                getattr(_grading_module(builder), name)(*answers)


def test_nb01_03_oracles_agree_with_central_differences():
    """The analytic oracles of nb01 and the float64 model of nb03 are themselves right."""
    from bpcourse.grading import nb01, nb03
    from bpcourse.numgrad import numerical_gradient

    rng = np.random.default_rng(7)
    for shape in [(3,), (2, 5), (2, 3, 2)]:
        f, x, exact = nb01._smooth_problem(rng, shape)
        assert np.allclose(exact(x), numerical_gradient(f, x.copy()), rtol=1e-7, atol=1e-9)
    for _, expr in nb03._GRAPHS:
        point = rng.uniform(0.3, 1.0, size=2)
        _, numeric = nb03._oracle(expr, point)
        assert np.allclose(nb03._model(expr, point, "ok"), numeric, rtol=1e-6, atol=1e-9)


def test_nb01_03_grading_is_quiet(capfd):
    """nbgrader scores a test cell 0 on any stderr output: failing answers print nothing."""
    for label in ("forward difference", "no floor", "= not +=", "recursive order"):
        m = next(m for m in MISTAKES_0103 if m[0] == label)
        answers = _mistake_answer(m[1], m[2], m[3], m[5], m[6])
        with pytest.raises(AssertionError), np.errstate(all="ignore"):
            getattr(_grading_module(m[1]), m[4])(*answers)
    assert capfd.readouterr() == ("", "")


# ----- notebook 06: the cost of backprop (owned by the 04-06 engineer) -----

def _nb06_answers(mutations=()):
    from bpcourse.grading import nb06

    builder = _builder("nb06_cost_of_backprop")
    source = builder.COUNT_PARAMS + builder.PASSES + builder.NUMERIC
    for old, new in mutations:
        assert source.count(old) == 1, f"{old!r} is not exactly once in the 06 solutions"
        source = source.replace(old, new)
    return _define(source, "count_params", "forward_flops", "backward_flops",
                   "numeric_gradient_flops"), nb06


def test_nb06_solutions_pass():
    (count, forward, backward, numeric), nb06 = _nb06_answers()
    nb06.test_count_params(count)
    nb06.test_forward_backward_flops(forward, backward)
    nb06.test_numeric_gradient_flops(numeric)


NB06_MISTAKES = [
    ("count", ("d * m + m for d, m", "d * m for d, m"), "biases are missing"),
    ("count", ("d * m + m for d, m", "d * m + d for d, m"), "m_out entries (its outputs)"),
    ("forward", ("return 2 * n * count_params", "return n * count_params"), "factor 2"),
    ("forward", ("return 2 * n * count_params", "return 2 * count_params"), "n is missing"),
    ("backward", ("return 4 * n * count_params", "return 2 * n * count_params"),
     "two multiply-adds"),
    ("backward", ("return 4 * n * count_params", "return 6 * n * count_params"),
     "forward + backward"),
    ("numeric", ("return 2 * count_params(layer_sizes) * forward_flops",
                 "return count_params(layer_sizes) * forward_flops"), "forward difference"),
    ("numeric", ("return 2 * count_params(layer_sizes) * forward_flops",
                 "return 2 * count_params(layer_sizes) + forward_flops"), "multiply them"),
]


@pytest.mark.parametrize(("which", "mutation", "hint"), NB06_MISTAKES,
                         ids=[f"{w}-{h[:25]}" for w, _, h in NB06_MISTAKES])
def test_nb06_mistake_is_named(which, mutation, hint):
    answers, nb06 = _nb06_answers([mutation])
    count, forward, backward, numeric = answers
    run = {"count": lambda: nb06.test_count_params(count),
           "forward": lambda: nb06.test_forward_backward_flops(forward, backward),
           "backward": lambda: nb06.test_forward_backward_flops(forward, backward),
           "numeric": lambda: nb06.test_numeric_gradient_flops(numeric)}[which]
    with pytest.raises(AssertionError) as failure:
        run()
    assert hint in str(failure.value), str(failure.value)


def test_nb06_oracle_agrees_with_bpcourse_flops():
    """The grading's own formulas and bpcourse.flops' model agree on random MLPs, and the
    model tracks the exact operation count (bpcourse.flops.mlp_flops) for wide layers."""
    from bpcourse import flops
    from bpcourse.grading import nb06

    for seed in range(50):
        sizes, n = nb06.random_layer_sizes(seed)
        p = nb06._params(sizes)
        assert p == flops.count_params(sizes)
        assert 2 * n * p == flops.forward_flops(sizes, n)
        assert 4 * n * p == flops.backward_flops(sizes, n)
        assert 4 * n * p * p == flops.numeric_gradient_flops(sizes, n)
    for sizes, n in [([512, 512, 512], 64), ([1000, 1000, 10], 16)]:
        exact = flops.mlp_flops(sizes, n, input_grad=True)
        p = nb06._params(sizes)
        assert abs(exact["forward"] / (2 * n * p) - 1) < 0.01
        assert abs(exact["backward"] / (4 * n * p) - 1) < 0.01


def test_nb06_matmul_flops_match_the_definition():
    """Independent of both: count the multiplies and adds of a naive (n, D) @ (D, M) loop."""
    n, d, m = 3, 4, 5
    multiplies = adds = 0
    for _ in range(n):
        for _ in range(m):
            for _ in range(d):  # acc += x * w: a multiply-add
                multiplies += 1
                adds += 1
    from bpcourse.grading import nb06

    p_weights = nb06._weights([d, m])
    assert multiplies + adds == 2 * n * p_weights


def test_nb06_delegating_earns_nothing():
    from bpcourse.grading import DelegationDetected, nb06

    (count_params,) = _define("from bpcourse.flops import count_params as reference\n"
                              "def count_params(layer_sizes):\n"
                              "    return reference(layer_sizes)\n", "count_params")
    with pytest.raises(DelegationDetected):
        nb06.test_count_params(count_params)


def test_nb06_rejects_non_integer_counts():
    from bpcourse.grading import nb06

    with pytest.raises(AssertionError, match="not a whole number"):
        nb06.test_count_params(lambda sizes: 13.5)
    with pytest.raises(AssertionError, match="must return a number"):
        nb06.test_count_params(lambda sizes: None)


_DAG_OPS = {  # bounded, smooth operations (relu's kink is tested in nb03.test_value_ops)
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y.tanh(),
    "square": lambda x, y: x.tanh() ** 2,
    "exp": lambda x, y: x.tanh().exp(),
    "div": lambda x, y: x / (1 + y * y),
    "rsub": lambda x, y: 2 - x,
    "rdiv": lambda x, y: 1 / (2 + x.tanh()),
    "pow": lambda x, y: (1 + x * x) ** -1.5,
}


@settings(max_examples=60)
@given(program=st.lists(st.tuples(st.sampled_from(sorted(_DAG_OPS)), st.integers(0, 40),
                                  st.integers(0, 40)), min_size=1, max_size=14),
       point=st.tuples(st.floats(-1.5, 1.5), st.floats(-1.5, 1.5)))
def test_nb03_solution_and_oracle_agree_on_random_graphs(program, point):
    """On random graphs with reuse (any node may feed any later one), the notebook's Value,
    the grader's float64 model and central differences give the same gradients."""
    from bpcourse.grading import nb03

    (Value,) = _answer_0103("nb03_scalar_autograd", "VALUE", _V)

    def expr(V, a, b):
        nodes = [a, b]
        for op, i, j in program:
            nodes.append(_DAG_OPS[op](nodes[i % len(nodes)], nodes[j % len(nodes)]))
        return nodes[-1] * 1.0  # never a leaf itself

    leaves = [Value(p) for p in point]
    out = expr(Value, *leaves)
    out.backward()
    got = np.array([leaf.grad for leaf in leaves])
    value, numeric = nb03._oracle(expr, point)
    assert out.data == pytest.approx(value, rel=1e-12, abs=1e-12)
    assert np.allclose(got, nb03._model(expr, point, "ok"), rtol=1e-9, atol=1e-12)
    assert np.allclose(got, numeric, rtol=1e-5, atol=1e-6 * max(1.0, abs(value)))


def test_nb02_hard_coded_visible_answers_fail_the_hidden_tests():
    """The hidden tests use other inputs: returning the visible test's numbers earns nothing."""
    from bpcourse.grading import nb02

    cases = [("def grad_add_mul(x, y, z):\n    return (-4.0, -4.0, 3.0)\n", "grad_add_mul",
              nb02.test_grad_add_mul),
             ("def grad_fork(x, y):\n    return (5.0, 3.0)\n", "grad_fork", nb02.test_grad_fork)]
    for source, name, grading_test in cases:
        (answer,) = _answer_0103("nb02_chain_rule", None, (name,), source=source)
        with pytest.raises(AssertionError):
            grading_test(answer)


def test_nb06_accepts_numpy_and_float_arithmetic():
    """A right answer written with numpy ints or floats passes: counts are compared as ints."""
    from bpcourse.grading import nb06

    def count_params(layer_sizes):
        s = np.asarray(layer_sizes, dtype=float)
        return float(np.sum(s[:-1] * s[1:] + s[1:]))

    def forward_flops(layer_sizes, n):
        return np.int64(2) * n * int(count_params(layer_sizes))

    def backward_flops(layer_sizes, n):
        return 2.0 * forward_flops(layer_sizes, n)

    def numeric_gradient_flops(layer_sizes, n):
        return 2.0 * count_params(layer_sizes) * float(forward_flops(layer_sizes, n))

    nb06.test_count_params(count_params)
    nb06.test_forward_backward_flops(forward_flops, backward_flops)
    nb06.test_numeric_gradient_flops(numeric_gradient_flops)


# Other correct ways to write the 04/05 answers must pass too: the tests grade behaviour.
NB04_ALTERNATIVES = [
    ("linear", [("    cache = (x, W)\n", "    cache = {'x': x, 'W': W, 'b': b}\n"),
                ("    x, W = cache\n", "    x, W = cache['x'], cache['W']\n"),
                ("db = dout.sum(axis=0)", "db = np.sum(dout, axis=0)")]),
    ("relu", [("out = np.maximum(x, 0)", "out = x * (x > 0)"),
              ("dx = dout * (x > 0)", "dx = dout.copy(); dx[x <= 0] = 0")]),
    ("sigmoid", [("z = np.exp(-np.abs(x))  # in (0, 1]: never overflows", "z = None"),
                 ("out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
                  "out = np.exp(-np.logaddexp(0, -x))"),
                 ("    cache = out\n", "    cache = x\n"),
                 ("    s = cache\n", "    s = np.exp(-np.logaddexp(0, -cache))\n")]),
    ("softmax", [("    dlogits = np.exp(log_p)\n    dlogits[np.arange(N), y] -= 1\n"
                  "    dlogits /= N\n",
                  "    onehot = np.zeros_like(logits); onehot[np.arange(N), y] = 1\n"
                  "    dlogits = (np.exp(log_p) - onehot) / N\n")]),
    ("mse", [("loss = np.mean(diff ** 2)", "loss = (diff * diff).sum() / diff.size"),
             ("dpred = 2 * diff / diff.size", "dpred = 2.0 / np.prod(diff.shape) * diff")]),
]


@pytest.mark.parametrize(("exercise", "mutations"), NB04_ALTERNATIVES,
                         ids=[e for e, _ in NB04_ALTERNATIVES])
def test_nb04_other_correct_answers_pass(exercise, mutations):
    answers, grading_test = _nb04_answer(exercise, mutations)
    grading_test(*answers)


NB05_ALTERNATIVES = [
    ("linear", [(_TO_W, "self.W.grad = self.W.grad + dW"),
                ("out, self.cache = layers.linear_forward(x, self.W.data, self.b.data)\n"
                 "        return out",
                 "self.x = x\n        return x @ self.W.data + self.b.data"),
                ("dx, dW, db = layers.linear_backward(dout, self.cache)",
                 "dx, dW, db = dout @ self.W.data.T, self.x.T @ dout, dout.sum(axis=0)")]),
    ("relu", [("return layers.relu_backward(dout, self.cache)",
               "return np.where(self.cache > 0, dout, 0.0)")]),
    ("sequential", [("    @property\n    def params(self):", "    def all_params(self):"),
                    ("        self.layers = list(layers)\n",
                     "        self.layers = list(layers)\n"
                     "        self.params = [p for layer in self.layers for p in layer.params]\n"),
                    ("        for p in self.params:\n            p.grad[...] = 0",
                     "        for layer in self.layers:\n            for p in layer.params:\n"
                     "                p.grad = np.zeros_like(p.grad)")]),
    ("sgd", [(_STEP, "p.data[...] = p.data - lr * p.grad\n")]),
    ("sgd", [(_STEP, "np.subtract(p.data, lr * p.grad, out=p.data)\n")]),
    ("norms", [("return [float(np.sqrt(sum(np.sum(p.grad ** 2) for p in layer.params)))\n"
                "            for layer in model.layers if layer.params]",
                "return np.array([np.linalg.norm(np.concatenate([p.grad.ravel() for p in "
                "layer.params]))\n            for layer in model.layers if layer.params])")]),
]


@pytest.mark.parametrize(("exercise", "mutations"), NB05_ALTERNATIVES,
                         ids=[f"{e}-{i}" for i, (e, _) in enumerate(NB05_ALTERNATIVES)])
def test_nb05_other_correct_answers_pass(exercise, mutations):
    answer, grading_test = _nb05_answer(exercise, mutations)
    grading_test(answer)


# ----- notebook 06: forward mode and memory (issue 10) -----

def _nb06_new_answers(mutations=()):
    """The notebook's Dual, forward_mode_gradient and activation_memory, optionally mutated."""
    import math

    from bpcourse.grading import nb06

    builder = _builder("nb06_cost_of_backprop")
    source = builder.DUAL + builder.FORWARD_MODE + builder.ACTIVATION_MEMORY
    for old, new in mutations:
        assert source.count(old) == 1, f"{old!r} is not exactly once in the 06 solutions"
        source = source.replace(old, new)
    scope = {"np": np, "math": math}
    exec(compile(source, "<answer cells>", "exec"), scope)
    return (scope["Dual"], scope["forward_mode_gradient"], scope["activation_memory"]), nb06


def test_nb06_forward_mode_and_memory_solutions_pass():
    (dual, gradient, memory), nb06 = _nb06_new_answers()
    nb06.test_dual(dual)
    nb06.test_forward_mode_gradient(gradient)
    nb06.test_activation_memory(memory)


_QUOTIENT_SIGN = ("        return self * other ** -1\n",
                  "        other = other if isinstance(other, Dual) else Dual(other)\n"
                  "        return Dual(self.value / other.value, (self.tangent * other.value"
                  " + self.value * other.tangent) / other.value ** 2)\n")
_CENTRAL = ("        grad[i] = f(inputs).tangent\n",
            "        up, down = list(map(float, x)), list(map(float, x))\n"
            "        up[i] += 1e-6\n        down[i] -= 1e-6\n"
            "        grad[i] = (f(up) - f(down)) / 2e-6\n")
NB06_NEW_MISTAKES = [
    ("dual", ("self.tangent * other.value + self.value * other.tangent)",
              "self.tangent * other.tangent)"), "needs the product rule"),
    ("dual", ("self.tangent * other.value + self.value * other.tangent)",
              "self.tangent + other.tangent)"), "not a' + b'"),
    ("dual", ("return Dual(e, e * self.tangent)", "return Dual(e, e)"), "(the chain rule)"),
    ("dual", ("(1 - t * t) * self.tangent)", "(1 - t * t))"), "(the chain rule)"),
    ("dual", ("return (-self) + other", "return Dual(other - self.value, self.tangent)"),
     "reflected 3 − a"),
    ("dual", _QUOTIENT_SIGN, "the sign in the quotient rule"),
    ("gradient", ("Dual(v, 1.0 if j == i else 0.0)", "Dual(v, 1.0)"),
     "seeds every tangent at once"),
    ("gradient", ("    grad = np.zeros(len(x))\n",
                  "    return f([Dual(v, 1.0) for v in x]).tangent\n"),
     "seeds every tangent at once"),
    ("gradient", ("1.0 if j == i else 0.0", "1.0 if j <= i else 0.0"), "not reset"),
    ("gradient", ("grad[i] = f(inputs).tangent", "grad[i] = f(inputs).value"), "f's value"),
    ("gradient", _CENTRAL, "plain numbers"),
    ("memory", ("    return bytes_per_number * n * (linear_inputs + relu_inputs)",
                "    return bytes_per_number * sum(a * b + b for a, b in "
                "zip(layer_sizes, layer_sizes[1:]))"), "counts the parameters"),
    ("memory", ("linear_inputs = sum(layer_sizes[:-1])", "linear_inputs = sum(layer_sizes[1:-1])"),
     "the input is missing"),
    ("memory", ("return bytes_per_number * n * (", "return bytes_per_number * ("),
     "the batch is missing"),
    ("memory", ("relu_inputs = sum(layer_sizes[1:-1])", "relu_inputs = 0"), "two arrays"),
    ("memory", ("return bytes_per_number * n * (", "return n * ("), "count of numbers"),
]


@pytest.mark.parametrize(("which", "mutation", "hint"), NB06_NEW_MISTAKES,
                         ids=[f"{w}-{h[:25]}" for w, _, h in NB06_NEW_MISTAKES])
def test_nb06_forward_mode_and_memory_mistake_is_named(which, mutation, hint, capfd):
    (dual, gradient, memory), nb06 = _nb06_new_answers([mutation])
    run = {"dual": lambda: nb06.test_dual(dual),
           "gradient": lambda: nb06.test_forward_mode_gradient(gradient),
           "memory": lambda: nb06.test_activation_memory(memory)}[which]
    with pytest.raises(AssertionError) as failure:
        run()
    assert hint in str(failure.value), str(failure.value)
    assert capfd.readouterr() == ("", ""), "a failing test cell must stay quiet"


def test_nb06_forward_mode_gradient_uses_the_learners_dual_only():
    """Delegating to the package's numeric gradient or to reverse mode earns nothing."""
    from bpcourse.grading import DelegationDetected, nb06

    (gradient,) = _define("from bpcourse import numerical_gradient\n"
                          "def forward_mode_gradient(f, x):\n"
                          "    return numerical_gradient(lambda v: f(list(v)), np.array(x))\n",
                          "forward_mode_gradient")
    with pytest.raises(DelegationDetected):
        nb06.test_forward_mode_gradient(gradient)


def test_nb06_activation_memory_oracle_matches_what_numpy_holds():
    """The grader's definition is what bpcourse.layers really keeps: the bytes of the arrays in
    the caches of a forward pass (the input, then each hidden layer's two arrays)."""
    from bpcourse import cost
    from bpcourse.grading import nb06

    for sizes, n in [([5, 7, 3], 4), ([3, 8, 6, 2], 5), ([4, 2], 3)]:
        model = cost.build_mlp(sizes)
        x = np.random.default_rng(0).standard_normal((n, sizes[0]))
        model.forward(x)
        cached = {}
        for layer in model.layers:
            arrays = layer._cache if isinstance(layer._cache, tuple) else (layer._cache,)
            for a in arrays[:1]:  # a Linear's (x, W): x is the activation, W a parameter
                cached[id(a)] = a.nbytes
        assert sum(cached.values()) == 8 * nb06._activations(sizes, n)


def test_nb06_dual_accepts_other_correct_styles():
    """A Dual written without reusing the primitives (its own quotient rule) passes too: the
    corpus's alternative style (tests/corpus/nb06.py), graded here without a notebook."""
    import math

    from corpus.nb06 import ALTERNATIVES

    from bpcourse.grading import nb06

    scope = {"math": math}
    exec(ALTERNATIVES["dual"], scope)
    nb06.test_dual(scope["Dual"])


# ----- notebook 07: the capstone (owned by the 07 engineer) -----

_NB07_EXERCISES = {  # exercise: (source constant, function names, grading test)
    "batchnorm": ("BATCHNORM", ("batchnorm_forward", "batchnorm_backward"), "test_batchnorm"),
    "layernorm": ("LAYERNORM", ("layernorm_forward", "layernorm_backward"), "test_layernorm"),
    "conv1d": ("CONV1D", ("conv1d_forward", "conv1d_backward"), "test_conv1d"),
}
_SOLUTION = re.compile(r"### BEGIN SOLUTION\n.*?### END SOLUTION\n", re.S)
# The compact formula (the recap after exercise 1), over `axis`: another correct style.
_COMPACT = """### BEGIN SOLUTION
    std = np.sqrt(var + eps)
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    g = dout * gamma
    dx = (g - g.mean(axis=AXIS, keepdims=True)
          - x_hat * (g * x_hat).mean(axis=AXIS, keepdims=True)) / std
    ### END SOLUTION
"""


def _nb07_solution(const: str) -> str:
    return _SOLUTION.search(getattr(_builder("nb07_capstone"), const)).group(0)


def _compact(axis: int) -> str:
    return _COMPACT.replace("AXIS", str(axis))


def _nb07_answer(exercise: str, mutations=(), solution: str | None = None):
    from bpcourse.grading import nb07

    const, names, test_name = _NB07_EXERCISES[exercise]
    source = getattr(_builder("nb07_capstone"), const)
    # The learner writes only the backward pass: mutate the solution region, or replace it
    # (e.g. with batch norm's, pasted into layer norm).
    region = _nb07_solution(const) if solution is None else solution
    for old, new in mutations:
        assert region.count(old) == 1, f"{old!r} is not exactly once in the {const} solution"
        region = region.replace(old, new)
    return _define(_SOLUTION.sub(lambda _: region, source), *names), getattr(nb07, test_name)


@pytest.mark.parametrize("exercise", sorted(_NB07_EXERCISES))
def test_nb07_solution_passes(exercise):
    answers, grading_test = _nb07_answer(exercise)
    grading_test(*answers)


_VAR_PATH = "dxc += dvar * 2 * xc / {}"  # the variance path, to cut with "pass  # "
# (exercise, mutations, replacement solution or None, words the hint must contain)
NB07_MISTAKES = [
    ("batchnorm", [("dx = dxc + dmu / N", "dx = dxc")], None, "mean's dependence on x is ignored"),
    ("batchnorm", [(_VAR_PATH.format("N") + " ", "pass  # ")], None, "variance path is dropped"),
    ("batchnorm", [("dxc += dvar * 2 * xc / N", "dxc += dvar * 2 * xc / (N - 1)")], None,
     "N−1 in the variance's derivative"),
    ("batchnorm", [("std = np.sqrt(var + eps) ", "std = np.sqrt(var) ")], None,
     "ε is forgotten in the backward pass"),
    ("batchnorm", [(_VAR_PATH.format("N") + " ", "pass  # "), ("dx = dxc + dmu / N", "dx = dxc")],
     None, "treated as constants"),
    ("batchnorm", [("dbeta = dout.sum(axis=0)", "dbeta = dout.mean(axis=0)")], None,
     "dbeta averaged over the batch"),
    ("batchnorm", [("dgamma = (dout * x_hat).sum(axis=0)", "dgamma = (dout * xc).sum(axis=0)")],
     None, "dgamma uses xc"),
    ("batchnorm", [("g - g.mean(axis=0, keepdims=True)", "g")], _compact(0),
     "mean's dependence on x is ignored"),
    ("batchnorm", [("- x_hat * (g * x_hat).mean(axis=0, keepdims=True)", "")], _compact(0),
     "variance path is dropped"),
    ("batchnorm", [("std = np.sqrt(var + eps)", "std = np.sqrt(var)")], _compact(0),
     "ε is forgotten"),
    ("layernorm", [], _nb07_solution("BATCHNORM"), "wrong axis"),
    ("layernorm", [], _compact(0), "wrong axis"),
    ("layernorm", [("dgamma = (dout * x_hat).sum(axis=0)", "dgamma = (dout * x_hat).sum(axis=1)")],
     None, "dgamma summed over the wrong axis"),
    ("layernorm", [("dbeta = dout.sum(axis=0)", "dbeta = dout.sum(axis=1)")], None,
     "dbeta summed over the wrong axis"),
    ("layernorm", [(_VAR_PATH.format("D") + "\n", "pass\n")], None, "variance path is dropped"),
    ("layernorm", [("dx = dxc + dmu / D", "dx = dxc")], None, "mean's dependence on x"),
    ("layernorm", [("std = np.sqrt(var + eps) ", "std = np.sqrt(var) ")], None,
     "ε is forgotten"),
    ("layernorm", [("dxc += dvar * 2 * xc / D", "dxc += dvar * 2 * xc / (D - 1)")], None,
     "D−1 in the variance's derivative"),
    ("conv1d", [("dw += (d.T @ window)", "dw = (d.T @ window)")], None,
     "not summed over positions"),
    ("conv1d", [("(d.T @ window)", "(d[-1:].T @ window[-1:])")], None,
     "not summed over the batch"),
    ("conv1d", [("dw += (d.T @ window).reshape(w.shape)",
                 "dw += (d.T @ window).reshape(w.shape) / N")], None, "averaged over the batch"),
    ("conv1d", [("(d @ W).reshape(N, C_in, K)", "(d @ W).reshape(N, C_in, K)[:, :, ::-1]")],
     None, "kernel is flipped"),
    ("conv1d", [("dx[:, :, t:t + K] += ", "dx[:, :, t:t + K] = ")], None,
     "input gradient is overwritten, not added"),
    ("conv1d", [("        dx[:, :, t:t + K] += (d @ W).reshape(N, C_in, K)", "        pass"),
                ("    db = dout", "    for j in range(K):\n"
                 "        dx[:, :, :T - j] += np.einsum('not,oc->nct', dout[:, :, j:], w[:, :, j])"
                 "\n    db = dout")], None, "not correlated correctly"),
    ("conv1d", [("db = dout.sum(axis=(0, 2))", "db = dout.sum(axis=(1, 2))")], None,
     "bias gradient is summed over the wrong axes"),
    ("conv1d", [("db = dout.sum(axis=(0, 2))", "db = dout.sum(axis=0)")], None,
     "bias gradient is summed over the wrong axes"),
    ("conv1d", [("db = dout.sum(axis=(0, 2))", "db = dout.mean(axis=(0, 2))")], None,
     "bias gradient is averaged"),
]


@pytest.mark.parametrize(("exercise", "mutations", "solution", "hint"), NB07_MISTAKES,
                         ids=[f"{e}-{i}-{h[:25]}" for i, (e, _, _, h) in enumerate(NB07_MISTAKES)])
def test_nb07_mistake_is_named(exercise, mutations, solution, hint):
    answers, grading_test = _nb07_answer(exercise, mutations, solution)
    with pytest.raises(AssertionError) as failure:
        grading_test(*answers)
    assert hint in str(failure.value), str(failure.value)


def test_nb07_names_the_mistakes_the_issue_asks_for():
    counts = {e: len({h for m in NB07_MISTAKES if m[0] == e for h in [m[3]]})
              for e in _NB07_EXERCISES}
    assert counts["batchnorm"] >= 4 and counts["layernorm"] >= 3 and counts["conv1d"] >= 3, counts


NB07_ALTERNATIVES = [
    ("batchnorm", [], _compact(0)),
    ("layernorm", [], _compact(1)),
    ("conv1d", [], """### BEGIN SOLUTION
    T = dout.shape[2]
    K = w.shape[2]
    dx = np.zeros(x.shape)
    dw = np.stack([np.einsum("not,nct->oc", dout, x[:, :, k:k + T]) for k in range(K)], axis=2)
    for k in range(K):
        dx[:, :, k:k + T] += np.einsum("not,oc->nct", dout, w[:, :, k])
    db = np.sum(dout, axis=(0, 2))
    ### END SOLUTION
"""),
]


@pytest.mark.parametrize(("exercise", "mutations", "solution"), NB07_ALTERNATIVES,
                         ids=[e for e, _, _ in NB07_ALTERNATIVES])
def test_nb07_other_correct_answers_pass(exercise, mutations, solution):
    answers, grading_test = _nb07_answer(exercise, mutations, solution)
    grading_test(*answers)


def test_nb07_release_placeholder_fails_with_not_written():
    from bpcourse.grading import nb07

    for const, names, test_name in _NB07_EXERCISES.values():
        source = _SOLUTION.sub("raise NotImplementedError()\n",
                               getattr(_builder("nb07_capstone"), const))
        answers = _define(source, *names)
        with pytest.raises(AssertionError, match="not written yet"):
            getattr(nb07, test_name)(*answers)


def test_nb07_delegating_to_the_reference_earns_nothing():
    from bpcourse.grading import DelegationDetected, nb07

    forward, backward = _define(
        "from bpcourse import layers\n"
        "def conv1d_forward(x, w, b):\n    return layers.conv1d_forward(x, w, b)\n"
        "def conv1d_backward(dout, cache):\n    return layers.conv1d_backward(dout, cache)\n",
        "conv1d_forward", "conv1d_backward")
    with pytest.raises(DelegationDetected, match="bpcourse.layers.conv1d_forward"):
        nb07.test_conv1d(forward, backward)
    forward, backward = _define(
        "from bpcourse import nn\n"
        "def batchnorm_forward(x, gamma, beta, eps=1e-5):\n"
        "    layer = nn.BatchNorm1d(x.shape[1], eps=eps)\n"
        "    layer.gamma.data[:], layer.beta.data[:] = gamma, beta\n"
        "    return layer.forward(x), layer\n"
        "def batchnorm_backward(dout, layer):\n"
        "    return layer.backward(dout), layer.gamma.grad, layer.beta.grad\n",
        "batchnorm_forward", "batchnorm_backward")
    with pytest.raises(DelegationDetected, match="bpcourse.nn.BatchNorm1d"):
        nb07.test_batchnorm(forward, backward)


def test_nb07_oracles_and_models_are_right():
    """The oracles agree with the package's closed forms; each mistake model differs from the
    right answer (a model equal to it would name a mistake in a right answer)."""
    from bpcourse import layers
    from bpcourse.grading import nb07

    rng = np.random.default_rng(5)
    x, gamma, beta, dout = (rng.standard_normal(s) for s in ((5, 4), 4, 4, (5, 4)))
    for axis, (forward, backward) in enumerate([
            (layers.batchnorm_forward, layers.batchnorm_backward),
            (layers.layernorm_forward, layers.layernorm_backward)]):
        out, cache = forward(x, gamma, beta, 0.1)
        assert np.allclose(out, nb07.normalise(x, gamma, beta, 0.1, axis), rtol=1e-12)
        dx = backward(dout, cache)[0]
        numeric = nb07.numeric_gradient(lambda v, a=axis: nb07.normalise(v, gamma, beta, 0.1, a),
                                        x.copy(), dout)
        assert np.allclose(dx, numeric, rtol=1e-9, atol=1e-11)
        for hint, model in nb07.normalisation_mistakes(x, gamma, dout, 0.1, axis):
            assert not np.allclose(model, dx, rtol=1e-6), hint
    xc, w, b = (rng.standard_normal(s) for s in ((3, 2, 7), (4, 2, 3), 4))
    out, cache = layers.conv1d_forward(xc, w, b)
    assert np.allclose(out, nb07.conv1d(xc, w, b), rtol=1e-12)
    dout = rng.standard_normal(out.shape)
    right = layers.conv1d_backward(dout, cache)
    for models, reference in zip(nb07.conv1d_mistakes(xc, w, dout), (right[1], right[0], right[2]),
                                 strict=True):
        for hint, model in models:
            assert np.shape(model) != reference.shape or not np.allclose(model, reference), hint


def test_nb07_grading_is_quiet(capfd):
    answers, grading_test = _nb07_answer("batchnorm", [("dx = dxc + dmu / N", "dx = dxc")])
    with pytest.raises(AssertionError):
        grading_test(*answers)
    assert capfd.readouterr() == ("", "")
