# An affine "activation" 2u + 1: the gradient is right, but it is not non-linear
import numpy as np


def my_activation_fprop(inputs):
    return 2.0 * inputs + 1.0


def my_activation_bprop(inputs, outputs, grads_wrt_outputs):
    return 2.0 * np.asarray(grads_wrt_outputs)
