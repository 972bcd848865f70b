"""``bpcourse report ASSIGNMENT``: what the class got wrong, for the instructor to re-teach.

From the graded submissions (the gradebook and autograded/, read as ``autograde`` reads them):

- per exercise, the share of graded students who lost points on it;
- the named mistakes (the "Likely mistake: ..." of the failing tests' hints), ranked by how
  many students made them;
- the submissions NOT GRADED, with the reason.

Printed as tables; written as one CSV (a ``kind`` column: exercise, mistake, not_graded) and a
bar chart (PNG). Reads only: it grades nothing and writes nothing to the gradebook.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..fonts import use_course_fonts
from ..i18n import _, speaking
from .collect import collect
from .course import add_language_option
from .nbgrader_run import db_url_of
from .outcome import Outcome, display_width, hint_of, ljust, reason_text

# "Likely mistake:" in an English hint, "可能的错误：" in a Chinese one.
_LIKELY = re.compile(r"(?:likely mistake:|可能的错误[:：])\s*(.+)", re.I | re.S)


def mistake_of(message: str | None) -> str:
    """The name of the mistake in a failure message: what follows "Likely mistake:" up to its
    first ':' or '.', else the hint itself (shortened), e.g. "NotImplementedError"."""
    hint = hint_of(message)
    found = _LIKELY.search(hint)
    if found:
        return re.split(r"[:.](?:\s|$)|[：。]", found[1].strip(), maxsplit=1)[0].strip()
    return hint if len(hint) <= 80 else hint[:77] + "..."


@dataclass
class ClassReport:
    assignment: str
    students: int
    graded: int
    lost: dict[str, tuple[int, int]] = field(default_factory=dict)  # exercise -> (lost, of)
    mistakes: list[tuple[str, str, int]] = field(default_factory=list)  # (exercise, name, n)
    not_graded: list[tuple[str, str]] = field(default_factory=list)  # (student, reason)


def class_report(outcomes: list[Outcome], assignment: str) -> ClassReport:
    """Aggregate the Outcomes of one assignment: each student counts once per mistake."""
    report = ClassReport(assignment, len(outcomes), sum(o.graded for o in outcomes))
    mistakes: Counter[tuple[str, str]] = Counter()
    for out in outcomes:
        if not out.graded:
            report.not_graded.append((out.student, out.reason or ""))  # "": unknown
            continue
        for name, (score, top, _message) in out.exercises().items():
            lost, of = report.lost.get(name, (0, 0))
            report.lost[name] = (lost + (score < top), of + 1)
        named = {(r.exercise, mistake_of(r.message)) for r in out.results
                 if r.score < r.max_score and r.message}
        mistakes.update(named)
    report.mistakes = [(ex, name, n) for (ex, name), n in
                       sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0]))]
    return report


def format_report(report: ClassReport, top: int = 15) -> str:
    """The report as a table, in the current language."""
    rows = [_("{assignment}: {graded} of {students} submission(s) graded").format(
        assignment=report.assignment, graded=report.graded, students=report.students), ""]
    head_exercise = _("exercise")
    width = max([display_width(head_exercise)] + [len(n) for n in report.lost])
    rows.append(f"{ljust(head_exercise, width)}  " + _("lost points"))
    for name, (lost, of) in report.lost.items():
        rows.append(f"{name:<{width}}  " + _("{lost} of {of} ({share})").format(
            lost=f"{lost:>3}", of=f"{of:<3}", share=f"{lost / of:.0%}"))
    rows += ["", _("mistakes, by how many students made them:")]
    if not report.mistakes:
        rows.append("  " + _("(none)"))
    for ex, name, n in report.mistakes[:top]:
        rows.append(f"  {n:>4}  {ex}: {name}")
    if len(report.mistakes) > top:
        rows.append("  " + _("... {count} more in the CSV").format(
            count=len(report.mistakes) - top))
    if report.not_graded:
        rows += ["", _("NOT GRADED (read these by hand; export shows them as 0):")]
        rows += [f"  {s}: {reason_text(reason)}" for s, reason in report.not_graded]
    return "\n".join(rows)


def write_csv(report: ClassReport, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["kind", "exercise", "what", "students", "of", "share"])
        for name, (lost, of) in report.lost.items():
            w.writerow(["exercise", name, "lost points", lost, of, f"{lost / of:.4f}"])
        for ex, name, n in report.mistakes:
            w.writerow(["mistake", ex, name, n, report.graded,
                        f"{n / report.graded:.4f}" if report.graded else ""])
        for student, reason in report.not_graded:
            w.writerow(["not_graded", "", f"{student}: {reason or 'unknown'}", 1,
                        report.students, ""])


def plot_report(report: ClassReport, path: Path, top: int = 12) -> None:
    """Two bar charts: share of students who lost points per exercise; the top mistakes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    use_course_fonts()  # a Chinese chart, or Chinese hints in an English one

    mistakes = report.mistakes[:top]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 3 + 0.35 * (len(report.lost)
                                                               + len(mistakes))))
    names = list(report.lost)
    ax1.barh(names, [lost / of * 100 for lost, of in report.lost.values()], color="#c44e52")
    ax1.set_xlim(0, 100)
    ax1.invert_yaxis()
    ax1.set_xlabel(_("graded students who lost points (%)"))
    ax1.set_title(_("{assignment}: {graded} graded, {not_graded} NOT GRADED").format(
        assignment=report.assignment, graded=report.graded, not_graded=len(report.not_graded)))
    labels = [f"{ex}: {name}"[:70] for ex, name, _count in mistakes]
    ax2.barh(labels, [n for _ex, _name, n in mistakes], color="#4c72b0")
    ax2.invert_yaxis()
    ax2.set_xlabel(_("students who made the mistake"))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cli(command: str, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"bpcourse {command}", description=__doc__.split(
        "\n\n")[0] + " Writes OUT/ASSIGNMENT-report.csv and .png.")
    parser.add_argument("assignment", help="e.g. 04_layers")
    parser.add_argument("--course", type=Path, default=Path.cwd(),
                        help="the course folder with nbgrader_config.py (default: here)")
    parser.add_argument("--db-url", default=None, help="gradebook (default: the course's)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the CSV and the chart (default: COURSE/reports)")
    add_language_option(parser)
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if not (course / "nbgrader_config.py").exists():
        parser.error(f"{course} has no nbgrader_config.py: pass --course DIR, the course folder")
    try:
        outcomes = collect(course, args.assignment, db_url_of(course, args.db_url))
    except RuntimeError as err:
        print(f"bpcourse report: {err}", file=sys.stderr)
        return 1
    report = class_report(outcomes, args.assignment)
    out = (args.out or course / "reports").resolve()
    out.mkdir(parents=True, exist_ok=True)
    write_csv(report, out / f"{args.assignment}-report.csv")
    with speaking(args.lang):  # None: BPCOURSE_LANG's, else English
        plot_report(report, out / f"{args.assignment}-report.png")
        print(format_report(report))
        print("\n" + _("written: {csv}, {png}").format(
            csv=out / f"{args.assignment}-report.csv", png=out / f"{args.assignment}-report.png"))
    return 0
