"""The course's figures (matplotlib), shared by the notebooks and the ``cost`` command.

matplotlib is imported inside each function, so ``import bpcourse`` stays numpy-only.
Every function takes an optional ``ax`` and returns the Axes it drew on.
"""

from __future__ import annotations
