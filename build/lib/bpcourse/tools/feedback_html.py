"""Feedback pages that show a learner only what is theirs to see, quietly.

Preprocessors (nbgrader_config.py lists them for ``generate_feedback``):

- ``StripPaths``: tracebacks and printed text quote files by absolute path (the instructor's
  home, the course folder, the virtual environment); the page shows them relative
  (``bpcourse/grading/nb02.py``) or by file name only.
- ``AltText``: figures get a text alternative (nbconvert otherwise warns for each page).
- ``ClearHiddenTests``, ``FeedbackTracebacks``: nbgrader's and the course's, declaring the
  ``display_data_priority`` option that nbconvert sets on every preprocessor (without it each
  page logs "Config option `display_data_priority` not recognized").

``mark_pending`` rewrites a finished page: a cell still to be graded by hand shows "pending", not
"0.0", and the heading says how many points are pending.
"""

from __future__ import annotations

import base64
import html
import os
import re
import site
import sys
import sysconfig

from nbgrader.preprocessors import ClearHiddenTests as _NbgraderClearHiddenTests
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List

from ..i18n import _, speaking
from .course import language_of
from .feedback import FeedbackTracebacks as _CourseFeedbackTracebacks

_PRIORITY = ["text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png",
             "image/jpeg", "text/plain"]


class ClearHiddenTests(_NbgraderClearHiddenTests):
    display_data_priority = List(_PRIORITY).tag(config=True)


class FeedbackTracebacks(_CourseFeedbackTracebacks):
    display_data_priority = List(_PRIORITY).tag(config=True)


def path_prefixes() -> list[str]:
    """Folders whose absolute paths a page must not show, longest first."""
    found = {os.getcwd(), sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"],
             sysconfig.get_paths()["stdlib"], os.path.expanduser("~")}
    found.update(site.getsitepackages() if hasattr(site, "getsitepackages") else [])
    return sorted((p.rstrip("/") + "/" for p in found if p and p != "/"), key=len, reverse=True)


_ABSOLUTE = re.compile(r"(?<![\w.~])/(?:[^\s/:'\"\x1b()<>]+/)+(?=[^\s/:'\"\x1b()<>]+)")


def strip_paths(text: str, prefixes: list[str] | None = None) -> str:
    """Known folders removed from paths, any other absolute path cut to its file name."""
    for prefix in prefixes if prefixes is not None else path_prefixes():
        text = text.replace(prefix, "")
    return _ABSOLUTE.sub("", text)


class StripPaths(NbGraderPreprocessor):
    """No absolute path of the grader's machine in a feedback page."""

    display_data_priority = List(_PRIORITY).tag(config=True)

    def preprocess(self, nb, resources):
        self.prefixes = path_prefixes()
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                out.traceback = [strip_paths(t, self.prefixes) for t in out.traceback]
                out.evalue = strip_paths(out.evalue, self.prefixes)
            elif out.output_type == "stream":
                out.text = strip_paths(out.text, self.prefixes)
            elif "text/plain" in out.get("data", {}):
                out.data["text/plain"] = strip_paths(out.data["text/plain"], self.prefixes)
        return cell, resources


class AltText(NbGraderPreprocessor):
    """A text alternative for every figure that has none: its own text form when it says
    something, else which cell drew it. nbconvert's template writes an SVG (the computation
    graphs of bpcourse.graph) as an <img> it cannot give an alt to, so an SVG is also given an
    HTML form, the same picture with its alt, which the page shows instead."""

    display_data_priority = List(_PRIORITY).tag(config=True)

    def preprocess(self, nb, resources):
        # in the language of the assignment's edition: a zh page gets Chinese alt texts
        with speaking(language_of(resources.get("nbgrader", {}).get("assignment", ""))):
            return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = "".join(data.get("text/plain", ""))
            said = text if text and not re.match(r"<[\w.<>]+ (at 0x|size )", text) else ""
            alt = said or _("figure drawn by cell {number}").format(number=index + 1)
            for mime in ("image/png", "image/jpeg"):
                if mime in data:
                    meta = out.setdefault("metadata", {}).setdefault(mime, {})
                    meta["alt"] = meta.get("alt") or alt
            if "image/svg+xml" in data and "text/html" not in data:
                svg = "".join(data["image/svg+xml"]).encode("utf-8")
                data["text/html"] = (f'<img alt="{html.escape(alt)}" src="data:image/svg+xml;'
                                     f'base64,{base64.b64encode(svg).decode("ascii")}">')
        return cell, resources


def mark_pending(page: str, pending: dict[str, float], assignment: str = "") -> str:
    """Show the cells in `pending` (grade_id -> points) as "pending" instead of a score of 0,
    in the language of `assignment`'s edition."""
    with speaking(language_of(assignment)):
        return _mark_pending(page, pending)


def _mark_pending(page: str, pending: dict[str, float]) -> str:
    word, by_hand = _("pending"), _("pending (graded by hand)")
    for grade_id in pending:
        gid = re.escape(html.escape(grade_id))
        # the table of contents: <a href="#id">Written response</a> (Score: 0.0 / 1.0)
        page = re.sub(rf'(href="#{gid}">[^<]*</a> \(Score: )[0-9.]+( / )',
                      lambda m: m[1] + word + m[2], page)
        # the cell's heading: <a name="id"></a> ... Score: 0.0 / 1.0
        page = re.sub(rf'(<a name="{gid}"></a>.*?Score: )[0-9.]+( / )',
                      lambda m: m[1] + by_hand + m[2], page, count=1, flags=re.S)
    total = sum(pending.values())
    if total:
        note = _("{points} point(s) pending grading by hand").format(points=f"{total:g}")
        page = re.sub(r"(<h4>[^<]*\(Score: [0-9.]+ / [0-9.]+)\)",
                      lambda m: f"{m[1]}, {html.escape(note)})", page, count=1)
    return page
