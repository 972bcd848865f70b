"""What grading a submission gave, and how it is shown: never an ungraded submission as 0.

Exit codes of ``bpcourse grade`` and ``bpcourse autograde``: 0 graded; 2 usage error; 3 some
submission NOT GRADED; 4 tampering suspected; 5 ``--require-sandbox`` where there is no
sandbox; 1 nbgrader itself failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..i18n import N_, _, display_width, ljust, rjust
from .scores import Points, Sheet

NOT_GRADED, TAMPERING = 3, 4
NO_SANDBOX = 5  # bpcourse autograde --require-sandbox, where there is none

# Why a submission is NOT GRADED. Stored in English (Outcome.reason, the gradebook, --json, the
# export), shown in the reader's language by reason_text(); every tool builds its reasons from
# these templates, so that each one has its translation.
KERNEL_DIED = N_("the kernel died (os._exit, a crash or out of memory)")
IGNORED_INTERRUPT = N_("a cell kept running after the timeout and ignored the interrupt")
NBGRADER_ERROR = N_("nbgrader could not grade it: {error}")
NBGRADER_SEE_LOG = N_("nbgrader could not grade it (see the log)")
NOT_AUTOGRADED = N_("nbgrader did not autograde it")
NO_AUTOGRADED_NOTEBOOK = N_("no autograded notebook for {notebooks}")
NOT_IN_GRADEBOOK = N_("{notebook} is not in the gradebook")
KILLED_WORKER = N_("its grading killed the worker process {times} times ({error}): it may use "
                   "too much memory or kill processes")
NO_WORKER_LEFT = N_("no Dask worker was left to grade it for {seconds} s (its processes were "
                    "stopped from outside): grade it again")
# A line of a learner's cell that reassigns what the grader relies on (bpcourse.tools.tamper).
TAMPERED_LINE = N_("cell {cell}, line {line}: {code}")
REASONS = (KERNEL_DIED, IGNORED_INTERRUPT, NBGRADER_ERROR, NBGRADER_SEE_LOG, NOT_AUTOGRADED,
           NO_AUTOGRADED_NOTEBOOK, NOT_IN_GRADEBOOK, KILLED_WORKER, NO_WORKER_LEFT)


def _template_pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)  # text, name, text, name, ..., text
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                              for i, p in enumerate(parts)) + r"\Z", re.S)


def reason_text(reason: str | None) -> str:
    """A stored (English) reason in the current language; one no template made stays as is."""
    if not reason:
        return _("unknown")
    for template in REASONS:
        found = _template_pattern(template).match(reason)
        if found:
            return _(template).format(**found.groupdict())
    return reason


def tampering_text(entry: str) -> str:
    """A stored tampering entry, ``"[notebook: ]cell N, line L: code"``, in the current
    language (the code as it is)."""
    found = re.match(r"((?:[\w.-]+: )?)(.*)\Z", entry, re.S)
    line = _template_pattern(TAMPERED_LINE).match(found[2])
    return found[1] + _(TAMPERED_LINE).format(**line.groupdict()) if line else entry


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


# A run of spaces, one Chinese character (or full-width punctuation), or a run of anything else.
_TOKENS = re.compile(r"[^\S\n]+|[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+")


def _wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` terminal columns: at spaces, and between any two
    Chinese characters (Chinese has no spaces between words)."""
    lines, line = [], ""
    for token in _TOKENS.findall(text):
        if display_width(line + token) > columns and line.strip():
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def format_outcome(out: Outcome, width: int = 100) -> str:
    """The self-study table, in the current language: one row per exercise, points, and the
    hint for what failed."""
    if not out.graded:
        return _("{assignment}: NOT GRADED ({reason})").format(
            assignment=out.assignment, reason=reason_text(out.reason))
    rows = [_("{assignment}: {score} / {max_score} points").format(
        assignment=out.assignment, score=f"{out.score:g}", max_score=f"{out.max_score:g}"), ""]
    table = out.exercises()
    head_exercise, head_points, head_failed = _("exercise"), _("points"), _("what failed")
    name_w = max([display_width(head_exercise)] + [len(n) for n in table])
    left = name_w + 2 + 9 + 2
    rows.append(f"{ljust(head_exercise, name_w)}  {rjust(head_points, 9)}  {head_failed}")
    for name, (score, top, msg) in table.items():
        pts = f"{score:g}/{top:g}"
        lines = _wrap(hint_of(msg), max(40, width - left)) if score < top else [_("ok")]
        rows.append(f"{name:<{name_w}}  {pts:>9}  " + (lines[0] if lines else _("failed")))
        rows += [" " * left + line for line in lines[1:]]
    if out.tampering:
        rows += ["", _("tampering suspected (reassigns what the grader relies on):")]
        rows += [f"  {tampering_text(t)}" for t in out.tampering]
    return "\n".join(rows)


