"""Assertions for notebook tests: each failure says what was expected and what came out.

Visible tests in the lessons use these so that a failing test teaches, e.g.::

    AssertionError: fprop of your AffineLayer: at index (0, 2) expected 0.5, got -0.5
    (3 of 6 entries differ; max absolute difference 1.0)
"""

from __future__ import annotations

import inspect
import sys

import numpy as np

from mlp.gradcheck import GradientCheckReport
from mlp.metrics import accuracy

__all__ = [
    "accuracy",  # defined in mlp.metrics; the lessons' tests import it from here
    "assert_array",
    "assert_at_least",
    "assert_close",
    "assert_dtype",
    "assert_gradients_ok",
    "assert_own_class",
    "assert_own_function",
    "assert_own_work",
    "assert_raises",
    "assert_shape",
    "calls_made_by",
]

# The NumPy functions the helpers use, bound once when this module is imported (before any
# notebook cell runs): a student cell that rebinds ``np.abs = ...`` or ``np.any = ...`` does not
# change what the helpers compute. The grader's kernel guard also restores NumPy itself before
# every graded test cell.
_asarray = np.asarray
_ndim = np.ndim
_ndarray = np.ndarray
_number = np.number
_float64 = np.float64
_dtype = np.dtype
_isfinite = np.isfinite
_absolute = np.absolute
_argwhere = np.argwhere
_argmax = np.argmax
_unravel_index = np.unravel_index
_logical_not = np.logical_not
_greater = np.greater
_add = np.add
_multiply = np.multiply
_subtract = np.subtract
_count_nonzero = np.count_nonzero


def _all(array) -> bool:
    """True when every entry is true (a count, so it does not go through ``np.all``)."""
    array = _asarray(array, dtype=bool)
    return int(_count_nonzero(array)) == array.size


def _any(array) -> bool:
    return int(_count_nonzero(_asarray(array, dtype=bool))) > 0


def _format_shape(shape) -> str:
    return str(tuple(shape))


def assert_array(got, what: str) -> np.ndarray:
    """Fail unless ``got`` is a NumPy array of real numbers with no NaN or inf; return it."""
    if not isinstance(got, _ndarray):
        raise AssertionError(f"{what}: expected a NumPy array, got {type(got).__name__}")
    if got.dtype.kind not in "fiu":
        raise AssertionError(f"{what}: expected an array of real numbers, got dtype {got.dtype}")
    if got.dtype.kind == "f" and not _all(_isfinite(got)):
        bad = tuple(int(i) for i in _argwhere(_logical_not(_isfinite(got)))[0])
        raise AssertionError(
            f"{what}: the result contains NaN or inf (first at index {bad}: {got[bad]}); "
            "look for an overflow, e.g. exp of a large number, or a division by zero"
        )
    return got


def assert_shape(got, shape, what: str) -> None:
    """Fail unless ``got`` is an array of exactly ``shape``."""
    got = assert_array(got, what)
    if got.shape != tuple(shape):
        raise AssertionError(f"{what}: expected shape {_format_shape(shape)}, got shape {got.shape}")


