# Recomputes the derivative as e^-u / (1 + e^-u)^2, which is inf/inf = nan at u = -1000
import numpy as np


def sigmoid_bprop(inputs, outputs, grads_wrt_outputs):
    exp_minus = np.exp(-inputs)
    return grads_wrt_outputs * exp_minus / (1 + exp_minus) ** 2
