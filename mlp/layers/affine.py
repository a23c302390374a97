r"""The affine (fully connected) layer: :math:`\mathbf{y} = \mathbf{W}\mathbf{x} + \mathbf{b}`.

For a batch of row vectors ``inputs`` of shape ``(batch_size, input_dim)`` the layer computes

.. math:: Y = X W^\top + \mathbf{b}

with ``weights`` :math:`W` of shape ``(output_dim, input_dim)`` and ``biases``
:math:`\mathbf{b}` of shape ``(output_dim,)`` (added to every row). Given
:math:`G = \partial E / \partial Y` (shape ``(batch_size, output_dim)``) the chain rule gives

.. math::
    \frac{\partial E}{\partial X} = G W, \qquad
    \frac{\partial E}{\partial W} = G^\top X, \qquad
    \frac{\partial E}{\partial \mathbf{b}} = \sum_{n} G_{n,:}.
"""

from __future__ import annotations

import numpy as np

from mlp.layers.base import LayerWithParameters
from mlp.validation import as_float_array, check_positive_int, check_shape, describe


def check_batch_of_vectors(owner: str, inputs: np.ndarray, input_dim: int) -> None:
    """Raise ``ValueError`` unless ``inputs`` has shape ``(batch_size, input_dim)``.

    A 1-D array gets its own hint: a single example has to be passed as a batch of one.
    """
    if inputs.ndim == 1:
        raise ValueError(
            f"{owner}: expected inputs of shape (batch_size, {input_dim}), got a 1-D array of shape "
            f"{inputs.shape}; pass a single example as a batch of one, e.g. inputs.reshape(1, -1)"
        )
    check_shape(owner, "inputs", inputs, ("batch_size", input_dim))


def _default_weights_initialiser(shape) -> np.ndarray:
    """Uniform on [-0.1, 0.1), always from seed 0, so that a layer built twice is the same layer."""
    return np.random.default_rng(0).uniform(-0.1, 0.1, size=shape)


def _default_biases_initialiser(shape) -> np.ndarray:
    """Zeros."""
    return np.zeros(shape)


