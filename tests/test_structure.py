"""The shape of the code base: small modules, imports that point one way, one definition of each cell role.

Every check reads the source with :mod:`ast` and imports nothing of the kit. Each rule takes a folder:
it is tested on the repository and on a small tree made to break it (a rule that cannot fire proves nothing).

- no module in ``mlp/``, ``autograder/``, ``benchmarks/``, ``tests/`` is over 400 lines;
- no import cycle among the modules of ``mlp``, nor among those of ``autograder`` (imports inside
  functions count; relative imports are resolved);
- ``mlp`` imports nothing of ``autograder``, ``tests`` or ``benchmarks``, and only ``mlp.testing``
  itself imports ``mlp.testing`` (training code carries no test assertions);
- the rooms of ``autograder`` keep their arrows: only ``autograder.commands`` and
  ``autograder/__main__.py`` import ``autograder.commands``; ``autograder.course`` imports no other room;
- outside ``autograder/notebooks/cells.py``, no module of ``autograder/`` or ``tests/`` reads the
  nbgrader flags ``solution``, ``grade``, ``locked``, ``task`` from cell metadata, nor imports
  nbgrader's own role predicates: cells.py is the kit's one definition of a cell's role.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINE_LIMIT = 400
SIZED_FOLDERS = ("mlp", "autograder", "benchmarks", "tests")
NOT_OURS = {"node_modules", "__pycache__", ".venv"}  # vendored assets (KaTeX ships a .py script), caches

ROLE_FLAGS = frozenset({"solution", "grade", "locked", "task"})
ROLE_PREDICATES = frozenset({"is_solution", "is_grade", "is_locked", "is_task"})  # nbgrader.utils'
METADATA_WORDS = ("metadata", "nbgrader")
ONE_DEFINITION = "autograder/notebooks/cells.py"
# Files that may read the flags themselves, each with its reason. Tests that build hostile
# metadata write the flags and are not caught by the check, so none needs to be listed today.
ROLE_READERS_ALLOWED: dict[str, str] = {}


# --------------------------------------------------------------------------- reading the tree


def python_files(folder: Path) -> list[Path]:
    """Every ``.py`` file under ``folder`` that is the kit's own (vendored assets and caches left out)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*.py") if not NOT_OURS & set(path.relative_to(folder).parts))


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def module_name(path: Path, root: Path) -> str:
    """``autograder/notebooks/cells.py`` -> ``autograder.notebooks.cells``; a package is its ``__init__``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@dataclass(frozen=True)
class Import:
    """One name an import statement loads, made absolute: a module, or a name inside one."""

    line: int
    name: str


def imports_of(path: Path, root: Path, modules=None) -> list[Import]:
    """Every import in the file, at any depth (functions too), relative ones made absolute.

    ``from a import b`` gives ``a`` and ``a.b``; given the known ``modules``, it gives ``a.b`` when
    that is a module and ``a`` when ``b`` is a name inside ``a``.
    """
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(_parse(path)):
        if isinstance(node, ast.Import):
            found += [Import(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module
            named = [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
            if modules is None:
                found += [Import(node.lineno, name) for name in [base, *named]]
            else:
                found += [Import(node.lineno, name if name in modules else base) for name in named or [base]]
    return found


def _is_within(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


# --------------------------------------------------------------------------- the rules


def oversized_modules(root: Path, folders=SIZED_FOLDERS, limit: int = LINE_LIMIT) -> list[str]:
    """``"path: N lines"`` for every module over ``limit`` lines."""
    sizes = [(path, len(path.read_text(encoding="utf-8").splitlines()))
             for folder in folders for path in python_files(root / folder)]
    return [f"{_shown(path, root)}: {lines} lines (limit {limit})" for path, lines in sizes if lines > limit]


def import_graph(root: Path, package: str) -> dict[str, dict[str, str]]:
    """``{module: {module it imports: "file:line"}}`` among the modules of ``package``."""
    paths = {module_name(path, root): path for path in python_files(root / package)}
    graph = {}
    for module, path in paths.items():
        graph[module] = {}
        for statement in imports_of(path, root, modules=paths):
            if statement.name in paths and statement.name != module:
                graph[module].setdefault(statement.name, f"{_shown(path, root)}:{statement.line}")
    return graph


def import_cycles(graph: dict[str, dict[str, str]]) -> list[str]:
    """One readable cycle per strongly connected group of modules (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph.get(module, {}):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = {stack.pop()}
            while module not in group:
                group.add(stack.pop())
            on_stack.difference_update(group)
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return [_describe_cycle(graph, group) for group in groups]


def _describe_cycle(graph, group) -> str:
    """``a (a.py:3) -> b (b.py:7) -> a``: a shortest way round the group from its first module."""
    start = min(group)
    paths, frontier = {start: [start]}, [start]
    while frontier:
        module = frontier.pop(0)
        for target in sorted(graph[module]):
            if target == start:
                way = paths[module] + [start]
                steps = zip(way[:-1], way[1:], strict=True)
                return " -> ".join(f"{step} ({graph[step][after]})" for step, after in steps) + f" -> {start}"
            if target in group and target not in paths:
                paths[target] = paths[module] + [target]
                frontier.append(target)
    return ", ".join(sorted(group))


def forbidden_imports(root: Path, package: str, forbidden, allowed_importers=()) -> list[str]:
    """``"file:line imports X"`` for every module of ``package`` (except ``allowed_importers`` and
    their sub-modules) that imports a module within any of ``forbidden``."""
    problems = {}
    for path in python_files(root / package):
        module = module_name(path, root)
        if any(_is_within(module, allowed) for allowed in allowed_importers):
            continue
        for statement in imports_of(path, root):
            if any(_is_within(statement.name, name) for name in forbidden):
                problems.setdefault((path, statement.line), f"{_shown(path, root)}:{statement.line} "
                                                            f"imports {statement.name}")
    return list(problems.values())


def other_rooms_imported(root: Path, room: str) -> list[str]:
    """Imports by ``autograder.<room>`` of anything of ``autograder`` outside it (the bare package aside)."""
    first_level = {".".join(module_name(path, root).split(".")[:2]) for path in python_files(root / "autograder")}
    others = sorted(name for name in first_level - {"autograder", f"autograder.{room}"})
    return forbidden_imports(root, f"autograder/{room}", others)


# --------------------------------------------------------------------------- one definition of cell roles


def _mentions_metadata(node) -> bool:
    return any(word in ast.unparse(node).lower() for word in METADATA_WORDS)


def _names_from_metadata(scope) -> set[str]:
    """Names bound (directly or through other such names) to something that mentions metadata.

    The module counts as one scope with all its functions: a name bound to metadata in one function
    (``entry = metadata[grade_id]``) means the same thing in the next (``def _is_fixed(entry)``).
    """
    bindings = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            bindings += [(target, node.value) for target in node.targets]
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            bindings.append((node.target, node.value))
        elif isinstance(node, (ast.For, ast.comprehension)):
            bindings.append((node.target, node.iter))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            bindings.append((node.optional_vars, node.context_expr))
    names, grown = set(), True
    while grown:
        grown = False
        for target, value in bindings:
            if _mentions_metadata(value) or _uses(value, names):
                new = _bound_names(target) - names
                names |= new
                grown |= bool(new)
    return names


def _bound_names(target) -> set[str]:
    """The names an assignment target binds (``x``, ``x, y``, ``*rest``; not ``x[key]`` nor ``x.attribute``)."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_bound_names(element) for element in target.elts))
    return _bound_names(target.value) if isinstance(target, ast.Starred) else set()


def _uses(node, names) -> bool:
    return any(isinstance(child, ast.Name) and child.id in names for child in ast.walk(node))


def _flag_read(node):
    """``(the object read, the flag)`` for ``x["grade"]``, ``x.get("grade")``, ``"grade" in x``."""
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and \
            isinstance(node.slice, ast.Constant) and node.slice.value in ROLE_FLAGS:
        return node.value, node.slice.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and \
            node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in ROLE_FLAGS:
        return node.func.value, node.args[0].value
    if isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant) and node.left.value in ROLE_FLAGS \
            and any(isinstance(operator, (ast.In, ast.NotIn)) for operator in node.ops):
        return node.comparators[0], node.left.value
    return None


def role_flag_reads(path: Path) -> list[tuple[int, str]]:
    """``(line, flag)`` for every read of a role flag from something derived from cell metadata,
    and every import of nbgrader's role predicates."""
    tree, found = _parse(path), set()
    scopes = [node for node in ast.walk(tree) if isinstance(node, (ast.Module, ast.FunctionDef,
                                                                      ast.AsyncFunctionDef, ast.Lambda))]
    for scope in scopes:
        names = _names_from_metadata(scope)
        for node in ast.walk(scope):
            read = _flag_read(node)
            if read and (_mentions_metadata(read[0]) or _uses(read[0], names)):
                found.add((node.lineno, read[1]))
            # `cell.metadata.nbgrader.grade`; not `record.locked` of a gradebook record, a model of its own
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and node.attr in ROLE_FLAGS \
                    and _mentions_metadata(node.value):
                found.add((node.lineno, node.attr))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "nbgrader.utils":
            found |= {(node.lineno, alias.name) for alias in node.names if alias.name in ROLE_PREDICATES}
        elif isinstance(node, ast.Attribute) and node.attr in ROLE_PREDICATES and "nbgrader" in ast.unparse(node):
            found.add((node.lineno, node.attr))
    return sorted(found)


def cell_role_reimplementations(root: Path, folders=("autograder", "tests"), allowed=ROLE_READERS_ALLOWED) -> list[str]:
    """``"file:line reads the grade flag"`` for every module but cells.py and the allowed ones."""
    problems = []
    for folder in folders:
        for path in python_files(root / folder):
            shown = _shown(path, root)
            if shown == ONE_DEFINITION or shown in allowed:
                continue
            problems += [f"{shown}:{line} reads the {flag!r} role itself" for line, flag in role_flag_reads(path)]
    return problems


# --------------------------------------------------------------------------- the repository


def test_no_module_is_over_the_line_limit():
    oversized = oversized_modules(ROOT)
    assert not oversized, "split these modules, one concept each:\n" + "\n".join(oversized)


@pytest.mark.parametrize("package", ["mlp", "autograder"])
def test_no_import_cycle(package):
    cycles = import_cycles(import_graph(ROOT, package))
    assert not cycles, f"import cycles among the modules of {package}:\n" + "\n".join(cycles)


def test_mlp_imports_nothing_of_the_grader_the_tests_or_the_benchmarks():
    problems = forbidden_imports(ROOT, "mlp", ("autograder", "tests", "benchmarks"))
    assert not problems, "mlp is the students' package and stands alone:\n" + "\n".join(problems)


def test_only_mlp_testing_imports_mlp_testing():
    problems = forbidden_imports(ROOT, "mlp", ("mlp.testing",), allowed_importers=("mlp.testing",))
    assert not problems, "training code imports no test-assertion module:\n" + "\n".join(problems)


def test_no_room_imports_the_commands():
    problems = forbidden_imports(ROOT, "autograder", ("autograder.commands",),
                                 allowed_importers=("autograder.commands", "autograder.__main__"))
    assert not problems, "commands wire the rooms together; no room imports a command:\n" + "\n".join(problems)


def test_the_course_room_imports_no_other_room():
    problems = other_rooms_imported(ROOT, "course")
    assert not problems, "autograder.course is imported by every room and imports none:\n" + "\n".join(problems)


def test_only_cells_py_reads_the_nbgrader_role_flags():
    problems = cell_role_reimplementations(ROOT)
    assert not problems, (f"a cell's role is decided in {ONE_DEFINITION} (is_solution_cell, is_grade_cell, "
                          "is_test_cell, is_locked_cell, is_task_cell, ...); use it instead:\n" + "\n".join(problems))


# --------------------------------------------------------------------------- each rule fires on a tree made to break it


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_line_limit_fires_on_a_long_module_and_skips_vendored_files(tmp_path):
    _tree(tmp_path, {"mlp/long.py": "x = 1\n" * 401, "mlp/just_right.py": "x = 1\n" * 400,
                     "autograder/pages/static/node_modules/tool.py": "x = 1\n" * 999})
    assert oversized_modules(tmp_path) == ["mlp/long.py: 401 lines (limit 400)"]


def test_the_cycle_check_fires_through_relative_and_function_level_imports(tmp_path):
    _tree(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "from .b import helper\n",
                     "pkg/b.py": "def helper():\n    from pkg import a\n", "pkg/c.py": "import pkg.a\nimport numpy\n"})
    assert import_cycles(import_graph(tmp_path, "pkg")) == ["pkg.a (pkg/a.py:1) -> pkg.b (pkg/b.py:2) -> pkg.a"]
    (tmp_path / "pkg/b.py").write_text("def helper():\n    return 1\n")
    assert import_cycles(import_graph(tmp_path, "pkg")) == []


