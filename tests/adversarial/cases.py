"""Hostile, broken and cheating submissions of the fixture assignment, each with its expected outcome.

Each case is a generator: it takes the instructor's source notebook (reference answers) and the
release, and returns the files of the submission folder (``{name: notebook | bytes}``). The
fixture has two test cells, ``test_sigmoid`` (2 points) and ``test_mse`` (1 point), so:

- a cheat built on :data:`WRONG_SIGMOID` (passes the visible test, fails the hidden one) must end
  with exactly 1 point -- the mean squared error is right, the sigmoid is not;
- a correct submission that also does something hostile must keep all 3 points;
- a submission that kills its kernel keeps the points of the tests before that cell.
"""

import json
from dataclasses import dataclass

import nbformat

from autograder.notebooks.cells import find_cell, replace_cell_source

NOTEBOOK = "fixture.ipynb"

WRONG_SIGMOID = '''
import numpy as np


def sigmoid(x):
    """A clipped linear ramp: right at 0 and at the extremes, wrong in between."""
    return np.clip(0.5 + np.asarray(x, dtype=float) / 4.0, 0.0, 1.0)
'''


ANY_REASON = "(any reason)"


@dataclass
class Expected:
    """The outcome a case must end with.

    status: "graded" or "failed" (recorded with zero and a reason).
    score: autograded points out of ``max_score`` (None: not checked -- the case checks something else).
    phrase: text the result's reason must contain ("graded with reason"); None: the reason is empty;
        ``ANY_REASON``: not checked (a budget may stop the kernel after the last test, with a reason).
    output: text that must appear in the autograded notebook's outputs (None: not checked).
    max_score: the assignment's autograded points (3 for the fixture, 6 for the two-notebook ``01_pair``).
    """

    status: str
    score: float
    phrase: str = None
    output: str = None
    max_score: float = 3.0


@dataclass
class Case:
    """One hostile submission.

    make: ``make(source, release)`` -> files, or with ``takes_kit`` ``make(kit)`` (see :mod:`.kit`).
    check: ``check(outcome)`` raising AssertionError, for what :class:`Expected` cannot say
        (nothing leaked, nothing written, a budget that bound); see :class:`.kit.Outcome`.
    escapes: the case tries to write outside its job (its marker files are searched for after grading).
    """

    name: str
    what: str
    make: object
    expected: Expected
    needs_sandbox: bool = False
    takes_kit: bool = False
    check: object = None
    escapes: bool = False
    assignment: str = "00_fixture"

    def __repr__(self):
        return f"Case({self.name!r})"


def _copy(notebook):
    return nbformat.from_dict(nbformat.from_dict(notebook))


def answer(notebook, cell_id, source):
    return replace_cell_source(notebook, cell_id, source)


def append(notebook, cell_id, code):
    return replace_cell_source(notebook, cell_id, find_cell(notebook, cell_id).source + "\n" + code.strip("\n"))


def wrong_with(source, code):
    """The reference submission with the wrong sigmoid followed by ``code`` in the sigmoid answer cell."""
    return {NOTEBOOK: answer(source, "sigmoid_answer", WRONG_SIGMOID + "\n" + code.strip("\n"))}


def correct_with(source, cell_id, code):
    """The reference submission with ``code`` appended to answer cell ``cell_id``."""
    return {NOTEBOOK: append(source, cell_id, code)}


def insert_after(notebook, cell_id, cells):
    notebook = _copy(notebook)
    index = next(i for i, cell in enumerate(notebook.cells) if cell.metadata.get("nbgrader", {}).get("grade_id")
                 == cell_id)
    notebook.cells[index + 1:index + 1] = cells
    return notebook


def edit_metadata(notebook, cell_id, **changes):
    notebook = _copy(notebook)
    find_cell(notebook, cell_id).metadata["nbgrader"].update(changes)
    return notebook


def without_cells(notebook, *cell_ids):
    notebook = _copy(notebook)
    notebook.cells = [cell for cell in notebook.cells
                      if cell.metadata.get("nbgrader", {}).get("grade_id") not in cell_ids]
    return notebook


def _json(notebook):
    return nbformat.writes(notebook).encode()


# --- kernel tricks -------------------------------------------------------------------------------
def numpy_allclose_patched(source, release):
    return wrong_with(source, "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True")


