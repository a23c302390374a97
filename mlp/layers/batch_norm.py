r"""Batch normalisation: standardise each feature over the batch, then scale and shift.

While training, for inputs :math:`X` of shape ``(batch_size, input_dim)`` with batch size
:math:`N`, each feature :math:`j` is normalised with the batch mean and (biased) variance

.. math::
    \mu_j = \frac{1}{N}\sum_n x_{nj}, \qquad
    \sigma_j^2 = \frac{1}{N}\sum_n (x_{nj} - \mu_j)^2, \qquad
    \hat x_{nj} = \frac{x_{nj} - \mu_j}{\sqrt{\sigma_j^2 + \epsilon}}, \qquad
    y_{nj} = \gamma_j \hat x_{nj} + \beta_j .

Because :math:`\mu` and :math:`\sigma^2` depend on every example in the batch, the gradient
with respect to one input involves the whole batch: with :math:`d_{nj} = \gamma_j\,\partial E/\partial y_{nj}`,

.. math::
    \frac{\partial E}{\partial x_{nj}} = \frac{1}{\sqrt{\sigma_j^2 + \epsilon}}
    \Big(d_{nj} - \frac{1}{N}\sum_m d_{mj} - \hat x_{nj}\,\frac{1}{N}\sum_m d_{mj}\,\hat x_{mj}\Big).

The layer keeps exponential moving averages of the batch statistics,
``running = momentum * running + (1 - momentum) * batch``, and uses them in place of the
batch statistics at evaluation time (``stochastic=False``), when the layer is a fixed
affine map of each feature.
"""

from __future__ import annotations

import numpy as np

from mlp.layers.affine import check_batch_of_vectors
from mlp.layers.base import StochasticLayerWithParameters
from mlp.validation import as_float_array, as_rng, check_positive_int, check_real, check_shape


