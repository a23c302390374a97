r"""The convolutional layer (a 2-D cross-correlation, as in the major frameworks).

For inputs :math:`x` of shape ``(batch_size, in_channels, height, width)``, kernels :math:`K`
of shape ``(out_channels, in_channels, kernel_height, kernel_width)`` and biases :math:`b`,
the inputs are padded with ``padding`` zeros on each side (:math:`\tilde x`) and

.. math::
    y_{n,o,i,j} = b_o + \sum_{c} \sum_{d_i, d_j} K_{o,c,d_i,d_j}\,
    \tilde x_{n,c,\,i s + d_i,\,j s + d_j}

with stride :math:`s`. The kernel is not flipped (that would be a convolution in the strict
mathematical sense; the result only differs by a relabelling of the kernel entries).

Implementation: every window becomes a column of one matrix (*im2col*), so the forward pass and
both gradients are single matrix products:

* outputs: :math:`Y = [K_{2D}\ b]\,[X_{\text{col}}; 1]` with :math:`K_{2D}` of shape
  ``(out_channels, in_channels * kh * kw)`` and a row of ones under :math:`X_{\text{col}}`;
* input gradient: :math:`K_{2D}^T G`, whose columns are added back onto their windows (*col2im*),
  with :math:`G` the output gradients, one row per output channel;
* kernel and bias gradients: :math:`G\,[X_{\text{col}}; 1]^T`.

How the columns are gathered decides the speed, because the products themselves are fast.
The padded images are kept channel-major, ``(channels, batch_size, padded_height * padded_width)``,
each image flattened row by row. With stride 1, pixel :math:`(i + d_i, j + d_j)` of an image
flattened with row length :math:`W_p` (the padded width) sits at

.. math:: (i + d_i) W_p + (j + d_j) = (i W_p + j) + (d_i W_p + d_j),

so if output position :math:`(i, j)` is numbered :math:`q = i W_p + j`, a window offset is a *shift*
by :math:`d_i W_p + d_j`: the im2col row of channel :math:`c` and offset :math:`(d_i, d_j)` is one
contiguous slice of the flattened image, and col2im adds one slice per offset. The price is that
:math:`q` also runs over :math:`j \ge` ``out_width`` (``padded_width - out_width`` positions per row),
whose windows wrap around into the next row: they are computed and dropped, a
``padded_width / out_width`` share of extra work (16/14 for a 3x3 kernel on 14-pixel images with
padding 1), and their output gradients are zero, so backwards they add nothing. With stride > 1 the
positions are exactly the outputs and each offset is a strided slice of the padded images instead.
The work arrays are kept from call to call in a :class:`~mlp.layers.workspace.Workspace`.
"""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np

from mlp.layers.base import LayerWithParameters
from mlp.layers.windows import offset_slices, output_length
from mlp.layers.workspace import Workspace, unaliased_length
from mlp.validation import as_float_array, check_non_negative_int, check_positive_int, check_shape


