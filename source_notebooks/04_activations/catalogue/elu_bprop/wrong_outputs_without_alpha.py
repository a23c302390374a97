# Uses the outputs as the derivative for u <= 0 (forgetting the + alpha)
import numpy as np


def elu_bprop(inputs, outputs, grads_wrt_outputs, alpha=1.0):
    return np.where(inputs > 0, grads_wrt_outputs, grads_wrt_outputs * outputs)
