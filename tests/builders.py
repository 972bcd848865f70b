"""Load a notebook builder (scripts/notebooks/nbNN_<topic>.py) as a module, for the tests.

Its module constants hold the solution sources the notebook is built from, so tests can run
exactly the notebook's answers, and its ``write`` rebuilds the notebook into a temp folder.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def load_builder(path: Path) -> ModuleType:
    """Import the builder at `path` (with scripts/ on sys.path for its `nbbuild` import)."""
    spec = importlib.util.spec_from_file_location(f"_builder_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(SCRIPTS))
    return module