def numpy_internals_patched(source, release):
    return wrong_with(source, "import numpy._core.numeric as numeric\n"
                              "numeric.isclose = lambda *a, **k: np.ones(1, dtype=bool)")


def numpy_code_object_swapped(source, release):
    return wrong_with(source, '''
def _always(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return True


np.allclose._implementation.__code__ = _always.__code__
''')


def numpy_name_rebound(source, release):
    return wrong_with(source, '''
class _Anything:
    def __getattr__(self, name):
        return lambda *args, **kwargs: True


np = _Anything()
''')


def custom_exception_handler(source, release):
    return wrong_with(source, "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)")


def showtraceback_replaced(source, release):
    return wrong_with(source, "shell = get_ipython()\nshell.showtraceback = lambda *a, **k: None\n"
                              "shell._showtraceback = lambda *a, **k: None")


def error_cleared_by_event_hook(source, release):
    return wrong_with(source, '''
def _forgive(result):
    result.error_in_exec = None


shell = get_ipython()
shell.showtraceback = lambda *a, **k: None
shell.events.register("post_run_cell", _forgive)
''')


def hook_installed_during_test(source, release):
    return {NOTEBOOK: answer(source, "sigmoid_answer", '''
import numpy as np


def _forgive(result):
    result.error_in_exec = None


def sigmoid(x):
    shell = get_ipython()
    shell.showtraceback = lambda *a, **k: None
    if _forgive not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _forgive)
    return np.clip(0.5 + np.asarray(x, dtype=float) / 4.0, 0.0, 1.0)
''')}


def ast_transformer_strips_asserts(source, release):
    return wrong_with(source, '''
import ast


class _NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()


get_ipython().ast_transformers.append(_NoAsserts())
''')


def forged_partial_credit(source, release):
    return {NOTEBOOK: answer(source, "sigmoid_answer", '''
import numpy as np


def sigmoid(x):
    get_ipython().displayhook(2.0)  # an execute_result nbgrader would read as 2 points
    return np.clip(0.5 + np.asarray(x, dtype=float) / 4.0, 0.0, 1.0)
''')}


def sys_exit_in_answer_cell(source, release):
    return correct_with(source, "sigmoid_answer", "import sys\nsys.exit(0)")


def sys_exit_inside_test(source, release):
    return {NOTEBOOK: answer(source, "sigmoid_answer", '''
import sys
import numpy as np


def sigmoid(x):
    if np.ndim(x) and np.size(x) == 11:  # the hidden grid
        sys.exit(0)
    return np.clip(0.5 + np.asarray(x, dtype=float) / 4.0, 0.0, 1.0)
''')}


def exit_builtin_in_answer_cell(source, release):
    return correct_with(source, "mse_answer", "exit()")


def os_exit_after_first_test(source, release):
    return correct_with(source, "mse_answer", "import os\nos._exit(3)")


def os_exit_during_test(source, release):
    return {NOTEBOOK: answer(source, "sigmoid_answer", "import os\n\n\ndef sigmoid(x):\n    os._exit(0)\n")}


def stderr_redirected(source, release):
    return wrong_with(source, "import os\nimport sys\nsys.stderr = open(os.devnull, 'w')")


def stdout_redirected(source, release):
    return correct_with(source, "sigmoid_answer", "import io\nimport sys\nsys.stdout = io.StringIO()")


def builtins_print_replaced(source, release):
    return correct_with(source, "sigmoid_answer", "import builtins\nbuiltins.print = lambda *a, **k: None")


# --- resources -------------------------------------------------------------------------------------
def infinite_loop(source, release):
    return {NOTEBOOK: answer(source, "mse_answer", "while True:\n    pass")}


def infinite_loop_ignoring_interrupt(source, release):
    return {NOTEBOOK: answer(source, "mse_answer", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                                   "while True:\n    pass")}


def slow_notebook(source, release):
    sleeps = [nbformat.v4.new_code_cell("import time\ntime.sleep(4)") for _ in range(6)]
    return {NOTEBOOK: insert_after(source, "test_sigmoid", sleeps)}


def memory_bomb(source, release):
    return correct_with(source, "mse_answer", "try:\n    hog = bytearray(6 * 1024 ** 3)\n    print('allocated 6 GiB')\n"
                                              "except MemoryError:\n    print('MemoryError: refused')")


