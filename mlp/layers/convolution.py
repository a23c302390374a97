r"""The convolutional layer (a 2-D cross-correlation, as in the major frameworks).

For inputs :math:`x` of shape ``(batch_size, in_channels, height, width)``, kernels :math:`K`
of shape ``(out_channels, in_channels, kernel_height, kernel_width)`` and biases :math:`b`,
the inputs are padded with ``padding`` zeros on each side (:math:`\tilde x`) and

.. math::
    y_{n,o,i,j} = b_o + \sum_{c} \sum_{d_i, d_j} K_{o,c,d_i,d_j}\,
    \tilde x_{n,c,\,i s + d_i,\,j s + d_j}

with stride :math:`s`. The kernel is not flipped (that would be a convolution in the strict
mathematical sense; the result only differs by a relabelling of the kernel entries).

Implementation: every window becomes a column of one matrix (*im2col*, see
:mod:`mlp.layers.windows`), so the forward pass and both gradients are single matrix products:

* outputs: :math:`Y = K_{2D}\,X_{\text{col}}` with :math:`K_{2D}` of shape ``(out_channels, in_channels * kh * kw)``;
* kernel gradient: :math:`\partial E/\partial K_{2D} = G\,X_{\text{col}}^T` with :math:`G` the output gradients,
  one row per output channel (computed image by image, :math:`\sum_n G_n X_{\text{col},n}^T`, in one batched
  ``np.matmul`` when the gradients are laid out batch-major, which saves copying them);
* input gradient: :math:`K_{2D}^T G`, whose columns are added back onto their windows (*col2im*).
"""

from __future__ import annotations

import numpy as np

from mlp.layers.base import LayerWithParameters
from mlp.layers.windows import add_columns_to_images, image_columns, output_length, pad_channel_major
from mlp.validation import as_float_array, check_non_negative_int, check_positive_int, check_shape, describe


