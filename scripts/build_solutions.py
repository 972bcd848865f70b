"""Rebuild every notebook in solutions/ from its builder in scripts/notebooks/.

Run: .venv/bin/python scripts/build_solutions.py [NAME_FRAGMENT ...]
Each builder scripts/notebooks/nbNN_<topic>.py writes solutions/<NN_topic>/<NN_topic>.ipynb
(no outputs). Builders are found by glob, so a new notebook needs no change here. Then
`python -m bpcourse release` regenerates the student release in notebooks/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def builders(fragments: list[str] | None = None) -> list[Path]:
    """The builder scripts, sorted; only those whose name contains a fragment, if given."""
    found = sorted((HERE / "notebooks").glob("nb[0-9][0-9]_*.py"))
    if fragments:
        found = [p for p in found if any(f in p.name for f in fragments)]
    return found


def main(argv: list[str]) -> int:
    chosen = builders(argv)
    if not chosen:
        print(f"no builder in {HERE / 'notebooks'} matches {argv}", file=sys.stderr)
        return 2
    for builder in chosen:
        # Each builder runs in its own interpreter: they share module names (nbbuild, CELLS).
        subprocess.run([sys.executable, str(builder)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
