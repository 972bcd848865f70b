"""`bpcourse report`: what the class got wrong, from Outcomes (the same as autograde reads)."""

from __future__ import annotations

import csv
import re

import pytest

from bpcourse.tools.outcome import Outcome, TestResult
from bpcourse.tools.report import class_report, format_report, mistake_of, plot_report, write_csv

OVERFLOW = ("AssertionError: softmax_cross_entropy: dlogits (logits of ±1000): contains NaN. "
            "Likely mistake: exp overflowed or a row underflowed to 0: subtract each row's max.")
NO_BIAS = "GradientMismatch: linear_backward: db wrong. Likely mistake: db summed over axis 1."


def student(name, *failures, graded=True):
    results = [TestResult("t_lin", "linear", 2.0, 2.0), TestResult("t_soft", "softmax", 3.0, 3.0)]
    for exercise, message in failures:
        results.append(TestResult(f"t_{exercise}_x", exercise, 0.0, 1.0, message))
    return Outcome(name, "04_layers", graded=graded, results=results if graded else [],
                   reason=None if graded else "the kernel died")


def test_the_mistake_is_what_the_hint_names():
    assert mistake_of(OVERFLOW) == "exp overflowed or a row underflowed to 0"
    assert mistake_of(NO_BIAS) == "db summed over axis 1"
    assert mistake_of("NotImplementedError") == "NotImplementedError"


def test_mistakes_are_ranked_by_students_and_ungraded_ones_listed(tmp_path):
    outcomes = [student("ann", ("softmax", OVERFLOW), ("softmax", OVERFLOW)),
                student("bo", ("softmax", OVERFLOW), ("linear", NO_BIAS)),
                student("cy"), student("dee", graded=False)]
    report = class_report(outcomes, "04_layers")
    assert report.students == 4 and report.graded == 3
    assert report.lost == {"linear": (1, 3), "softmax": (2, 3)}
    assert report.mistakes == [("softmax", "exp overflowed or a row underflowed to 0", 2),
                               ("linear", "db summed over axis 1", 1)]
    assert report.not_graded == [("dee", "the kernel died")]
    text = format_report(report)
    assert re.search(r"^softmax +2 of 3 +\(67%\)$", text, re.M), text
    assert "2  softmax: exp overflowed" in text and "dee: the kernel died" in text
    write_csv(report, tmp_path / "r.csv")
    with open(tmp_path / "r.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["kind"] for r in rows] == ["exercise", "exercise", "mistake", "mistake",
                                         "not_graded"]
    assert rows[2]["what"] == "exp overflowed or a row underflowed to 0"
    assert rows[2]["students"] == "2"
    pytest.importorskip("matplotlib")
    plot_report(report, tmp_path / "r.png")
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
