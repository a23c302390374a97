"""The reference package as answers: every function and method of the installed ``mlp`` source.

Each answer is also compared with the functions of ``mlp`` (which holds the reference answer of
every exercise): :func:`reference_units` reads the package's source once (found without importing
it), :func:`reference_index` indexes their fingerprints, and :func:`reference_matches` keeps each
answer's best close match among them.
"""

import ast
import textwrap
from functools import lru_cache
from pathlib import Path

from autograder.safety.similarity.fingerprints import Answer
from autograder.safety.similarity.matching import MIN_MATCHED_TOKENS, REFERENCE_PACKAGE, compare, flagged_match
from autograder.safety.similarity.tokens import Tokens, normalised_tokens


def reference_matches(assignment, exercise, answers, expected=frozenset(), units=None):
    """For each answer, its best match among the functions of the installed ``mlp`` source (if close)."""
    units = reference_units() if units is None else units
    index = reference_index(units)
    matches = []
    for answer in answers:
        candidates = set()
        for fingerprint in answer.fingerprints():
            candidates.update(index.get(fingerprint, ()))
        best = None
        for position in sorted(candidates):
            unit = units[position]
            unit_view = Answer(unit.owner, unit.source, unit.tokens, unit.hashes,
                               {i for i in unit.own if unit.hashes[i] not in expected}, unit.location)
            result = compare(answer, unit_view)
            match = result and flagged_match(assignment, exercise, answer, unit_view, result, reference=True)
            if match and (best is None or (match.similarity[0], match.matched_tokens)
                          > (best.similarity[0], best.matched_tokens)):
                best = match
        if best:
            matches.append(best)
    return matches


@lru_cache(maxsize=4)
def _reference_units_at(root):
    root = Path(root)
    units = []
    for path in sorted(root.rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
            tree = ast.parse(text)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            continue
        relative = f"{REFERENCE_PACKAGE}/{path.relative_to(root).as_posix()}"
        file_lines = text.split("\n")
        for qualname, node in _functions(tree):
            body = node.body[1:] if _is_docstring(node.body[0]) and len(node.body) > 1 else node.body
            body_start = body[0].lineno
            segment = "\n".join(file_lines[node.lineno - 1:node.end_lineno])
            offset = node.lineno - 1
            tokens = normalised_tokens(textwrap.dedent(segment),
                                       keep_lines=set(range(body_start - offset, node.end_lineno - offset + 1)))
            tokens = Tokens(tokens.texts, tuple(line + offset for line in tokens.lines), tokens.names)
            if len(tokens) >= MIN_MATCHED_TOKENS:
                units.append(Answer.of(f"{relative} {qualname}", text, tokens,
                                       location=f"{relative} lines {node.lineno}-{node.end_lineno}"))
    return tuple(units)


def _is_docstring(statement):
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def _functions(tree, prefix=""):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from _functions(node, prefix + node.name + ".")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, prefix + node.name + ".")


def reference_root():
    """The folder of the installed ``mlp`` package (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec(REFERENCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def reference_units():
    """Every function and method of the installed ``mlp`` source, as an :class:`Answer` (cached)."""
    root = reference_root()
    return _reference_units_at(str(root)) if root else ()


_INDEXES = {}


def reference_index(units):
    """``{fingerprint: positions in units}`` (kept for the cached units of the installed package)."""
    key = id(units)
    if key not in _INDEXES or _INDEXES[key][0] is not units:
        index = {}
        for position, unit in enumerate(units):
            for fingerprint in unit.fingerprints():
                index.setdefault(fingerprint, set()).add(position)
        _INDEXES[key] = (units, index)
    return _INDEXES[key][1]
