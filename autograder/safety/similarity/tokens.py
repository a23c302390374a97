"""Tokens of an answer, normalised so that layout and consistent renaming do not count.

Python's ``tokenize`` gives the tokens; comments, docstrings, blank lines, indentation and line
breaks inside brackets or after a ``:`` are dropped. Every name the code binds (parameters,
assignments, loop variables, ``self.attribute``) becomes ``V`` and keeps its own name in
:attr:`Tokens.names` (numbered per k-gram later, :mod:`.fingerprints`); strings become ``"S"``,
numbers their value. Names the code only uses (``np``, ``einsum``, ``.T``) are kept, imported
names as what they import, so ``np.exp`` is not ``np.tanh``. Code that does not tokenise falls
back to words, numbers and single characters.
"""

import ast
import io
import keyword
import re
import tokenize
from dataclasses import dataclass

_FALLBACK_TOKEN = re.compile(r"[A-Za-z_]\w*|\d[\w.]*|\S")
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python 3.12+: one f-string is several tokens
_LAYOUT = (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT)


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
    texts, lines, variables = _Normaliser(raw, names, imports).run()
    kept = [position for position, line in enumerate(lines) if keep_lines is None or line in keep_lines]
    return Tokens(tuple(texts[i] for i in kept), tuple(lines[i] for i in kept), tuple(variables[i] for i in kept))


class _Normaliser:
    """One pass over ``tokenize``'s tokens (``raw``: (type, string, line) each) of one piece of code.

    names: the names the code binds (None when it does not parse: every name counts as bound);
    imports: ``{name: what it imports}``.
    """

    def __init__(self, raw, names, imports):
        self.raw, self.names, self.imports = raw, names, imports
        self.index = 0
        self.texts, self.lines, self.variables = [], [], []
        self.skip_string = False  # after a docstring or bare string statement: its line end goes too

    def run(self):
        """(texts, lines, bound names) of the kept tokens."""
        while self.index < len(self.raw):
            kind, text, line = self.raw[self.index]
            self.index += 1
            if kind in _LAYOUT:
                continue
            normalised = self._normalised(kind, text, line)
            if normalised is None:
                continue
            self.skip_string = False
            self.texts.append(normalised[0])
            self.lines.append(line)
            self.variables.append(normalised[1])
        return self.texts, self.lines, self.variables

    def _normalised(self, kind, text, line):
        """(text, bound name or None) of one token, or None when it is dropped."""
        if kind == tokenize.STRING or kind == _FSTRING_START:
            return self._string(kind, line)
        if kind == tokenize.NUMBER:
            return _number(text), None
        if kind == tokenize.NEWLINE or (kind == tokenize.OP and text == ";"):
            return self._statement_end()
        if kind == tokenize.NAME:
            return self._name(text, line)
        return text, None

    def _string(self, kind, line):
        if kind != tokenize.STRING:  # skip the rest of the f-string
            depth = 1
            while self.index < len(self.raw) and depth:
                depth += {tokenize.FSTRING_START: 1, tokenize.FSTRING_END: -1}.get(self.raw[self.index][0], 0)
                self.index += 1
        if self.skip_string or (self.texts and self.texts[-1] == '"S"' and self.lines[-1] == line):
            return None  # implicit concatenation: one string
        statement_start = not self.texts or self.texts[-1] in ("\n", ":")
        following = self.raw[self.index][0] if self.index < len(self.raw) else tokenize.ENDMARKER
        if statement_start and following in (tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.COMMENT):
            self.skip_string = True  # a docstring or a bare string: not code
            return None
        return '"S"', None

    def _statement_end(self):
        if self.skip_string or (self.texts and self.texts[-1] == ":"):
            self.skip_string = False  # `if c: s` and `if c:` + an indented `s` read the same
            return None
        return "\n", None

    def _name(self, text, line):
        after_dot = self.texts and self.texts[-1] == "." and self.lines[-1] == line
        if text in ("self", "cls") and self.index + 1 < len(self.raw) and self.raw[self.index][1] == ".":
            attribute = self.raw[self.index + 1][1]  # self.weights reads like the parameter weights
            self.index += 2
            return "V", attribute
        if not after_dot and text in self.imports:
            return self.imports[text], None  # a function or module by what it is, however it was imported
        if not keyword.iskeyword(text) and not after_dot and (self.names is None or text in self.names):
            return "V", text
        return text, None


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