def _no_submissions() -> str:
    return _("no submissions found (submitted/<student>/<assignment>/ is empty)")


def _tampering_mark(o: Outcome) -> str:
    return (_("  [tampering: {count} line(s)]").format(count=len(o.tampering))
            if o.tampering else "")


def _tampering_lines(outcomes: list[Outcome]) -> list[str]:
    return [_("tampering suspected, {student}: {line}").format(student=o.student,
                                                               line=tampering_text(t))
            for o in outcomes for t in o.tampering]


def format_summary(outcomes: list[Outcome]) -> str:
    """The instructor's table, in the current language: one row per student, then who was not
    graded and why."""
    if not outcomes:
        return _no_submissions()
    rows = []
    width = max([display_width(_("student"))] + [len(o.student) for o in outcomes])
    for o in outcomes:
        if o.graded:
            status = f"{o.score:g} / {o.max_score:g}"
        else:
            status = _("NOT GRADED: {reason}").format(reason=reason_text(o.reason))
        rows.append(f"{ljust(o.student, width)}  {status}" + _tampering_mark(o))
    graded = sum(o.graded for o in outcomes)
    rows.append("\n" + _("{graded} of {total} submission(s) graded").format(
        graded=graded, total=len(outcomes)))
    if graded < len(outcomes):
        rows[-1] += _("; NOT GRADED: {students} (fix or regrade these by hand; export would "
                      "show them as 0)").format(
                          students=", ".join(o.student for o in outcomes if not o.graded))
    return "\n".join(rows + _tampering_lines(outcomes))


def points_text(points: Points) -> str:
    """:func:`bpcourse.tools.scores.cell_text` in the current language: "2/2", "pending/1",
    "1/3+1 pending"."""
    if points.pending and points.pending == points.max_score:
        return _("pending/{max_score}").format(max_score=f"{points.max_score:g}")
    text = f"{points.score:g}/{points.max_score:g}"
    return text + (_(" +{pending} pending").format(pending=f"{points.pending:g}")
                   if points.pending else "")


def format_by_exercise(outcomes: list[Outcome], order: list[str],
                       sheets: dict[str, Sheet], kept: list[str] = ()) -> str:
    """One row per student, in the current language: points per exercise (the header names
    them), then the total; points still to be graded by hand are "pending", never 0."""
    if not outcomes:
        return _no_submissions()
    head_student, head_total = _("student"), _("total")
    width = max([display_width(head_student)] + [len(o.student) for o in outcomes])
    cells = {o.student: [points_text(sheets[o.student].exercises.get(e, Points()))
                         for e in order] for o in outcomes if o.graded and o.student in sheets}
    widths = [max([len(e)] + [display_width(c[i]) for c in cells.values()])
              for i, e in enumerate(order)]

    def line(first: str, values: list[str], last: str) -> str:
        return "  ".join([ljust(first, width),
                          *(rjust(v, w) for v, w in zip(values, widths, strict=True)), last])

    rows = [line(head_student, order, head_total)]
    for o in outcomes:
        if o.student not in cells:
            why = reason_text(o.reason) if o.reason else _("not in the gradebook")
            rows.append(f"{ljust(o.student, width)}  "
                        + _("NOT GRADED: {reason}").format(reason=why)
                        + (_("  (earlier autograded/ kept)") if o.student in kept else ""))
            continue
        sheet = sheets[o.student]
        total = points_text(sheet.total)
        if sheet.late_penalty:
            total += _(" (late: -{penalty})").format(penalty=f"{sheet.late_penalty:g}")
        rows.append(line(o.student, cells[o.student], total) + _tampering_mark(o))
    graded = [o for o in outcomes if o.graded]
    pending = [o.student for o in graded if o.student in sheets and sheets[o.student].total.pending]
    rows.append("\n" + _("{graded} of {total} submission(s) graded").format(
        graded=len(graded), total=len(outcomes)))
    if len(graded) < len(outcomes):
        rows[-1] += _("; NOT GRADED: {students} (fix or regrade these by hand)").format(
            students=", ".join(o.student for o in outcomes if not o.graded))
    if pending:
        rows.append(_("points pending grading by hand: {students} (formgrader, or python -m "
                      "bpcourse manual-grade)").format(students=", ".join(pending)))
    return "\n".join(rows + _tampering_lines(outcomes))


def exit_code(outcomes: list[Outcome]) -> int:
    """NOT_GRADED if any submission was not graded, else TAMPERING if any is suspect, else 0."""
    if any(not o.graded for o in outcomes):
        return NOT_GRADED
    if any(o.tampering for o in outcomes):
        return TAMPERING
    return 0
