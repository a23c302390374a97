"""Tricks played inside the kernel, and resources spent: the submission's code against the grader's run.

Kernel tricks patch NumPy, IPython's error reporting or the process itself (``sys.exit``,
``os._exit``, redirected streams) to turn a failing test into a passing one; resource cases loop,
sleep, allocate, write, fork and print past the limits. See :mod:`.cases` for what a case is.
"""

import nbformat

from .cases import NOTEBOOK, Case, Expected, answer, correct_with, insert_after, wrong_with


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
]