def assert_close(got, expected, what: str, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Fail unless ``got`` matches ``expected`` entry by entry within ``atol + rtol * |expected|``.

    >>> assert_close(np.array([1.0, -2.0]), np.array([1.0, 2.0]), "fprop")
    Traceback (most recent call last):
        ...
    AssertionError: fprop: at index (1,) expected 2, got -2 (1 of 2 entries differ; max absolute difference 4)
    """
    expected = _asarray(expected)
    if _ndim(got) == 0 and expected.ndim == 0:
        if not isinstance(got, (int, float, _number, _ndarray)):
            raise AssertionError(f"{what}: expected a number, got {type(got).__name__}")
        got_value = float(got)
        if not bool(_isfinite(got_value)) or abs(got_value - float(expected)) > atol + rtol * abs(float(expected)):
            raise AssertionError(f"{what}: expected {float(expected):.6g}, got {got_value:.6g}")
        return
    assert_shape(got, expected.shape, what)
    difference = _absolute(_subtract(got.astype(_float64), expected.astype(_float64)))
    allowed = _add(atol, _multiply(rtol, _absolute(expected.astype(_float64))))
    wrong = _greater(difference, allowed)
    if _any(wrong):
        index = tuple(int(i) for i in _unravel_index(_argmax(_subtract(difference, allowed)), expected.shape))
        raise AssertionError(
            f"{what}: at index {index} expected {expected[index]:.6g}, got {got[index]:.6g} "
            f"({int(wrong.sum())} of {expected.size} entries differ; "
            f"max absolute difference {difference.max():.3g})"
        )


def assert_dtype(got, dtype, what: str) -> None:
    """Fail unless ``got`` has ``dtype`` (e.g. float32 in should give float32 out)."""
    got = assert_array(got, what)
    if got.dtype != _dtype(dtype):
        raise AssertionError(f"{what}: expected dtype {_dtype(dtype)}, got {got.dtype}")


def assert_gradients_ok(reports) -> None:
    """Fail with every failed report's explanation if any gradient check failed."""
    if isinstance(reports, GradientCheckReport):
        reports = [reports]
    failed = [str(report) for report in reports if not report.passed]
    if failed:
        raise AssertionError("Gradient check failed:\n" + "\n".join(failed))


def assert_at_least(value: float, threshold: float, what: str) -> None:
    """Fail unless ``value >= threshold`` (e.g. an accuracy bar)."""
    if not bool(_isfinite(value)) or value < threshold:
        raise AssertionError(f"{what}: expected at least {threshold:g}, got {value:.4g}")


def assert_raises(exception_type, function, *args, what: str = "", **kwargs) -> BaseException:
    """Fail unless ``function(*args, **kwargs)`` raises ``exception_type``; return the exception."""
    try:
        function(*args, **kwargs)
    except exception_type as error:
        return error
    raise AssertionError(f"{what or function.__name__}: expected {exception_type.__name__} to be raised, "
                         "but nothing was raised")


def _defined_in_notebook(obj) -> bool:
    return getattr(obj, "__module__", None) == "__main__"


def _origin(obj) -> dict:
    """Where ``obj`` comes from: ``kind`` (function, class, ...) and ``module``.

    When the grader runs a test, the student's functions live in another process and the test
    sees stand-ins that carry this information as ``__grading_origin__``.
    """
    origin = getattr(obj, "__grading_origin__", None)
    if isinstance(origin, dict):
        return origin
    kind = "function" if inspect.isfunction(obj) else ("class" if inspect.isclass(obj) else "object")
    return {"kind": kind, "module": getattr(obj, "__module__", None)}


class _CallWatch:
    """A profile hook noting the functions of the watched modules (and their submodules) entered."""

    def __init__(self, modules):
        self.modules = tuple(modules)
        self.entered = set()

    def _watched(self, module) -> bool:
        return bool(module) and any(module == name or module.startswith(name + ".") for name in self.modules)

    def __call__(self, frame, event, argument):
        if event == "call":
            module = frame.f_globals.get("__name__", "")
            if self._watched(module):
                self.entered.add(f"{module}.{getattr(frame.f_code, 'co_qualname', frame.f_code.co_name)}")
        elif event == "c_call":
            module = getattr(argument, "__module__", None) or ""
            if self._watched(module):
                self.entered.add(f"{module}.{getattr(argument, '__qualname__', getattr(argument, '__name__', '?'))}")


def calls_made_by(function, *args, modules, **kwargs):
    """Call ``function(*args, **kwargs)``; return ``(result, names of the functions of modules it entered)``.

    ``modules`` are module names such as ``"mlp.layers"`` or ``"scipy"`` (submodules included).
    The call is watched by its behaviour (a profile hook), so aliases, ``getattr`` tricks and
    imports inside the function are seen like direct calls.
    """
    traced = getattr(function, "__grading_traced_call__", None)
    if traced is not None:
        return traced(args, kwargs, modules)
    watch = _CallWatch(modules)
    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        result = function(*args, **kwargs)
    finally:
        sys.setprofile(previous)
    return result, watch.entered


def assert_own_work(function, *args, forbidden, what: str = "", **kwargs):
    """Call ``function(*args, **kwargs)`` and fail if it used any of the ``forbidden`` modules; return the result.

    This is the kit's one guard for "the student's own work": e.g.
    ``assert_own_work(affine_fprop, x, w, b, forbidden=("mlp.layers", "torch"))`` fails when the
    answer calls mlp's ``AffineLayer`` (however it reached it) instead of computing the product.
    """
    name = what or getattr(function, "__name__", "your function")
    result, entered = calls_made_by(function, *args, modules=forbidden, **kwargs)
    if entered:
        shown = ", ".join(sorted(entered)[:3]) + (" ..." if len(entered) > 3 else "")
        raise AssertionError(f"{name}: your code calls {shown}; this exercise asks you to write that computation "
                             f"yourself, without {', '.join(forbidden)}")
    return result


def assert_own_class(cls, reference, allowed_bases=()) -> None:
    """Fail unless ``cls`` is a class written in the notebook, not ``reference``.

    The class must be defined in the notebook (module ``__main__``), must not be the
    reference class (imported or aliased), and must not inherit from it; besides
    ``object`` it may only inherit from ``allowed_bases`` (e.g. ``mlp.layers.Layer``)
    and other classes written in the notebook.
    """
    name = getattr(reference, "__name__", str(reference))
    if not inspect.isclass(cls):
        raise AssertionError(f"{name}: expected a class, got {type(cls).__name__}")
    if cls is reference:
        raise AssertionError(f"{name}: this is the reference {reference.__module__}.{name}; "
                             "write your own class in the notebook")
    if not _defined_in_notebook(cls):
        raise AssertionError(f"{name}: the class comes from {cls.__module__}; write your own in the notebook")
    for base in cls.__mro__[1:]:
        if base is object or base in allowed_bases or _defined_in_notebook(base):
            continue
        raise AssertionError(f"{name}: your class inherits from {base.__module__}.{base.__name__}; "
                             "it must implement the computation itself")


def assert_own_function(function, reference=None) -> None:
    """Fail unless ``function`` is a function written in the notebook (not imported or aliased)."""
    name = getattr(function, "__name__", repr(function))
    if reference is not None and function is reference:
        raise AssertionError(f"{name}: this is the reference implementation; write your own")
    origin = _origin(function)
    if not (origin.get("kind") == "function" and origin.get("module") == "__main__"):
        raise AssertionError(f"{name}: expected a function written in this notebook, "
                             f"got one from {origin.get('module') or 'elsewhere'}")

