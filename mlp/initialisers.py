r"""Parameter initialisers: callables that return a new array of a given shape.

``initialiser(shape, dtype=np.float64)`` returns an array of that shape and dtype, e.g.

>>> weights_init = GlorotUniformInit(rng=42)
>>> weights = weights_init((3, 5), dtype=np.float32)  # (output_dim, input_dim)
>>> weights.shape, weights.dtype, bool(np.all(np.abs(weights) <= np.sqrt(6 / (5 + 3))))
((3, 5), dtype('float32'), True)

Random initialisers take ``rng``: a ``numpy.random.Generator``, a ``RandomState`` or an
integer seed. ``rng=None`` means seed 0, so results are always reproducible; nothing here
uses NumPy's global random state. Each call draws fresh numbers from the same generator, so
two calls on one initialiser give different arrays.

Fan-in and fan-out (used by the Glorot and He initialisers, see :func:`fan_in_and_fan_out`):
for affine weights of shape ``(output_dim, input_dim)`` they are ``input_dim`` and
``output_dim``; for convolution kernels of shape ``(out_channels, in_channels, kernel_height,
kernel_width)`` every input and output unit is connected through a whole kernel window, so
they are ``in_channels * kernel_height * kernel_width`` and ``out_channels * kernel_height *
kernel_width``.

Why the scale matters: with fan-in :math:`n` inputs of unit variance and weights of variance
:math:`s^2`, a unit's pre-activation has variance :math:`n s^2`. Glorot (Xavier) initialisation
keeps activations and gradients at a similar scale through linear/tanh layers by choosing
:math:`s^2 = 2 / (n_{in} + n_{out})`; He initialisation compensates for ReLU zeroing half of
its inputs with :math:`s^2 = 2 / n_{in}`. A uniform distribution on :math:`[-a, a]` has
variance :math:`a^2 / 3`, which gives the uniform limits below.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from mlp.validation import as_rng, check_real, describe


def _check_shape(owner: str, shape) -> tuple[int, ...]:
    """``shape`` as a tuple of positive ints (a single int means a 1-D shape), or raise."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(
        isinstance(size, numbers.Integral) and not isinstance(size, bool) for size in shape
    ):
        raise TypeError(f"{owner}: expected shape to be a tuple of positive integers, got {describe(shape)}")
    if len(shape) == 0 or any(size < 1 for size in shape):
        raise ValueError(f"{owner}: expected shape to be a tuple of positive integers, got {tuple(shape)}")
    return tuple(int(size) for size in shape)


def _check_dtype(owner: str, dtype) -> np.dtype:
    """``dtype`` as ``float32`` or ``float64``, or raise ``TypeError``."""
    try:
        dtype = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"{owner}: expected dtype float32 or float64, got {describe(dtype)}") from error
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{owner}: expected dtype float32 or float64, got {dtype}")
    return dtype


