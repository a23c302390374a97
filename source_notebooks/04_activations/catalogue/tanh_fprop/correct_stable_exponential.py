# Exponentiates only -2|u| (never overflows) and restores the sign
import numpy as np


def tanh_fprop(inputs):
    decay = np.exp(-2.0 * np.abs(inputs))
    return np.sign(inputs) * (1.0 - decay) / (1.0 + decay)
