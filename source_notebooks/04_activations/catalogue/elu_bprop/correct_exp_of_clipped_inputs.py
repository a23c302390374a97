# Computes alpha * exp(min(u, 0)) from the inputs and 1 for positive inputs
import numpy as np


def elu_bprop(inputs, outputs, grads_wrt_outputs, alpha=1.0):
    negative_slope = alpha * np.exp(np.minimum(inputs, 0.0))
    return grads_wrt_outputs * np.where(inputs > 0, 1.0, negative_slope)
