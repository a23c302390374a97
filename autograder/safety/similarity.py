"""Answers that closely match the reference package or each other: flagged "needs review", never re-scored.

The installed ``mlp`` package holds the reference answer of every exercise, and students can copy
from each other. After grading, the parent process compares, per exercise (solution cell
``grade_id``), every student's answer with every other student's and with every function of the
installed ``mlp`` source, and records the close matches with their scores and lines in
``course/report/similarity.json`` and as review lines in ``grading_results.json``. Scores never change.

How an answer is compared (winnowing, Schleimer, Wilkerson and Aiken, SIGMOD 2003, as in MOSS):

1. **The answer** is what the student wrote in the cell: lines that the instructor gave (the
   source cell outside ``### BEGIN SOLUTION``/``### END SOLUTION``: the ``def`` line, the
   docstring) and the stub (``# YOUR CODE HERE``, ``raise NotImplementedError()``) are left out.
2. **Tokens** from Python's ``tokenize``, so layout does not count: comments, docstrings, blank
   lines, indentation and line breaks inside brackets or after a ``:`` are dropped. Every name
   the code binds (parameters, assignments, loop variables, ``self.attribute``) becomes ``V``,
   numbered by first use within each k-gram (Baker's parameterised strings), so consistent
   renaming changes nothing; strings become ``"S"``, numbers their value. Names the code only
   uses (``np``, ``einsum``, ``.T``) are kept, imported names as what they import, so ``np.exp``
   is not ``np.tanh``.
3. **Fingerprints**: hashes of every run of ``K`` consecutive tokens (k-grams); winnowing keeps
   the smallest hash of every ``WINDOW`` consecutive k-grams, which finds every shared run of at
   least ``K + WINDOW - 1`` tokens; the index of candidate pairs is built from them (and answers
   with the same tokens are compared once, as a group), so a class of 300 takes seconds.
4. **Expected code is not evidence**: k-grams of the lesson's own reference solution (the source
   cell's solution regions) never match, so students who all write the obvious answer (which is
   often also how ``mlp`` writes it) do not match each other or ``mlp``.
5. **The score**: a candidate pair is aligned in order, one to one (difflib's matching blocks
   over the two k-gram sequences); shared runs of at least ``MIN_RUN`` tokens count. The
   similarity of a side is the share of its own tokens (those not in expected k-grams) in those
   runs. A pair is flagged when at least ``MIN_MATCHED_TOKENS`` tokens match and the similarity
   of one side (the student's, against ``mlp``) is at least ``MIN_SIMILARITY``. Short answers
   (``return np.tanh(inputs)``) are never flagged: everybody writes them the same way.
"""

import ast
import difflib
import hashlib
import io
import itertools
import json
import keyword
import re
import textwrap
import tokenize
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

K = 10                     # tokens per k-gram: shorter shared runs are noise
WINDOW = 4                 # winnowing window: every shared run of K + WINDOW - 1 = 13 tokens is found
MIN_RUN = 16               # a shared run of tokens shorter than this does not count
MIN_MATCHED_TOKENS = 30    # fewer shared tokens than this is not evidence of a copy
MIN_SIMILARITY = 0.7       # share of an answer's own tokens that must be covered by the match
REFERENCE_PACKAGE = "mlp"
RESULTS_NAME = "similarity.json"
REVIEW_PREFIX = "similar answer: "
STUB_LINES = frozenset({"# YOUR CODE HERE", "raise NotImplementedError()", "raise NotImplementedError"})
_SOLUTION_MARKER = re.compile(r"###\s*(BEGIN|END) SOLUTION\b")
_FALLBACK_TOKEN = re.compile(r"[A-Za-z_]\w*|\d[\w.]*|\S")


# tokens ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tokens:
    """Normalised tokens of some code and the line (1-based, in its source) each comes from.

    names: for a name the code binds, the name itself (its text is ``V``); None for other tokens.
    """

    texts: tuple
    lines: tuple
    names: tuple = ()

    def __len__(self):
        return len(self.texts)


def imported_names(source):
    """``{name bound by an import: what it imports}`` (``np`` -> ``numpy``, ``p`` -> ``predict``)."""
    return _names(source)[1]


def bound_names(source):
    """Names that ``source`` binds (parameters, assignments, loop targets, imports, defs); None if it does not parse."""
    return _names(source)[0]


def _names(source):
    """(bound names or None, imported names) of ``source``, from one parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None, {}
    names, imports = set(), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            bound = (node.asname or node.name).split(".")[0]
            names.add(bound)
            imports[bound] = node.name if node.asname else node.name.split(".")[0]
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names, imports


def _without_magics(source):
    """IPython magics and shell escapes become blank lines (line numbers are kept)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


