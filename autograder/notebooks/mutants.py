"""Mutants of an answer cell: small, automatic bugs that the lesson's tests must catch.

:func:`mutants_of` walks the solution regions of a cell (each between ``### BEGIN SOLUTION`` and
``### END SOLUTION``, or the whole cell without markers) and makes one mutant per change below.
Each mutant is the cell's source with that one change spliced in, so its diff shows one line as
a student would write it, comments and the rest of the cell untouched.

=================  ============================================================================
kind               change
=================  ============================================================================
operator           ``+``/``-``, ``*``/``/``, ``**`` -> ``*``, ``@`` -> ``*``, ``//`` -> ``/``
                   (also in ``+=``...), ``and``/``or``, a unary minus or ``not`` dropped
constant           ``0`` <-> ``1``, another whole number ``n`` -> ``n + 1``, a float ``c`` -> ``0``
                   (``0.0`` -> ``1.0``), ``True`` <-> ``False``
comparison         ``<`` -> ``<=`` and ``>``, ``<=`` -> ``<``, ``>`` -> ``>=`` and ``<``,
                   ``>=`` -> ``>``, ``==`` <-> ``!=``
axis               ``axis=k`` -> ``axis=0`` (``axis=0`` -> ``axis=1``) or dropped; ``keepdims=True``
                   dropped (nothing else changes inside them: ``axis=-1`` -> ``axis=1`` is the
                   same axis for the 2-D arrays most exercises take)
transpose          ``x.T`` -> ``x``; ``np.transpose(x)`` -> ``x``
function           ``sum`` <-> ``mean``, ``max`` <-> ``min``, ``argmax`` <-> ``argmin``,
                   ``maximum`` <-> ``minimum``
swapped arguments  the first two positional arguments of a call (not of a symmetric NumPy
                   function: ``maximum``, ``minimum``, ``add``, ``logaddexp``...); the operands of
                   ``-``, ``/``, ``@``, ``**``
dropped statement  an expression statement, an augmented assignment, an assignment to an
                   element or attribute, or a name assigned again, replaced by ``pass``
=================  ============================================================================

Mutants identical to the original or to an earlier mutant (same syntax tree) are left out, and
so is anything inside ``raise`` and ``assert`` statements (their messages are not graded).
"""

import ast
import copy
import dataclasses
import difflib
import re
from dataclasses import dataclass

from autograder.notebooks.cells import BEGIN_SOLUTION_LINE, END_SOLUTION_LINE

BINARY_SWAPS = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div], ast.Div: [ast.Mult],
                ast.Pow: [ast.Mult], ast.MatMult: [ast.Mult], ast.FloorDiv: [ast.Div], ast.Mod: [ast.FloorDiv]}
COMPARISON_SWAPS = {ast.Lt: [ast.LtE, ast.Gt], ast.LtE: [ast.Lt], ast.Gt: [ast.GtE, ast.Lt], ast.GtE: [ast.Gt],
                    ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq]}
NON_COMMUTATIVE = (ast.Sub, ast.Div, ast.MatMult, ast.Pow)
FUNCTION_SWAPS = {"sum": "mean", "mean": "sum", "max": "min", "min": "max", "argmax": "argmin",
                  "argmin": "argmax", "maximum": "minimum", "minimum": "maximum", "amax": "amin", "amin": "amax"}
SYMMETRIC = {"maximum", "minimum", "fmax", "fmin", "add", "multiply", "logaddexp", "logaddexp2", "hypot"}
KINDS = ("operator", "constant", "comparison", "axis", "transpose", "function", "swapped arguments",
         "dropped statement")


@dataclass(frozen=True)
class Mutant:
    """One mutant of one cell.

    kind: one of :data:`KINDS`.
    description: ``"<kind>: line <n>: `<before>` -> `<after>`"``, n counted from the cell's first line;
        it names the mutant in the catalogue's list of equivalent mutants.
    source: the whole cell with the change.
    """

    cell_id: str
    kind: str
    description: str
    source: str
    original: str

    def diff(self):
        """The change as a unified diff of the cell (one line of context)."""
        return "".join(difflib.unified_diff(self.original.splitlines(keepends=True),
                                            self.source.splitlines(keepends=True),
                                            fromfile=f"{self.cell_id} (answer)", tofile=f"{self.cell_id} (mutant)",
                                            n=1))


def solution_regions(source):
    """[(first, last)] line numbers (1-based, inclusive) of each solution region of a cell; the whole
    cell when it has no markers."""
    lines = [line.strip() for line in source.splitlines()]
    regions, begin = [], None
    for number, line in enumerate(lines, 1):
        if line == BEGIN_SOLUTION_LINE:
            begin = number
        elif line == END_SOLUTION_LINE and begin is not None:
            regions.append((begin + 1, number - 1))
            begin = None
    return regions or [(1, len(lines))]


