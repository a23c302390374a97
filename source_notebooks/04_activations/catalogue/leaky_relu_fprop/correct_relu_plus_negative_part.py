# Adds alpha times the negative part to the ReLU of the inputs
import numpy as np


def leaky_relu_fprop(inputs, alpha=0.01):
    return np.maximum(inputs, 0) + alpha * np.minimum(inputs, 0)
