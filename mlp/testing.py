"""Assertions for notebook tests: each failure says what was expected and what came out.

Visible tests in the lessons use these so that a failing test teaches, e.g.::

    AssertionError: fprop of your AffineLayer: at index (0, 2) expected 0.5, got -0.5
    (3 of 6 entries differ; max absolute difference 1.0)
"""

from __future__ import annotations

import inspect

import numpy as np

from mlp.gradcheck import GradientCheckReport


def _format_shape(shape) -> str:
    return str(tuple(shape))


def assert_array(got, what: str) -> np.ndarray:
    """Fail unless ``got`` is a NumPy array of real numbers with no NaN or inf; return it."""
    if not isinstance(got, np.ndarray):
        raise AssertionError(f"{what}: expected a NumPy array, got {type(got).__name__}")
    if got.dtype.kind not in "fiu":
        raise AssertionError(f"{what}: expected an array of real numbers, got dtype {got.dtype}")
    if got.dtype.kind == "f" and not np.all(np.isfinite(got)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
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
    """Fail unless ``got`` matches ``expected`` entry by entry within ``atol + rtol * |expected|``."""
    expected = np.asarray(expected)
    if np.ndim(got) == 0 and expected.ndim == 0:
        if not isinstance(got, (int, float, np.number, np.ndarray)):
            raise AssertionError(f"{what}: expected a number, got {type(got).__name__}")
        got_value = float(got)
        if not np.isfinite(got_value) or abs(got_value - float(expected)) > atol + rtol * abs(float(expected)):
            raise AssertionError(f"{what}: expected {float(expected):.6g}, got {got_value:.6g}")
        return
    assert_shape(got, expected.shape, what)
    difference = np.abs(got.astype(np.float64) - expected.astype(np.float64))
    allowed = atol + rtol * np.abs(expected.astype(np.float64))
    wrong = difference > allowed
    if np.any(wrong):
        index = tuple(int(i) for i in np.unravel_index(np.argmax(difference - allowed), expected.shape))
        raise AssertionError(
            f"{what}: at index {index} expected {expected[index]:.6g}, got {got[index]:.6g} "
            f"({int(wrong.sum())} of {expected.size} entries differ; "
            f"max absolute difference {difference.max():.3g})"
        )


def assert_dtype(got, dtype, what: str) -> None:
    """Fail unless ``got`` has ``dtype`` (e.g. float32 in should give float32 out)."""
    got = assert_array(got, what)
    if got.dtype != np.dtype(dtype):
        raise AssertionError(f"{what}: expected dtype {np.dtype(dtype)}, got {got.dtype}")


def assert_gradients_ok(reports) -> None:
    """Fail with every failed report's explanation if any gradient check failed."""
    if isinstance(reports, GradientCheckReport):
        reports = [reports]
    failed = [str(report) for report in reports if not report.passed]
    if failed:
        raise AssertionError("Gradient check failed:\n" + "\n".join(failed))


def assert_at_least(value: float, threshold: float, what: str) -> None:
    """Fail unless ``value >= threshold`` (e.g. an accuracy bar)."""
    if not np.isfinite(value) or value < threshold:
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
    if not (inspect.isfunction(function) and _defined_in_notebook(function)):
        raise AssertionError(f"{name}: expected a function written in this notebook, "
                             f"got one from {getattr(function, '__module__', 'elsewhere')}")


def accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of rows whose largest output is at the one-of-K target's class.

    Args:
        outputs: array of shape (batch_size, num_classes).
        targets: one-of-K array of the same shape.
    """
    return float(np.mean(np.argmax(outputs, axis=-1) == np.argmax(targets, axis=-1)))
