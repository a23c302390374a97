# A leaky ReLU with slope 1/5, written with np.maximum and a slope array
import numpy as np


def my_activation_fprop(inputs):
    return np.maximum(inputs, 0.2 * inputs)


def my_activation_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * np.where(inputs > 0, 1.0, 0.2)
