"""The grading toolkit: every notebook's test module is found and watched for tampering."""

from __future__ import annotations

import pkgutil
import re

import numpy as np
import pytest

import bpcourse.grading as grading
from bpcourse.grading import toolkit


def test_every_nbNN_module_is_discovered_and_watched():
    on_disk = sorted(m.name for m in pkgutil.iter_modules(grading.__path__)
                     if re.fullmatch(r"nb\d\d", m.name))
    assert on_disk, "no bpcourse.grading.nbNN module found"
    watched = [m.__name__.rsplit(".", 1)[1] for m in toolkit._WATCHED_MODULES[1:]]
    assert watched == on_disk


@pytest.mark.parametrize("module, name", [("nb04", "test_linear"), ("nb04", "expect_array"),
                                          ("nb05", "call"), ("nb06", "require_written"),
                                          ("nb07", "test_batchnorm"),
                                          ("nb07", "numeric_gradient")])
def test_replacing_a_test_function_or_an_imported_helper_is_tampering(module, name):
    mod = getattr(grading, module)
    original = getattr(mod, name)
    setattr(mod, name, lambda *a, **k: None)
    try:
        with pytest.raises(grading.TamperingDetected, match=f"{module}.{name}"):
            grading.expect(np.zeros(2), np.zeros(2), "x")
    finally:
        setattr(mod, name, original)
    grading.expect(np.zeros(2), np.zeros(2), "x")  # restored: no complaint


def test_replacing_numpy_is_tampering():
    original = np.allclose
    np.allclose = lambda *a, **k: True
    try:
        with pytest.raises(grading.TamperingDetected, match="numpy.allclose"):
            grading.assert_untampered()
    finally:
        np.allclose = original
