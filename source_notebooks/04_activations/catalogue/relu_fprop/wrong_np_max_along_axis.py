# Uses np.max (a reduction along axis 0) instead of the elementwise np.maximum
import numpy as np


def relu_fprop(inputs):
    return np.max(inputs, 0)
