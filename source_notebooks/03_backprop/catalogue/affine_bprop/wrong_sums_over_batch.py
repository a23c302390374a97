# Sums the gradients over the batch first, so every example gets the same (wrong) gradient
import numpy as np


def affine_bprop(grads_wrt_outputs, weights):
    summed = np.sum(grads_wrt_outputs, axis=0, keepdims=True)
    return np.repeat(summed @ weights, grads_wrt_outputs.shape[0], axis=0)