def normalised_tokens(source, keep_lines=None):
    """The :class:`Tokens` of ``source``, only those on ``keep_lines`` (1-based) when given."""
    source = _without_magics(source)
    names, imports = _names(source)
    try:
        raw = [(token.type, token.string, token.start[0])
               for token in tokenize.generate_tokens(io.StringIO(source).readline)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _fallback_tokens(source, keep_lines)
    texts, lines, variables = [], [], []
    skip_string = False
    index = 0
    while index < len(raw):
        kind, text, line = raw[index]
        index += 1
        if kind in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER):
            continue
        if kind == tokenize.STRING or kind == getattr(tokenize, "FSTRING_START", None):
            if kind != tokenize.STRING:  # Python 3.12+: one f-string is several tokens
                depth = 1
                while index < len(raw) and depth:
                    depth += {tokenize.FSTRING_START: 1, tokenize.FSTRING_END: -1}.get(raw[index][0], 0)
                    index += 1
            if skip_string or (texts and texts[-1] == '"S"' and lines[-1] == line):
                continue  # implicit concatenation: one string
            statement_start = not texts or texts[-1] in ("\n", ":")
            following = raw[index][0] if index < len(raw) else tokenize.ENDMARKER
            if statement_start and following in (tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.COMMENT):
                skip_string = True  # a docstring or a bare string: not code
                continue
            text = '"S"'
        elif kind == tokenize.NUMBER:
            text = _number(text)
        elif kind == tokenize.NEWLINE or (kind == tokenize.OP and text == ";"):
            if skip_string or (texts and texts[-1] == ":"):
                skip_string = False  # `if c: s` and `if c:` + an indented `s` read the same
                continue
            text = "\n"
        elif kind in (tokenize.INDENT, tokenize.DEDENT):
            continue
        variable = None
        if kind == tokenize.NAME:
            after_dot = texts and texts[-1] == "." and lines[-1] == line
            if text in ("self", "cls") and index + 1 < len(raw) and raw[index][1] == ".":
                variable, text = raw[index + 1][1], "V"  # self.weights reads like the parameter weights
                index += 2
            elif not after_dot and text in imports:
                text = imports[text]  # a function or module by what it is, however it was imported
            elif not keyword.iskeyword(text) and not after_dot and (names is None or text in names):
                variable, text = text, "V"
        skip_string = False
        texts.append(text)
        lines.append(line)
        variables.append(variable)
    kept = [position for position, line in enumerate(lines) if keep_lines is None or line in keep_lines]
    return Tokens(tuple(texts[i] for i in kept), tuple(lines[i] for i in kept), tuple(variables[i] for i in kept))


