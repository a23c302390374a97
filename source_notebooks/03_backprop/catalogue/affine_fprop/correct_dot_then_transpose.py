# Computes (W X^T)^T with np.dot, then adds the biases
import numpy as np


def affine_fprop(inputs, weights, biases):
    """Affine forward pass, inputs (N, D), weights (K, D), biases (K,) -> (N, K)."""
    outputs = np.dot(weights, inputs.T).T
    return outputs + biases
