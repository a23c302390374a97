r"""Activation layers: fixed non-linear functions without parameters.

All but :class:`SoftmaxLayer` act on each entry on its own, :math:`y = f(x)`, so they take
inputs of any shape (``(batch_size, dim)`` after an affine layer,
``(batch_size, channels, height, width)`` after a convolution) and back-propagate with

.. math:: \frac{\partial E}{\partial x} = \frac{\partial E}{\partial y}\, f'(x),

where :math:`f'(x)` is often cheapest to write with the output :math:`y` (for the sigmoid,
:math:`f'(x) = y(1 - y)`).

Every function here is stable at :math:`|x| = 1000`: no ``exp`` of a large positive number
is ever evaluated. float32 inputs give float32 outputs and gradients.
"""

from __future__ import annotations

import numpy as np

from mlp.layers.base import Layer
from mlp.numerics import sigmoid, softmax, softplus
from mlp.validation import check_real, check_same_shape


class ElementwiseActivationLayer(Layer):
    """Shared fprop/bprop checks of the element-wise activations.

    Subclasses implement :meth:`_function` (``inputs -> outputs``) and :meth:`_grads_wrt_inputs`
    (``(inputs, outputs, grads_wrt_outputs) -> grads_wrt_inputs``) on float arrays of one shape.
    """

    def fprop(self, inputs: np.ndarray) -> np.ndarray:
        """Apply the activation to every entry.

        Args:
            inputs: array of any shape, batch first, e.g. ``(batch_size, input_dim)``.

        Returns:
            outputs: array of the same shape and dtype.
        """
        return self._function(self._float_inputs(inputs))

    def bprop(self, inputs: np.ndarray, outputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Multiply ``grads_wrt_outputs`` by the derivative of the activation at ``inputs``.

        Args:
            inputs: array given to :meth:`fprop`.
            outputs: array :meth:`fprop` returned (same shape as ``inputs``).
            grads_wrt_outputs: array of the same shape.

        Returns:
            grads_wrt_inputs: array of the same shape.
        """
        inputs = self._float_inputs(inputs)
        outputs = self._float_inputs(outputs, "outputs")
        check_same_shape(repr(self), "inputs", inputs, "outputs", outputs)
        grads_wrt_outputs = self._check_grads_wrt_outputs(outputs, grads_wrt_outputs)
        return self._grads_wrt_inputs(inputs, outputs, grads_wrt_outputs)

    def _function(self, inputs: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__}._function is not implemented")

    def _grads_wrt_inputs(self, inputs: np.ndarray, outputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__}._grads_wrt_inputs is not implemented")


class SigmoidLayer(ElementwiseActivationLayer):
    r"""Logistic sigmoid :math:`y = 1 / (1 + e^{-x})`, with :math:`f'(x) = y (1 - y)`."""

    def _function(self, inputs):
        return sigmoid(inputs)

    def _grads_wrt_inputs(self, inputs, outputs, grads_wrt_outputs):
        return grads_wrt_outputs * outputs * (1 - outputs)


class TanhLayer(ElementwiseActivationLayer):
    r"""Hyperbolic tangent :math:`y = \tanh(x)`, with :math:`f'(x) = 1 - y^2`."""

    def _function(self, inputs):
        return np.tanh(inputs)

    def _grads_wrt_inputs(self, inputs, outputs, grads_wrt_outputs):
        return grads_wrt_outputs * (1 - outputs**2)


class ReluLayer(ElementwiseActivationLayer):
    r"""Rectified linear unit :math:`y = \max(x, 0)`, with :math:`f'(x) = 1` for :math:`x > 0`, else 0.

    >>> layer, inputs = ReluLayer(), np.array([[-1.0, 2.0]])
    >>> layer.fprop(inputs)
    array([[0., 2.]])
    >>> layer.bprop(inputs, layer.fprop(inputs), np.array([[5.0, 5.0]]))  # the gradient passes where x > 0
    array([[0., 5.]])
    """

    def _function(self, inputs):
        return np.maximum(inputs, 0)

    def _grads_wrt_inputs(self, inputs, outputs, grads_wrt_outputs):
        return grads_wrt_outputs * (inputs > 0)


class LeakyReluLayer(ElementwiseActivationLayer):
    r"""Leaky ReLU :math:`y = x` for :math:`x > 0`, else :math:`\alpha x`.

    The small slope :math:`\alpha` for negative inputs keeps some gradient flowing through
    units that a ReLU would switch off.

    Args:
        alpha: slope for negative inputs (a finite real number, 0.01 by default).
    """

    def __init__(self, alpha: float = 0.01) -> None:
        self.alpha = check_real(f"LeakyReluLayer(alpha={alpha!r})", "alpha", alpha)

    def _function(self, inputs):
        return np.where(inputs > 0, inputs, self.alpha * inputs)

    def _grads_wrt_inputs(self, inputs, outputs, grads_wrt_outputs):
        return np.where(inputs > 0, grads_wrt_outputs, self.alpha * grads_wrt_outputs)

    def __repr__(self) -> str:
        return f"LeakyReluLayer(alpha={self.alpha!r})"


class ELULayer(ElementwiseActivationLayer):
    r"""Exponential linear unit :math:`y = x` for :math:`x > 0`, else :math:`\alpha (e^{x} - 1)`.

    For :math:`x \le 0`, :math:`f'(x) = \alpha e^{x} = y + \alpha`. ``expm1`` is only ever
    evaluated at :math:`\min(x, 0)`, so large positive inputs cannot overflow.

    Args:
        alpha: the negative saturation value is :math:`-\alpha` (a finite real number, 1 by default).
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = check_real(f"ELULayer(alpha={alpha!r})", "alpha", alpha)

    def _function(self, inputs):
        return np.where(inputs > 0, inputs, self.alpha * np.expm1(np.minimum(inputs, 0)))

    def _grads_wrt_inputs(self, inputs, outputs, grads_wrt_outputs):
        return np.where(inputs > 0, grads_wrt_outputs, grads_wrt_outputs * (outputs + self.alpha))

    def __repr__(self) -> str:
        return f"ELULayer(alpha={self.alpha!r})"


class SELULayer(ElementwiseActivationLayer):
    r"""Scaled ELU :math:`y = \lambda x` for :math:`x > 0`, else :math:`\lambda \alpha (e^{x} - 1)`.

    The constants :math:`\alpha \approx 1.6733` and :math:`\lambda \approx 1.0507` are chosen
    (Klambauer et al., 2017) so that activations of standard normal inputs keep zero mean and
    unit variance from layer to layer. For :math:`x \le 0`,
    :math:`f'(x) = \lambda \alpha e^{x} = y + \lambda\alpha`.
    """

    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946

    def _function(self, inputs):
        negative_part = self.alpha * np.expm1(np.minimum(inputs, 0))
        return self.scale * np.where(inputs > 0, inputs, negative_part)

    def _grads_wrt_inputs(self, inputs, outputs, grads_wrt_outputs):
        return np.where(inputs > 0, self.scale * grads_wrt_outputs,
                        grads_wrt_outputs * (outputs + self.scale * self.alpha))


class SoftplusLayer(ElementwiseActivationLayer):
    r"""Softplus :math:`y = \log(1 + e^{x})`, a smooth ReLU, with :math:`f'(x) = \sigma(x)`."""

    def _function(self, inputs):
        return softplus(inputs)

    def _grads_wrt_inputs(self, inputs, outputs, grads_wrt_outputs):
        return grads_wrt_outputs * sigmoid(inputs)


class SoftsignLayer(ElementwiseActivationLayer):
    r"""Softsign :math:`y = x / (1 + |x|)`, with :math:`f'(x) = 1 / (1 + |x|)^2 = (1 - |y|)^2`."""

    def _function(self, inputs):
        return inputs / (1 + np.abs(inputs))

    def _grads_wrt_inputs(self, inputs, outputs, grads_wrt_outputs):
        return grads_wrt_outputs * (1 - np.abs(outputs)) ** 2


class SoftmaxLayer(Layer):
    r"""Softmax over the last axis: :math:`y_k = e^{x_k} / \sum_j e^{x_j}`.

    Each row of the outputs is a probability distribution (positive, sums to 1). The Jacobian
    :math:`\partial y_k / \partial x_j = y_k (\delta_{kj} - y_j)` is never built: its product
    with the incoming gradient :math:`g` is

    .. math:: \frac{\partial E}{\partial x_j} = y_j \Big(g_j - \sum_k g_k y_k\Big).
    """

    def fprop(self, inputs: np.ndarray) -> np.ndarray:
        """Softmax of each row.

        Args:
            inputs: array of shape ``(batch_size, num_classes)`` (or more axes; the softmax is
                taken over the last one).

        Returns:
            outputs: array of the same shape; the last axis sums to 1.
        """
        inputs = self._float_inputs(inputs)
        self._check_has_batch_and_class_axes(inputs)
        return softmax(inputs, axis=-1)

    def bprop(self, inputs: np.ndarray, outputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Jacobian-vector product ``outputs * (grads - sum(grads * outputs, last axis))``.

        Args:
            inputs: array of shape ``(batch_size, num_classes)`` given to :meth:`fprop`.
            outputs: the softmax probabilities :meth:`fprop` returned (same shape).
            grads_wrt_outputs: array of the same shape.

        Returns:
            grads_wrt_inputs: array of the same shape.
        """
        outputs = self._float_inputs(outputs, "outputs")
        self._check_has_batch_and_class_axes(outputs, "outputs")
        grads_wrt_outputs = self._check_grads_wrt_outputs(outputs, grads_wrt_outputs)
        weighted_mean = np.sum(grads_wrt_outputs * outputs, axis=-1, keepdims=True)
        return outputs * (grads_wrt_outputs - weighted_mean)

    def _check_has_batch_and_class_axes(self, array: np.ndarray, name: str = "inputs") -> None:
        if array.ndim < 2:
            raise ValueError(
                f"{self!r}: expected {name} with at least 2 dimensions (batch_size, num_classes), "
                f"got an array of shape {array.shape} ({array.ndim} dimensions)"
            )
