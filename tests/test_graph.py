"""Pictures of a Value graph and of its backward pass (bpcourse.graph)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from bpcourse.autograd import Value
from bpcourse.graph import DotNotFound, backward_steps, draw, require_dot, to_svg

graphviz = pytest.importorskip("graphviz")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed (make test installs it)")

NODE = re.compile(r'^\t(\S+) \[label=("(?:[^"\\]|\\.)*"|[^ \]]+)(.*)\]$', re.M)
EDGE = re.compile(r"^\t(\S+) -> (\S+)$", re.M)


def nodes_of(picture) -> dict[str, tuple[str, str]]:
    """{dot id: (label, other attributes)} of every node in a picture's DOT text."""
    return {m[1].strip('"'): (m[2][1:-1] if m[2].startswith('"') else m[2], m[3])
            for m in NODE.finditer(picture.source)}


def edges_of(picture) -> list[tuple[str, str]]:
    return [(a.strip('"'), b.strip('"')) for a, b in EDGE.findall(picture.source)]


def record(picture, node: Value) -> str:
    return nodes_of(picture)[str(id(node))][0]


def neuron():
    """tanh(x1 w1 + x2 w2 + b): the course's first graph. Returns (output, all named nodes)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1w1", "x2w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [x1, x2, w1, w2, b, x1w1, x2w2, n, o]


# ----- draw -----

def test_draw_shows_label_data_and_grad_of_every_node():
    o, named = neuron()
    o.backward()
    picture = draw(o)
    assert isinstance(picture, graphviz.Digraph)
    for node in named:
        assert record(picture, node) == (
            f"{{ {node.label} | data {node.data:.4f} | grad {node.grad:.4f} }}")
    assert 'rankdir=LR' in picture.source


def test_draw_shows_one_op_node_per_operation_between_inputs_and_output():
    o, _ = neuron()
    picture = draw(o)
    ops = {k: v for k, v in nodes_of(picture).items() if k.endswith("op")}
    assert sorted(label for label, _ in ops.values()) == ["*", "*", "+", "+", "tanh"]
    edges = edges_of(picture)
    for node in o.topological_order():
        if node._prev:
            op = f"{id(node)}op"
            assert (op, str(id(node))) in edges
            assert all((str(id(child)), op) in edges for child in node._prev)
    # 10 values + 5 ops; edges: one op -> out per op, plus one per input of each op
    assert len(nodes_of(picture)) == 10 + 5 and len(edges) == 5 + 9
    assert len(o.topological_order()) == 10


def test_an_input_used_twice_gets_two_edges():
    a = Value(3.0, label="a")
    b = a + a
    edges = edges_of(draw(b))
    assert edges.count((str(id(a)), f"{id(b)}op")) == 2


def test_show_grad_false_hides_grads_and_show_order_numbers_the_backward_pass():
    o, named = neuron()
    picture = draw(o, show_grad=False, show_order=True, rankdir="TB")
    assert "grad" not in picture.source and "rankdir=TB" in picture.source
    order = [n for n in reversed(o.topological_order()) if n._prev]
    for k, node in enumerate(order, 1):
        assert record(picture, node).startswith(f"{{ #{k} | {node.label}".rstrip())
    leaves = [n for n in named if not n._prev]
    assert all("#" not in record(picture, leaf) for leaf in leaves)
    assert record(picture, o).startswith("{ #1 |")  # the output is processed first


def test_labels_with_record_syntax_are_escaped():
    a = Value(1.0, label='w{1}|<x> "q"')
    label = record(draw(a * 2), a)
    assert label.startswith(r'{ w\{1\}\|\<x\> \"q\" |')


def test_large_and_unlabelled_numbers_are_readable():
    a = Value(123456.0)
    assert record(draw(a), a) == "{ data 1.235e+05 | grad 0.0000 }"


def test_draw_accepts_any_micrograd_style_node():
    """A learner's own Value (or micrograd's) has data, grad, _prev and _op: it can be drawn."""

    class Node:  # the bare minimum: no label, no _backward
        def __init__(self, data, _prev=(), _op=""):
            self.data, self.grad, self._prev, self._op = data, 0.0, _prev, _op

    a = Node(2.0)
    b = Node(4.0, (a, a), "+")
    b.grad, a.grad = 1.0, 2.0
    source = draw(b).source
    assert "data 4.0000" in source and "grad 2.0000" in source
    assert source.count("-> ") == 1 + 2  # op -> b, and a -> op twice (a is used twice)
    assert len(backward_steps(b)) == 2


def test_draw_refuses_what_it_cannot_draw():
    with pytest.raises(TypeError, match="root must be a Value.*got float without data"):
        draw(3.0)
    with pytest.raises(ValueError, match="rankdir must be one of"):
        draw(Value(1.0), rankdir="up")
    x = Value(1.0)
    y = x
    for _ in range(30):
        y = y * 2
    with pytest.raises(ValueError, match=r"61 nodes, more than max_nodes=50.*max_nodes=None"):
        draw(y, max_nodes=50)
    assert len(nodes_of(draw(y, max_nodes=None))) == 61 + 30


# ----- backward_steps -----

def test_one_picture_per_step_and_the_last_one_shows_backwards_gradients():
    o, _ = neuron()
    steps = backward_steps(o)
    interior = [n for n in o.topological_order() if n._prev]
    assert len(steps) == 1 + len(interior) == 1 + 5
    o.backward()  # the real thing, for comparison
    for node in o.topological_order():
        assert f"grad {node.grad:.4f}" in record(steps[-1], node)


def test_step_zero_seeds_the_output_and_nothing_else():
    o, named = neuron()
    first = backward_steps(o)[0]
    assert "grad 1.0000" in record(first, o)
    assert all("grad 0.0000" in record(first, n) for n in named if n is not o)
    assert "step 0: seed dL/dL = 1" in first.source


def test_step_k_highlights_node_k_and_the_inputs_it_just_passed_its_gradient_to():
    o, _ = neuron()
    steps = backward_steps(o)
    order = [n for n in reversed(o.topological_order()) if n._prev]
    for k, node in enumerate(order, 1):
        picture = steps[k]
        attributes = {key: attrs for key, (_, attrs) in nodes_of(picture).items()}
        assert "fillcolor=gold" in attributes[str(id(node))]
        for child in node._prev:
            assert "fillcolor=lightblue" in attributes[str(id(child))]
        assert sum("fillcolor" in a for a in attributes.values()) == 1 + len(node._prev)
        assert f"step {k}/{len(order)}: #{k} ({node.label or node._op})" in picture.source
    # at step 1 only the output's operation has run: n got do/dn = 1 - tanh², the rest is 0
    n = order[1]
    assert f"grad {1 - o.data**2:.4f}" in record(steps[1], n)
    assert all("grad 0.0000" in record(steps[1], c) for c in n._prev)


def test_gradients_fill_in_as_the_steps_go_and_a_fork_adds_up():
    a = Value(3.0, label="a")
    b = a * a  # db/da = 2a = 6, added in one step through two edges
    c = b + a  # the fork: a also receives 1 directly
    c.label = "c"
    steps = backward_steps(c)
    assert [f"grad {g:.4f}" in record(s, a) for s, g in zip(steps, (0, 1, 7), strict=True)] \
        == [True, True, True]


def test_the_learners_graph_is_left_as_it_was():
    o, named = neuron()
    for k, node in enumerate(named):
        node.grad = 100.0 + k  # whatever a learner had there
    backward_steps(o)
    assert [n.grad for n in named] == [100.0 + k for k in range(len(named))]


def test_the_graph_is_restored_even_if_a_backward_step_fails():
    o, named = neuron()
    o.backward()
    before = [n.grad for n in named]

    def broken():
        raise RuntimeError("a buggy _backward")

    named[7]._backward = broken  # n, processed at step 2
    with pytest.raises(RuntimeError, match="buggy"):
        backward_steps(o)
    assert [n.grad for n in named] == before


def test_a_node_built_by_hand_without_a_backward_is_skipped_as_backward_does():
    a = Value(2.0, label="a")
    b = Value(5.0, (a,), "?", label="b")  # children but no _backward
    steps = backward_steps(b)
    assert len(steps) == 2 and "grad 0.0000" in record(steps[-1], a)


def test_a_single_leaf_has_one_step():
    steps = backward_steps(Value(2.0, label="x"))
    assert len(steps) == 1 and "grad 1.0000" in steps[0].source
    with pytest.raises(TypeError, match="root must be a Value.*got list"):
        backward_steps([Value(1.0)])


# ----- rendering, and what a learner without `dot` sees -----

@needs_dot
def test_to_svg_renders_the_picture_with_its_text():
    o, _ = neuron()
    o.backward()
    svg = to_svg(draw(o))
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "data 0.7071" in svg and "tanh" in svg
    assert require_dot().endswith("dot")


@needs_dot
def test_in_jupyter_a_picture_displays_as_svg():
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(draw(Value(1.0, label="x")))
    assert "<svg" in data["image/svg+xml"]


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` anywhere
    assert shutil.which("dot") is None


def _says_how_to_install(message: str) -> None:
    for line in ("apt-get install graphviz", "conda install -c conda-forge graphviz",
                 "brew install graphviz", ".source"):
        assert line in message


def test_without_dot_rendering_raises_the_install_line(no_dot):
    with pytest.raises(DotNotFound) as info:
        require_dot()
    _says_how_to_install(str(info.value))
    with pytest.raises(DotNotFound) as info:
        to_svg(draw(Value(1.0)))
    _says_how_to_install(str(info.value))


def test_without_dot_graphvizs_own_error_is_translated(no_dot, monkeypatch):
    import bpcourse.graph

    monkeypatch.setattr(bpcourse.graph, "require_dot", lambda: "/pretend/dot")
    with pytest.raises(DotNotFound) as info:
        to_svg(draw(Value(1.0)))
    assert isinstance(info.value.__cause__, graphviz.ExecutableNotFound)


def test_without_dot_the_source_stays_and_jupyter_shows_the_message_not_a_traceback(no_dot):
    from IPython.core.formatters import DisplayFormatter

    picture = draw(Value(2.0, label="x"))
    assert "{ x | data 2.0000 | grad 0.0000 }" in picture.source
    data, _ = DisplayFormatter().format(picture)
    assert "image/svg+xml" not in data
    _says_how_to_install(data["text/plain"])
    _says_how_to_install(picture._repr_mimebundle_()["text/plain"])


def test_importing_the_module_does_not_import_graphviz():
    code = "import sys, bpcourse.graph; print('graphviz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_the_graphviz_package_the_error_says_what_to_install(monkeypatch):
    import bpcourse.graph

    bpcourse.graph._picture_class.cache_clear()
    monkeypatch.setitem(sys.modules, "graphviz", None)  # `import graphviz` now fails
    try:
        with pytest.raises(ImportError, match=r"pip install graphviz.*python-graphviz"):
            draw(Value(1.0))
    finally:
        bpcourse.graph._picture_class.cache_clear()
