"""bpcourse: backpropagation, taught as a notebook series.

One module per idea of the course:

    numgrad   central differences, the oracle for every gradient
    check     rel_error and gradient comparison that names the likely mistake
    autograd  Value, a scalar autograd engine (micrograd's API)
    graph     graphviz pictures of a Value graph and of its backward pass
    layers    functional *_forward / *_backward layers with caches
    nn        modules (Linear, ReLU, Sequential, losses, SGD) built on layers
    data      toy data sets (spiral, moons, xor), made locally and seeded
    flops     FLOP counts of an MLP's forward and backward passes
    cost      timing sweeps: numeric gradients against backprop
    plots     the course's figures
    grading   what the notebooks' test cells call
    i18n      the learner's language: set_language("zh_CN") for the Chinese edition's messages

The course's tools (release, lab, grading with nbgrader) are in ``bpcourse.tools``, which
``import bpcourse`` does not load.
"""

from . import grading as _grading  # noqa: F401  (snapshots what grading relies on, see grading)
from .autograd import Value
from .check import check_gradient, rel_error
from .i18n import set_language
from .numgrad import numerical_gradient, numerical_gradient_array

__version__ = "0.1.0"
__all__ = ["Value", "check_gradient", "rel_error", "numerical_gradient",
           "numerical_gradient_array", "set_language", "__version__"]
