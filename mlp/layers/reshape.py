"""The reshape layer: the same numbers, arranged in a different shape.

Typical use is between a convolutional part and an affine part of a network: ``ReshapeLayer()``
flattens ``(batch_size, channels, height, width)`` feature maps to
``(batch_size, channels * height * width)``, and ``ReshapeLayer((1, 28, 28))`` turns flat
vectors into single-channel images. Reshaping moves no values, so back-propagation just
reshapes the gradients back to the shape of the inputs.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from mlp.layers.base import Layer
from mlp.validation import describe


def _check_output_shape(output_shape) -> tuple[int, ...] | None:
    """``output_shape`` as a tuple of positive ints with at most one ``-1``, or ``None``."""
    owner = f"ReshapeLayer(output_shape={output_shape!r})"
    if output_shape is None:
        return None
    if isinstance(output_shape, numbers.Integral) and not isinstance(output_shape, bool):
        output_shape = (output_shape,)
    if not isinstance(output_shape, (tuple, list)) or not all(
        isinstance(size, numbers.Integral) and not isinstance(size, bool) for size in output_shape
    ):
        raise TypeError(
            f"{owner}: expected output_shape to be None or a tuple of integers such as (1, 28, 28), "
            f"got {describe(output_shape)}"
        )
    output_shape = tuple(int(size) for size in output_shape)
    if any(size < 1 and size != -1 for size in output_shape) or output_shape.count(-1) > 1:
        raise ValueError(
            f"{owner}: expected output_shape to hold positive sizes and at most one -1 (size inferred), "
            f"got {output_shape}"
        )
    return output_shape


class ReshapeLayer(Layer):
    """Reshape each example, keeping the batch axis.

    Args:
        output_shape: shape of one output example, without the batch axis, e.g. ``(1, 28, 28)``;
            one entry may be ``-1`` (worked out from the size of the inputs). ``None`` (the
            default) flattens each example to a vector.
    """

    def __init__(self, output_shape=None) -> None:
        self.output_shape = _check_output_shape(output_shape)

    def _example_shape(self, inputs: np.ndarray) -> tuple[int, ...]:
        """The shape of one output example for ``inputs`` (without ``-1``), or a ``ValueError``."""
        if inputs.ndim < 1:
            raise ValueError(
                f"{self!r}: expected inputs with a batch axis first, e.g. (batch_size, ...), "
                f"got an array of shape {inputs.shape}"
            )
        example_size = math.prod(inputs.shape[1:])
        if self.output_shape is None:
            return (example_size,)
        known_size = math.prod(size for size in self.output_shape if size != -1)
        if -1 in self.output_shape:
            fits = example_size % known_size == 0
            inferred = example_size // known_size
            shape = tuple(inferred if size == -1 else size for size in self.output_shape)
        else:
            fits = example_size == known_size
            shape = self.output_shape
        if not fits:
            shown = "(batch_size, " + ", ".join(str(size) for size in self.output_shape) + ")"
            raise ValueError(
                f"{self!r}: expected inputs whose examples can be reshaped to {shown}, got an array of shape "
                f"{inputs.shape} ({example_size} values per example)"
            )
        return shape

    def fprop(self, inputs: np.ndarray) -> np.ndarray:
        """Reshape every example.

        Args:
            inputs: array of shape ``(batch_size, ...)``.

        Returns:
            outputs: array of shape ``(batch_size, *output_shape)`` (``(batch_size, -1)`` when
            flattening), holding the same values.
        """
        inputs = self._float_inputs(inputs)
        return inputs.reshape((inputs.shape[0], *self._example_shape(inputs)))

    def bprop(self, inputs: np.ndarray, outputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Reshape ``grads_wrt_outputs`` back to the shape of ``inputs``.

        Args:
            inputs: array of shape ``(batch_size, ...)`` given to :meth:`fprop`.
            outputs: array :meth:`fprop` returned.
            grads_wrt_outputs: array of the shape of ``outputs``.

        Returns:
            grads_wrt_inputs: array of the shape of ``inputs``.
        """
        inputs = np.asarray(inputs)
        grads_wrt_outputs = self._check_grads_wrt_outputs(outputs, grads_wrt_outputs)
        if grads_wrt_outputs.size != inputs.size:
            raise ValueError(
                f"{self!r}: expected grads_wrt_outputs with as many values as the inputs {inputs.shape}, "
                f"got an array of shape {grads_wrt_outputs.shape}"
            )
        return grads_wrt_outputs.reshape(inputs.shape)

    def __repr__(self) -> str:
        return f"ReshapeLayer(output_shape={self.output_shape!r})"
