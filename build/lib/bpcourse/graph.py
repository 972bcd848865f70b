"""Pictures of a computation graph (计算图) of ``Value`` nodes, and of its backward pass.

``draw(root)`` shows every node as a box ``label | data | grad`` and every operation
as a small circle between its inputs and its output, the way the course draws graphs
on paper. ``backward_steps(root)`` shows the backward pass one node at a time: picture
k highlights the k-th node processed and the inputs it has just passed its gradient to.

Both return ``graphviz.Digraph`` objects, which display themselves in Jupyter. Rendering
needs Graphviz's ``dot`` program. When it is missing, a picture shows the install line
instead of a traceback, ``to_svg`` raises ``DotNotFound`` with that line, and the DOT
text stays available as ``picture.source``. The ``graphviz`` Python package is imported
only when a picture is made, so ``import bpcourse`` stays numpy-only.
"""

from __future__ import annotations

import functools
import shutil

from .autograd import Value, topological_order
from .i18n import _

__all__ = ["draw", "backward_steps", "to_svg", "require_dot", "DotNotFound"]

INSTALL_DOT = (
    "Graphviz's `dot` program was not found on PATH, so the picture cannot be rendered. "
    "Install it with one of:\n"
    "    sudo apt-get install graphviz           # Debian, Ubuntu\n"
    "    conda install -c conda-forge graphviz   # conda\n"
    "    brew install graphviz                   # macOS\n"
    "then restart the kernel. The picture's DOT text is still available as `.source`."
)

PROCESSED, RECEIVING = "gold", "lightblue"  # fill colours of backward_steps' highlights


class DotNotFound(RuntimeError):
    """Graphviz's ``dot`` program is missing; the message says how to install it."""


def require_dot() -> str:
    """Return the path of Graphviz's ``dot``; raise DotNotFound saying how to install it."""
    path = shutil.which("dot")
    if path is None:
        raise DotNotFound(INSTALL_DOT)
    return path


def to_svg(picture) -> str:
    """Render a picture (a graphviz.Digraph) to SVG text; raises DotNotFound without ``dot``."""
    require_dot()
    graphviz = _import_graphviz()
    try:
        return picture.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound as error:
        raise DotNotFound(INSTALL_DOT) from error


def _import_graphviz():
    try:
        import graphviz
    except ImportError as error:
        raise ImportError(_(
            "bpcourse.graph needs the graphviz Python package: pip install graphviz "
            "(or pip install 'bpcourse[course]'; with conda: conda install -c conda-forge "
            "python-graphviz graphviz).")
        ) from error
    return graphviz


@functools.cache
def _picture_class():
    graphviz = _import_graphviz()

    class Picture(graphviz.Digraph):
        """A Digraph that, in Jupyter, shows how to install ``dot`` instead of a traceback."""

        def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
            if shutil.which("dot") is None:
                return {"text/plain": INSTALL_DOT}
            return super()._repr_mimebundle_(include, exclude, **kwargs)

    return Picture


def _escape(text: str) -> str:
    # Characters that structure a graphviz record label must be escaped to be shown.
    for char in "\\{}|<>\"":
        text = text.replace(char, "\\" + char)
    return text


def _number(x: float) -> str:
    return f"{x:.4f}" if abs(x) < 1e4 else f"{x:.3e}"


def _require_value(root: object) -> None:
    # Any micrograd-style node will do: the course's Value, micrograd's, a learner's own.
    missing = [a for a in ("data", "grad", "_prev", "_op") if not hasattr(root, a)]
    if missing:
        raise TypeError(_("root must be a Value (the output of the graph, with data, grad, "
                          "_prev and _op), got {type} without {missing}.").format(
                              type=type(root).__name__, missing=", ".join(missing)))


def _backward_order(root: Value) -> list[Value]:
    """The nodes backward() processes (those with an input), in the order it processes them."""
    return [node for node in reversed(topological_order(root)) if node._prev]


