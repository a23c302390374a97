r"""Pooling layers: summarise each window of each channel by its maximum or its mean.

Inputs have shape ``(batch_size, channels, height, width)``; a ``pool_size x pool_size``
window moves with ``stride`` (default: ``pool_size``, so windows do not overlap) and the
outputs have shape ``(batch_size, channels, out_height, out_width)`` with
``out_height = (height - pool_size) // stride + 1`` (pixels past the last whole window are
ignored, as in the major frameworks without padding). Pooling has no parameters.

Both directions take one pass per window offset (``pool_size ** 2`` of them), each over all
images, channels and windows at once (see :func:`mlp.layers.windows.offset_slices`): forwards
the passes combine the pixels of each window (maximum or sum); backwards they send the output
gradients to the pixels they came from, and windows that overlap (``stride < pool_size``) add
up their contributions.
"""

from __future__ import annotations

import numpy as np

from mlp.layers.base import Layer
from mlp.layers.windows import offset_slices, output_length, window_offsets
from mlp.validation import check_ndim, check_positive_int, check_shape


class _PoolingLayer(Layer):
    """Shared arguments, checks and window bookkeeping of the pooling layers."""

    def __init__(self, pool_size=2, stride=None) -> None:
        owner = type(self).__name__
        self.pool_size = check_positive_int(owner, "pool_size", pool_size)
        self.stride = self.pool_size if stride is None else check_positive_int(owner, "stride", stride)

    def _checked_inputs(self, inputs) -> np.ndarray:
        inputs = self._float_inputs(inputs)
        check_ndim(repr(self), "inputs", inputs, 4, "(batch_size, channels, height, width)")
        height, width = inputs.shape[2:]
        if height < self.pool_size or width < self.pool_size:
            raise ValueError(
                f"{self!r}: expected inputs of height and width at least pool_size={self.pool_size}, "
                f"got an array of shape {inputs.shape}"
            )
        return inputs

    def _output_size(self, inputs: np.ndarray) -> tuple[int, int]:
        height, width = inputs.shape[2:]
        return (output_length(height, self.pool_size, self.stride),
                output_length(width, self.pool_size, self.stride))

    def _offset_slices(self, inputs: np.ndarray):
        """For each window offset, the slices that pick that pixel of every window (see ``offset_slices``)."""
        out_height, out_width = self._output_size(inputs)
        for offset_row, offset_col in window_offsets(self.pool_size, self.pool_size):
            yield offset_slices(offset_row, offset_col, out_height, out_width, self.stride)

    def _reduce_windows(self, inputs: np.ndarray, combine) -> np.ndarray:
        """Combine the pixels of every window with the binary ufunc ``combine`` (e.g. ``np.maximum``).

        One pass per window offset, each over all images, channels and windows at once: much faster
        than reducing a view of shape ``(..., pool_size, pool_size)``, whose innermost axes are tiny.
        """
        result = None
        for rows, cols in self._offset_slices(inputs):
            if result is None:
                result = inputs[:, :, rows, cols].copy()
            else:
                combine(result, inputs[:, :, rows, cols], out=result)
        return result

    def _checked_grads(self, inputs: np.ndarray, outputs, grads_wrt_outputs) -> np.ndarray:
        grads_wrt_outputs = self._check_grads_wrt_outputs(outputs, grads_wrt_outputs)
        check_shape(repr(self), "grads_wrt_outputs", grads_wrt_outputs,
                    (*inputs.shape[:2], *self._output_size(inputs)))
        return grads_wrt_outputs

    def __repr__(self) -> str:
        return f"{type(self).__name__}(pool_size={self.pool_size}, stride={self.stride})"


class MaxPoolingLayer(_PoolingLayer):
    """Max pooling: each output is the largest input in its window.

    Args:
        pool_size: side of the square window.
        stride: step between windows; ``None`` means ``pool_size`` (non-overlapping windows).

    The gradient of a window's maximum goes entirely to the pixel that holds it; when several
    pixels tie, to the first one in row-major order (as PyTorch does).
    """

    def fprop(self, inputs: np.ndarray) -> np.ndarray:
        """Maximum of each window.

        Args:
            inputs: array of shape ``(batch_size, channels, height, width)``.

        Returns:
            Array of shape ``(batch_size, channels, out_height, out_width)``.
        """
        inputs = self._checked_inputs(inputs)
        return self._reduce_windows(inputs, np.maximum)

    def bprop(self, inputs: np.ndarray, outputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Route each output gradient to the (first) maximum of its window.

        Args:
            inputs: array of shape ``(batch_size, channels, height, width)``.
            outputs: what :meth:`fprop` returned for ``inputs``.
            grads_wrt_outputs: array of shape ``(batch_size, channels, out_height, out_width)``.

        Returns:
            Array of the shape of ``inputs``: zero except at the window maxima.
        """
        inputs = self._checked_inputs(inputs)
        grads_wrt_outputs = self._checked_grads(inputs, outputs, grads_wrt_outputs)
        maxima = self._reduce_windows(inputs, np.maximum)  # recomputed: never trust a stale outputs array
        # zeros_like keeps the memory layout of the inputs (e.g. channel-major after a convolution)
        grads_wrt_inputs = np.zeros_like(inputs, dtype=np.result_type(inputs, grads_wrt_outputs))
        already_routed = np.zeros(maxima.shape, dtype=bool)
        for rows, cols in self._offset_slices(inputs):  # offsets in row-major order: the first maximum wins
            is_first_maximum = inputs[:, :, rows, cols] == maxima
            is_first_maximum &= ~already_routed
            already_routed |= is_first_maximum
            # multiplying by the mask is much faster than np.where (and equal for finite gradients)
            grads_wrt_inputs[:, :, rows, cols] += grads_wrt_outputs * is_first_maximum
        return grads_wrt_inputs


class AvgPoolingLayer(_PoolingLayer):
    """Average pooling: each output is the mean of its window.

    Args:
        pool_size: side of the square window.
        stride: step between windows; ``None`` means ``pool_size`` (non-overlapping windows).

    Every pixel of a window receives ``1 / pool_size**2`` of the window's output gradient.
    """

    def fprop(self, inputs: np.ndarray) -> np.ndarray:
        """Mean of each window.

        Args:
            inputs: array of shape ``(batch_size, channels, height, width)``.

        Returns:
            Array of shape ``(batch_size, channels, out_height, out_width)``.
        """
        inputs = self._checked_inputs(inputs)
        sums = self._reduce_windows(inputs, np.add)
        sums /= self.pool_size**2
        return sums

    def bprop(self, inputs: np.ndarray, outputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Spread each output gradient evenly over its window.

        Args:
            inputs: array of shape ``(batch_size, channels, height, width)``.
            outputs: what :meth:`fprop` returned for ``inputs``.
            grads_wrt_outputs: array of shape ``(batch_size, channels, out_height, out_width)``.

        Returns:
            Array of the shape of ``inputs``.
        """
        inputs = self._checked_inputs(inputs)
        grads_wrt_outputs = self._checked_grads(inputs, outputs, grads_wrt_outputs)
        dtype = np.result_type(inputs, grads_wrt_outputs)
        share = (grads_wrt_outputs / self.pool_size**2).astype(dtype, copy=False)
        grads_wrt_inputs = np.zeros_like(inputs, dtype=dtype)
        for rows, cols in self._offset_slices(inputs):
            grads_wrt_inputs[:, :, rows, cols] += share
        return grads_wrt_inputs
