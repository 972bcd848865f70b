"""The feedback preprocessor registered in nbgrader_config.py: feedback never quotes a hidden
test line in a traceback (``ClearHiddenTests`` clears the cell, not the traceback's quote)."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from ..i18n import _, speaking
from .course import language_of
from .notebook import hidden_lines, strip_ansi


class FeedbackTracebacks(NbGraderPreprocessor):
    """In feedback, replace each traceback frame that quotes a hidden test line.

    IPython quotes the failing line and its neighbours; in a test cell those can be hidden
    tests. The frames of the learner's own code and the final "AssertionError: <hint>" stay.
    """

    def preprocess(self, nb, resources):
        # in the language of the assignment's edition
        with speaking(language_of(resources.get("nbgrader", {}).get("assignment", ""))):
            return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        hidden = hidden_lines(cell.source) if cell.cell_type == "code" else []
        if not hidden:
            return cell, resources
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                out.traceback = [
                    _("(a frame of the hidden tests, not shown)")
                    if quotes_any(strip_ansi(frame), hidden) else frame
                    for frame in out.traceback]
        return cell, resources


def quotes_any(text: str, lines: list[str]) -> bool:
    """Whether a row of `text` ends with one of `lines` (how IPython quotes source)."""
    return any(row.rstrip().endswith(h) for row in text.splitlines() for h in lines)
