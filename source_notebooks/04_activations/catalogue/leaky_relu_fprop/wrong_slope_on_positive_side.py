# Applies the slope alpha to the positive inputs instead of the negative ones
import numpy as np


def leaky_relu_fprop(inputs, alpha=0.01):
    return np.where(inputs > 0, alpha * inputs, inputs)
