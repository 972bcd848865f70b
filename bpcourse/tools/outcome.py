"""What grading a submission gave, and how it is shown: never an ungraded submission as 0.

Exit codes of ``bpcourse grade`` and ``bpcourse autograde``: 0 graded; 2 usage error; 3 some
submission NOT GRADED; 4 tampering suspected; 5 ``--require-sandbox`` where there is no
sandbox; 1 nbgrader itself failed.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from .scores import Points, Sheet, cell_text

NOT_GRADED, TAMPERING = 3, 4
NO_SANDBOX = 5  # bpcourse autograde --require-sandbox, where there is none


@dataclass
class TestResult:
    """One autograded test cell of a submission."""

    __test__ = False  # a name pytest would otherwise try to collect
    grade_id: str
    exercise: str
    score: float
    max_score: float
    message: str | None = None  # "AssertionError: ..." when the cell failed


@dataclass
class Outcome:
    """The result for one student and one assignment."""

    student: str
    assignment: str
    graded: bool
    reason: str | None = None  # why it was not graded
    results: list[TestResult] = field(default_factory=list)
    tampering: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.max_score for r in self.results)

    def exercises(self) -> dict[str, tuple[float, float, str | None]]:
        """exercise -> (score, max_score, message), in notebook order. The message is the
        first failure that names a likely mistake, else the first failure."""
        table: dict[str, tuple[float, float, str | None]] = {}
        for r in self.results:
            score, top, msg = table.get(r.exercise, (0.0, 0.0, None))
            if r.message and (msg is None or (_names_a_mistake(r.message)
                                              and not _names_a_mistake(msg))):
                msg = r.message
            table[r.exercise] = (score + r.score, top + r.max_score, msg)
        return table

    def as_dict(self) -> dict:
        return {"student": self.student, "assignment": self.assignment, "graded": self.graded,
                "reason": self.reason, "score": self.score if self.graded else None,
                "max_score": self.max_score, "tampering": self.tampering,
                "results": [vars(r) for r in self.results]}

    @classmethod
    def from_dict(cls, data: dict) -> Outcome:
        """The inverse of :meth:`as_dict`."""
        return cls(data["student"], data["assignment"], data["graded"], data.get("reason"),
                   [TestResult(**r) for r in data.get("results", [])],
                   list(data.get("tampering", [])))


def _names_a_mistake(message: str) -> bool:
    """Whether a failure message names the likely mistake (in either edition's words)."""
    return "mistake" in message.lower() or "可能的错误" in message


def hint_of(message: str | None) -> str:
    """A failure message for the table: on one line, without the exception class of an
    assertion (the message itself says what was expected and names the likely mistake)."""
    text = " ".join((message or "").split())
    return re.sub(r"^(AssertionError|GradientMismatch|TamperingDetected|DelegationDetected): ",
                  "", text)


def format_outcome(out: Outcome, width: int = 100) -> str:
    """The self-study table: one row per exercise, points, and the hint for what failed."""
    if not out.graded:
        return f"{out.assignment}: NOT GRADED ({out.reason})"
    rows = [f"{out.assignment}: {out.score:g} / {out.max_score:g} points", ""]
    table = out.exercises()
    name_w = max([len("exercise")] + [len(n) for n in table])
    left = name_w + 2 + 9 + 2
    rows.append(f"{'exercise':<{name_w}}  {'points':>9}  what failed")
    for name, (score, top, msg) in table.items():
        pts = f"{score:g}/{top:g}"
        lines = textwrap.wrap(hint_of(msg), max(40, width - left)) if score < top else ["ok"]
        rows.append(f"{name:<{name_w}}  {pts:>9}  " + (lines[0] if lines else "failed"))
        rows += [" " * left + line for line in lines[1:]]
    if out.tampering:
        rows += ["", "tampering suspected (reassigns what the grader relies on):"]
        rows += [f"  {t}" for t in out.tampering]
    return "\n".join(rows)


def format_summary(outcomes: list[Outcome]) -> str:
    """The instructor's table: one row per student, then who was not graded and why."""
    if not outcomes:
        return "no submissions found (submitted/<student>/<assignment>/ is empty)"
    rows = []
    width = max([len("student")] + [len(o.student) for o in outcomes])
    for o in outcomes:
        if o.graded:
            status = f"{o.score:g} / {o.max_score:g}"
        else:
            status = f"NOT GRADED: {o.reason}"
        rows.append(f"{o.student:<{width}}  {status}"
                    + (f"  [tampering: {len(o.tampering)} line(s)]" if o.tampering else ""))
    graded = sum(o.graded for o in outcomes)
    rows.append(f"\n{graded} of {len(outcomes)} submission(s) graded"
                + (f"; NOT GRADED: {', '.join(o.student for o in outcomes if not o.graded)} "
                   "(fix or regrade these by hand; export would show them as 0)"
                   if graded < len(outcomes) else ""))
    for o in outcomes:
        for t in o.tampering:
            rows.append(f"tampering suspected, {o.student}: {t}")
    return "\n".join(rows)


def format_by_exercise(outcomes: list[Outcome], order: list[str],
                       sheets: dict[str, Sheet], kept: list[str] = ()) -> str:
    """One row per student: points per exercise (the header names them), then the total;
    points still to be graded by hand are "pending", never 0."""
    if not outcomes:
        return "no submissions found (submitted/<student>/<assignment>/ is empty)"
    width = max([len("student")] + [len(o.student) for o in outcomes])
    cells = {o.student: [cell_text(sheets[o.student].exercises.get(e, Points()))
                         for e in order] for o in outcomes if o.graded and o.student in sheets}
    widths = [max([len(e)] + [len(c[i]) for c in cells.values()]) for i, e in enumerate(order)]
    def line(first: str, values: list[str], last: str) -> str:
        return "  ".join([f"{first:<{width}}",
                          *(f"{v:>{w}}" for v, w in zip(values, widths, strict=True)), last])

    rows = [line("student", order, "total")]
    for o in outcomes:
        if o.student not in cells:
            why = o.reason or "not in the gradebook"
            rows.append(f"{o.student:<{width}}  NOT GRADED: {why}"
                        + ("  (earlier autograded/ kept)" if o.student in kept else ""))
            continue
        sheet = sheets[o.student]
        total = cell_text(sheet.total)
        if sheet.late_penalty:
            total += f" (late: -{sheet.late_penalty:g})"
        rows.append(line(o.student, cells[o.student], total)
                    + (f"  [tampering: {len(o.tampering)} line(s)]" if o.tampering else ""))
    graded = [o for o in outcomes if o.graded]
    pending = [o.student for o in graded if o.student in sheets and sheets[o.student].total.pending]
    rows.append(f"\n{len(graded)} of {len(outcomes)} submission(s) graded"
                + (f"; NOT GRADED: {', '.join(o.student for o in outcomes if not o.graded)}"
                   " (fix or regrade these by hand)" if len(graded) < len(outcomes) else ""))
    if pending:
        rows.append(f"points pending grading by hand: {', '.join(pending)} (formgrader, or "
                    "python -m bpcourse manual-grade)")
    rows += [f"tampering suspected, {o.student}: {t}" for o in outcomes for t in o.tampering]
    return "\n".join(rows)


def exit_code(outcomes: list[Outcome]) -> int:
    """NOT_GRADED if any submission was not graded, else TAMPERING if any is suspect, else 0."""
    if any(not o.graded for o in outcomes):
        return NOT_GRADED
    if any(o.tampering for o in outcomes):
        return TAMPERING
    return 0
