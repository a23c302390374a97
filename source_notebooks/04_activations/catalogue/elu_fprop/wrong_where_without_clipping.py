# np.where with exp of the raw inputs: right values, but exp(1000) overflows in the branch that is thrown away
import numpy as np


def elu_fprop(inputs, alpha=1.0):
    return np.where(inputs > 0, inputs, alpha * (np.exp(inputs) - 1))
