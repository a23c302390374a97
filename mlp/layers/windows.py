r"""Strided windows over images: the shared machinery of convolution and pooling.

Convolution and pooling both look at small windows of an image, one window per output
position. For a window of size ``window_height x window_width`` moved with ``stride`` over
an image padded with ``padding`` zeros on each side, the number of output rows is

.. math:: \text{out\_height} = \left\lfloor \frac{\text{height} + 2\,\text{padding}
          - \text{window\_height}}{\text{stride}} \right\rfloor + 1

(the same for columns). Output position ``(i, j)`` sees the padded pixels
``(i * stride + di, j * stride + dj)`` for the window offsets ``0 <= di < window_height``,
``0 <= dj < window_width``.

Two ways of gathering those pixels are used, neither with a Python loop over pixels:

* :func:`sliding_windows` returns a *view* (no copy) of shape
  ``(..., out_height, out_width, window_height, window_width)`` built with NumPy's
  stride tricks; :func:`image_columns` copies it into one matrix (often called *im2col*)
  with one row per (channel, offset) and one column per (image, output position), so that
  a convolution becomes a single matrix product.
* :func:`offset_slices` gives, for one window offset ``(di, dj)``, the strided slices that
  pick that pixel of every window at once. Pooling loops over the offsets (``window_height *
  window_width`` passes, each covering every image, channel and window), which is much faster
  than reducing over the tiny last axes of the view.

Going backwards, a pixel that lies in several windows receives the sum of their gradients:
:func:`add_columns_to_images` (*col2im*) and the pooling layers do that with one slice
addition per window offset.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _checked_out(out: np.ndarray, shape: tuple, dtype) -> np.ndarray:
    if out.shape != shape or out.dtype != dtype or not out.flags.c_contiguous:
        raise ValueError(f"expected out to be a C-contiguous array of shape {shape} and dtype {np.dtype(dtype)}, "
                         f"got an array of shape {out.shape} and dtype {out.dtype}")
    return out


def output_length(input_length: int, window_length: int, stride: int = 1, padding: int = 0) -> int:
    """Number of window positions along one axis: ``(input + 2 * padding - window) // stride + 1``.

    Returns 0 or less when the window does not fit in the padded input.
    """
    return (input_length + 2 * padding - window_length) // stride + 1


def offset_slices(offset_row: int, offset_col: int, out_height: int, out_width: int,
                  stride: int) -> tuple[slice, slice]:
    """Slices that pick, for every output position, the pixel at one window offset.

    ``images[..., rows, cols]`` with ``rows, cols = offset_slices(di, dj, out_height, out_width, stride)``
    has shape ``(..., out_height, out_width)`` and entry ``[..., i, j]`` equal to
    ``images[..., i * stride + di, j * stride + dj]``.
    """
    rows = slice(offset_row, offset_row + stride * (out_height - 1) + 1, stride)
    cols = slice(offset_col, offset_col + stride * (out_width - 1) + 1, stride)
    return rows, cols


def window_offsets(window_height: int, window_width: int) -> Iterator[tuple[int, int]]:
    """All window offsets ``(di, dj)`` in row-major order (the order of a flattened window)."""
    for offset_row in range(window_height):
        for offset_col in range(window_width):
            yield offset_row, offset_col


def sliding_windows(images: np.ndarray, window_height: int, window_width: int, stride: int = 1) -> np.ndarray:
    """A read-only view of every window over the last two axes of ``images``.

    Args:
        images: array of shape ``(..., height, width)``, any memory layout.
        window_height, window_width: window size.
        stride: step between neighbouring windows.

    Returns:
        A view of shape ``(..., out_height, out_width, window_height, window_width)`` whose entry
        ``[..., i, j, di, dj]`` is ``images[..., i * stride + di, j * stride + dj]``. Nothing is copied.
    """
    windows = sliding_window_view(images, (window_height, window_width), axis=(-2, -1))
    return windows[..., ::stride, ::stride, :, :]


def pad_channel_major(images: np.ndarray, padding: int, out: np.ndarray | None = None) -> np.ndarray:
    """Copy ``images`` to channel-major order with ``padding`` zeros around each image.

    Args:
        images: array of shape ``(batch_size, channels, height, width)``.
        padding: number of zero rows/columns added on every side.
        out: optional C-contiguous array of the result's shape and dtype to write into
            (saves allocating fresh memory on every call).

    Returns:
        A C-contiguous array of shape ``(channels, batch_size, height + 2 * padding,
        width + 2 * padding)`` (``out`` if given). With the channel axis first, the columns of
        :func:`image_columns` for all images come out side by side.
    """
    batch_size, channels, height, width = images.shape
    shape = (channels, batch_size, height + 2 * padding, width + 2 * padding)
    padded = np.empty(shape, dtype=images.dtype) if out is None else _checked_out(out, shape, images.dtype)
    if padding:
        padded[:, :, :padding, :] = 0
        padded[:, :, -padding:, :] = 0
        padded[:, :, padding:-padding, :padding] = 0
        padded[:, :, padding:-padding, -padding:] = 0
    padded[:, :, padding:padding + height, padding:padding + width] = images.transpose(1, 0, 2, 3)
    return padded


def image_columns(padded: np.ndarray, kernel_height: int, kernel_width: int, stride: int = 1,
                  ones_row: bool = False, out: np.ndarray | None = None) -> np.ndarray:
    """The *im2col* matrix: every window of every image as one column.

    Args:
        padded: channel-major images of shape ``(channels, batch_size, padded_height, padded_width)``
            (see :func:`pad_channel_major`).
        kernel_height, kernel_width, stride: window size and step.
        ones_row: append a last row of ones. A bias is the weight of an input that is always 1,
            so with this row one matrix product also adds the biases (and, transposed, sums the
            gradients for them).
        out: optional C-contiguous array of the result's shape and dtype to write into.

    Returns:
        A C-contiguous array of shape ``(channels * kernel_height * kernel_width [+ 1],
        batch_size * out_height * out_width)``; row ``(c, di, dj)`` (in that nesting order) and column
        ``(b, i, j)`` hold ``padded[c, b, i * stride + di, j * stride + dj]``.
    """
    channels, batch_size, padded_height, padded_width = padded.shape
    out_height = output_length(padded_height, kernel_height, stride)
    out_width = output_length(padded_width, kernel_width, stride)
    num_rows = channels * kernel_height * kernel_width
    shape = (num_rows + int(ones_row), batch_size * out_height * out_width)
    columns = np.empty(shape, dtype=padded.dtype) if out is None else _checked_out(out, shape, padded.dtype)
    # (channels, batch, out_h, out_w, kh, kw) view -> (channels, kh, kw, batch, out_h, out_w) order
    windows = sliding_windows(padded, kernel_height, kernel_width, stride).transpose(0, 4, 5, 1, 2, 3)
    columns[:num_rows].reshape(windows.shape)[...] = windows
    if ones_row:
        columns[num_rows] = 1
    return columns


def add_columns_to_images(columns: np.ndarray, padded_shape: tuple, kernel_height: int, kernel_width: int,
                          stride: int = 1) -> np.ndarray:
    """The *col2im* step, the adjoint of :func:`image_columns`: add each column back onto its window.

    Args:
        columns: array of shape ``(channels * kernel_height * kernel_width, batch_size * out_height * out_width)``
            laid out as :func:`image_columns` returns (without the ones row).
        padded_shape: ``(channels, batch_size, padded_height, padded_width)``.

    Returns:
        Channel-major padded images of shape ``padded_shape`` where every pixel holds the sum of the
        column entries of all windows it belongs to. One slice addition per kernel offset.
    """
    channels, batch_size, padded_height, padded_width = padded_shape
    out_height = output_length(padded_height, kernel_height, stride)
    out_width = output_length(padded_width, kernel_width, stride)
    per_offset = columns.reshape(channels, kernel_height, kernel_width, batch_size, out_height, out_width)
    images = np.zeros(padded_shape, dtype=columns.dtype)
    for offset_row, offset_col in window_offsets(kernel_height, kernel_width):
        rows, cols = offset_slices(offset_row, offset_col, out_height, out_width, stride)
        images[:, :, rows, cols] += per_offset[:, offset_row, offset_col]
    return images
