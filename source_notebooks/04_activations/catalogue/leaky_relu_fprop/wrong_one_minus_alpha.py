# Mixes up the slope: uses (1 - alpha) for negative inputs
import numpy as np


def leaky_relu_fprop(inputs, alpha=0.01):
    return np.where(inputs > 0, inputs, (1 - alpha) * inputs)
