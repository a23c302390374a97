"""The names a piece of Python source reads and binds, found statically (``ast`` and ``symtable``).

Pure analysis of source code; nothing here runs it. Two readers need it:

- the judge (:mod:`autograder.safety.judge`) finds the names a test cell reads before it runs,
  and which statements of the instructor's cells it may replay itself (:func:`bound_names`);
- the source checks (:mod:`autograder.notebooks.cells`) refuse a notebook in which a cell reads a
  name that only a test cell binds.

It lives with the notebooks, not with the judge, so that the imports between rooms go one way:
the safety room imports the notebooks room, never the reverse. The grader installs this module in
the judge kernel *by its source text* (``autograder.safety.judge.kernel_modules``), so it imports
the standard library only.
"""

import ast
import itertools
import symtable

_ASSIGNMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def free_names(tree):
    """``(top_level, nested)``: names read at module level before being bound there, and names read
    inside functions, lambdas, classes and comprehensions (looked up when they run)."""
    reads = _ModuleLevelReads()
    for statement in tree.body:
        reads.visit(statement, False)
    return reads.read_before_bound(), _globals_read_by_nested_scopes(tree)


class _ModuleLevelReads:
    """Walks a module's statements in order, noting when each name is first read and first bound at
    module level (``inside``: the node is in a function or class body, where reads happen later)."""

    def __init__(self):
        self.first_store, self.loads = {}, {}
        self._order = itertools.count()

    def read_before_bound(self):
        """Names read at module level before (or without) being bound there."""
        return {name for name, when in self.loads.items()
                if name not in self.first_store or self.first_store[name] > when}

    def load(self, name, inside):
        if not inside:
            self.loads.setdefault(name, next(self._order))

    def store(self, name, inside):
        if not inside:
            self.first_store.setdefault(name, next(self._order))

    def visit(self, node, inside):
        if isinstance(node, ast.Name):
            (self.load if isinstance(node.ctx, ast.Load) else self.store)(node.id, inside)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                self.store((alias.asname or alias.name).split(".")[0], inside)
        elif isinstance(node, _ASSIGNMENTS):
            self._assignment(node, inside)
        elif isinstance(node, _DEFINITIONS):
            self._definition(node, inside)
        elif isinstance(node, _COMPREHENSIONS):
            self.visit(node.generators[0].iter, inside)  # the outermost iterable is read where the comprehension is
        elif not isinstance(node, ast.Lambda):
            for child in ast.iter_child_nodes(node):
                self.visit(child, inside)

    def _assignment(self, node, inside):
        """The value is read before the targets are bound (``x = x + 1`` reads ``x`` first)."""
        value = node.iter if isinstance(node, (ast.For, ast.AsyncFor)) else node.value
        if value is not None:
            self.visit(value, inside)
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            self.load(node.target.id, inside)
        for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
            self.visit(target, inside)
        for child in getattr(node, "body", []) + getattr(node, "orelse", []):
            self.visit(child, inside)

    def _definition(self, node, inside):
        """Decorators, bases and defaults are read where the definition is; the body when it runs."""
        for decorator in node.decorator_list:
            self.visit(decorator, inside)
        if isinstance(node, ast.ClassDef):
            read_now = node.bases + [keyword.value for keyword in node.keywords]
        else:
            read_now = node.args.defaults + [default for default in node.args.kw_defaults if default is not None]
        for expression in read_now:
            self.visit(expression, inside)
        for child in node.body:
            self.visit(child, True)
        self.store(node.name, inside)


def _globals_read_by_nested_scopes(tree):
    """Module-level names that the functions, classes, lambdas and comprehensions of ``tree`` read."""
    try:
        table = symtable.symtable(ast.unparse(tree), "<cell>", "exec")
    except SyntaxError:
        return set()
    names, pending = set(), list(table.get_children())
    while pending:
        scope = pending.pop()
        pending.extend(scope.get_children())
        names.update(symbol.get_name() for symbol in scope.get_symbols()
                     if symbol.is_referenced() and symbol.is_global())
    return names


def imported_modules(sources):
    """Absolute module names the import statements of ``sources`` name (in order, once each)."""
    found = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
    return list(dict.fromkeys(found))


def _immutable_literal(node):
    """True for numbers, strings, bytes, True/False/None, and tuples of them (``-1`` and ``1e-3`` too)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, ast.Tuple):
        return all(_immutable_literal(element) for element in node.elts)
    return False


def stored_names(statement):
    """Names a top-level statement binds in the module namespace (whatever its kind)."""
    names = set()
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names if alias.name != "*"}
    if isinstance(statement, _DEFINITIONS):
        return {statement.name}

    def visit(node):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(stored_names(node))
        elif isinstance(node, _DEFINITIONS):
            names.add(node.name)
        elif not isinstance(node, (ast.Lambda, *_COMPREHENSIONS)):
            for child in ast.iter_child_nodes(node):
                visit(child)
    visit(statement)
    return names


def bound_names(statement):
    """Names a replayable statement binds (empty when the judge must not replay it): imports,
    ``def``, ``class`` and assignments of an immutable literal to plain names."""
    if isinstance(statement, ast.Import):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    if isinstance(statement, ast.ImportFrom):
        if any(alias.name == "*" for alias in statement.names) or statement.level:
            return set()
        return {alias.asname or alias.name for alias in statement.names}
    if isinstance(statement, _DEFINITIONS):
        return {statement.name}
    if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
        if not _immutable_literal(statement.value):
            return set()
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        names = set()
        for target in targets:
            elements = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
            if not all(isinstance(element, ast.Name) for element in elements):
                return set()
            names |= {element.id for element in elements}
        return names
    return set()