class ConvolutionalLayer(LayerWithParameters):
    """A 2-D convolutional layer with ``num_output_channels`` kernels, each covering all input channels.

    Args:
        num_input_channels: channels of the inputs (e.g. 1 for grey images, 3 for RGB).
        num_output_channels: number of kernels, i.e. channels of the outputs.
        input_height, input_width: size of each input image.
        kernel_height, kernel_width: size of each kernel.
        kernels_init: callable ``shape -> array`` giving the initial kernels; by default uniform in
            :math:`\\pm 1/\\sqrt{\\text{fan\\_in}}` with ``fan_in = num_input_channels * kernel_height *
            kernel_width``, drawn from ``np.random.default_rng(0)``.
        biases_init: callable ``shape -> array`` for the initial biases; zeros by default.
        kernels_penalty, biases_penalty: optional penalties (e.g. ``L2Penalty``), objects with
            ``__call__(param)`` and ``grad(param)``; their gradients are added to the parameter gradients.
        stride: step between neighbouring windows (>= 1).
        padding: zeros added on each side of every image (>= 0).

    Shapes:
        inputs: ``(batch_size, num_input_channels, input_height, input_width)``;
        kernels: ``(num_output_channels, num_input_channels, kernel_height, kernel_width)``;
        biases: ``(num_output_channels,)``;
        outputs: ``(batch_size, num_output_channels, output_height, output_width)`` with
        ``output_height = (input_height + 2 * padding - kernel_height) // stride + 1`` (same for width).

    The outputs (and the gradients :meth:`bprop` returns) are views of channel-major arrays, as the
    matrix products produce them: indexing and shapes are as usual, only the memory is laid out
    ``(channels, batch, height, width)`` with a few unused numbers at the end of each row. NumPy
    operations handle that transparently.

    Float32 inputs with float32 parameters give float32 results.

    >>> from mlp.initialisers import ConstantInit
    >>> layer = ConvolutionalLayer(1, 1, 3, 3, 2, 2, kernels_init=ConstantInit(1.0))
    >>> layer.fprop(np.arange(9.0).reshape(1, 1, 3, 3))  # each output is the sum of one 2x2 window
    array([[[[ 8., 12.],
             [20., 24.]]]])
    >>> ConvolutionalLayer(1, 4, 28, 28, 5, 5, padding=2).fprop(np.zeros((8, 1, 28, 28))).shape
    (8, 4, 28, 28)
    """

    param_names = ["kernels", "biases"]

    #: Work arrays (e.g. the im2col matrix of the latest inputs) of at most this many bytes are kept between calls.
    max_cached_bytes = 256 * 2**20

    #: :meth:`bprop` goes through the images in blocks whose slice of :math:`K_{2D}^T G` is at most this
    #: many bytes, so that the slice is still in the cache when col2im reads it (and memory stays small).
    max_block_bytes = 2 * 2**20

    def __init__(self, num_input_channels, num_output_channels, input_height, input_width, kernel_height,
                 kernel_width, kernels_init=None, biases_init=None, kernels_penalty=None, biases_penalty=None,
                 stride=1, padding=0) -> None:
        owner = type(self).__name__
        self.num_input_channels = check_positive_int(owner, "num_input_channels", num_input_channels)
        self.num_output_channels = check_positive_int(owner, "num_output_channels", num_output_channels)
        self.input_height = check_positive_int(owner, "input_height", input_height)
        self.input_width = check_positive_int(owner, "input_width", input_width)
        self.kernel_height = check_positive_int(owner, "kernel_height", kernel_height)
        self.kernel_width = check_positive_int(owner, "kernel_width", kernel_width)
        self.stride = check_positive_int(owner, "stride", stride)
        self.padding = check_non_negative_int(owner, "padding", padding)
        self._set_penalties(owner, kernels_penalty=kernels_penalty, biases_penalty=biases_penalty)
        for name, kernel_size, input_size in (("kernel_height", self.kernel_height, self.input_height),
                                              ("kernel_width", self.kernel_width, self.input_width)):
            if kernel_size > input_size + 2 * self.padding:
                raise ValueError(
                    f"{self!r}: expected {name} to be at most the padded input size "
                    f"{input_size} + 2 * {self.padding} = {input_size + 2 * self.padding}, got {kernel_size}"
                )
        self.output_height = output_length(self.input_height, self.kernel_height, self.stride, self.padding)
        self.output_width = output_length(self.input_width, self.kernel_width, self.stride, self.padding)
        self.padded_height = self.input_height + 2 * self.padding
        self.padded_width = self.input_width + 2 * self.padding
        # Output positions per image row: with stride 1 the whole padded row (see the module docstring).
        self.positions_per_row = self.padded_width if self.stride == 1 else self.output_width
        # A flattened padded image, plus kernel_width - 1 zeros read by the last row's unused positions.
        self.flat_image_length = self.padded_height * self.padded_width + self.kernel_width - 1

        kernels_shape = (self.num_output_channels, self.num_input_channels, self.kernel_height, self.kernel_width)
        bound = 1.0 / np.sqrt(self.num_input_channels * self.kernel_height * self.kernel_width)  # 1 / sqrt(fan_in)
        kernels = (np.random.default_rng(0).uniform(-bound, bound, size=kernels_shape) if kernels_init is None
                   else kernels_init(kernels_shape))
        biases = np.zeros(self.num_output_channels) if biases_init is None else biases_init((self.num_output_channels,))
        self.kernels = as_float_array(repr(self), "kernels", kernels)
        self.biases = as_float_array(repr(self), "biases", biases)
        check_shape(repr(self), "kernels from kernels_init", self.kernels, kernels_shape)
        check_shape(repr(self), "biases from biases_init", self.biases, (self.num_output_channels,))
        #: ``None``, or a timer of each step: ``phase(name)`` contexts (``benchmarks.layers --profile``).
        self.profiler = None
        self._workspace = Workspace()

    # Parameters -------------------------------------------------------------------------

    @property
    def params(self) -> list[np.ndarray]:
        """``[kernels, biases]``."""
        return [self.kernels, self.biases]

    @params.setter
    def params(self, values) -> None:
        self._set_params(self.param_names, values)

    # Propagation ------------------------------------------------------------------------

    def fprop(self, inputs: np.ndarray) -> np.ndarray:
        """Cross-correlate ``inputs`` with the kernels and add the biases: ``Y = [K_2D b] [X_col; 1]``.

        Args:
            inputs: array of shape ``(batch_size, num_input_channels, input_height, input_width)``.

        Returns:
            outputs: array of shape ``(batch_size, num_output_channels, output_height, output_width)``.
        """
        inputs = self._checked_inputs(inputs)
        columns = self._columns(inputs, reuse=False)
        kernels_and_biases = np.concatenate(
            [self.kernels.reshape(self.num_output_channels, -1), self.biases[:, None]], axis=1)
        with self._phase("product: outputs"):
            outputs = kernels_and_biases @ columns  # (out_channels, positions), one column per output position
        return self._positions_as_images(outputs, inputs.shape[0], self.output_width).transpose(1, 0, 2, 3)

    def bprop(self, inputs: np.ndarray, outputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Gradient with respect to the inputs.

        Each output gradient flows back to every input pixel of its window, weighted by the kernel:
        ``K_2D^T G`` has one column of window gradients per output position, and each column is added
        onto its window (col2im) before the padding is cut off. Both steps go through the images in
        blocks (see ``max_block_bytes``).

        Args:
            inputs: array of shape ``(batch_size, num_input_channels, input_height, input_width)``.
            outputs: what :meth:`fprop` returned for ``inputs``.
            grads_wrt_outputs: array of shape ``(batch_size, num_output_channels, output_height, output_width)``.

        Returns:
            Array of the shape of ``inputs``.
        """
        inputs = self._checked_inputs(inputs)
        grads_wrt_outputs = self._check_grads_wrt_outputs(outputs, grads_wrt_outputs)
        self._check_output_grads_shape(inputs, grads_wrt_outputs)
        batch_size = inputs.shape[0]
        grads_matrix = self._grads_matrix(grads_wrt_outputs)
        kernels_matrix = self.kernels.reshape(self.num_output_channels, -1)
        dtype = np.result_type(kernels_matrix, grads_matrix)
        with self._phase("zero padded input gradients"):
            grads_wrt_padded = np.zeros((self.num_input_channels, batch_size, self.flat_image_length), dtype)
        positions_per_image = self.output_height * self.positions_per_row
        bytes_per_image = kernels_matrix.shape[1] * positions_per_image * dtype.itemsize
        images_per_block = max(1, min(batch_size, self.max_block_bytes // bytes_per_image))
        block_buffer = self._work_array("grads_wrt_columns", (kernels_matrix.shape[1], unaliased_length(
            images_per_block * positions_per_image)), dtype)
        for first in range(0, batch_size, images_per_block):
            last = min(batch_size, first + images_per_block)
            block_positions = slice(first * positions_per_image, last * positions_per_image)
            grads_wrt_columns = block_buffer[:, :block_positions.stop - block_positions.start]
            with self._phase("product: input gradients"):
                np.matmul(kernels_matrix.T, grads_matrix[:, block_positions], out=grads_wrt_columns)
            with self._phase("col2im"):
                self._add_columns_to_images(grads_wrt_columns, grads_wrt_padded[:, first:last])
        return self._unpadded(grads_wrt_padded).transpose(1, 0, 2, 3)

    def grads_wrt_params(self, inputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> list[np.ndarray]:
        """Gradients with respect to ``[kernels, biases]``.

        ``dE/dK_2D = G X_col^T``: each kernel entry collects the output gradients times the input pixels
        it was multiplied with; with the row of ones under ``X_col`` the same product gives the bias
        gradients (the sums of the output gradients per channel). Unused positions have zero output
        gradients, so they add nothing. Penalty gradients are added.

        Args:
            inputs: array of shape ``(batch_size, num_input_channels, input_height, input_width)``.
            grads_wrt_outputs: array of shape ``(batch_size, num_output_channels, output_height, output_width)``.

        Returns:
            ``[grads_wrt_kernels, grads_wrt_biases]`` of the shapes of ``kernels`` and ``biases``.
        """
        inputs = self._checked_inputs(inputs)
        grads_wrt_outputs = as_float_array(repr(self), "grads_wrt_outputs", grads_wrt_outputs)
        self._check_output_grads_shape(inputs, grads_wrt_outputs)
        columns = self._columns(inputs, reuse=True)
        grads_matrix = self._grads_matrix(grads_wrt_outputs)
        with self._phase("product: kernel gradients"):
            # computed transposed, (rows of columns, out_channels): BLAS is faster that way round
            grads_wrt_kernels_and_biases = (columns @ grads_matrix.T).T
        grads_wrt_kernels = grads_wrt_kernels_and_biases[:, :-1].reshape(self.kernels.shape)
        grads_wrt_biases = np.ascontiguousarray(grads_wrt_kernels_and_biases[:, -1])
        return self._add_penalty_grads([grads_wrt_kernels, grads_wrt_biases])

    # Layout helpers ---------------------------------------------------------------------

    def _checked_inputs(self, inputs) -> np.ndarray:
        inputs = self._float_inputs(inputs)
        check_shape(repr(self), "inputs", inputs,
                    ("batch_size", self.num_input_channels, self.input_height, self.input_width))
        return inputs

    def _check_output_grads_shape(self, inputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> None:
        check_shape(repr(self), "grads_wrt_outputs", grads_wrt_outputs,
                    (inputs.shape[0], self.num_output_channels, self.output_height, self.output_width))

    def _flat_as_images(self, flat_images: np.ndarray) -> np.ndarray:
        """View ``(channels, batch, flat_image_length)`` as ``(channels, batch, padded_height, padded_width)``."""
        image_size = self.padded_height * self.padded_width
        return flat_images[:, :, :image_size].reshape(*flat_images.shape[:2], self.padded_height, self.padded_width)

    def _unpadded(self, flat_images: np.ndarray) -> np.ndarray:
        """The interior of padded flat images: a view ``(channels, batch, input_height, input_width)``."""
        pad = self.padding
        return self._flat_as_images(flat_images)[:, :, pad:pad + self.input_height, pad:pad + self.input_width]

    def _positions_as_images(self, matrix: np.ndarray, batch_size: int, width: int) -> np.ndarray:
        """View a ``(rows, >= batch_size * positions)`` matrix as ``(rows, batch, output_height, width)``.

        ``width`` is ``output_width`` for the outputs proper, ``positions_per_row`` to include the unused
        positions of stride 1.
        """
        num_positions = batch_size * self.output_height * self.positions_per_row
        images = matrix[:, :num_positions].reshape(matrix.shape[0], batch_size, self.output_height,
                                                   self.positions_per_row)
        return images[..., :width]

    def _window_pixels(self, flat_images: np.ndarray, offset_row: int, offset_col: int) -> np.ndarray:
        """The pixel at window offset ``(offset_row, offset_col)`` of every output position, as a view.

        Args:
            flat_images: padded images of shape ``(channels, batch, flat_image_length)``.

        Returns:
            A view of shape ``(channels, batch, output_height, positions_per_row)``: with stride 1 the
            flattened images shifted by ``offset_row * padded_width + offset_col`` (one slice), otherwise
            the strided slice of rows ``i * stride + offset_row`` and columns ``j * stride + offset_col``.
        """
        channels, batch_size = flat_images.shape[:2]
        if self.stride == 1:
            start = offset_row * self.padded_width + offset_col
            shifted = flat_images[:, :, start:start + self.output_height * self.padded_width]
            return shifted.reshape(channels, batch_size, self.output_height, self.padded_width)
        rows, cols = offset_slices(offset_row, offset_col, self.output_height, self.output_width, self.stride)
        return self._flat_as_images(flat_images)[:, :, rows, cols]

    def _padded_inputs(self, inputs: np.ndarray) -> np.ndarray:
        """``inputs`` copied channel-major, zero-padded and flattened: ``(channels, batch, flat_image_length)``."""
        shape = (self.num_input_channels, inputs.shape[0], self.flat_image_length)
        padded = self._work_array("padded", shape, inputs.dtype, initial=0)  # the zeros are written once
        with self._phase("pad (channel-major copy)"):
            self._unpadded(padded)[...] = inputs.transpose(1, 0, 2, 3)
        return padded

    def _columns(self, inputs: np.ndarray, reuse: bool) -> np.ndarray:
        """The im2col matrix of ``inputs`` with a last row of ones, shape ``(in_channels * kh * kw + 1, >= positions)``.

        Row ``(c, di, dj)`` (in that nesting order) and column ``q`` (position ``q`` of the module
        docstring, images one after the other) hold the padded pixel of channel ``c`` at offset
        ``(di, dj)`` of window ``q``. Columns past the last position are zero.

        :meth:`fprop` always builds it (``reuse=False``: in training every call brings a new batch) and
        keeps it; :meth:`grads_wrt_params` (``reuse=True``) reuses it for inputs equal in value to the kept
        padded copy (not by identity, so inputs changed in place never get stale columns).
        """
        batch_size = inputs.shape[0]
        num_positions = batch_size * self.output_height * self.positions_per_row
        num_rows = self.num_input_channels * self.kernel_height * self.kernel_width
        key = (self._geometry(), batch_size, inputs.dtype)
        if reuse and self._workspace.holds(key) and self._equals_kept_padded_copy(inputs):
            return self._workspace.kept("columns")
        self._workspace.forget()
        padded = self._padded_inputs(inputs)
        columns = self._work_array("columns", (num_rows + 1, unaliased_length(num_positions)), inputs.dtype,
                                   initial=0, ones_row=True)
        per_offset = columns[:num_rows].reshape(self.num_input_channels, self.kernel_height, self.kernel_width, -1)
        with self._phase("im2col"):
            for offset_row in range(self.kernel_height):
                for offset_col in range(self.kernel_width):
                    rows = per_offset[:, offset_row, offset_col, :num_positions]
                    rows.reshape(self.num_input_channels, batch_size, self.output_height, self.positions_per_row)[...] \
                        = self._window_pixels(padded, offset_row, offset_col)
        self._workspace.remember(key, "padded", "columns")
        return columns

    def _equals_kept_padded_copy(self, inputs: np.ndarray) -> bool:
        """Whether ``inputs`` has the values of the kept padded copy (compared by value, not identity)."""
        with self._phase("compare inputs with the kept copy"):
            return np.array_equal(self._unpadded(self._workspace.kept("padded")), inputs.transpose(1, 0, 2, 3))

    def _add_columns_to_images(self, grads_wrt_columns: np.ndarray, grads_wrt_padded: np.ndarray) -> None:
        """col2im, the adjoint of :meth:`_columns`: add every column onto its window, one slice per offset.

        Args:
            grads_wrt_columns: ``(in_channels * kh * kw, >= positions)`` gradients of the im2col entries
                of the images in ``grads_wrt_padded``.
            grads_wrt_padded: ``(in_channels, batch, flat_image_length)`` array the gradients are added to.
        """
        channels, batch_size = grads_wrt_padded.shape[:2]
        num_positions = batch_size * self.output_height * self.positions_per_row
        per_offset = grads_wrt_columns.reshape(channels, self.kernel_height, self.kernel_width, -1)
        for offset_row in range(self.kernel_height):
            first = per_offset[:, offset_row, 0, :num_positions]
            for offset_col in range(1, self.kernel_width):
                window_grads = per_offset[:, offset_row, offset_col, :num_positions]
                if self.stride == 1:  # pixel q + offset_col of offset (row, 0) is pixel q of offset (row, col)
                    first[:, offset_col:] += window_grads[:, :num_positions - offset_col]
                else:
                    # one offset picks a different pixel for each position, so no pixel is added to twice here
                    self._window_pixels(grads_wrt_padded, offset_row, offset_col)[...] += window_grads.reshape(
                        channels, batch_size, self.output_height, self.output_width)
            self._window_pixels(grads_wrt_padded, offset_row, 0)[...] += first.reshape(
                channels, batch_size, self.output_height, self.positions_per_row)

    def _grads_matrix(self, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Output gradients as a matrix ``(out_channels, >= positions)``, zero at unused positions.

        Copied into a kept array whose unused entries were zeroed when it was made (only the real
        positions are written, whatever the memory layout of ``grads_wrt_outputs``).
        """
        batch_size = grads_wrt_outputs.shape[0]
        num_positions = batch_size * self.output_height * self.positions_per_row
        matrix = self._work_array("grads_matrix", (self.num_output_channels, unaliased_length(num_positions)),
                               grads_wrt_outputs.dtype, initial=0)
        with self._phase("output gradients to channel-major"):
            self._positions_as_images(matrix, batch_size, self.output_width)[...] = \
                grads_wrt_outputs.transpose(1, 0, 2, 3)
        return matrix

    def _work_array(self, name: str, shape: tuple, dtype, initial=None, ones_row: bool = False) -> np.ndarray:
        """A work array, kept while at most ``max_cached_bytes``; it never leaves the layer (results are new arrays)."""
        return self._workspace.array(name, shape, dtype, max_bytes=self.max_cached_bytes, initial=initial,
                                     ones_row=ones_row)

    def _phase(self, name: str):
        """The profiler's timer of phase ``name``, or a context that does nothing."""
        return nullcontext() if self.profiler is None else self.profiler.phase(name)

    def _geometry(self) -> tuple:
        return (self.num_input_channels, self.input_height, self.input_width, self.kernel_height,
                self.kernel_width, self.stride, self.padding)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "profiler": None}  # copies and pickles carry no profiler (nor work arrays)

    def __repr__(self) -> str:
        arguments = (
            f"num_input_channels={self.num_input_channels}, num_output_channels={self.num_output_channels}, "
            f"input_height={self.input_height}, input_width={self.input_width}, "
            f"kernel_height={self.kernel_height}, kernel_width={self.kernel_width}"
        )
        return (f"{type(self).__name__}({arguments}{self._penalty_arguments()}, stride={self.stride}, "
                f"padding={self.padding})")
