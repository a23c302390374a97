# Selects the branches by multiplying with masks: exp(1000) = inf and inf * 0 = nan
import numpy as np


def elu_fprop(inputs, alpha=1.0):
    positive = inputs > 0
    return positive * inputs + (~positive) * alpha * (np.exp(inputs) - 1)
