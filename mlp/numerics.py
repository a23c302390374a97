"""Numerically stable building blocks shared by layers and errors.

All functions keep the dtype of their input (float32 stays float32) and never overflow,
even at ``|x| = 1000``.
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})` without overflow.

    Uses :math:`e^{-|x|}`, which is at most 1: for ``x >= 0`` it is
    :math:`1 / (1 + e^{-x})`, for ``x < 0`` it is :math:`e^{x} / (1 + e^{x})`.

    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))  # no overflow warning at |x| = 1000
    array([0. , 0.5, 1. ])
    """
    exp_neg_abs = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, exp_neg_abs) / (1.0 + exp_neg_abs)


def softplus(x: np.ndarray) -> np.ndarray:
    r"""Softplus :math:`\log(1 + e^{x}) = \max(x, 0) + \log(1 + e^{-|x|})`."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    r""":math:`\log \sigma(x) = -\mathrm{softplus}(-x)`, accurate for large ``|x|``."""
    return -softplus(-x)


def logsumexp(x: np.ndarray, axis: int = -1) -> np.ndarray:
    r""":math:`\log \sum_k e^{x_k}` along ``axis`` (kept as a length-1 axis)."""
    shift = np.max(x, axis=axis, keepdims=True)
    return shift + np.log(np.sum(np.exp(x - shift), axis=axis, keepdims=True))


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    r""":math:`\log \mathrm{softmax}(x)_k = x_k - \log \sum_j e^{x_j}`."""
    return x - logsumexp(x, axis=axis)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    r""":math:`\mathrm{softmax}(x)_k = e^{x_k - m} / \sum_j e^{x_j - m}` with :math:`m = \max_j x_j`.

    >>> softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))  # rows sum to 1; e^1000 never computed
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    exp_shifted = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return exp_shifted / np.sum(exp_shifted, axis=axis, keepdims=True)
