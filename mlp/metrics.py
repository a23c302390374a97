"""Metrics: numbers that say how good a model's outputs are (pure functions of outputs and targets).

The training loop monitors them (``data_monitors={"acc": accuracy}``) and the lessons' tests
check accuracy bars with them (``mlp.testing`` re-exports :func:`accuracy` for the notebooks).
"""

from __future__ import annotations

import numpy as np

# Bound once when this module is imported (before any notebook cell runs): a student cell that
# rebinds ``np.argmax = ...`` does not change the accuracy the hidden tests compute.
_argmax = np.argmax
_equal = np.equal
_mean = np.mean

__all__ = ["accuracy"]


def accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of rows whose largest output is at the one-of-K target's class.

    Args:
        outputs: array of shape (batch_size, num_classes).
        targets: one-of-K array of the same shape.

    Returns:
        A float in [0, 1].

    >>> outputs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    >>> targets = np.array([[0, 1], [0, 1], [0, 1]])
    >>> accuracy(outputs, targets)  # rows 0 and 2 are right
    0.6666666666666666
    """
    return float(_mean(_equal(_argmax(outputs, axis=-1), _argmax(targets, axis=-1))))
