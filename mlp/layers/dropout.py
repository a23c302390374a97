r"""Dropout: while training, keep each unit with probability :math:`p` and drop the rest.

"Inverted" dropout scales the kept units by :math:`1/p` during training,

.. math:: y = \frac{m \odot x}{p}, \qquad m_i \sim \mathrm{Bernoulli}(p),

so that :math:`\mathbb{E}[y] = x` and the layer is simply the identity at evaluation time.
The gradient goes back through the kept units only, with the same mask and scale:
:math:`\partial E / \partial x = m \odot (\partial E / \partial y) / p`.
"""

from __future__ import annotations

import numpy as np

from mlp.layers.base import StochasticLayer
from mlp.validation import as_rng, check_real


class DropoutLayer(StochasticLayer):
    """Inverted dropout.

    Args:
        rng: a ``numpy.random.Generator`` (or ``RandomState``) or an integer seed that the masks
            are drawn from; ``None`` means seed 0. The same seed gives the same sequence of masks.
        incl_prob: probability :math:`p \\in (0, 1]` of keeping each unit (0.5 by default).

    ``bprop`` uses the mask of the most recent ``fprop``, so call them in that order, on
    inputs of the same shape.
    """

    def __init__(self, rng=None, incl_prob: float = 0.5) -> None:
        owner = f"DropoutLayer(rng={rng!r}, incl_prob={incl_prob!r})"
        self.incl_prob = check_real(owner, "incl_prob", incl_prob, low=0.0, high=1.0, low_inclusive=False)
        self._rng_argument = rng
        self.rng = as_rng(owner, rng)
        self._mask = None  # boolean mask of the last training-mode fprop
        self._last_fprop_stochastic = None  # None until the first fprop

    def fprop(self, inputs: np.ndarray, stochastic: bool = True) -> np.ndarray:
        """Drop units at random (``stochastic=True``) or pass ``inputs`` through unchanged.

        Args:
            inputs: array of any shape, batch first.
            stochastic: ``True`` while training (draws and stores a new mask), ``False`` for
                evaluation (the identity).

        Returns:
            outputs: array of the shape and dtype of ``inputs``: ``inputs * mask / incl_prob``
            when training.
        """
        inputs = self._float_inputs(inputs)
        self._last_fprop_stochastic = bool(stochastic)
        if not stochastic:
            self._mask = None
            return inputs
        self._mask = self.rng.uniform(size=inputs.shape) < self.incl_prob
        return inputs * self._mask / self.incl_prob

    def bprop(self, inputs: np.ndarray, outputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Send the gradients back through the units the last ``fprop`` kept.

        Args:
            inputs: array given to the last :meth:`fprop`.
            outputs: array it returned.
            grads_wrt_outputs: array of the same shape.

        Returns:
            grads_wrt_inputs: ``grads_wrt_outputs * mask / incl_prob`` after a training-mode
            ``fprop``; ``grads_wrt_outputs`` itself after an evaluation-mode one.
        """
        grads_wrt_outputs = self._check_grads_wrt_outputs(outputs, grads_wrt_outputs)
        if self._last_fprop_stochastic is None:
            raise ValueError(
                f"{self!r}: bprop needs the dropout mask of the preceding fprop, but fprop has not been "
                "called yet; call fprop(inputs) first"
            )
        if not self._last_fprop_stochastic:
            return grads_wrt_outputs
        if self._mask.shape != grads_wrt_outputs.shape:
            raise ValueError(
                f"{self!r}: expected grads_wrt_outputs of the shape {self._mask.shape} of the last fprop's "
                f"inputs (its dropout mask), got an array of shape {grads_wrt_outputs.shape}"
            )
        return grads_wrt_outputs * self._mask / self.incl_prob

    def __repr__(self) -> str:
        return f"DropoutLayer(rng={self._rng_argument!r}, incl_prob={self.incl_prob!r})"
