# Computes alpha * exp(u) for every entry, which overflows at u = 1000 even though that branch is not used
import numpy as np


def elu_bprop(inputs, outputs, grads_wrt_outputs, alpha=1.0):
    return np.where(inputs > 0, grads_wrt_outputs, grads_wrt_outputs * alpha * np.exp(inputs))