def mutants_of(source, cell_id):
    """Every mutant of the cell ``source`` (see the module docstring), in source order."""
    tree = ast.parse(source)
    regions = solution_regions(source)
    seen = {ast.dump(tree)}
    found, descriptions = [], set()
    for change in _changes(tree, regions):
        mutant = _apply(source, tree, change, cell_id)
        if mutant is None:
            continue
        key = ast.dump(ast.parse(mutant.source))
        if key in seen:
            continue
        seen.add(key)
        description, repeat = mutant.description, 1
        while description in descriptions:  # the same change twice on one line: number the later ones
            repeat += 1
            description = f"{mutant.description} #{repeat}"
        descriptions.add(description)
        found.append(dataclasses.replace(mutant, description=description))
    return found


# the changes ------------------------------------------------------------------------------------
@dataclass
class _Change:
    """One edit of the tree: ``apply()`` makes it in place and returns what undoes it.

    target: the node whose source text is replaced (an expression, or a statement for drops).
    """

    kind: str
    target: ast.AST
    apply: object


def _changes(tree, regions):
    skipped = {id(node) for statement in ast.walk(tree) if isinstance(statement, (ast.Raise, ast.Assert))
               for node in ast.walk(statement)}
    skipped |= {id(node) for keyword in ast.walk(tree) if isinstance(keyword, ast.keyword)
                and keyword.arg in ("axis", "keepdims") for node in ast.walk(keyword.value)}
    bound = set()
    for node in _in_source_order(tree):
        if id(node) in skipped or not hasattr(node, "lineno") or _is_docstring(node) or \
                not any(first <= node.lineno and node.end_lineno <= last for first, last in regions):
            continue
        yield from _operator_changes(node)
        yield from _constant_changes(node)
        yield from _comparison_changes(node)
        yield from _axis_changes(node)
        yield from _transpose_changes(node)
        yield from _function_changes(node)
        yield from _swap_changes(node)
        if isinstance(node, ast.stmt):
            yield from _drop_changes(node, tree, bound)
            bound.update(_assigned_names(node))


def _in_source_order(tree):
    nodes = [node for node in ast.walk(tree) if hasattr(node, "lineno")]
    return sorted(nodes, key=lambda node: (node.lineno, node.col_offset, -node.end_lineno, -node.end_col_offset))


def _is_docstring(node):
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _setter(node, field, value):
    def apply():
        old = getattr(node, field)
        setattr(node, field, value)
        return lambda: setattr(node, field, old)
    return apply


def _operator_changes(node):
    if isinstance(node, (ast.BinOp, ast.AugAssign)):
        for new in BINARY_SWAPS.get(type(node.op), []):
            yield _Change("operator", node, _setter(node, "op", new()))
    elif isinstance(node, ast.BoolOp):
        yield _Change("operator", node, _setter(node, "op", ast.Or() if isinstance(node.op, ast.And) else ast.And()))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        yield _Change("operator", node, _replacer(node, node.operand))


def _constant_changes(node):
    if not isinstance(node, ast.Constant) or isinstance(node.value, (str, bytes)) or node.value is None:
        return
    value = node.value
    if isinstance(value, bool):
        new = not value
    elif isinstance(value, int):
        new = {0: 1, 1: 0}.get(value, value + 1)
    elif isinstance(value, float):
        new = 1.0 if value == 0 else 0.0
    else:
        return
    yield _Change("constant", node, _setter(node, "value", new))


def _comparison_changes(node):
    if isinstance(node, ast.Compare):
        for position, operator in enumerate(node.ops):
            for new in COMPARISON_SWAPS.get(type(operator), []):
                ops = list(node.ops)
                ops[position] = new()
                yield _Change("comparison", node, _setter(node, "ops", ops))


def _axis_changes(node):
    if not isinstance(node, ast.Call):
        return
    for position, keyword in enumerate(node.keywords):
        without = node.keywords[:position] + node.keywords[position + 1:]
        if keyword.arg == "axis":
            axis = _whole_number(keyword.value)
            if axis is not None:
                changed = ast.keyword(arg="axis", value=ast.Constant(1 if axis == 0 else 0))
                yield _Change("axis", node, _setter(node, "keywords", node.keywords[:position] + [changed]
                                                    + node.keywords[position + 1:]))
            yield _Change("axis", node, _setter(node, "keywords", without))
        elif keyword.arg == "keepdims" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True:
            yield _Change("axis", node, _setter(node, "keywords", without))


