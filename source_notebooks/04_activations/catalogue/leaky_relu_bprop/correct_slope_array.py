# Builds an array of slopes (1 or alpha) and multiplies once
import numpy as np


def leaky_relu_bprop(inputs, outputs, grads_wrt_outputs, alpha=0.01):
    slopes = np.where(inputs > 0, 1.0, alpha)
    return slopes * grads_wrt_outputs