def file_bomb(source, release):
    return correct_with(source, "mse_answer", '''
try:
    with open("bomb.bin", "wb") as handle:
        for _ in range(30):
            handle.write(b"x" * 1024 ** 2)
    print("wrote 30 MB")
except OSError as error:
    print("refused:", error.strerror)
''')


def background_process(source, release):
    return correct_with(source, "mse_answer", "import subprocess\nsubprocess.Popen(['sleep', '4242'])")


ISOLATION_PROBE = '''
import os

readable, leaked, written = 0, 0, 0
targets = []
for start in ("/", os.path.expanduser("~"), os.getcwd()):
    for folder, children, files in os.walk(start):
        depth = folder.count(os.sep)
        children[:] = [c for c in children if depth < 9 and c not in (
            "proc", "sys", "dev", "usr", "lib", "lib64", "bin", "sbin", "etc", "boot", "var", "snap", ".venv",
            "site-packages", "node_modules", ".git", ".cache")]
        targets += [os.path.join(folder, f) for f in files if f.endswith((".db", ".ipynb", ".py"))]
for path in set(targets):
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        readable += 1
        leaked += ("hidden" + "_canary").encode() in data
    except OSError:
        pass
    if path.endswith((".db", ".ipynb")):
        try:
            with open(path, "ab") as handle:
                handle.write(b"")
            written += 1
        except OSError:
            pass
print(f"isolation: leaked={leaked} writable_grader_files={written}")
'''


def isolation_probe(source, release):
    return correct_with(source, "mse_answer", ISOLATION_PROBE)


def reads_notebook_next_to_it(source, release):
    return correct_with(source, "mse_answer", """
import glob
for path in glob.glob('*.ipynb') + glob.glob('../*/*.ipynb'):
    print(open(path).read())
print('notebooks seen:', len(glob.glob('*.ipynb')))
""")


def huge_output(source, release):
    return correct_with(source, "mse_answer", "print('x' * 20_000_000)")


# --- broken input ------------------------------------------------------------------------------------
def huge_file_in_submission(source, release):
    return {NOTEBOOK: source, "data.bin": b"\0" * (3 * 1024 ** 2)}


def invalid_json(source, release):
    return {NOTEBOOK: b'{"cells": [ this is not json'}


def empty_file(source, release):
    return {NOTEBOOK: b""}


def not_utf8(source, release):
    return {NOTEBOOK: _json(source).replace(b"Logistic sigmoid", b"Logistic \xff\xfe sigmoid")}


def bogus_nbformat_version(source, release):
    data = json.loads(_json(source))
    data["nbformat"] = 99
    return {NOTEBOOK: json.dumps(data).encode()}


def nbformat_version_3(source, release):
    return {NOTEBOOK: nbformat.writes(nbformat.convert(_copy(source), 3), version=3).encode()}


def missing_notebook(source, release):
    return {"README.txt": b"I forgot to attach my notebook"}


def renamed_notebook(source, release):
    return {"fixture-Copy1.ipynb": source}


def extra_notebook(source, release):
    hostile = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nos._exit(1)")])
    return {NOTEBOOK: source, "scratch.ipynb": hostile}


# --- tampering ------------------------------------------------------------------------------------------
def test_cells_deleted(source, release):
    return {NOTEBOOK: without_cells(answer(source, "sigmoid_answer", WRONG_SIGMOID), "test_sigmoid", "test_mse")}


def test_cell_emptied_and_unlocked(source, release):
    notebook = answer(answer(source, "sigmoid_answer", WRONG_SIGMOID), "test_sigmoid", "pass")
    return {NOTEBOOK: edit_metadata(notebook, "test_sigmoid", locked=False)}


def test_cell_duplicated(source, release):
    copy = _copy(find_cell(release, "test_sigmoid"))  # the student only has the release's version
    notebook = _copy(source)
    notebook.cells.insert(0, copy)
    return {NOTEBOOK: notebook}


def test_cells_reordered(source, release):
    notebook = _copy(source)
    ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in notebook.cells]
    test = notebook.cells.pop(ids.index("test_mse"))
    notebook.cells.insert(ids.index("mse_answer"), test)
    return {NOTEBOOK: notebook}


def points_changed(source, release):
    return {NOTEBOOK: edit_metadata(edit_metadata(source, "test_sigmoid", points=100), "test_mse", points=50)}