def _number(text):
    """A numeric literal by its value (``1.``, ``1.0`` and ``1e0`` are one token)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return repr(float(value)) if isinstance(value, float) else repr(value)


def _fallback_tokens(source, keep_lines):
    """For code that does not tokenise: words, numbers and single characters, names as ``V``."""
    texts, lines, variables = [], [], []
    for number, line in enumerate(source.split("\n"), start=1):
        if keep_lines is not None and number not in keep_lines:
            continue
        for text in _FALLBACK_TOKEN.findall(line.split("#")[0]):
            variable = None
            if text[0].isdigit():
                text = _number(text)
            elif (text[0].isalpha() or text[0] == "_") and not keyword.iskeyword(text):
                variable, text = text, "V"
            texts.append(text)
            lines.append(number)
            variables.append(variable)
    return Tokens(tuple(texts), tuple(lines), tuple(variables))


# fingerprints ------------------------------------------------------------------------------------

def kgram_hashes(tokens, k=K):
    """A 64-bit hash of every run of ``k`` consecutive tokens (deterministic across processes).

    Inside each run a bound name is written as the position of its first use in the run (``V0``,
    ``V1``, ...; Baker's parameterised strings): consistent renaming gives the same hash, while
    ``a = a * b`` and ``a = b * c`` stay different.
    """
    texts, names = tokens.texts, tokens.names or (None,) * len(tokens.texts)
    hashes = []
    for start in range(len(texts) - k + 1):
        seen, parts = {}, []
        for position in range(start, start + k):
            name = names[position]
            parts.append(texts[position] if name is None else f"V{seen.setdefault(name, len(seen))}")
        hashes.append(int.from_bytes(hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest(), "big"))
    return hashes


def winnow(hashes, window=WINDOW):
    """Positions chosen by robust winnowing: the rightmost smallest hash of every ``window`` consecutive hashes."""
    if len(hashes) <= window:
        return {min(range(len(hashes)), key=lambda i: (hashes[i], -i))} if hashes else set()
    chosen = set()
    for start in range(len(hashes) - window + 1):
        chosen.add(min(range(start, start + window), key=lambda i: (hashes[i], -i)))
    return chosen


@dataclass
class Answer:
    """One piece of code to compare: a student's answer to an exercise, or a function of ``mlp``.

    owner: the student id, or the reference function (``mlp/layers/affine.py AffineLayer.fprop``).
    source: the code the line numbers refer to (the whole cell, or the function's file).
    tokens / hashes: its normalised tokens and their k-gram hashes.
    own: positions of the k-grams that are not expected (not in the lesson's reference solution).
    """

    owner: str
    source: str
    tokens: Tokens
    hashes: list
    own: set = field(default_factory=set)
    location: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, owner, source, tokens, expected=frozenset(), location=""):
        hashes = kgram_hashes(tokens)
        return cls(owner, source, tokens, hashes, {i for i, h in enumerate(hashes) if h not in expected}, location)

    @property
    def own_positions(self):
        """Positions of the tokens not covered by expected k-grams."""
        if "own_positions" not in self._cache:
            positions = set(range(len(self.tokens)))
            for i in range(len(self.hashes)):
                if i not in self.own:
                    positions.difference_update(range(i, i + K))
            self._cache["own_positions"] = positions
        return self._cache["own_positions"]

    @property
    def signature(self):
        """Equal for answers whose tokens are the same up to consistent renaming and layout."""
        return tuple(value if i in self.own else None for i, value in enumerate(self.hashes))

    def fingerprints(self):
        """Winnowed hashes of the answer's own k-grams (for the candidate index)."""
        return {self.hashes[i] for i in winnow(self.hashes) if i in self.own}

    def comparable(self, side):
        """The k-gram hashes in order, each expected one replaced by a marker that matches nothing."""
        key = ("comparable", side)
        if key not in self._cache:
            self._cache[key] = [value if i in self.own else (side, i) for i, value in enumerate(self.hashes)]
        return self._cache[key]

    def line_ranges(self, positions):
        """The source lines of token ``positions`` as ``[[first, last], ...]``."""
        lines = sorted({self.tokens.lines[i] for i in positions})
        ranges = []
        for line in lines:
            if ranges and line <= ranges[-1][1] + 1:
                ranges[-1][1] = line
            else:
                ranges.append([line, line])
        return ranges


# comparing ---------------------------------------------------------------------------------------

@dataclass
class Match:
    """Two answers to one exercise that match (or an answer and an ``mlp`` function), with where.

    similarity: for each side, the share of its own tokens covered by the match.
    lines: for each side, the matching lines as ``[[first, last], ...]`` (1-based, in the cell or file).
    """

    assignment: str
    exercise: str
    students: list
    similarity: list
    matched_tokens: int
    lines: list
    quoted: list
    locations: list

    @property
    def score(self):
        return max(self.similarity)

    @property
    def against_reference(self):
        return self.students[1].startswith(REFERENCE_PACKAGE + "/")

    def to_dict(self):
        return asdict(self)


def aligned_runs(first, second, minimum_run=MIN_RUN):
    """Token positions of each side in the runs the two share, aligned in order and one to one.

    The matching blocks of the two k-gram sequences (difflib's longest-block-first alignment,
    expected k-grams never matching) give runs of shared tokens; runs shorter than
    ``minimum_run`` tokens are left out, so scattered common idioms are not counted.
    """
    matcher = difflib.SequenceMatcher(None, first.comparable(0), second.comparable(1), autojunk=False)
    first_positions, second_positions = set(), set()
    for i, j, size in matcher.get_matching_blocks():
        if size and size + K - 1 >= minimum_run:
            first_positions.update(range(i, i + size + K - 1))
            second_positions.update(range(j, j + size + K - 1))
    return first_positions & first.own_positions, second_positions & second.own_positions


def compare(first, second):
    """(similarity of each side, matched tokens, positions of each side) when the two share enough, else None.

    similarity: the share of each side's own tokens (those not in expected k-grams) in the shared runs.
    """
    first_covered, second_covered = aligned_runs(first, second)
    matched = min(len(first_covered), len(second_covered))
    if matched < MIN_MATCHED_TOKENS:
        return None
    similarity = (len(first_covered) / max(1, len(first.own_positions)),
                  len(second_covered) / max(1, len(second.own_positions)))
    return similarity, matched, first_covered, second_covered


def _quote(answer, ranges, limit=8):
    source_lines = answer.source.split("\n")
    quoted = []
    for first, last in ranges:
        quoted.extend(f"{number:4d} | {source_lines[number - 1]}" for number in range(first, last + 1)
                      if number <= len(source_lines))
    return quoted[:limit] + ([f"     | ... ({len(quoted) - limit} more lines)"] if len(quoted) > limit else [])


def _match(assignment, exercise, first, second, result, reference=False):
    similarity, matched, first_covered, second_covered = result
    if reference:  # only the student's side counts: an mlp function holds much more than one answer
        if similarity[0] < MIN_SIMILARITY:
            return None
    elif max(similarity) < MIN_SIMILARITY:
        return None
    ranges = [first.line_ranges(first_covered), second.line_ranges(second_covered)]
    return Match(assignment, exercise, [first.owner, second.owner], [round(value, 3) for value in similarity],
                 matched, ranges, [_quote(first, ranges[0]), _quote(second, ranges[1])],
                 [first.location, second.location])


def class_matches(assignment, exercise, answers):
    """Matches between the answers of different students to one exercise (each pair once).

    Answers with the same tokens (copies, however renamed) are compared once as a group; groups
    that share a winnowed fingerprint are candidates, and only those are aligned.
    """
    groups = {}
    for position, answer in enumerate(answers):
        groups.setdefault(answer.signature, []).append(position)
    members = list(groups.values())
    index = {}
    for group, positions in enumerate(members):
        for fingerprint in answers[positions[0]].fingerprints():
            index.setdefault(fingerprint, set()).add(group)
    candidates = {(group, group) for group, positions in enumerate(members) if len(positions) > 1}
    for holders in index.values():
        ordered = sorted(holders)
        candidates.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:])
    matches = []
    for first_group, second_group in sorted(candidates):
        first_members, second_members = members[first_group], members[second_group]
        first, second = answers[first_members[0]], answers[second_members[-1]]
        result = compare(first, second)
        if result is None or (max(result[0]) < MIN_SIMILARITY):
            continue
        pairs = (itertools.combinations(first_members, 2) if first_group == second_group
                 else itertools.product(first_members, second_members))
        for a, b in pairs:
            if answers[a].owner != answers[b].owner:
                matches.append(_match(assignment, exercise, answers[a], answers[b], result))
    return matches


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
            match = result and _match(assignment, exercise, answer, unit_view, result, reference=True)
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


# answers of a class ------------------------------------------------------------------------------

def solution_regions(cell_source):
    """(given line numbers, solution line numbers) of a source cell, 1-based; marker lines are in neither."""
    given, solution, inside = set(), set(), False
    for number, line in enumerate(cell_source.split("\n"), start=1):
        marker = _SOLUTION_MARKER.search(line)
        if marker:
            inside = marker.group(1) == "BEGIN"
        elif inside:
            solution.add(number)
        else:
            given.add(number)
    return given, solution


class Exercise:
    """One solution cell of a source notebook: what the instructor gave and the expected answer."""

    def __init__(self, assignment, notebook, cell_id, cell_source):
        self.assignment, self.notebook, self.cell_id = assignment, notebook, cell_id
        given, solution = solution_regions(cell_source)
        lines = cell_source.split("\n")
        self.given_lines = {lines[n - 1].strip() for n in given if lines[n - 1].strip()} | STUB_LINES
        self.expected = frozenset(kgram_hashes(normalised_tokens(cell_source, keep_lines=solution)))

    def answer(self, owner, cell_source):
        """The student's part of ``cell_source`` as an :class:`Answer` (given lines and stub left out)."""
        keep = {number for number, line in enumerate(cell_source.split("\n"), start=1)
                if line.strip() and line.strip() not in self.given_lines}
        tokens = normalised_tokens(cell_source, keep_lines=keep)
        return Answer.of(owner, cell_source, tokens, self.expected, location=f"{self.notebook} {self.cell_id}")


def exercises_of(source_notebook_path, assignment):
    """:class:`Exercise` of every code solution cell of a source notebook."""
    from autograder.notebooks.cells import grade_id, is_solution_cell, read_notebook

    notebook = read_notebook(source_notebook_path)
    return [Exercise(assignment, Path(source_notebook_path).name, grade_id(cell), cell.source)
            for cell in notebook.cells if cell.cell_type == "code" and is_solution_cell(cell) and grade_id(cell)]


def find_matches(exercise, answers, units=None):
    """Class matches and reference matches of the answers to one exercise, best first."""
    matches = class_matches(exercise.assignment, exercise.cell_id, answers)
    matches += reference_matches(exercise.assignment, exercise.cell_id, answers, exercise.expected, units)
    return sorted(matches, key=lambda m: (-m.score, m.students))


def assignment_matches(course, assignment):
    """Every match in the autograded submissions of ``assignment`` (all students, whoever was graded now)."""
    from autograder.notebooks.cells import grade_id, read_notebook

    matches = []
    for source_path in sorted(course.source_dir(assignment).glob("*.ipynb")):
        exercises = {exercise.cell_id: exercise for exercise in exercises_of(source_path, assignment)}
        answers = {cell_id: [] for cell_id in exercises}
        autograded = course.autograded_dir()
        for student_dir in sorted(autograded.iterdir()) if autograded.is_dir() else []:
            path = student_dir / assignment / source_path.name
            try:
                notebook = read_notebook(path) if path.is_file() else None
            except Exception:  # noqa: BLE001 -- an unreadable notebook has no answers to compare
                notebook = None
            for cell in notebook.cells if notebook else []:
                exercise = exercises.get(grade_id(cell))
                if exercise and cell.cell_type == "code":
                    answers[exercise.cell_id].append(exercise.answer(student_dir.name, cell.source))
        for cell_id, exercise in exercises.items():
            matches.extend(find_matches(exercise, answers[cell_id]))
    return matches


def review_line(match, student):
    """The "needs review" line of ``match`` for ``student`` (one side of it)."""
    side = match.students.index(student)
    other = match.students[1 - side]
    ranges = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in match.lines[side])
    other_ranges = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in match.lines[1 - side])
    what = f"the reference {other}" if match.against_reference else f"{other}'s answer"
    return (f"{REVIEW_PREFIX}{match.exercise} lines {ranges} match {what} (lines {other_ranges}): "
            f"{match.similarity[side]:.0%} of this answer, {match.matched_tokens} tokens")


