"""The convolution implementations the benchmark times, all with one signature and the same results.

Each ``*_convolution_step(inputs, kernels, biases, grads_wrt_outputs, stride, padding)`` returns
``(outputs, grads_wrt_inputs, grads_wrt_kernels, grads_wrt_biases)`` of one training pass;
:func:`ours_convolution_step` runs the kit's :class:`~mlp.layers.ConvolutionalLayer` the same way.
"""

from __future__ import annotations

import numpy as np

from mlp.layers.convolution import ConvolutionalLayer
from mlp.layers.windows import output_length


def naive_convolution_step(inputs: np.ndarray, kernels: np.ndarray, biases: np.ndarray,
                           grads_wrt_outputs: np.ndarray, stride: int = 1, padding: int = 0):
    """The textbook convolution: Python loops over images and output positions, one dot per position.

    Forwards, at each ``(image, output row, output column)`` one ``np.dot`` of the kernels (as an
    ``(out_channels, in_channels * kh * kw)`` matrix) with the flattened window gives that position's
    outputs for all output channels. Backwards, the same loops visit every position again: its
    output gradients add the window to the kernel gradients and the kernels to the window's input
    gradients. Only the channels are vectorised. This is the "naive implementation that loops over
    output positions" the performance target compares with.

    Args:
        inputs: ``(batch_size, in_channels, height, width)``; kernels: ``(out_channels, in_channels, kh, kw)``;
        biases: ``(out_channels,)``; grads_wrt_outputs: ``(batch_size, out_channels, out_height, out_width)``.

    Returns:
        ``(outputs, grads_wrt_inputs, grads_wrt_kernels, grads_wrt_biases)``.
    """
    batch_size, in_channels, height, width = inputs.shape
    out_channels, _, kernel_height, kernel_width = kernels.shape
    out_height = output_length(height, kernel_height, stride, padding)
    out_width = output_length(width, kernel_width, stride, padding)
    padded = np.pad(inputs, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kernel_matrix = kernels.reshape(out_channels, -1)
    outputs = np.empty((batch_size, out_channels, out_height, out_width), dtype=np.result_type(inputs, kernels))
    for n in range(batch_size):
        for i in range(out_height):
            for j in range(out_width):
                window = padded[n, :, i * stride:i * stride + kernel_height, j * stride:j * stride + kernel_width]
                outputs[n, :, i, j] = np.dot(kernel_matrix, window.ravel()) + biases
    grads_wrt_padded = np.zeros_like(padded, dtype=outputs.dtype)
    grads_wrt_kernel_matrix = np.zeros_like(kernel_matrix, dtype=outputs.dtype)
    for n in range(batch_size):
        for i in range(out_height):
            for j in range(out_width):
                rows = slice(i * stride, i * stride + kernel_height)
                cols = slice(j * stride, j * stride + kernel_width)
                grads_here = grads_wrt_outputs[n, :, i, j]  # (out_channels,)
                grads_wrt_kernel_matrix += np.outer(grads_here, padded[n, :, rows, cols].ravel())
                grads_wrt_padded[n, :, rows, cols] += np.dot(grads_here, kernel_matrix).reshape(
                    in_channels, kernel_height, kernel_width)
    grads_wrt_inputs = grads_wrt_padded[:, :, padding:padding + height, padding:padding + width]
    return (outputs, grads_wrt_inputs, grads_wrt_kernel_matrix.reshape(kernels.shape),
            grads_wrt_outputs.sum(axis=(0, 2, 3)))


def position_loop_convolution_step(inputs: np.ndarray, kernels: np.ndarray, biases: np.ndarray,
                                   grads_wrt_outputs: np.ndarray, stride: int = 1, padding: int = 0):
    """A stronger baseline: a Python loop over output positions only, batch and channels vectorised.

    At each output position, three BLAS products (``np.tensordot``) over the whole batch give the
    outputs, the kernel-gradient contribution and the input-gradient contribution. Same arguments and
    results as :func:`naive_convolution_step`.
    """
    batch_size, _, height, width = inputs.shape
    out_channels, _, kernel_height, kernel_width = kernels.shape
    out_height = output_length(height, kernel_height, stride, padding)
    out_width = output_length(width, kernel_width, stride, padding)
    padded = np.pad(inputs, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    outputs = np.empty((batch_size, out_channels, out_height, out_width), dtype=inputs.dtype)
    grads_wrt_padded = np.zeros_like(padded)
    grads_wrt_kernels = np.zeros_like(kernels)
    for row in range(out_height):
        for col in range(out_width):
            rows = slice(row * stride, row * stride + kernel_height)
            cols = slice(col * stride, col * stride + kernel_width)
            window = padded[:, :, rows, cols]  # (batch_size, in_channels, kh, kw)
            outputs[:, :, row, col] = np.tensordot(window, kernels, axes=([1, 2, 3], [1, 2, 3])) + biases
            grads_here = grads_wrt_outputs[:, :, row, col]  # (batch_size, out_channels)
            grads_wrt_kernels += np.tensordot(grads_here, window, axes=([0], [0]))
            grads_wrt_padded[:, :, rows, cols] += np.tensordot(grads_here, kernels, axes=([1], [0]))
    grads_wrt_inputs = grads_wrt_padded[:, :, padding:padding + height, padding:padding + width]
    return outputs, grads_wrt_inputs, grads_wrt_kernels, grads_wrt_outputs.sum(axis=(0, 2, 3))


def _cs231n_window_indices(in_channels: int, kernel_height: int, kernel_width: int, out_height: int,
                           out_width: int, stride: int):
    """Index arrays ``(channel, row, col)`` of shape ``(in_channels * kh * kw, out_height * out_width)``.

    Entry ``[(c, di, dj), (i, j)]`` names the padded pixel ``(c, i * stride + di, j * stride + dj)``: the
    window offsets vary down the rows, the output positions along the columns.
    """
    offset_rows = np.tile(np.repeat(np.arange(kernel_height), kernel_width), in_channels)
    offset_cols = np.tile(np.arange(kernel_width), kernel_height * in_channels)
    position_rows = stride * np.repeat(np.arange(out_height), out_width)
    position_cols = stride * np.tile(np.arange(out_width), out_height)
    channels = np.repeat(np.arange(in_channels), kernel_height * kernel_width)[:, None]
    return channels, offset_rows[:, None] + position_rows[None, :], offset_cols[:, None] + position_cols[None, :]


def cs231n_convolution_step(inputs: np.ndarray, kernels: np.ndarray, biases: np.ndarray,
                            grads_wrt_outputs: np.ndarray, stride: int = 1, padding: int = 0):
    """The im2col of Stanford's CS231n assignments (their pure-NumPy fallback), written from its algorithm.

    im2col by fancy indexing: ``padded[:, channels, rows, cols]`` with the index arrays of
    :func:`_cs231n_window_indices` gathers every window, the columns are ordered (position, image);
    outputs, kernel gradients and column gradients are then one matrix product each, and col2im adds
    the column gradients back with ``np.add.at`` (which handles repeated indices, one element at a time).
    Same arguments and results as :func:`naive_convolution_step`.
    """
    batch_size, in_channels, height, width = inputs.shape
    out_channels, _, kernel_height, kernel_width = kernels.shape
    out_height = output_length(height, kernel_height, stride, padding)
    out_width = output_length(width, kernel_width, stride, padding)
    padded = np.pad(inputs, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    channels, rows, cols = _cs231n_window_indices(in_channels, kernel_height, kernel_width, out_height,
                                                  out_width, stride)
    columns = padded[:, channels, rows, cols]  # (batch, C * kh * kw, positions)
    columns = columns.transpose(1, 2, 0).reshape(in_channels * kernel_height * kernel_width, -1)
    kernel_matrix = kernels.reshape(out_channels, -1)
    outputs = (kernel_matrix @ columns + biases[:, None]).reshape(out_channels, out_height, out_width, batch_size)
    outputs = outputs.transpose(3, 0, 1, 2)
    grads_matrix = grads_wrt_outputs.transpose(1, 2, 3, 0).reshape(out_channels, -1)
    grads_wrt_kernels = (grads_matrix @ columns.T).reshape(kernels.shape)
    grads_wrt_columns = (kernel_matrix.T @ grads_matrix).reshape(columns.shape[0], -1, batch_size)
    grads_wrt_padded = np.zeros_like(padded, dtype=grads_wrt_columns.dtype)
    np.add.at(grads_wrt_padded, (slice(None), channels, rows, cols), grads_wrt_columns.transpose(2, 0, 1))
    grads_wrt_inputs = grads_wrt_padded[:, :, padding:padding + height, padding:padding + width]
    return outputs, grads_wrt_inputs, grads_wrt_kernels, grads_wrt_outputs.sum(axis=(0, 2, 3))


def correlate2d_convolution_step(inputs: np.ndarray, kernels: np.ndarray, biases: np.ndarray,
                                 grads_wrt_outputs: np.ndarray, stride: int = 1, padding: int = 0):
    """The Edinburgh labs' style: one ``scipy.signal`` 2-D correlation per image and channel pair.

    For every image ``n``, output channel ``o`` and input channel ``c``: the outputs add
    ``correlate2d(padded[n, c], K[o, c], 'valid')`` (every ``stride``-th entry), the kernel gradients add
    ``correlate2d(padded[n, c], G[n, o], 'valid')`` and the padded input gradients add
    ``convolve2d(G[n, o], K[o, c], 'full')``, with ``G`` the output gradients spread out to stride 1
    (zeros in between). Same arguments and results as :func:`naive_convolution_step`.
    """
    from scipy.signal import convolve2d, correlate2d

    batch_size, in_channels, height, width = inputs.shape
    out_channels, _, kernel_height, kernel_width = kernels.shape
    out_height = output_length(height, kernel_height, stride, padding)
    out_width = output_length(width, kernel_width, stride, padding)
    padded = np.pad(inputs, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dtype = np.result_type(inputs, kernels)
    # output gradients at stride 1 (the window positions every stride-th of which are outputs)
    dense_height, dense_width = padded.shape[2] - kernel_height + 1, padded.shape[3] - kernel_width + 1
    dense_grads = np.zeros((batch_size, out_channels, dense_height, dense_width), dtype=grads_wrt_outputs.dtype)
    dense_grads[:, :, ::stride, ::stride] = grads_wrt_outputs
    outputs = np.empty((batch_size, out_channels, out_height, out_width), dtype=dtype)
    grads_wrt_padded = np.zeros(padded.shape, dtype=dtype)
    grads_wrt_kernels = np.zeros(kernels.shape, dtype=dtype)
    for n in range(batch_size):
        for o in range(out_channels):
            total = np.full((dense_height, dense_width), biases[o], dtype=dtype)
            for c in range(in_channels):
                total += correlate2d(padded[n, c], kernels[o, c], mode="valid")
                grads_wrt_kernels[o, c] += correlate2d(padded[n, c], dense_grads[n, o], mode="valid")
                grads_wrt_padded[n, c] += convolve2d(dense_grads[n, o], kernels[o, c], mode="full")
            outputs[n, o] = total[::stride, ::stride]
    grads_wrt_inputs = grads_wrt_padded[:, :, padding:padding + height, padding:padding + width]
    return outputs, grads_wrt_inputs, grads_wrt_kernels, grads_wrt_outputs.sum(axis=(0, 2, 3))


def ours_convolution_step(layer: ConvolutionalLayer, inputs: np.ndarray, grads_wrt_outputs: np.ndarray):
    """``fprop``, ``bprop`` and ``grads_wrt_params`` of ``layer``, as one training step would call them."""
    outputs = layer.fprop(inputs)
    grads_wrt_inputs = layer.bprop(inputs, outputs, grads_wrt_outputs)
    grads_wrt_kernels, grads_wrt_biases = layer.grads_wrt_params(inputs, grads_wrt_outputs)
    return outputs, grads_wrt_inputs, grads_wrt_kernels, grads_wrt_biases