class AffineLayer(LayerWithParameters):
    """Fully connected layer ``outputs = inputs @ weights.T + biases``.

    Args:
        input_dim: number of input features (a positive int).
        output_dim: number of output features (a positive int).
        weights_initialiser: callable ``shape -> array`` giving the initial weights of shape
            ``(output_dim, input_dim)``, e.g. ``GlorotUniformInit(rng=0)``. ``None`` draws them
            uniformly from ``[-0.1, 0.1)`` with a fixed seed (0).
        biases_initialiser: callable ``shape -> array`` for the ``(output_dim,)`` biases;
            ``None`` means zeros.
        weights_penalty, biases_penalty: optional penalties (e.g. ``L2Penalty(1e-4)``) with
            ``__call__(param) -> float`` and ``grad(param) -> array``.

    Attributes:
        weights: array of shape ``(output_dim, input_dim)``.
        biases: array of shape ``(output_dim,)``.

    >>> from mlp.initialisers import ConstantInit
    >>> layer = AffineLayer(3, 2, weights_initialiser=ConstantInit(0.5), biases_initialiser=ConstantInit(1.0))
    >>> layer.fprop(np.array([[1.0, 2.0, 3.0]]))  # 0.5 * (1 + 2 + 3) + 1 in both outputs
    array([[4., 4.]])
    >>> layer.fprop(np.zeros((5, 3))).shape  # (batch_size, output_dim)
    (5, 2)
    """

    param_names = ["weights", "biases"]

    def __init__(self, input_dim: int, output_dim: int, weights_initialiser=None, biases_initialiser=None,
                 weights_penalty=None, biases_penalty=None) -> None:
        owner = f"AffineLayer(input_dim={input_dim!r}, output_dim={output_dim!r})"
        self.input_dim = check_positive_int(owner, "input_dim", input_dim)
        self.output_dim = check_positive_int(owner, "output_dim", output_dim)
        self._set_penalties(owner, weights_penalty=weights_penalty, biases_penalty=biases_penalty)
        self.weights = self._initial_value(
            "weights_initialiser", weights_initialiser, _default_weights_initialiser, (output_dim, input_dim))
        self.biases = self._initial_value(
            "biases_initialiser", biases_initialiser, _default_biases_initialiser, (output_dim,))

    def _initial_value(self, name: str, initialiser, default, shape: tuple) -> np.ndarray:
        """Call ``initialiser`` (or ``default``) with ``shape`` and check what comes back."""
        if initialiser is None:
            initialiser = default
        elif not callable(initialiser):
            raise TypeError(
                f"{self!r}: expected {name} to be a callable shape -> array (e.g. UniformInit(-0.1, 0.1)) "
                f"or None, got {describe(initialiser)}"
            )
        value = as_float_array(repr(self), f"the array returned by {name}", initialiser(shape))
        if value.shape != shape:
            raise ValueError(
                f"{self!r}: expected {name} to return an array of shape {shape}, got an array of shape {value.shape}"
            )
        return value

    def fprop(self, inputs: np.ndarray) -> np.ndarray:
        """Forward propagate ``inputs`` through the layer.

        Args:
            inputs: array of shape ``(batch_size, input_dim)``.

        Returns:
            outputs: array of shape ``(batch_size, output_dim)``, ``inputs @ weights.T + biases``.
        """
        inputs = self._float_inputs(inputs)
        check_batch_of_vectors(repr(self), inputs, self.input_dim)
        return inputs @ self.weights.T + self.biases

    def bprop(self, inputs: np.ndarray, outputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Gradients with respect to the inputs, ``grads_wrt_outputs @ weights``.

        Args:
            inputs: array of shape ``(batch_size, input_dim)``.
            outputs: array of shape ``(batch_size, output_dim)`` returned by :meth:`fprop`.
            grads_wrt_outputs: array of shape ``(batch_size, output_dim)``.

        Returns:
            array of shape ``(batch_size, input_dim)``.
        """
        grads_wrt_outputs = self._check_grads_wrt_outputs(outputs, grads_wrt_outputs)
        check_shape(repr(self), "grads_wrt_outputs", grads_wrt_outputs, ("batch_size", self.output_dim))
        return grads_wrt_outputs @ self.weights

    def grads_wrt_params(self, inputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> list[np.ndarray]:
        """Gradients with respect to ``[weights, biases]`` (plus the penalties' gradients, if any).

        Args:
            inputs: array of shape ``(batch_size, input_dim)``.
            grads_wrt_outputs: array of shape ``(batch_size, output_dim)``.

        Returns:
            ``[grads_wrt_weights, grads_wrt_biases]`` of shapes ``(output_dim, input_dim)`` and
            ``(output_dim,)``: ``grads_wrt_outputs.T @ inputs`` and ``grads_wrt_outputs.sum(axis=0)``.
        """
        inputs = self._float_inputs(inputs)
        check_batch_of_vectors(repr(self), inputs, self.input_dim)
        grads_wrt_outputs = as_float_array(repr(self), "grads_wrt_outputs", grads_wrt_outputs)
        check_shape(repr(self), "grads_wrt_outputs", grads_wrt_outputs, (inputs.shape[0], self.output_dim))
        grads_wrt_weights = grads_wrt_outputs.T @ inputs
        grads_wrt_biases = grads_wrt_outputs.sum(axis=0)
        return self._add_penalty_grads([grads_wrt_weights, grads_wrt_biases])

    @property
    def params(self) -> list[np.ndarray]:
        """``[weights, biases]`` (the layer's own arrays, not copies)."""
        return [self.weights, self.biases]

    @params.setter
    def params(self, values) -> None:
        self._set_params(self.param_names, values)

    def __repr__(self) -> str:
        return f"AffineLayer(input_dim={self.input_dim}, output_dim={self.output_dim}{self._penalty_arguments()})"
