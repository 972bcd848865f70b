"""``bpcourse grade NOTEBOOK``: the self-study grade (:func:`bpcourse.tools.autograde.
grade_notebook`), with its kernel started before the grader is imported.

This module imports the standard library only: the kernel starts first
(:func:`bpcourse.tools.early_kernel.start`) and gets ready while nbgrader is imported and the
prepared course is copied; the grader then adopts it.
"""

from __future__ import annotations

import importlib

from . import early_kernel


def cli(command: str, argv: list[str]) -> int:
    if not {"-h", "--help"} & set(argv):
        early_kernel.start()
    # imported after the kernel started: that order is what this module is for
    grader = importlib.import_module("bpcourse.tools.autograde")
    return grader.cli(command, argv)
