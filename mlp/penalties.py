r"""Parameter penalties (regularisers) added to the training error.

A layer given e.g. ``weights_penalty=L2Penalty(1e-4)`` adds ``penalty(weights)`` to the error
it reports and ``penalty.grad(weights)`` to the gradient with respect to its weights.

* :class:`L1Penalty`: :math:`\lambda \sum_i |p_i|`, which pushes parameters to exactly zero
  (sparse weights);
* :class:`L2Penalty`: :math:`\frac{\lambda}{2} \sum_i p_i^2`, "weight decay": its gradient
  :math:`\lambda p` shrinks every parameter in proportion to its size.
"""

from __future__ import annotations

import numpy as np

from mlp.validation import as_float_array, check_real


class _Penalty:
    """Shared ``coefficient`` handling; subclasses implement ``__call__`` and ``grad``."""

    def __init__(self, coefficient: float) -> None:
        self.coefficient = check_real(
            f"{type(self).__name__}(coefficient={coefficient!r})", "coefficient", coefficient,
            low=0.0, low_inclusive=False,
        )

    def _parameter(self, parameter) -> np.ndarray:
        return as_float_array(repr(self), "parameter", parameter)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(coefficient={self.coefficient!r})"


class L1Penalty(_Penalty):
    r"""L1 penalty :math:`\lambda \sum_i |p_i|` with (sub)gradient :math:`\lambda\,\mathrm{sign}(p_i)`.

    At :math:`p_i = 0`, where :math:`|p|` has a kink, the subgradient 0 is used.

    Args:
        coefficient: :math:`\lambda > 0`.

    >>> penalty = L1Penalty(0.5)
    >>> penalty(np.array([1.0, -2.0, 0.0])), penalty.grad(np.array([1.0, -2.0, 0.0]))  # 0.5 * 3, 0.5 * sign(p)
    (1.5, array([ 0.5, -0.5,  0. ]))
    """

    def __call__(self, parameter) -> float:
        """The penalty (a float) for ``parameter``, an array of any shape."""
        return self.coefficient * float(np.sum(np.abs(self._parameter(parameter))))

    def grad(self, parameter) -> np.ndarray:
        """Gradient of the penalty: an array of the shape and dtype of ``parameter``."""
        return self.coefficient * np.sign(self._parameter(parameter))


class L2Penalty(_Penalty):
    r"""L2 penalty :math:`\frac{\lambda}{2} \sum_i p_i^2` with gradient :math:`\lambda p_i`.

    Args:
        coefficient: :math:`\lambda > 0`.

    >>> penalty = L2Penalty(0.1)
    >>> penalty(np.array([1.0, -2.0])), penalty.grad(np.array([1.0, -2.0]))  # 0.05 * (1 + 4), 0.1 * p
    (0.25, array([ 0.1, -0.2]))
    """

    def __call__(self, parameter) -> float:
        """The penalty (a float) for ``parameter``, an array of any shape."""
        return 0.5 * self.coefficient * float(np.sum(self._parameter(parameter) ** 2))

    def grad(self, parameter) -> np.ndarray:
        """Gradient of the penalty: an array of the shape and dtype of ``parameter``."""
        return self.coefficient * self._parameter(parameter)
