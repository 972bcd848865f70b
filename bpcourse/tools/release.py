"""Regenerate the student release ``notebooks/`` from ``solutions/`` with nbgrader.

``python -m bpcourse release [NAME ...]`` runs ``nbgrader generate_assignment --force`` (without
--force nbgrader silently keeps an existing release) for every assignment in solutions/, or for
the ones named. The result is what gets committed; a test proves it is in sync.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from .course import ROOT, assignments, nbgrader_env


def generate(names: list[str], root: Path = ROOT, quiet: bool = True) -> None:
    """Run nbgrader generate_assignment --force for each name, in the course folder `root`."""
    for name in names:
        cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", name, "--force",
               "--log-level=" + ("ERROR" if quiet else "INFO")]
        subprocess.run(cmd, cwd=root, check=True, env=nbgrader_env())


def cli(command: str, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"bpcourse {command}", description=__doc__)
    parser.add_argument("names", nargs="*", help="assignments to release (default: all)")
    args = parser.parse_args(argv)
    names = args.names or assignments()
    unknown = sorted(set(names) - set(assignments()))
    if unknown:
        parser.error(f"no such assignment in solutions/: {', '.join(unknown)}; "
                     f"choose from {', '.join(assignments())}")
    generate(names)
    print(f"released {len(names)} notebook(s) to notebooks/: {', '.join(names)}")
    return 0