def fan_in_and_fan_out(shape, owner: str = "fan_in_and_fan_out") -> tuple[int, int]:
    """The number of inputs and outputs each weight connects, for a weight array of ``shape``.

    Args:
        shape: ``(output_dim, input_dim)`` for affine weights or
            ``(out_channels, in_channels, kernel_height, ...)`` for convolution kernels.

    Returns:
        ``(fan_in, fan_out)``: ``shape[1] * receptive_field`` and ``shape[0] * receptive_field``,
        where ``receptive_field`` is the product of ``shape[2:]`` (1 for a 2-D shape).
    """
    shape = _check_shape(owner, shape)
    if len(shape) < 2:
        raise ValueError(
            f"{owner}: expected a weight shape with at least 2 dimensions, (output_dim, input_dim) or "
            f"(out_channels, in_channels, kernel_height, kernel_width), to compute fan-in and fan-out, "
            f"got {shape}; initialise biases with ConstantInit (or UniformInit/NormalInit) instead"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


class _Initialiser:
    """Shared checks; subclasses implement :meth:`_draw` returning a float64 array."""

    def __call__(self, shape, dtype=np.float64) -> np.ndarray:
        """A new array of ``shape`` (a tuple of positive ints) and ``dtype`` (float32 or float64)."""
        owner = repr(self)
        shape = _check_shape(owner, shape)
        dtype = _check_dtype(owner, dtype)
        return np.asarray(self._draw(shape), dtype=dtype)

    def _draw(self, shape: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__}._draw is not implemented")


class _RandomInitialiser(_Initialiser):
    """An initialiser that draws from ``self.rng``; remembers the ``rng`` argument for ``repr``."""

    def _set_rng(self, rng) -> None:
        self._rng_argument = rng
        self.rng = as_rng(f"{type(self).__name__}", rng)

    def _rng_repr(self) -> str:
        return f"rng={self._rng_argument!r}"


class ConstantInit(_Initialiser):
    """Every entry equal to ``value`` (0 by default, the usual choice for biases).

    Args:
        value: a finite real number.
    """

    def __init__(self, value: float = 0.0) -> None:
        self.value = check_real(f"{type(self).__name__}(value={value!r})", "value", value)

    def _draw(self, shape):
        return np.full(shape, self.value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(value={self.value!r})"


class UniformInit(_RandomInitialiser):
    """Independent draws from the uniform distribution on ``[low, high)``.

    Args:
        low, high: the interval's ends, finite with ``low < high``.
        rng: a ``numpy.random.Generator``, ``RandomState`` or integer seed (``None``: seed 0).
    """

    def __init__(self, low: float = -0.1, high: float = 0.1, rng=None) -> None:
        owner = f"{type(self).__name__}(low={low!r}, high={high!r})"
        self.low = check_real(owner, "low", low)
        self.high = check_real(owner, "high", high)
        if not self.low < self.high:
            raise ValueError(f"{owner}: expected low < high, got low={self.low} and high={self.high}")
        self._set_rng(rng)

    def _draw(self, shape):
        return self.rng.uniform(self.low, self.high, size=shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(low={self.low!r}, high={self.high!r}, {self._rng_repr()})"


class NormalInit(_RandomInitialiser):
    """Independent draws from the normal distribution with ``mean`` and standard deviation ``std``.

    Args:
        mean: a finite real number.
        std: the standard deviation, > 0.
        rng: a ``numpy.random.Generator``, ``RandomState`` or integer seed (``None``: seed 0).
    """

    def __init__(self, mean: float = 0.0, std: float = 1.0, rng=None) -> None:
        owner = f"{type(self).__name__}(mean={mean!r}, std={std!r})"
        self.mean = check_real(owner, "mean", mean)
        self.std = check_real(owner, "std", std, low=0.0, low_inclusive=False)
        self._set_rng(rng)

    def _draw(self, shape):
        return self.rng.normal(self.mean, self.std, size=shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean!r}, std={self.std!r}, {self._rng_repr()})"


class _FanScaledInit(_RandomInitialiser):
    """Zero-mean draws whose scale depends on the fan-in/fan-out of the shape and on ``gain``."""

    def __init__(self, gain: float = 1.0, rng=None) -> None:
        self.gain = check_real(f"{type(self).__name__}(gain={gain!r})", "gain", gain, low=0.0, low_inclusive=False)
        self._set_rng(rng)

    def scale(self, shape) -> float:
        """The uniform limit or normal standard deviation used for weights of ``shape``."""
        raise NotImplementedError(f"{type(self).__name__}.scale is not implemented")

    def _fans(self, shape) -> tuple[int, int]:
        return fan_in_and_fan_out(shape, owner=repr(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(gain={self.gain!r}, {self._rng_repr()})"


class GlorotUniformInit(_FanScaledInit):
    r"""Glorot/Xavier uniform: :math:`U(-a, a)` with :math:`a = \mathrm{gain} \sqrt{6 / (n_{in} + n_{out})}`.

    The variance :math:`a^2/3 = \mathrm{gain}^2 \cdot 2 / (n_{in} + n_{out})` (Glorot and Bengio, 2010).
    ``shape`` must have at least 2 dimensions (see :func:`fan_in_and_fan_out`).
    """

    def scale(self, shape) -> float:
        fan_in, fan_out = self._fans(shape)
        return self.gain * math.sqrt(6.0 / (fan_in + fan_out))

    def _draw(self, shape):
        limit = self.scale(shape)
        return self.rng.uniform(-limit, limit, size=shape)


class GlorotNormalInit(_FanScaledInit):
    r"""Glorot/Xavier normal: :math:`N(0, s^2)` with :math:`s = \mathrm{gain} \sqrt{2 / (n_{in} + n_{out})}`.

    ``shape`` must have at least 2 dimensions (see :func:`fan_in_and_fan_out`).
    """

    def scale(self, shape) -> float:
        fan_in, fan_out = self._fans(shape)
        return self.gain * math.sqrt(2.0 / (fan_in + fan_out))

    def _draw(self, shape):
        return self.rng.normal(0.0, self.scale(shape), size=shape)


class HeNormalInit(_FanScaledInit):
    r"""He/Kaiming normal: :math:`N(0, s^2)` with :math:`s = \mathrm{gain} \sqrt{2 / n_{in}}` (He et al., 2015).

    Suited to ReLU layers. ``shape`` must have at least 2 dimensions (see :func:`fan_in_and_fan_out`).
    """

    def scale(self, shape) -> float:
        fan_in, _ = self._fans(shape)
        return self.gain * math.sqrt(2.0 / fan_in)

    def _draw(self, shape):
        return self.rng.normal(0.0, self.scale(shape), size=shape)


class HeUniformInit(_FanScaledInit):
    r"""He/Kaiming uniform: :math:`U(-a, a)` with :math:`a = \mathrm{gain} \sqrt{6 / n_{in}}`.

    Same variance as :class:`HeNormalInit`. ``shape`` must have at least 2 dimensions.
    """

    def scale(self, shape) -> float:
        fan_in, _ = self._fans(shape)
        return self.gain * math.sqrt(6.0 / fan_in)

    def _draw(self, shape):
        limit = self.scale(shape)
        return self.rng.uniform(-limit, limit, size=shape)