def test_the_import_arrows_fire_on_imports_that_point_the_wrong_way(tmp_path):
    _tree(tmp_path, {
        "mlp/__init__.py": "", "mlp/testing.py": "from mlp import layers\n",
        "mlp/layers.py": "def fprop():\n    from . import testing\n",
        "mlp/optimisers.py": "import numpy\nfrom autograder.course import directory\n",
        "autograder/__init__.py": "", "autograder/__main__.py": "from autograder.commands.cli import main\n",
        "autograder/commands/__init__.py": "", "autograder/commands/cli.py": "from ..course import directory\n",
        "autograder/course/__init__.py": "",
        "autograder/course/directory.py": "from autograder.notebooks import cells\n",
        "autograder/notebooks/__init__.py": "", "autograder/notebooks/cells.py": "from autograder import commands\n",
    })
    assert forbidden_imports(tmp_path, "mlp", ("autograder", "tests", "benchmarks")) == [
        "mlp/optimisers.py:2 imports autograder.course"]
    assert forbidden_imports(tmp_path, "mlp", ("mlp.testing",), allowed_importers=("mlp.testing",)) == [
        "mlp/layers.py:2 imports mlp.testing"]
    assert forbidden_imports(tmp_path, "autograder", ("autograder.commands",),
                             allowed_importers=("autograder.commands", "autograder.__main__")) == [
        "autograder/notebooks/cells.py:1 imports autograder.commands"]
    assert other_rooms_imported(tmp_path, "course") == ["autograder/course/directory.py:1 imports autograder.notebooks"]


