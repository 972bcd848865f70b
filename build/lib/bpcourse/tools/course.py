"""The course on disk: its root folder, its assignments, their editions (and so the language a
tool speaks about them), and the environment nbgrader runs in.

Everything that needs to know which notebooks the course has asks :func:`assignments`, so a new
notebook cannot be forgotten by a hard-coded list; everything that starts nbgrader (or opens its
gradebook) takes its environment from :func:`nbgrader_env`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# The course's editions and the suffix of their assignment ids: the zh edition of 04_layers is
# the assignment 04_layers_zh (solutions/04_layers_zh/04_layers_zh.ipynb), so that both editions
# can be released and graded in one gradebook (docs/editions.md).
EDITIONS = {"en": "", "zh": "_zh"}


def edition_of(assignment: str) -> str:
    """``"04_layers_zh"`` -> ``"zh"``; an assignment without an edition's suffix is ``"en"``."""
    for edition, suffix in EDITIONS.items():
        if suffix and assignment.endswith(suffix):
            return edition
    return "en"


# The language (of bpcourse.set_language) each edition speaks.
LANGUAGES = {"en": "en", "zh": "zh_CN"}


def language_of_edition(edition: str) -> str:
    """``"zh"`` -> ``"zh_CN"``, ``"en"`` -> ``"en"``."""
    return LANGUAGES[edition]


def language_of(assignment: str) -> str:
    """The language a tool speaks about ``assignment``: its edition's (``"04_layers_zh"`` ->
    ``"zh_CN"``, ``"04_layers"`` -> ``"en"``), as the language of ``bpcourse.set_language``."""
    return language_of_edition(edition_of(assignment))


def add_language_option(parser: argparse.ArgumentParser) -> None:
    """``--lang en|zh``: the language of what an instructor command prints (default: the
    variable BPCOURSE_LANG, else English). Words only: points, verdicts, exit codes, CSV columns
    and JSON keys are the same in every language."""
    parser.add_argument("--lang", choices=sorted(EDITIONS), default=None,
                        help="language of the printed table and summary lines (default: "
                             "$BPCOURSE_LANG, else en)")


def assignments(root: Path = ROOT, folder: str = "solutions",
                edition: str | None = None) -> list[str]:
    """The course's assignments: the folders ``NN_topic`` of ``root/folder`` that hold
    ``NN_topic.ipynb``, sorted (by number, since names start with it).

    ``edition`` ("en", "zh") keeps only that edition's; None keeps every edition's.
    """
    if edition is not None and edition not in EDITIONS:
        raise ValueError(f"edition must be one of {sorted(EDITIONS)}, got {edition!r}")
    where = Path(root) / folder
    if not where.is_dir():
        return []
    return sorted(p.name for p in where.iterdir()
                  if p.is_dir() and (p / f"{p.name}.ipynb").is_file()
                  and edition in (None, edition_of(p.name)))


def nbgrader_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default os.environ) with this Python's ``bin/`` first on PATH.

    nbgrader runs programs of its environment by name (``alembic`` when it creates a gradebook),
    and `make` or a test runner does not put the virtual environment's ``bin/`` on PATH.
    """
    env = dict(os.environ if base is None else base)
    bindir = str(Path(sys.executable).parent)
    rest = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != bindir]
    env["PATH"] = os.pathsep.join([bindir, *rest])
    return env
