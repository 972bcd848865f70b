"""What the notebooks' test cells call.

Each notebook has a module here (``nb01``, ``nb02``, ...) whose ``test_*`` functions take the
learner's function or class, run it on random shapes and seeds, compare it with an independent
oracle (central differences in float64, or an analytic formula) and raise an AssertionError whose
message names the likely mistake. Nothing here prints: nbgrader scores a test cell 0 on any
stderr output, and the visible feedback is the assertion message.

What they share (``expect``, the tamper and own-work checks, seeded generators) is in
``toolkit``. Importing this package imports every ``nbNN`` module it finds, then snapshots the
originals of everything the comparisons rely on, so that a notebook cell that monkeypatches one
of them is caught (``assert_untampered``). The modules are discovered, not listed, so a new
notebook's tests cannot escape that check.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys

from .toolkit import (
    DelegationDetected,
    TamperingDetected,
    assert_own_work,
    assert_untampered,
    expect,
    rng_for,
    snapshot,
)

__all__ = ["expect", "assert_untampered", "TamperingDetected", "rng_for", "assert_own_work",
           "DelegationDetected", "notebook_modules"]


def notebook_modules() -> list:
    """Import and return every ``bpcourse.grading.nbNN`` module, in order."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__)
                   if re.fullmatch(r"nb\d\d", m.name))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


snapshot([sys.modules[__name__], *notebook_modules()])
