# For 0 <= alpha < 1, leaky relu is the larger of u and alpha * u
import numpy as np


def leaky_relu_fprop(inputs, alpha=0.01):
    return np.maximum(inputs, alpha * inputs)