def results_path(course):
    return course.report_dir / RESULTS_NAME


def load_matches(course):
    """``{assignment: [match dict, ...]}`` kept by the last similarity pass (empty when none)."""
    path = results_path(course)
    return json.loads(path.read_text()) if path.is_file() else {}


def review_similarity(course, results, log=None):
    """The similarity pass after grading: flag close matches in every assignment of ``results``.

    Compares all autograded submissions of each assignment, writes ``course/report/similarity.json``,
    replaces the similarity lines in the review of every record of those assignments
    (``grading_results.json``) and in ``results`` (so ``grade`` prints them). Scores are not touched.
    """
    from autograder.gradebook.results import load_results

    assignments = sorted({result.assignment for result in results})
    if not assignments:
        return {}
    found = {assignment: assignment_matches(course, assignment) for assignment in assignments}
    kept = load_matches(course)
    kept.update({assignment: [match.to_dict() for match in matches] for assignment, matches in found.items()})
    path = results_path(course)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(kept, indent=1))
    lines = {}
    for assignment, matches in found.items():
        for match in matches:
            for student in match.students[: 1 if match.against_reference else 2]:
                lines.setdefault(f"{assignment}/{student}", []).append(review_line(match, student))
    records = load_results(course)
    for result in list(records.values()) + list(results):
        if result.assignment in found:
            result.review = [line for line in result.review if not line.startswith(REVIEW_PREFIX)]
            result.review += lines.get(result.key, [])
    if course.results_file.is_file():
        course.results_file.write_text(json.dumps({key: records[key].to_dict() for key in sorted(records)}, indent=1))
    if log:
        count = sum(len(matches) for matches in found.values())
        log(f"similarity: {count} close match(es) in {', '.join(assignments)} (see `report`; scores unchanged)")
    return found


def format_matches(kept):
    """The flagged pairs of ``{assignment: [match dict, ...]}`` as text, with scores and the matching lines."""
    from autograder.commands.report import format_table

    matches = [Match(**data) for assignment in sorted(kept) for data in kept[assignment]]
    if not matches:
        return "Similar answers: none flagged"
    rows = [[m.assignment, m.exercise, m.students[0], m.students[1],
             " / ".join(f"{value:.0%}" for value in m.similarity), m.matched_tokens] for m in matches]
    blocks = [f"Similar answers: {len(matches)} pair(s) NEED REVIEW (scores unchanged; similarity = share of each "
              f"answer's own code in the match, code of the reference solution not counted)",
              format_table(["assignment", "exercise", "student", "matches", "similarity", "tokens"], rows)]
    for m in matches:
        lines = [f"{m.assignment} {m.exercise}: {m.students[0]} ~ {m.students[1]}"]
        for side in (0, 1):
            lines.append(f"  {m.students[side]} ({m.locations[side]}):")
            lines.extend("    " + line for line in m.quoted[side])
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
