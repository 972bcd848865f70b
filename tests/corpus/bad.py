"""Submissions that try to break grading, on 04_layers. None may crash grading for the others,
be reported as 0 when it was never graded, or score a wrong answer by tampering."""

from .build import Submission, add_cell, delete_cell, replace_test, set_points

A = "04_layers"
EXERCISES = ("linear", "relu", "sigmoid", "softmax_cross_entropy", "mse_loss")
ALL_ZERO = {ex: 0.0 for ex in EXERCISES}
NO_BIAS = [("out = x @ W + b", "out = x @ W")]  # a wrong linear_forward
TAMPERED = "tampering detected"
# linear_visible checks with expect() before calling nb04.test_linear, so it fails; the hidden
# cell only calls the replaced function (3 points lost to the in-kernel check, but the report
# flags the submission for the instructor).
PATCHED_TEST_FUNCTION = dict(ALL_ZERO, linear=3.0)


def submissions() -> list[Submission]:
    return [
        # The learner edits the locked test cells: nbgrader puts the originals back.
        Submission("bad-tampered-test-cells", A, answers={"linear": NO_BIAS},
                   edits=(replace_test("linear_visible", "pass"),
                          replace_test("linear_hidden", "print('all good')")),
                   expected={"linear": 0.0}, hints={"linear": "bias b is not added"}),
        # ... gives a test cell more points: the gradebook's points count.
        Submission("bad-changed-points", A, answers={"linear": NO_BIAS},
                   edits=(set_points("linear_visible", 100), set_points("relu_visible", 50)),
                   expected={"linear": 0.0}, hints={"linear": "bias b is not added"}),
        # ... deletes the test cells: they are restored from the gradebook and run.
        Submission("bad-deleted-test-cells", A, answers={"linear": NO_BIAS},
                   edits=(delete_cell("linear_visible"), delete_cell("linear_hidden")),
                   expected={"linear": 0.0}, hints={"linear": "bias b is not added"}),
        # An infinite loop: the cell is interrupted after the timeout; that exercise is lost.
        Submission("bad-infinite-loop", A,
                   answers={"relu": [("def relu_forward(x):", "while True:\n    pass\n\n\n"
                                      "def relu_forward(x):")]},
                   expected={"relu": 0.0}, hints={"relu": "NameError"}),
        # A long sleep: interrupted the same way.
        Submission("bad-long-sleep", A,
                   answers={"sigmoid": [("def sigmoid_forward(x):", "import time\n"
                                         "time.sleep(3600)\n\n\ndef sigmoid_forward(x):")]},
                   expected={"sigmoid": 0.0}, hints={"sigmoid": "NameError"}),
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
        # Huge output: truncated in the autograded notebook; grading is unaffected.
        Submission("bad-huge-output", A,
                   answers={"relu": [("def relu_forward(x):", "for i in range(100_000):\n"
                                      "    print(i, 'spam ' * 10)\n\n\ndef relu_forward(x):")]}),
        # Monkeypatched numpy comparisons after `import bpcourse`, with a wrong answer: every
        # test from there on says "tampering detected"; the report flags the lines.
        Submission("bad-patches-numpy", A,
                   answers={"linear": NO_BIAS + [("def linear_forward(x, W, b):",
                                                  "np.allclose = lambda *a, **k: True\n"
                                                  "np.testing.assert_allclose = lambda *a, **k: "
                                                  "None\nnp.max = lambda *a, **k: 0.0\n\n\n"
                                                  "def linear_forward(x, W, b):")]},
                   expected=ALL_ZERO, hints={ex: TAMPERED for ex in EXERCISES},
                   tampering=True),
        # Monkeypatched builtins, in a cell of its own after the linear tests.
        Submission("bad-patches-builtins", A, answers={"relu": [("np.maximum(x, 0)", "x")]},
                   edits=(add_cell("import builtins\nbuiltins.abs = lambda v: 0\n"
                                   "builtins.all = lambda v: True", after="linear_hidden"),),
                   expected={ex: 0.0 for ex in EXERCISES[1:]},
                   hints={ex: TAMPERED for ex in EXERCISES[1:]}, tampering=True),
        # Patching the package's own checker (through an alias) is the same.
        Submission("bad-patches-bpcourse", A, answers={"mse_loss": [("2 * diff", "diff")]},
                   edits=(add_cell("import bpcourse.check as chk\n"
                                   "chk.check_gradient = lambda *a, **k: 0.0\n"
                                   "setattr(chk, 'rel_error', lambda a, b: 0.0)",
                                   after="softmax_cross_entropy_hidden"),),
                   expected={"mse_loss": 0.0}, hints={"mse_loss": TAMPERED}, tampering=True),
        # Replacing a test function itself: that test cell runs nothing, but every test that
        # still runs (here all the others) reports the tampering, and so does the report.
        Submission("bad-patches-test-function", A, answers={"linear": NO_BIAS},
                   edits=(add_cell("from bpcourse.grading import nb04 as tests\n"
                                   "tests.test_linear = lambda *a, **k: None",
                                   after="linear"),),
                   expected=PATCHED_TEST_FUNCTION,
                   hints={ex: TAMPERED for ex in EXERCISES}, tampering=True),
    ]