def test_the_cell_role_check_fires_on_flag_reads_and_leaves_other_data_alone(tmp_path):
    _tree(tmp_path, {
        "autograder/reads.py": "\n".join([
            "def direct(cell):",
            "    return cell['metadata']['nbgrader']['grade']",
            "def through_a_name(cell):",
            "    meta = cell.metadata.get('nbgrader', {})",
            "    return meta.get('solution')",
            "def as_attribute(cell):",
            "    return cell.metadata.nbgrader.locked",
            "def membership(cell):",
            "    return 'task' in nbgrader_metadata(cell)",
            "from nbgrader.utils import is_grade",
        ]),
        "tests/fine.py": "\n".join([
            "def result_fields(result):",
            "    return result['grade'], result.get('solution'), result.locked",
            "def hostile(cell):",
            "    cell.metadata['nbgrader'] = {'grade': True, 'solution': False, 'locked': True}",
        ]),
        ONE_DEFINITION: "def is_grade_cell(cell):\n    return cell['metadata']['nbgrader']['grade']\n",
    })
    assert cell_role_reimplementations(tmp_path) == [
        f"autograder/reads.py:{line} reads the {flag!r} role itself"
        for line, flag in [(2, "grade"), (5, "solution"), (7, "locked"), (9, "task"), (10, "is_grade")]]
