"""A static look at submitted code for tricks that have no place in an exercise answer.

Test cells run in the judge kernel (:mod:`autograder.safety.guarded_execute`), out of reach of student
code, so such tricks cannot change a verdict; an answer that installs audit hooks or tracers,
patches IPython or NumPy, opens sockets or starts processes is still worth an instructor's look.
The grader flags those submissions "needs review"; it never changes the score.
"""

import re

import nbformat

from autograder.notebooks.cells import is_locked_cell

# (pattern, what it means) -- searched in the source of the student's code cells
SUSPICIOUS = [
    (r"set_custom_exc|CustomTB|custom_exceptions", "installs a custom exception handler in IPython"),
    (r"showtraceback|showsyntaxerror|_showtraceback", "replaces how IPython shows errors"),
    (r"\brun_cell\b|\brun_cell_async\b|\brun_code\b|\brun_ast_nodes\b|\bdo_execute\b",
     "replaces how IPython runs cells"),
    (r"input_transformers|ast_transformers|input_transformer_manager|\.compile\b\s*=",
     "rewrites cell code before it runs"),
    (r"events\.register|post_run_cell|pre_run_cell|post_execute|pre_execute|error_in_exec",
     "hooks into IPython's cell events"),
    (r"sys\.excepthook|displayhook|display_pub", "replaces Python's or IPython's output hooks"),
    (r"\bsettrace\b|\bsetprofile\b|f_lineno|f_back|f_globals|f_locals|_getframe|currentframe",
     "inspects or rewrites running frames"),
    (r"\bctypes\b|\bgc\.get_(referrers|objects)\b", "reaches into the interpreter's memory"),
    (r"sys\.modules|importlib\.reload|__builtins__|\bimport builtins\b|\bbuiltins\.", "rebinds modules or builtins"),
    (r"(?m)^\s*(np|numpy|mlp|math)(\.\w+)+\s*=(?!=)|setattr\(\s*(np|numpy|mlp|math)\b",
     "assigns to attributes of NumPy, mlp or math"),
    (r"(?m)^\s*(np|numpy|assert_\w+|accuracy|print|all|any|abs|len|float|int|bool|isinstance|max|min|sum|round)"
     r"\s*=(?!=)", "rebinds a name that tests use"),
    (r"(?m)^\s*def\s+(assert_\w+|all|any|abs|len|float|isinstance|max|min|sum|round|print)\s*\(",
     "defines a function that shadows a test helper or builtin"),
    (r"\bos\._exit\b|\bos\.kill\b|\bsignal\.signal\b|\bos\.abort\b", "kills or signals the kernel"),
    (r"\bsys\.exit\b|\bexit\(\)|\bquit\(\)|raise\s+SystemExit", "exits the kernel"),
    (r"sys\.(stdout|stderr|__stdout__|__stderr__)\s*=(?!=)|redirect_(stdout|stderr)|\bos\.dup2\b",
     "redirects the kernel's output"),
    (r"gradebook|sqlite3|\.db\b|hidden_test|HIDDEN TESTS|\bsource/|\bautograded\b|\bsubmitted/",
     "refers to the grader's files"),
    (r"\bsubprocess\b|\bos\.system\b|\bos\.fork\b|\bmultiprocessing\b|\bpty\b|\bos\.exec",
     "starts other processes"),
    (r"\bsocket\b|\burllib\b|\brequests\b|\bhttp\.client\b", "opens network connections"),
]
_COMPILED = [(re.compile(pattern), meaning) for pattern, meaning in SUSPICIOUS]


def student_code_cells(notebook):
    """(index, source) of code cells the student wrote: every code cell whose source nbgrader does not
    put back from the gradebook (solution cells, cells without nbgrader metadata, unlocked cells)."""
    return [(index, cell.source) for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and not is_locked_cell(cell)]


def review_flags(notebook, name="notebook"):
    """One line per suspicious construct found in the student's code cells (empty when none)."""
    flags = []
    for index, source in student_code_cells(notebook):
        for pattern, meaning in _COMPILED:
            match = pattern.search(source)
            if match:
                snippet = source[max(0, match.start() - 20):match.end() + 20].replace("\n", " ").strip()
                flags.append(f"{name} cell {index}: {meaning} (`{snippet[:80]}`)")
    return flags


def review_submission(folder, notebook_names):
    """Flags for the named notebooks of a submission folder (unreadable notebooks are skipped)."""
    flags = []
    for name in notebook_names:
        path = folder / name
        try:
            notebook = nbformat.read(str(path), as_version=4)
        except Exception:  # noqa: BLE001 -- an unreadable notebook is reported elsewhere
            continue
        flags.extend(review_flags(notebook, name))
    return flags
