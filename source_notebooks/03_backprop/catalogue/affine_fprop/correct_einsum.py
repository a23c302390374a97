# Writes the sum over the input dimension with einsum and adds the biases as an explicit row
import numpy as np


def affine_fprop(inputs, weights, biases):
    return np.einsum("nd,kd->nk", inputs, weights) + biases[np.newaxis, :]
