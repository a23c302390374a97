r"""The perceptron (Rosenblatt, 1958): a linear classifier with a sign activation.

Prediction for an input :math:`x`:

.. math:: \hat y = \operatorname{sign}(w \cdot x + b) \in \{-1, +1\},

with the convention :math:`\operatorname{sign}(0) = +1` (a point exactly on the boundary is
put in the positive class), so the prediction is never 0.

Learning rule: for each *misclassified* example :math:`(x_n, t_n)`, i.e.
:math:`\hat y_n \ne t_n`, with targets :math:`t_n \in \{-1, +1\}`,

.. math:: w \leftarrow w + \eta\, t_n x_n, \qquad b \leftarrow b + \eta\, t_n;

correctly classified examples change nothing. If the data are linearly separable, training
one example at a time stops after finitely many mistakes (the perceptron convergence
theorem); on data that are not separable (XOR, two moons) it never settles.

The module offers plain functions (:func:`sign`, :func:`predict`, :func:`rosenblatt_update`)
and the :class:`Perceptron` class built on them.
"""

from __future__ import annotations

import numpy as np

from mlp.validation import as_float_array, as_rng, check_positive_int, check_real, check_shape


def sign(values: np.ndarray) -> np.ndarray:
    """Elementwise sign with ``sign(0) = +1``: an array of -1.0 and +1.0 of the same shape."""
    values = np.asarray(values)
    return np.where(values >= 0, 1.0, -1.0).astype(np.result_type(values.dtype, np.float32))


def _as_batch(owner: str, inputs, num_inputs: int) -> np.ndarray:
    inputs = as_float_array(owner, "inputs", inputs)
    if inputs.ndim == 1:
        inputs = inputs[None, :]
    check_shape(owner, "inputs", inputs, ("batch_size", num_inputs))
    return inputs


def _as_targets(owner: str, targets, batch_size: int) -> np.ndarray:
    targets = np.atleast_1d(as_float_array(owner, "targets", targets))
    check_shape(owner, "targets", targets, (batch_size,))
    if not np.all((targets == 1) | (targets == -1)):
        raise ValueError(
            f"{owner}: expected targets in {{-1, +1}}, got the values {np.unique(targets)[:10]} "
            f"(for labels in {{0, 1}} use 2 * labels - 1)"
        )
    return targets


def predict(weights: np.ndarray, bias: float, inputs: np.ndarray) -> np.ndarray:
    """Perceptron predictions :math:`\\operatorname{sign}(x \\cdot w + b)`.

    Args:
        weights: array of shape ``(num_inputs,)``.
        bias: a number.
        inputs: array of shape ``(batch_size, num_inputs)`` or ``(num_inputs,)``.

    Returns:
        Array of shape ``(batch_size,)`` with entries -1.0 or +1.0.
    """
    weights = as_float_array("predict", "weights", weights)
    inputs = _as_batch("predict", inputs, weights.shape[0])
    return sign(inputs @ weights + bias)


def rosenblatt_update(weights: np.ndarray, bias: float, inputs: np.ndarray, targets: np.ndarray,
                      learning_rate: float = 1.0):
    """One application of the perceptron rule to a batch, returning new parameters.

    Every example the *current* parameters misclassify contributes
    :math:`\\eta\\, t_n x_n` to the weights and :math:`\\eta\\, t_n` to the bias (all at once,
    computed before any change). With a single example this is the classic online rule.

    Args:
        weights: array of shape ``(num_inputs,)`` (not modified).
        bias: a number.
        inputs: array of shape ``(batch_size, num_inputs)`` or ``(num_inputs,)``.
        targets: array of shape ``(batch_size,)`` (or a number) with entries -1 or +1.
        learning_rate: :math:`\\eta > 0`.

    Returns:
        ``(new_weights, new_bias, num_mistakes)``.
    """
    owner = "rosenblatt_update"
    weights = as_float_array(owner, "weights", weights)
    inputs = _as_batch(owner, inputs, weights.shape[0])
    targets = _as_targets(owner, targets, inputs.shape[0])
    learning_rate = check_real(owner, "learning_rate", learning_rate, low=0, low_inclusive=False)
    mistakes = predict(weights, bias, inputs) != targets
    step = learning_rate * targets * mistakes
    return weights + step @ inputs, float(bias + step.sum()), int(mistakes.sum())


class Perceptron:
    """A perceptron with ``weights`` of shape ``(num_inputs,)`` and a scalar ``bias``.

    Args:
        num_inputs: dimension of the inputs.
        learning_rate: :math:`\\eta > 0` of the update rule.
        rng: generator or seed for the order in which :meth:`train` visits the examples
            (``None`` means seed 0). The parameters start at zero, as in Rosenblatt's
            algorithm.
    """

    def __init__(self, num_inputs: int, learning_rate: float = 1.0, rng=None) -> None:
        owner = type(self).__name__
        self.num_inputs = check_positive_int(owner, "num_inputs", num_inputs)
        self.learning_rate = check_real(owner, "learning_rate", learning_rate, low=0,
                                        low_inclusive=False)
        self.rng = as_rng(owner, rng)
        self.weights = np.zeros(self.num_inputs)
        self.bias = 0.0

    def decision_function(self, inputs: np.ndarray) -> np.ndarray:
        """:math:`x \\cdot w + b` for each row of ``inputs``, shape ``(batch_size,)``."""
        return _as_batch(repr(self), inputs, self.num_inputs) @ self.weights + self.bias

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """Predicted classes in {-1, +1}, shape ``(batch_size,)`` (``sign(0) = +1``)."""
        return sign(self.decision_function(inputs))

    def update(self, inputs: np.ndarray, targets: np.ndarray) -> int:
        """Apply the perceptron rule (see :func:`rosenblatt_update`) in place.

        Returns:
            The number of examples that were misclassified before the update.
        """
        self.weights, self.bias, num_mistakes = rosenblatt_update(
            self.weights, self.bias, inputs, targets, self.learning_rate)
        return num_mistakes

    def train(self, inputs: np.ndarray, targets: np.ndarray, max_epochs: int = 100) -> list[int]:
        """Online training: visit the examples one at a time (in an order shuffled by ``rng``
        each epoch), updating after each mistake, until an epoch makes no mistake.

        Args:
            inputs: array of shape ``(num_examples, num_inputs)``.
            targets: array of shape ``(num_examples,)`` with entries -1 or +1.
            max_epochs: give up after this many epochs (the data may not be separable).

        Returns:
            The number of mistakes in each epoch; it ends with 0 if training converged.
        """
        owner = repr(self)
        inputs = _as_batch(owner, inputs, self.num_inputs)
        targets = _as_targets(owner, targets, inputs.shape[0])
        max_epochs = check_positive_int(owner, "max_epochs", max_epochs)
        mistakes_per_epoch = []
        for _ in range(max_epochs):
            mistakes = 0
            for index in self.rng.permutation(inputs.shape[0]):
                mistakes += self.update(inputs[index], targets[index])
            mistakes_per_epoch.append(mistakes)
            if mistakes == 0:
                break
        return mistakes_per_epoch

    def __repr__(self) -> str:
        return f"Perceptron(num_inputs={self.num_inputs}, learning_rate={self.learning_rate:g})"
