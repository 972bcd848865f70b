"""What a submission wrote is shown as text, never run, wherever the instructor or the student
reads it again: the formgrader and the feedback.

A student's outputs can carry HTML and ``<script>`` (``display(HTML(...))``, a ``_repr_html_``,
JavaScript), and their markdown cells any HTML. Autograde passes every graded notebook through
:class:`SanitizeStudentHTML` after execution: code cells' outputs lose JavaScript and keep only
harmless HTML (nbconvert's :class:`~nbconvert.preprocessors.SanitizeHTML`, bleach's rules); a
markdown or raw cell is sanitised the same way unless its text is, character for character, a
cell of the course's own notebook (the prose the course wrote: its ``<details>`` hints stay).
The autograded notebook is what the formgrader shows and what the feedback is made from, so both
read the sanitised copy.
"""

from __future__ import annotations

import json
from pathlib import Path

from nbconvert.preprocessors.sanitize import SanitizeHTML
from traitlets import Bool, Unicode


class SanitizeStudentHTML(SanitizeHTML):
    """nbconvert's SanitizeHTML for what a submission wrote, leaving the course's own cells."""

    enabled = Bool(True, help="nbconvert's preprocessors are off until enabled: this one is on")
    source_directory = Unicode(
        "", config=True,
        help="The course's source folder (solutions/): <assignment>/<notebook>.ipynb there "
             "holds the cells whose text is the course's own.").tag(config=True)

    def preprocess(self, nb, resources):
        self._course = course_cells(Path(self.source_directory), resources.get("nbgrader", {}))
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type in ("markdown", "raw") and cell.source in self._course:
            return cell, resources
        return super().preprocess_cell(cell, resources, cell_index)


def course_cells(source_directory: Path, names: dict) -> set[str]:
    """The texts of the markdown and raw cells of the course's notebook that `names` (nbgrader's
    resources: assignment, notebook) grades; empty when it cannot be read."""
    path = source_directory / names.get("assignment", "") / f"{names.get('notebook', '')}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {"".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells if c.get("cell_type") in ("markdown", "raw")}


__all__ = ["SanitizeStudentHTML", "course_cells"]
