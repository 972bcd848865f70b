"""Reading the course's notebooks as JSON: cells, which exercise a test belongs to, the hidden
test lines, and the message of a failed test cell. No kernel, no nbgrader."""

from __future__ import annotations

import json
import re
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def load_notebook(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def nbgrader_meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def exercise_of_tests(notebook: dict) -> dict[str, str]:
    """grade_id of each autograded test cell -> grade_id of the answer cell it tests (the last
    answer cell above it; the test's own id if there is none)."""
    mapping, current = {}, None
    for cell in notebook["cells"]:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and not meta.get("grade"):
            current = meta.get("grade_id")
        elif meta.get("grade") and cell.get("cell_type") == "code":
            mapping[meta["grade_id"]] = current or meta["grade_id"]
    return mapping


def hidden_lines(source: str) -> list[str]:
    """The stripped, non-empty lines between BEGIN HIDDEN TESTS and END HIDDEN TESTS."""
    lines, inside = [], False
    for line in source.splitlines():
        if "BEGIN HIDDEN TESTS" in line:
            inside = True
        elif "END HIDDEN TESTS" in line:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def error_message(cell: dict) -> str | None:
    """"Ename: evalue" of a cell's error output, else its stderr text, else None."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            text = f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
            return strip_ansi(text).rstrip(": ")
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            return "output on stderr: " + strip_ansi("".join(out.get("text", "")))[:200]
    return None
