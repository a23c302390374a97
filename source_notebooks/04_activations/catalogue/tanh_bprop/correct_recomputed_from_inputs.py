# Recomputes tanh from the inputs instead of using the outputs
import numpy as np


def tanh_bprop(inputs, outputs, grads_wrt_outputs):
    recomputed = np.tanh(inputs)
    return grads_wrt_outputs - grads_wrt_outputs * recomputed * recomputed
