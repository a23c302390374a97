"""Forged verdicts: student code that makes a failing test look passed from inside its own kernel.

Anything computed in the student's process can be forged: an audit hook and a tracer built with
``getattr`` (the review's regexes never see ``settrace``), a patch re-applied after every reset,
values whose comparisons always agree, a reference module the guard had not imported yet, and
code planted in HOME for the next notebook's kernel. The secure outcome: the points the answers
earn when compared on the trusted side, as if the trick were not there.
"""

import json

from .cases import NOTEBOOK, WRONG_SIGMOID, Case, Expected, answer, append
from .kit import PAIR, PAIR_MAX, PAIR_NOTEBOOKS, one_line

# An audit hook that, whenever IPython's run_code executes a cell, traces that run_code frame and
# jumps from its bare `except:` handler to `outflag = False`: every exception of every cell is
# swallowed, the reply says ok, and the lines after a failed assert still run.
AUDIT_TRACER = '''
_sys = __import__("sys")
_inspect = __import__("inspect")
_name = "run_" + "code"
_owner = next(cls for cls in type(get_ipython()).__mro__ if _name in vars(cls))
_function = vars(_owner)[_name]
_source, _first = _inspect.getsourcelines(_function)
_stripped = [line.strip() for line in _source]
_handler = _first + _stripped.index("except:") + 1
_success = _first + _stripped.index("outflag = False")
_code = _function.__code__
_lineno, _trace, _back = "f_" + "lineno", "f_" + "trace", "f_" + "back"


def _tracer(frame, event, arg):
    if event == "line" and frame.f_code is _code and getattr(frame, _lineno) == _handler:
        try:
            setattr(frame, _lineno, _success)
        except ValueError:
            pass
    return _tracer


def _quiet(frame, event, arg):
    return None


def _on_event(event, args):
    if event != "exec":
        return
    frame = getattr(_sys, "_get" + "frame")(1)
    while frame is not None and frame.f_code is not _code:
        frame = getattr(frame, _back)
    if frame is not None:
        setattr(frame, _trace, _tracer)
        getattr(_sys, "set" + "trace")(_quiet)


getattr(_sys, "add" + "audit" + "hook")(_on_event)
'''

AUDIT_REPATCH = '''
_numpy = __import__("numpy")


def _on_event(event, args):
    if event == "exec":  # every cell, after every reset the grader makes
        setattr(_numpy, "all" + "close", lambda *a, **k: True)
        setattr(_numpy, "is" + "close", lambda *a, **k: True)


getattr(__import__("sys"), "add" + "audit" + "hook")(_on_event)
'''


def audit_hook_tracer_forges_stubs(kit):
    return {NOTEBOOK: append(kit.release, "sigmoid_answer", AUDIT_TRACER)}


def audit_hook_repatches_numpy(kit):
    return {NOTEBOOK: answer(kit.source, "sigmoid_answer", WRONG_SIGMOID + AUDIT_REPATCH)}


ALWAYS_CLOSE_UFUNCS = WRONG_SIGMOID.replace("def sigmoid", "def _wrong_sigmoid") + '''

class _AlwaysClose(np.ndarray):
    """Every comparison ufunc says True; every other result stays an _AlwaysClose."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        kwargs.pop("out", None)
        result = getattr(ufunc, method)(*[np.asarray(value) for value in inputs], **kwargs)
        if ufunc.__name__ in ("less_equal", "less", "equal", "greater", "greater_equal", "isfinite", "isnan"):
            return np.ones_like(result, dtype=bool)
        return np.asarray(result).view(_AlwaysClose)


def sigmoid(x):
    return np.asarray(_wrong_sigmoid(x)).view(_AlwaysClose)
'''

AGREEABLE_METHODS = WRONG_SIGMOID.replace("def sigmoid", "def _wrong_sigmoid") + '''

class _Agreeable(np.ndarray):
    def all(self, *args, **kwargs):
        return True

    def __bool__(self):
        return True


def sigmoid(x):
    return np.asarray(_wrong_sigmoid(x)).view(_Agreeable)
'''

ARRAY_FUNCTION = WRONG_SIGMOID.replace("def sigmoid", "def _wrong_sigmoid") + '''

class _Agrees:
    """Not an array: NumPy hands every np.isclose / np.allclose on it to __array_function__."""

    def __init__(self, values):
        self.values = np.asarray(values)

    def __array_function__(self, func, types, args, kwargs):
        return True

    def __array__(self, dtype=None, copy=None):
        return self.values


def sigmoid(x):
    return _Agrees(_wrong_sigmoid(x))
'''


def ndarray_subclass_ufuncs_agree(kit):
    return {NOTEBOOK: answer(kit.source, "sigmoid_answer", ALWAYS_CLOSE_UFUNCS)}


def ndarray_subclass_all_is_true(kit):
    return {NOTEBOOK: answer(kit.source, "sigmoid_answer", AGREEABLE_METHODS)}


