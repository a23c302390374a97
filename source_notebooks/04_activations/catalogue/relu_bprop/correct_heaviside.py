# Multiplies by the Heaviside step function (value 0 at u = 0)
import numpy as np


def relu_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * np.heaviside(inputs, 0.0)