def _whole_number(node):
    """The int of ``node`` when it is a literal such as ``1`` or ``-1``, else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _whole_number(node.operand)
        return None if value is None else -value
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    return None


def _transpose_changes(node):
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield _Change("transpose", node, _replacer(node, node.value))
    elif isinstance(node, ast.Call) and _called_name(node) == "transpose" and isinstance(node.func, ast.Attribute) \
            and len(node.args) == 1 and not node.keywords and _is_module(node.func.value):
        yield _Change("transpose", node, _replacer(node, node.args[0]))


def _function_changes(node):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in FUNCTION_SWAPS:
        yield _Change("function", node.func, _setter(node.func, "attr", FUNCTION_SWAPS[node.func.attr]))


def _swap_changes(node):
    if isinstance(node, ast.Call) and len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args) \
            and _called_name(node) not in SYMMETRIC:
        swapped = [node.args[1], node.args[0], *node.args[2:]]
        yield _Change("swapped arguments", node, _setter(node, "args", swapped))
    elif isinstance(node, ast.BinOp) and isinstance(node.op, NON_COMMUTATIVE):
        yield _Change("swapped arguments", node, _operand_swapper(node))


def _operand_swapper(node):
    def swap():
        node.left, node.right = node.right, node.left

    def apply():
        swap()
        return swap
    return apply


def _drop_changes(statement, tree, bound):
    if isinstance(statement, (ast.Expr, ast.AugAssign)):
        droppable = True
    elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        droppable = any(isinstance(t, (ast.Subscript, ast.Attribute)) for t in targets) or \
            bool(_assigned_names(statement) & bound)
    else:
        droppable = False
    if droppable:
        yield _Change("dropped statement", statement, _dropper(statement, tree))


def _dropper(statement, tree):
    def apply():
        for parent in ast.walk(tree):
            for field in ("body", "orelse", "finalbody"):
                block = getattr(parent, field, None)
                if isinstance(block, list) and any(item is statement for item in block):
                    position = next(i for i, item in enumerate(block) if item is statement)
                    block[position] = ast.Pass()
                    return lambda block=block, position=position: block.__setitem__(position, statement)
        raise LookupError("statement not found in its tree")
    return apply


def _replacer(node, replacement):
    """Replace ``node`` by ``replacement`` wherever it appears in its parent (found at apply time)."""
    def apply():
        node._mutant_replacement = replacement
        return lambda: delattr(node, "_mutant_replacement")
    return apply


def _assigned_names(statement):
    targets = getattr(statement, "targets", None) or [getattr(statement, "target", None)]
    return {node.id for target in targets if target is not None for node in ast.walk(target)
            if isinstance(node, ast.Name)}


def _called_name(call):
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)


def _is_module(node):
    return isinstance(node, ast.Name) and node.id in ("np", "numpy")


# splicing ---------------------------------------------------------------------------------------
class _Substitute(ast.NodeTransformer):
    def generic_visit(self, node):
        super().generic_visit(node)
        return getattr(node, "_mutant_replacement", node)


def _apply(source, tree, change, cell_id):
    """The mutant of ``change``: its text spliced into ``source``, checked to parse to the changed tree."""
    before = _segment(source, change.target)
    undo = change.apply()
    try:
        changed = _Substitute().visit(copy.deepcopy(tree))
        expected = ast.dump(changed)
        if change.kind == "dropped statement":
            texts = ["pass"]
        else:
            new_node = getattr(change.target, "_mutant_replacement", change.target)
            text = ast.unparse(_Substitute().visit(copy.deepcopy(new_node)))
            texts = [text, f"({text})"]
    finally:
        undo()
    for text in texts:
        mutated = _splice(source, change.target, text)
        try:
            if ast.dump(ast.parse(mutated)) == expected:
                line = change.target.lineno
                return Mutant(cell_id, change.kind, f"{change.kind}: line {line}: `{_short(before)}` -> "
                                                    f"`{_short(text)}`", mutated, source)
        except SyntaxError:
            continue
    return None


def _segment(source, node):
    return ast.get_source_segment(source, node) or ""


def _splice(source, node, text):
    """``source`` with the text of ``node`` replaced by ``text`` (positions are UTF-8 offsets per line)."""
    lines = source.splitlines(keepends=True)
    start = sum(len(line.encode()) for line in lines[:node.lineno - 1]) + node.col_offset
    end = sum(len(line.encode()) for line in lines[:node.end_lineno - 1]) + node.end_col_offset
    encoded = source.encode()
    return (encoded[:start] + text.encode() + encoded[end:]).decode()


def _short(text, width=60):
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= width else text[:width - 3] + "..."
