"""The course on disk: its root folder, its assignments, and the environment nbgrader runs in.

Everything that needs to know which notebooks the course has asks :func:`assignments`, so a new
notebook cannot be forgotten by a hard-coded list; everything that starts nbgrader (or opens its
gradebook) takes its environment from :func:`nbgrader_env`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def assignments(root: Path = ROOT, folder: str = "solutions") -> list[str]:
    """The course's assignments: the folders ``NN_topic`` of ``root/folder`` that hold
    ``NN_topic.ipynb``, sorted (by number, since names start with it)."""
    where = Path(root) / folder
    if not where.is_dir():
        return []
    return sorted(p.name for p in where.iterdir()
                  if p.is_dir() and (p / f"{p.name}.ipynb").is_file())


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
