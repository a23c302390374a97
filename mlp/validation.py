"""Argument and array checks that give students errors they can act on.

Every message names who complained (a layer's ``repr``, a function name), what was
expected and what was actually received, e.g.::

    AffineLayer(input_dim=4, output_dim=3): expected inputs of shape (batch_size, 4),
    got an array of shape (2, 5)
"""

from __future__ import annotations

import numbers

import numpy as np


def describe(value) -> str:
    """A short description of ``value`` for error messages (type, shape, dtype)."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} {value!r}"[:120]


def as_float_array(owner: str, name: str, value) -> np.ndarray:
    """Return ``value`` as a floating-point array, keeping float32/float64 as they are.

    Integer and boolean arrays (and Python lists of numbers) become float64. Anything
    else (strings, objects, complex numbers, None) raises ``TypeError``.
    """
    if isinstance(value, np.ndarray):
        array = value
    else:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"{owner}: expected {name} to be a NumPy array of numbers, got {describe(value)}"
            ) from error
    if array.dtype == np.float32 or array.dtype == np.float64:
        return array
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind == "f":
        return array.astype(np.float64)
    raise TypeError(
        f"{owner}: expected {name} to be a NumPy array of real numbers (float32 or float64), "
        f"got {describe(value)}"
    )


def check_ndim(owner: str, name: str, array: np.ndarray, ndim: int, layout: str) -> None:
    """Raise ``ValueError`` unless ``array.ndim == ndim``; ``layout`` names the axes."""
    if array.ndim != ndim:
        raise ValueError(
            f"{owner}: expected {name} with {ndim} dimensions {layout}, "
            f"got an array of shape {array.shape} ({array.ndim} dimensions)"
        )


def check_shape(owner: str, name: str, array: np.ndarray, expected: tuple) -> None:
    """Raise ``ValueError`` unless ``array.shape`` matches ``expected``.

    ``expected`` holds ints for fixed sizes and strings (e.g. ``"batch_size"``) for sizes
    that may be anything.
    """
    shown = "(" + ", ".join(str(size) for size in expected) + ("," if len(expected) == 1 else "") + ")"
    matches = array.ndim == len(expected) and all(
        isinstance(size, str) or array.shape[axis] == size for axis, size in enumerate(expected)
    )
    if not matches:
        raise ValueError(f"{owner}: expected {name} of shape {shown}, got an array of shape {array.shape}")


def check_same_shape(owner: str, name_a: str, array_a: np.ndarray, name_b: str, array_b: np.ndarray) -> None:
    """Raise ``ValueError`` unless the two arrays have the same shape."""
    if array_a.shape != array_b.shape:
        raise ValueError(
            f"{owner}: expected {name_a} and {name_b} to have the same shape, "
            f"got {name_a} of shape {array_a.shape} and {name_b} of shape {array_b.shape}"
        )


def check_positive_int(owner: str, name: str, value) -> int:
    """Return ``value`` as an ``int`` if it is a whole number >= 1, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: expected {name} to be a positive integer, got {describe(value)}")
    if value < 1:
        raise ValueError(f"{owner}: expected {name} to be a positive integer, got {value}")
    return int(value)


def check_non_negative_int(owner: str, name: str, value) -> int:
    """Return ``value`` as an ``int`` if it is a whole number >= 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: expected {name} to be a non-negative integer, got {describe(value)}")
    if value < 0:
        raise ValueError(f"{owner}: expected {name} to be a non-negative integer, got {value}")
    return int(value)


def check_real(owner: str, name: str, value, low=None, high=None, low_inclusive=True,
               high_inclusive=True) -> float:
    """Return ``value`` as a ``float`` if it is a finite real number within the bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: expected {name} to be a real number, got {describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{owner}: expected {name} to be a finite number, got {value}")
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        interval = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise ValueError(f"{owner}: expected {name} in {interval}, got {value}")
    return value


def as_rng(owner: str, rng) -> np.random.Generator | np.random.RandomState:
    """Accept a NumPy ``Generator``/``RandomState`` or an integer seed; ``None`` means seed 0.

    Nothing in the kit draws from NumPy's global random state.
    """
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{owner}: expected rng to be a numpy.random.Generator, a RandomState or an integer seed, "
        f"got {describe(rng)}"
    )

