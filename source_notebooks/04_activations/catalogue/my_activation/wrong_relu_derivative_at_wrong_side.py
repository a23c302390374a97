# A "shifted ReLU" max(0, u - 1) whose derivative tests u > 0 instead of u > 1
import numpy as np


def my_activation_fprop(inputs):
    return np.maximum(inputs - 1.0, 0.0)


def my_activation_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * (inputs > 0)
