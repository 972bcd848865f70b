"""Toy data sets made locally and seeded: nothing is downloaded.

Each function returns X: (N, 2) float64 points and y: (N,) int64 labels.
"""

from __future__ import annotations

import numpy as np

from .i18n import _

__all__ = ["spiral", "moons", "xor"]


def _check_count(name: str, value: int, minimum: int = 1) -> None:
    if not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(_("{name} must be an int >= {minimum}, got {value}.").format(
            name=name, minimum=minimum, value=repr(value)))


def spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0):
    """Interleaved spiral arms, one per class (CS231n's classic), not linearly separable.

    Returns:
        X: (n_per_class * n_classes, 2), y: (n_per_class * n_classes,) in [0, n_classes).
    """
    _check_count("n_per_class", n_per_class)
    _check_count("n_classes", n_classes, 2)
    rng = np.random.default_rng(seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for k in range(n_classes):
        rows = slice(n_per_class * k, n_per_class * (k + 1))
        radius = np.linspace(0.0, 1.0, n_per_class)
        theta = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + rng.standard_normal(
            n_per_class) * noise
        X[rows] = np.c_[radius * np.sin(theta), radius * np.cos(theta)]
        y[rows] = k
    return X, y


def moons(n: int = 200, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles (class 0 on top, class 1 below).

    Returns:
        X: (n, 2), y: (n,) in {0, 1}.
    """
    _check_count("n", n, 2)
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n - n0)
    X = np.r_[np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]]
    X += rng.standard_normal(X.shape) * noise
    y = np.r_[np.zeros(n0, dtype=np.int64), np.ones(n - n0, dtype=np.int64)]
    return X, y


def xor(n: int = 200, noise: float = 0.1, seed: int = 0):
    """Four clusters at (±1, ±1); the label is 1 where the signs differ (XOR).

    Returns:
        X: (n, 2), y: (n,) in {0, 1}.
    """
    _check_count("n", n, 1)
    rng = np.random.default_rng(seed)
    corners = rng.choice([-1.0, 1.0], size=(n, 2))
    X = corners + rng.standard_normal((n, 2)) * noise
    y = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return X, y