def _penalty_grad(penalty, param: np.ndarray) -> np.ndarray:
    """The penalty's gradient in the parameter's dtype (so float32 stays float32)."""
    return np.asarray(penalty.grad(param)).astype(param.dtype, copy=False)


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

    The outputs (and the gradients :meth:`bprop` returns) are transposed views of channel-major
    arrays: indexing and shapes are as usual, only the memory is laid out ``(channels, batch,
    height, width)``, which is what the matrix products produce. NumPy operations handle that
    transparently, and output gradients that come back in the same layout need no copy.

    Float32 inputs with float32 parameters give float32 results.
    """

    param_names = ["kernels", "biases"]

    #: Work arrays (e.g. the im2col matrix of the latest inputs) are kept between calls when they are
    #: at most this many bytes.
    max_cached_bytes = 256 * 2**20

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
        for name, penalty in (("kernels_penalty", kernels_penalty), ("biases_penalty", biases_penalty)):
            if penalty is not None and not (callable(penalty) and callable(getattr(penalty, "grad", None))):
                raise TypeError(f"{owner}: expected {name} to be None or a penalty with __call__(param) and "
                                f"grad(param) (e.g. L2Penalty(1e-4)), got {describe(penalty)}")
        self.kernels_penalty = kernels_penalty
        self.biases_penalty = biases_penalty
        for name, kernel_size, input_size in (("kernel_height", self.kernel_height, self.input_height),
                                              ("kernel_width", self.kernel_width, self.input_width)):
            if kernel_size > input_size + 2 * self.padding:
                raise ValueError(
                    f"{self!r}: expected {name} to be at most the padded input size "
                    f"{input_size} + 2 * {self.padding} = {input_size + 2 * self.padding}, got {kernel_size}"
                )
        self.output_height = output_length(self.input_height, self.kernel_height, self.stride, self.padding)
        self.output_width = output_length(self.input_width, self.kernel_width, self.stride, self.padding)

        kernels_shape = (self.num_output_channels, self.num_input_channels, self.kernel_height, self.kernel_width)
        if kernels_init is None:
            bound = 1.0 / np.sqrt(self.num_input_channels * self.kernel_height * self.kernel_width)
            kernels = np.random.default_rng(0).uniform(-bound, bound, size=kernels_shape)
        else:
            kernels = kernels_init(kernels_shape)
        biases = np.zeros(self.num_output_channels) if biases_init is None else biases_init((self.num_output_channels,))
        self.kernels = as_float_array(repr(self), "kernels", kernels)
        self.biases = as_float_array(repr(self), "biases", biases)
        check_shape(repr(self), "kernels from kernels_init", self.kernels, kernels_shape)
        check_shape(repr(self), "biases from biases_init", self.biases, (self.num_output_channels,))
        self._workspace: dict[str, np.ndarray] = {}
        self._columns_key = None

    # Parameters -------------------------------------------------------------------------

    @property
    def params(self) -> list[np.ndarray]:
        """``[kernels, biases]``."""
        return [self.kernels, self.biases]

    @params.setter
    def params(self, values) -> None:
        self._set_params(self.param_names, values)

    def params_penalty(self) -> float:
        """Sum of the kernel and bias penalties (0 without penalties)."""
        total = 0.0
        if self.kernels_penalty is not None:
            total += float(self.kernels_penalty(self.kernels))
        if self.biases_penalty is not None:
            total += float(self.biases_penalty(self.biases))
        return total

    # Propagation ------------------------------------------------------------------------

    def fprop(self, inputs: np.ndarray) -> np.ndarray:
        """Cross-correlate ``inputs`` with the kernels and add the biases.

        Args:
            inputs: array of shape ``(batch_size, num_input_channels, input_height, input_width)``.

        Returns:
            outputs: array of shape ``(batch_size, num_output_channels, output_height, output_width)``.
        """
        inputs = self._checked_inputs(inputs)
        columns = self._columns(inputs, reuse=False)
        kernels_and_biases = np.concatenate(
            [self.kernels.reshape(self.num_output_channels, -1), self.biases[:, None]], axis=1)
        outputs = kernels_and_biases @ columns  # (out_channels, batch_size * out_height * out_width)
        return outputs.reshape(self.num_output_channels, inputs.shape[0], self.output_height,
                               self.output_width).transpose(1, 0, 2, 3)

    def bprop(self, inputs: np.ndarray, outputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Gradient with respect to the inputs.

        Each output gradient flows back to every input pixel of its window, weighted by the kernel:
        ``columns = K_2D^T G``, then each column is added onto its window (col2im) and the padding is cut off.

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
        grads_matrix = self._channel_major(grads_wrt_outputs)
        kernels_matrix = self.kernels.reshape(self.num_output_channels, -1)
        dtype = np.result_type(kernels_matrix, grads_matrix)
        grads_wrt_columns = np.matmul(kernels_matrix.T, grads_matrix,
                                      out=self._scratch("grads_wrt_columns", (kernels_matrix.shape[1],
                                                                              grads_matrix.shape[1]), dtype))
        padded_shape = (self.num_input_channels, inputs.shape[0], self.input_height + 2 * self.padding,
                        self.input_width + 2 * self.padding)
        grads_wrt_padded = add_columns_to_images(grads_wrt_columns, padded_shape, self.kernel_height,
                                                 self.kernel_width, self.stride)
        pad = self.padding
        grads_wrt_inputs = grads_wrt_padded[:, :, pad:pad + self.input_height, pad:pad + self.input_width]
        return grads_wrt_inputs.transpose(1, 0, 2, 3)

    def grads_wrt_params(self, inputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> list[np.ndarray]:
        """Gradients with respect to ``[kernels, biases]``.

        ``dE/dK_2D = G X_col^T``: each kernel entry collects the output gradients times the input pixels
        it was multiplied with; with the row of ones in ``X_col`` the same product gives the bias
        gradients (the sums of the output gradients per channel). Penalty gradients are added.

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
        if grads_wrt_outputs.transpose(1, 0, 2, 3).flags.c_contiguous:
            grads_wrt_kernels_and_biases = self._channel_major(grads_wrt_outputs) @ columns.T
        else:  # one product per image instead of copying the gradients to channel-major order
            batch_size = inputs.shape[0]
            per_image_columns = columns.reshape(columns.shape[0], batch_size, -1).transpose(1, 2, 0)
            per_image_grads = grads_wrt_outputs.reshape(batch_size, self.num_output_channels, -1)
            grads_wrt_kernels_and_biases = np.matmul(per_image_grads, per_image_columns).sum(axis=0)
        grads_wrt_kernels = grads_wrt_kernels_and_biases[:, :-1].reshape(self.kernels.shape)
        grads_wrt_biases = np.ascontiguousarray(grads_wrt_kernels_and_biases[:, -1])
        if self.kernels_penalty is not None:
            grads_wrt_kernels = grads_wrt_kernels + _penalty_grad(self.kernels_penalty, self.kernels)
        if self.biases_penalty is not None:
            grads_wrt_biases = grads_wrt_biases + _penalty_grad(self.biases_penalty, self.biases)
        return [grads_wrt_kernels, grads_wrt_biases]

    # Helpers ----------------------------------------------------------------------------

    def _checked_inputs(self, inputs) -> np.ndarray:
        inputs = self._float_inputs(inputs)
        check_shape(repr(self), "inputs", inputs,
                    ("batch_size", self.num_input_channels, self.input_height, self.input_width))
        return inputs

    def _check_output_grads_shape(self, inputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> None:
        check_shape(repr(self), "grads_wrt_outputs", grads_wrt_outputs,
                    (inputs.shape[0], self.num_output_channels, self.output_height, self.output_width))

    def _columns(self, inputs: np.ndarray, reuse: bool) -> np.ndarray:
        """The im2col matrix (with a row of ones) of ``inputs``.

        :meth:`fprop` always builds it (``reuse=False``: in training every call brings a new batch, so
        looking for a kept matrix would only add work), and the layer keeps it: :meth:`grads_wrt_params`
        on the same values (``reuse=True``) then does not build it again. Whether the values are the same
        is checked by comparing them with the kept padded copy (not by object identity), so inputs changed
        in place are never served stale columns.
        """
        pad = self.padding
        padded_shape = (self.num_input_channels, inputs.shape[0], self.input_height + 2 * pad,
                        self.input_width + 2 * pad)
        key = (self._geometry(), padded_shape, inputs.dtype)
        if reuse and self._columns_key == key:
            padded, columns = self._workspace["padded"], self._workspace["columns"]
            interior = padded[:, :, pad:pad + self.input_height, pad:pad + self.input_width]
            if np.array_equal(interior, inputs.transpose(1, 0, 2, 3)):
                return columns
        self._columns_key = None
        num_rows = self.num_input_channels * self.kernel_height * self.kernel_width + 1
        num_columns = inputs.shape[0] * self.output_height * self.output_width
        padded = pad_channel_major(inputs, pad, out=self._scratch("padded", padded_shape, inputs.dtype))
        columns = image_columns(padded, self.kernel_height, self.kernel_width, self.stride, ones_row=True,
                                out=self._scratch("columns", (num_rows, num_columns), inputs.dtype))
        if self._workspace.get("columns") is columns and self._workspace.get("padded") is padded:
            self._columns_key = key
        return columns

    def _channel_major(self, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Output gradients as a matrix of shape ``(out_channels, batch_size * out_height * out_width)``.

        Free (a reshape) when they are already laid out channel-major, as the outputs of :meth:`fprop` are;
        otherwise copied into a reused buffer.
        """
        channel_major = grads_wrt_outputs.transpose(1, 0, 2, 3)
        if channel_major.flags.c_contiguous:
            return channel_major.reshape(self.num_output_channels, -1)
        buffer = self._scratch("grads_matrix", (self.num_output_channels, channel_major[0].size),
                               grads_wrt_outputs.dtype)
        np.copyto(buffer.reshape(channel_major.shape), channel_major)
        return buffer

    def _scratch(self, name: str, shape: tuple, dtype) -> np.ndarray:
        """A work array that is reused from call to call (fresh memory is slow to touch the first time).

        Arrays larger than ``max_cached_bytes`` are not kept, so a large evaluation batch does not keep
        a large buffer alive. Work arrays never leave the layer: everything returned is a new array.
        """
        buffer = self._workspace.get(name)
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
            self._workspace.pop(name, None)
            buffer = np.empty(shape, dtype=dtype)
            if buffer.nbytes <= self.max_cached_bytes:
                self._workspace[name] = buffer
        return buffer

    def _geometry(self) -> tuple:
        return (self.num_input_channels, self.input_height, self.input_width, self.kernel_height,
                self.kernel_width, self.stride, self.padding)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_workspace"], state["_columns_key"] = {}, None  # copies and pickles do not carry work arrays
        return state

    def __repr__(self) -> str:
        arguments = (
            f"num_input_channels={self.num_input_channels}, num_output_channels={self.num_output_channels}, "
            f"input_height={self.input_height}, input_width={self.input_width}, "
            f"kernel_height={self.kernel_height}, kernel_width={self.kernel_width}"
        )
        if self.kernels_penalty is not None:
            arguments += f", kernels_penalty={self.kernels_penalty!r}"
        if self.biases_penalty is not None:
            arguments += f", biases_penalty={self.biases_penalty!r}"
        return f"{type(self).__name__}({arguments}, stride={self.stride}, padding={self.padding})"