def test_cell_turned_into_solution(source, release):
    notebook = answer(answer(source, "sigmoid_answer", WRONG_SIGMOID), "test_sigmoid", "pass")
    return {NOTEBOOK: edit_metadata(notebook, "test_sigmoid", solution=True, locked=False)}


def test_cell_turned_into_markdown(source, release):
    notebook = _copy(answer(source, "sigmoid_answer", WRONG_SIGMOID))
    cell = find_cell(notebook, "test_sigmoid")
    cell.cell_type = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)
    return {NOTEBOOK: notebook}


def invented_test_cell(source, release):
    bonus = nbformat.v4.new_code_cell("pass")
    bonus.metadata["nbgrader"] = {"schema_version": 3, "grade": True, "solution": False, "locked": True,
                                  "grade_id": "bonus", "points": 50}
    return {NOTEBOOK: insert_after(source, "test_mse", [bonus])}


def kernelspec_changed(source, release):
    notebook = _copy(source)
    notebook.metadata["kernelspec"] = {"name": "evil-kernel", "display_name": "Evil", "language": "ruby"}
    return {NOTEBOOK: notebook}


CASES = [
    Case("numpy_allclose_patched", "np.allclose/np.isclose replaced by lambdas returning True",
         numpy_allclose_patched, Expected("graded", 1.0)),
    Case("numpy_internals_patched", "numpy._core.numeric.isclose replaced (np.allclose uses it)",
         numpy_internals_patched, Expected("graded", 1.0)),
    Case("numpy_code_object_swapped", "np.allclose's implementation gets another __code__",
         numpy_code_object_swapped, Expected("graded", 1.0)),
    Case("numpy_name_rebound", "the name np rebound to an object whose every function returns True: the "
         "student's own mse now computes with it and fails too; the judge's assertions use the real NumPy",
         numpy_name_rebound, Expected("graded", 0.0)),
    Case("custom_exception_handler", "set_custom_exc swallowing every exception",
         custom_exception_handler, Expected("graded", 1.0)),
    Case("showtraceback_replaced", "IPython's showtraceback replaced by a no-op",
         showtraceback_replaced, Expected("graded", 1.0)),
    Case("error_cleared_by_event_hook", "a post_run_cell hook clears error_in_exec, tracebacks hidden",
         error_cleared_by_event_hook, Expected("graded", 1.0)),
    Case("hook_installed_during_test", "the sigmoid itself installs the error-clearing hook when the test calls it",
         hook_installed_during_test, Expected("graded", 1.0)),
    Case("ast_transformer_strips_asserts", "an IPython AST transformer that turns asserts into pass",
         ast_transformer_strips_asserts, Expected("graded", 1.0)),
    Case("forged_partial_credit", "the sigmoid publishes an execute_result '2.0' (nbgrader partial credit)",
         forged_partial_credit, Expected("graded", 1.0)),
    Case("sys_exit_in_answer_cell", "sys.exit(0) after a correct sigmoid", sys_exit_in_answer_cell,
         Expected("graded", 3.0)),
    Case("sys_exit_inside_test", "the sigmoid calls sys.exit when the hidden test calls it",
         sys_exit_inside_test, Expected("graded", 1.0)),
    Case("exit_builtin_in_answer_cell", "IPython's exit() after a correct answer (only asks the front end to close)",
         exit_builtin_in_answer_cell, Expected("graded", 3.0)),
    Case("os_exit_after_first_test", "os._exit in the mse answer: the kernel dies after test_sigmoid passed",
         os_exit_after_first_test, Expected("graded", 2.0, phrase="the kernel died in cell 6 (mse_answer)")),
    Case("os_exit_during_test", "the sigmoid calls os._exit: the kernel dies inside test_sigmoid",
         os_exit_during_test, Expected("graded", 0.0, phrase="the kernel died in cell 4 (test_sigmoid)")),
    Case("stderr_redirected", "sys.stderr sent to /dev/null", stderr_redirected, Expected("graded", 1.0)),
    Case("stdout_redirected", "sys.stdout replaced after a correct answer (the guard restores it)",
         stdout_redirected, Expected("graded", 3.0)),
    Case("builtins_print_replaced", "builtins.print replaced by a no-op after a correct answer",
         builtins_print_replaced, Expected("graded", 3.0)),
    Case("infinite_loop", "while True in the mse answer: interrupted at the per-cell timeout",
         infinite_loop, Expected("graded", 2.0, phrase="ran past the per-cell timeout")),
    Case("infinite_loop_ignoring_interrupt", "SIGINT ignored, then while True: the kernel is stopped",
         infinite_loop_ignoring_interrupt, Expected("graded", 2.0, phrase="stopped responding")),
    Case("slow_notebook", "six extra cells of 4 s each: the notebook's time limit stops it",
         slow_notebook, Expected("graded", 2.0, phrase="ran past its time limit")),
    Case("memory_bomb", "a 6 GiB allocation after a correct answer", memory_bomb,
         Expected("graded", 3.0, output="MemoryError: refused")),
    Case("file_bomb", "writes a 30 MB file (limit 20 MB) after a correct answer", file_bomb,
         Expected("graded", 3.0, output="refused: File too large")),
    Case("background_process", "starts `sleep 4242` in the background", background_process,
         Expected("graded", 3.0), needs_sandbox=True),
    Case("isolation_probe", "walks the file system for gradebooks, hidden tests and other notebooks",
         isolation_probe, Expected("graded", 3.0, output="isolation: leaked=0 writable_grader_files=0"),
         needs_sandbox=True),
    Case("reads_notebook_next_to_it", "prints the notebook files next to it (hidden tests during grading)",
         reads_notebook_next_to_it, Expected("graded", 3.0, output="notebooks seen: 0")),
    Case("huge_output", "prints 20 MB", huge_output, Expected("graded", 3.0, output="output truncated by the grader")),
    Case("huge_file_in_submission", "a 3 MB data file next to the notebook (limit 1 MB)", huge_file_in_submission,
         Expected("graded", 3.0, phrase="files not graded: data.bin")),
    Case("invalid_json", "the notebook file is not JSON", invalid_json,
         Expected("failed", 0.0, phrase="fixture.ipynb is not a valid notebook")),
    Case("empty_file", "the notebook file is empty", empty_file,
         Expected("failed", 0.0, phrase="fixture.ipynb is empty")),
    Case("not_utf8", "the notebook holds bytes that are not UTF-8", not_utf8,
         Expected("failed", 0.0, phrase="fixture.ipynb is not UTF-8 text")),
    Case("bogus_nbformat_version", "nbformat 99", bogus_nbformat_version,
         Expected("failed", 0.0, phrase="fixture.ipynb is not a valid notebook")),
    Case("nbformat_version_3", "the correct notebook saved as nbformat 3", nbformat_version_3,
         Expected("graded", 3.0)),
    Case("missing_notebook", "no notebook, only a text file", missing_notebook,
         Expected("failed", 0.0, phrase="holds none of the assignment's notebooks")),
    Case("renamed_notebook", "the correct notebook saved as fixture-Copy1.ipynb", renamed_notebook,
         Expected("graded", 3.0, phrase="fixture-Copy1.ipynb was graded as fixture.ipynb")),
    Case("extra_notebook", "a correct notebook plus a hostile extra notebook", extra_notebook,
         Expected("graded", 3.0)),
    Case("test_cells_deleted", "both test cells deleted, wrong sigmoid", test_cells_deleted,
         Expected("graded", 1.0)),
    Case("test_cell_emptied_and_unlocked", "test_sigmoid emptied and unlocked, wrong sigmoid",
         test_cell_emptied_and_unlocked, Expected("graded", 1.0)),
    Case("test_cell_duplicated", "a copy of test_sigmoid at the top of a correct notebook", test_cell_duplicated,
         Expected("graded", 3.0)),
    Case("test_cells_reordered", "test_mse moved above the answer it tests", test_cells_reordered,
         Expected("graded", 2.0)),
    Case("points_changed", "test cells claim 100 and 50 points", points_changed, Expected("graded", 3.0)),
    Case("test_cell_turned_into_solution", "test_sigmoid marked as a solution cell and emptied, wrong sigmoid",
         test_cell_turned_into_solution, Expected("graded", 1.0)),
    Case("test_cell_turned_into_markdown", "test_sigmoid turned into a markdown cell, wrong sigmoid",
         test_cell_turned_into_markdown, Expected("graded", 1.0)),
    Case("invented_test_cell", "an extra 'test' cell worth 50 points that always passes", invented_test_cell,
         Expected("graded", 3.0)),
    Case("kernelspec_changed", "the notebook asks for another kernel", kernelspec_changed, Expected("graded", 3.0)),
]