def _picture(root: Value, grads: dict[int, float] | None, *, rankdir: str, show_order: bool,
             processed: Value | None = None, title: str = "", max_nodes: int | None):
    _require_value(root)
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(_("rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir}.")
                         .format(rankdir=repr(rankdir)))
    nodes = topological_order(root)
    if max_nodes is not None and len(nodes) > max_nodes:
        raise ValueError(_(
            "the graph has {count} nodes, more than max_nodes={max_nodes}: its picture "
            "would be unreadable. Draw a smaller expression, or pass max_nodes=None.")
            .format(count=len(nodes), max_nodes=max_nodes))
    number = {id(n): k for k, n in enumerate(_backward_order(root), 1)} if show_order else {}
    receiving = {id(child) for child in processed._prev} if processed is not None else set()

    dot = _picture_class()(graph_attr={"rankdir": rankdir})
    if title:
        dot.attr(label=title, labelloc="t")
    for node in nodes:
        label = getattr(node, "label", "")
        fields = [_escape(label)] if label else []
        if id(node) in number:
            fields.insert(0, f"#{number[id(node)]}")
        fields.append(f"data {_number(node.data)}")
        if grads is not None:
            fields.append(f"grad {_number(grads[id(node)])}")
        style = {}
        if node is processed:
            style = {"style": "filled", "fillcolor": PROCESSED}
        elif id(node) in receiving:
            style = {"style": "filled", "fillcolor": RECEIVING}
        dot.node(str(id(node)), "{ " + " | ".join(fields) + " }", shape="record", **style)
        if node._prev:
            op = f"{id(node)}op"
            dot.node(op, node._op or "?", shape="circle", width="0.3")
            dot.edge(op, str(id(node)))
            for child in node._prev:  # an input used twice (a + a) gets two edges
                dot.edge(str(id(child)), op)
    return dot


def draw(root: Value, *, rankdir: str = "LR", show_order: bool = False, show_grad: bool = True,
         max_nodes: int | None = 500):
    """A picture of the graph that computes `root`: every node's label, data and grad.

    Args:
        root: the output Value; every node it depends on is drawn.
        rankdir: "LR" (inputs on the left), "RL", "TB" or "BT".
        show_order: number the nodes #1, #2, ... in the order backward() processes them
            (leaves, which have nothing to pass on, get no number).
        show_grad: show each node's current .grad.
        max_nodes: refuse graphs larger than this (None: no limit).

    Returns:
        a graphviz.Digraph; it displays itself in Jupyter, ``.source`` is its DOT text.
    """
    _require_value(root)
    grads = {id(n): n.grad for n in topological_order(root)} if show_grad else None
    return _picture(root, grads, rankdir=rankdir, show_order=show_order, max_nodes=max_nodes)


def backward_steps(root: Value, *, rankdir: str = "LR", max_nodes: int | None = 100) -> list:
    """The backward pass of `root`, one picture per step, for a fresh pass (all grads from 0).

    Picture 0 shows the seed dL/dL = 1 on `root`. Picture k (k >= 1) shows the grads
    filled after the k-th node (numbered #k) ran its local backward: that node in gold,
    the inputs it has just added its share to in light blue. The last picture shows
    the grads a single backward() gives.

    The graph's own .grad values are restored before returning: the pictures are
    computed on the side, the learner's graph is left as it was.

    Returns:
        list of graphviz.Digraph, len = 1 + number of non-leaf nodes.
    """
    _require_value(root)
    nodes = topological_order(root)
    saved = [node.grad for node in nodes]
    order = _backward_order(root)
    pictures = []
    try:
        for node in nodes:
            node.grad = 0.0
        root.grad = 1.0

        def snapshot(processed, title):
            grads = {id(n): n.grad for n in nodes}
            pictures.append(_picture(root, grads, rankdir=rankdir, show_order=True,
                                     processed=processed, title=title, max_nodes=max_nodes))

        snapshot(None, _("step 0: seed dL/dL = 1 at the output"))
        for k, node in enumerate(order, 1):
            if getattr(node, "_backward", None) is not None:  # as in Value.backward
                node._backward()
            name = getattr(node, "label", "") or node._op
            snapshot(node, _("step {k}/{steps}: #{k} ({name}) passes its grad {grad} to its "
                             "inputs").format(k=k, steps=len(order), name=name,
                                              grad=_number(node.grad)))
    finally:
        for node, grad in zip(nodes, saved, strict=True):
            node.grad = grad
    return pictures