def array_function_override_agrees(kit):
    return {NOTEBOOK: answer(kit.source, "sigmoid_answer", ARRAY_FUNCTION)}


MLP_SUBMODULE_PATCH = '''
import numpy as np
import mlp.errors  # not imported yet when the guard took its snapshot


def mean_squared_error(outputs, targets):
    return float(np.sum((np.asarray(outputs) - np.asarray(targets)) ** 2))  # sums instead of averaging


mlp.errors.SumOfSquaredDiffsError.__call__ = lambda self, outputs, targets: mean_squared_error(outputs, targets)
'''


def mlp_submodule_patched_after_snapshot(kit):
    first, second = PAIR_NOTEBOOKS
    return {first: kit.pair_source[first], second: answer(kit.pair_source[second], "mse_answer", MLP_SUBMODULE_PATCH)}


NUMPY_PATCH = "import numpy as np; np.allclose = lambda *a, **k: True; np.isclose = lambda *a, **k: True"

STARTUP_FILE = '''
import os
for _base in {os.environ.get("IPYTHONDIR", ""), os.path.expanduser("~/.ipython")} - {""}:
    os.makedirs(os.path.join(_base, "profile_default", "startup"), exist_ok=True)
    with open(os.path.join(_base, "profile_default", "startup", "00-next-notebook.py"), "w") as _handle:
        _handle.write(PATCH)
'''.replace("PATCH", repr(NUMPY_PATCH))

KERNELSPEC = '''
import json
import os
import sys
_spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                  "--IPKernelApp.exec_lines=" + LINES],
         "display_name": "Python 3 (ipykernel)", "language": "python"}
for _base in {os.environ.get("JUPYTER_DATA_DIR", ""), os.path.expanduser("~/.local/share/jupyter")} - {""}:
    os.makedirs(os.path.join(_base, "kernels", "python3"), exist_ok=True)
    with open(os.path.join(_base, "kernels", "python3", "kernel.json"), "w") as _handle:
        json.dump(_spec, _handle)
    print("kernelspec written:", _base)
'''.replace("LINES", repr(json.dumps([one_line(NUMPY_PATCH)])))


def startup_file_for_next_notebook(kit):
    first, second = PAIR_NOTEBOOKS
    return {first: append(kit.pair_source[first], "sigmoid_answer", STARTUP_FILE),
            second: answer(kit.pair_source[second], "sigmoid_answer", WRONG_SIGMOID)}


def kernelspec_for_next_notebook(kit):
    first, second = PAIR_NOTEBOOKS
    return {first: append(kit.pair_source[first], "sigmoid_answer", KERNELSPEC),
            second: answer(kit.pair_source[second], "sigmoid_answer", WRONG_SIGMOID)}


CASES = [
    Case("audit_hook_tracer_forges_stubs", "an audit hook (built with getattr) traces IPython's run_code and jumps "
         "past its except: the release's stubs pass", audit_hook_tracer_forges_stubs, Expected("graded", 0.0),
         takes_kit=True),
    Case("audit_hook_repatches_numpy", "an audit hook re-applies np.allclose/np.isclose = True on every exec, "
         "after every reset; wrong sigmoid", audit_hook_repatches_numpy, Expected("graded", 1.0), takes_kit=True),
    Case("ndarray_subclass_ufuncs_agree", "the wrong sigmoid returns an ndarray subclass whose comparison ufuncs "
         "always say True", ndarray_subclass_ufuncs_agree, Expected("graded", 1.0), takes_kit=True),
    Case("ndarray_subclass_all_is_true", "the wrong sigmoid returns an ndarray subclass whose all() and bool() "
         "are True", ndarray_subclass_all_is_true, Expected("graded", 1.0), takes_kit=True),
    Case("array_function_override_agrees", "the wrong sigmoid returns an object whose __array_function__ answers "
         "True to np.isclose/np.allclose", array_function_override_agrees, Expected("graded", 1.0), takes_kit=True),
    Case("mlp_submodule_patched_after_snapshot", "two notebooks; the second's mean squared error sums, and it "
         "patches mlp.errors (imported after the guard's snapshot) to agree", mlp_submodule_patched_after_snapshot,
         Expected("graded", 5.0, max_score=PAIR_MAX), takes_kit=True, assignment=PAIR),
    Case("startup_file_for_next_notebook", "two notebooks; the first writes an IPython startup file into HOME "
         "that patches NumPy in the second's kernel (wrong sigmoid there)", startup_file_for_next_notebook,
         Expected("graded", 4.0, max_score=PAIR_MAX), takes_kit=True, assignment=PAIR),
    Case("kernelspec_for_next_notebook", "two notebooks; the first writes a user kernelspec python3 whose "
         "exec_lines patch NumPy in the second's kernel (wrong sigmoid there)", kernelspec_for_next_notebook,
         Expected("graded", 4.0, max_score=PAIR_MAX), takes_kit=True, assignment=PAIR),
]
