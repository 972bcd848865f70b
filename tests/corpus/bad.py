"""Submissions that try to break grading, on 04_layers. None may crash grading for the others,
be reported as 0 when it was never graded, or score a wrong answer by tampering."""

from .build import Submission, add_cell, delete_cell, replace_test, set_points

A = "04_layers"
EXERCISES = ("linear", "relu", "sigmoid", "softmax_cross_entropy", "mse_loss")
ALL_ZERO = {ex: 0.0 for ex in EXERCISES}
NO_BIAS = [("out = x @ W + b", "out = x @ W")]  # a wrong linear_forward
NO_BIAS_HINT = "bias b is not added"
# The tests run in the grader (bpcourse.judge), so what a submission replaces in its kernel
# changes none of them: each exercise earns what its answer earns, and the report still flags
# the lines for the instructor.


def submissions() -> list[Submission]:
    return [
        # The learner edits the locked test cells of linear, gives relu's test 100 points and
        # deletes sigmoid's tests, each with a wrong answer: nbgrader puts the gradebook's cells
        # and points back (and runs the restored cells), so each exercise loses its points.
        Submission("bad-edited-test-cells", A,
                   answers={"linear": NO_BIAS, "relu": [("dx = dout * (x > 0)", "dx = dout")],
                            "sigmoid": [("dx = dout * s * (1 - s)", "dx = dout * s")]},
                   edits=(replace_test("linear_visible", "pass"),
                          replace_test("linear_hidden", "print('all good')"),
                          set_points("relu_visible", 100), set_points("relu_hidden", 100),
                          delete_cell("sigmoid_visible"), delete_cell("sigmoid_hidden")),
                   expected={"linear": 0.0, "relu": 0.0, "sigmoid": 0.0},
                   hints={"linear": "bias b is not added", "relu": "the mask is missing",
                          "sigmoid": "the factor (1 − σ(x)) is missing"}),
        # An infinite loop (relu) and a long sleep (sigmoid): each cell is interrupted after
        # the timeout and that exercise is lost; huge output (mse_loss, correct) is cut in the
        # autograded notebook and costs nothing.
        Submission("bad-loop-sleep-output", A,
                   answers={"relu": [("def relu_forward(x):", "while True:\n    pass\n\n\n"
                                      "def relu_forward(x):")],
                            "sigmoid": [("def sigmoid_forward(x):", "import time\n"
                                         "time.sleep(3600)\n\n\ndef sigmoid_forward(x):")],
                            "mse_loss": [("def mse_loss(pred, target):",
                                          "for i in range(100_000):\n    print(i, 'spam' * 10)"
                                          "\n\n\ndef mse_loss(pred, target):")]},
                   expected={"relu": 0.0, "sigmoid": 0.0},
                   hints={"relu": "NameError", "sigmoid": "NameError"}),
        # A loop that ignores SIGINT: the kernel cannot be interrupted -> NOT GRADED.
        Submission("bad-ignores-sigint", A,
                   answers={"mse_loss": [("def mse_loss(pred, target):", "import signal\n"
                                          "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                          "while True:\n    pass\n\n\n"
                                          "def mse_loss(pred, target):")]},
                   graded=False),
        # A loop that catches the KeyboardInterrupt and goes on: NOT GRADED too.
        Submission("bad-catches-interrupt", A,
                   answers={"relu": [("def relu_forward(x):", "while True:\n    try:\n"
                                      "        while True:\n            pass\n"
                                      "    except KeyboardInterrupt:\n        pass\n\n\n"
                                      "def relu_forward(x):")]},
                   graded=False),
        # The kernel exits: NOT GRADED.
        Submission("bad-os-exit", A, answers={"sigmoid": "import os\nos._exit(3)"},
                   graded=False),
        # Monkeypatched numpy comparisons after `import bpcourse`, with a wrong answer: the
        # wrong answer loses its points as without the patch; the report flags the lines.
        Submission("bad-patches-numpy", A,
                   answers={"linear": NO_BIAS + [("def linear_forward(x, W, b):",
                                                  "np.allclose = lambda *a, **k: True\n"
                                                  "np.testing.assert_allclose = lambda *a, **k: "
                                                  "None\nnp.max = lambda *a, **k: 0.0\n\n\n"
                                                  "def linear_forward(x, W, b):")]},
                   expected={"linear": 0.0}, hints={"linear": NO_BIAS_HINT}, tampering=True),
        # Monkeypatched builtins, in a cell of its own after the linear tests.
        Submission("bad-patches-builtins", A, answers={"relu": [("np.maximum(x, 0)", "x")]},
                   edits=(add_cell("import builtins\nbuiltins.abs = lambda v: 0\n"
                                   "builtins.all = lambda v: True", after="linear_hidden"),),
                   expected={"relu": 0.0}, tampering=True),
        # Patching the package's own checker (through an alias) is the same.
        Submission("bad-patches-bpcourse", A, answers={"mse_loss": [("2 * diff", "diff")]},
                   edits=(add_cell("import bpcourse.check as chk\n"
                                   "chk.check_gradient = lambda *a, **k: 0.0\n"
                                   "setattr(chk, 'rel_error', lambda a, b: 0.0)",
                                   after="softmax_cross_entropy_hidden"),),
                   expected={"mse_loss": 0.0}, tampering=True),
        # Replacing a test function itself: the grader's own test function runs.
        Submission("bad-patches-test-function", A, answers={"linear": NO_BIAS},
                   edits=(add_cell("from bpcourse.grading import nb04 as tests\n"
                                   "tests.test_linear = lambda *a, **k: None",
                                   after="linear"),),
                   expected={"linear": 0.0}, hints={"linear": NO_BIAS_HINT}, tampering=True),
    ]