class BatchNormalizationLayer(StochasticLayerWithParameters):
    """Batch normalisation of ``(batch_size, input_dim)`` inputs.

    Args:
        input_dim: number of features (a positive int).
        rng: accepted for compatibility with the other layers (an integer seed or a NumPy
            generator); nothing here is random, ``gamma`` starts at ones and ``beta`` at zeros.
        epsilon: small positive number added to the variance before the square root.
        momentum: weight in ``[0, 1]`` of the old running statistics in each update.
        gamma_penalty, beta_penalty: optional penalties (e.g. ``L2Penalty(1e-4)``) with
            ``__call__(param) -> float`` and ``grad(param) -> array``, as for the other layers.

    Attributes:
        gamma, beta: the scale and shift, arrays of shape ``(input_dim,)``.
        running_mean, running_var: moving averages of the batch means and (biased) variances,
            shape ``(input_dim,)``, starting at zeros and ones.

    ``bprop`` and ``grads_wrt_params`` differentiate the forward pass that ``fprop`` last ran:
    the training-mode one (batch statistics; also assumed before any ``fprop``) or, after
    ``fprop(inputs, stochastic=False)``, the evaluation-mode one (running statistics).

    >>> layer = BatchNormalizationLayer(2)
    >>> layer.fprop(np.array([[1.0, 10.0], [3.0, 30.0]])).round(4)  # each feature: (x - mean) / std
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> layer.running_mean  # 0.9 * 0 + 0.1 * the batch means (2, 20)
    array([0.2, 2. ])
    """

    param_names = ["gamma", "beta"]

    def __init__(self, input_dim: int, rng=None, epsilon: float = 1e-5, momentum: float = 0.9,
                 gamma_penalty=None, beta_penalty=None) -> None:
        owner = f"BatchNormalizationLayer(input_dim={input_dim!r}, epsilon={epsilon!r}, momentum={momentum!r})"
        self.input_dim = check_positive_int(owner, "input_dim", input_dim)
        self.rng = as_rng(owner, rng)
        self.epsilon = check_real(owner, "epsilon", epsilon, low=0.0, low_inclusive=False)
        self.momentum = check_real(owner, "momentum", momentum, low=0.0, high=1.0)
        self._set_penalties(owner, gamma_penalty=gamma_penalty, beta_penalty=beta_penalty)
        self.gamma = np.ones(self.input_dim)
        self.beta = np.zeros(self.input_dim)
        self.running_mean = np.zeros(self.input_dim)
        self.running_var = np.ones(self.input_dim)
        self._last_fprop_stochastic = True

    # Statistics -----------------------------------------------------------------------------

    def _check_inputs(self, inputs) -> np.ndarray:
        inputs = self._float_inputs(inputs)
        check_batch_of_vectors(repr(self), inputs, self.input_dim)
        return inputs

    def _statistics(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ``(mean, variance)`` used to normalise ``inputs`` in the current mode."""
        if self._last_fprop_stochastic:
            if inputs.shape[0] == 0:
                raise ValueError(
                    f"{self!r}: expected at least one example to compute batch statistics from, "
                    f"got an array of shape {inputs.shape}"
                )
            return inputs.mean(axis=0), inputs.var(axis=0)
        return self.running_mean.astype(inputs.dtype), self.running_var.astype(inputs.dtype)

    def _normalise(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(normalised inputs, 1 / sqrt(variance + epsilon))`` in the current mode."""
        mean, variance = self._statistics(inputs)
        inverse_std = 1 / np.sqrt(variance + self.epsilon)
        return (inputs - mean) * inverse_std, inverse_std

    # Propagation ----------------------------------------------------------------------------

    def fprop(self, inputs: np.ndarray, stochastic: bool = True) -> np.ndarray:
        """Normalise each feature, then scale by ``gamma`` and shift by ``beta``.

        Args:
            inputs: array of shape ``(batch_size, input_dim)``.
            stochastic: ``True`` while training: normalise with the batch statistics and update
                the running averages. ``False`` for evaluation: normalise with the running
                averages (and leave them as they are).

        Returns:
            outputs: array of shape ``(batch_size, input_dim)``.
        """
        inputs = self._check_inputs(inputs)
        self._last_fprop_stochastic = bool(stochastic)
        normalised, _ = self._normalise(inputs)
        if stochastic:
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * inputs.mean(axis=0)
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * inputs.var(axis=0)
        return self.gamma * normalised + self.beta

    def bprop(self, inputs: np.ndarray, outputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Gradients with respect to the inputs (see the module docstring for the formula).

        Args:
            inputs: array of shape ``(batch_size, input_dim)`` given to :meth:`fprop`.
            outputs: array :meth:`fprop` returned.
            grads_wrt_outputs: array of shape ``(batch_size, input_dim)``.

        Returns:
            grads_wrt_inputs: array of shape ``(batch_size, input_dim)``.
        """
        inputs = self._check_inputs(inputs)
        grads_wrt_outputs = self._check_grads_wrt_outputs(outputs, grads_wrt_outputs)
        check_shape(repr(self), "grads_wrt_outputs", grads_wrt_outputs, inputs.shape)
        normalised, inverse_std = self._normalise(inputs)
        grads_wrt_normalised = grads_wrt_outputs * self.gamma
        if not self._last_fprop_stochastic:  # fixed statistics: a per-feature affine map
            return grads_wrt_normalised * inverse_std
        return inverse_std * (
            grads_wrt_normalised
            - grads_wrt_normalised.mean(axis=0)
            - normalised * (grads_wrt_normalised * normalised).mean(axis=0)
        )

    def grads_wrt_params(self, inputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> list[np.ndarray]:
        """Gradients with respect to ``[gamma, beta]`` (plus the penalties' gradients, if any).

        Args:
            inputs: array of shape ``(batch_size, input_dim)``.
            grads_wrt_outputs: array of shape ``(batch_size, input_dim)``.

        Returns:
            ``[sum over the batch of grads * normalised inputs, sum over the batch of grads]``,
            each of shape ``(input_dim,)``.
        """
        inputs = self._check_inputs(inputs)
        grads_wrt_outputs = as_float_array(repr(self), "grads_wrt_outputs", grads_wrt_outputs)
        check_shape(repr(self), "grads_wrt_outputs", grads_wrt_outputs, inputs.shape)
        normalised, _ = self._normalise(inputs)
        return self._add_penalty_grads([(grads_wrt_outputs * normalised).sum(axis=0), grads_wrt_outputs.sum(axis=0)])

    # Parameters -----------------------------------------------------------------------------

    @property
    def params(self) -> list[np.ndarray]:
        """``[gamma, beta]`` (the layer's own arrays, not copies)."""
        return [self.gamma, self.beta]

    @params.setter
    def params(self, values) -> None:
        self._set_params(self.param_names, values)

    def __repr__(self) -> str:
        return (
            f"BatchNormalizationLayer(input_dim={self.input_dim}, epsilon={self.epsilon!r}, "
            f"momentum={self.momentum!r}{self._penalty_arguments()})"
        )
