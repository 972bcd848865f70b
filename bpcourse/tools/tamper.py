"""Tampering: a learner's cell that reassigns something in numpy, builtins, bpcourse or
sys.modules. The test cells run in the learner's kernel and rely on those names; this scan of the
submitted notebook lists such lines for the instructor (the tests catch it in the kernel too).

The scan runs in the grader's process, outside the sandbox, so its work is bounded before it
starts: a cell longer than :data:`MAX_CELL_BYTES` is not parsed (IPython's transforms took 63 s
and 1.4 GB for a 2 MB cell) but flagged for a look by its size."""

from __future__ import annotations

import ast

from IPython.core.inputtransformer2 import TransformerManager

from ..i18n import N_, _
from .notebook import cell_source, nbgrader_meta
from .outcome import TAMPERED_LINE

WATCHED_MODULES = ("numpy", "builtins", "bpcourse", "sys")
MAX_CELL_BYTES = 64 * 1024  # the longest exercise answer of the course is under 4 KB
TOO_LONG = N_("({kib} KiB in one cell: too long to scan, look at it)")


def find_tampering(notebook: dict) -> list[str]:
    """Lines of the learner's cells (not locked test cells) that reassign something in numpy,
    builtins, bpcourse or sys.modules, as "cell N, line L: <code>"."""
    aliases = {"np": "numpy", "numpy": "numpy", "builtins": "builtins", "__builtins__": "builtins",
               "bpcourse": "bpcourse", "sys": "sys"}
    trees, found = [], []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code" or nbgrader_meta(cell).get("locked"):
            continue
        size = len(cell_source(cell).encode("utf-8", "replace"))
        if size > MAX_CELL_BYTES:
            code = _(TOO_LONG).format(kib=size // 1024)
            found.append(TAMPERED_LINE.format(cell=index, line=1, code=code))
            continue
        tree = parse_cell(cell_source(cell))
        if tree is None:
            continue
        trees.append((index, tree, cell_source(cell).splitlines()))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                base = node.module if isinstance(node, ast.ImportFrom) else None
                for alias in node.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    if full.split(".")[0] in WATCHED_MODULES:
                        aliases[alias.asname or alias.name.split(".")[0]] = full
    for index, tree, lines in trees:
        for node in ast.walk(tree):
            if reassigns(node, aliases):
                line = lines[node.lineno - 1].strip() if node.lineno <= len(lines) else ""
                found.append(TAMPERED_LINE.format(cell=index, line=node.lineno, code=line))
    return found


def parse_cell(src: str) -> ast.Module | None:
    """The cell's syntax tree after IPython's transforms (magics, !shell), or None."""
    try:
        return ast.parse(TransformerManager().transform_cell(src))
    except SyntaxError:
        return None


def root_name(node) -> str | None:
    """``np`` for ``np.linalg.norm`` or ``np.x[0]``; None when the root is not a name."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def reassigns(node, aliases: dict[str, str]) -> bool:
    """Whether `node` assigns, deletes or setattr()s an attribute or item of a watched name."""
    targets = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = node.targets
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
          and node.func.id in ("setattr", "delattr") and node.args):
        first = node.args[0]
        return isinstance(first, (ast.Name, ast.Attribute)) and root_name(first) in aliases
    for target in targets:
        for t in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]):
            if isinstance(t, (ast.Attribute, ast.Subscript)) and root_name(t) in aliases:
                return True
    return False
