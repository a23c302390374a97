# Each activation as a sum of a positive and a negative part (abs, maximum, slope arrays)
import numpy as np


def relu_fprop(inputs):
    return (inputs + np.abs(inputs)) / 2


def relu_bprop(inputs, outputs, grads_wrt_outputs):
    return np.where(outputs > 0, grads_wrt_outputs, 0.0)


def leaky_relu_fprop(inputs, alpha=0.01):
    return np.maximum(inputs, 0) + alpha * np.minimum(inputs, 0)


def leaky_relu_bprop(inputs, outputs, grads_wrt_outputs, alpha=0.01):
    slopes = np.where(inputs > 0, 1.0, alpha)
    return slopes * grads_wrt_outputs


def elu_fprop(inputs, alpha=1.0):
    return np.maximum(inputs, 0) + alpha * (np.exp(np.minimum(inputs, 0)) - 1)


def elu_bprop(inputs, outputs, grads_wrt_outputs, alpha=1.0):
    negative_slope = alpha * np.exp(np.minimum(inputs, 0.0))
    return grads_wrt_outputs * np.where(inputs > 0, 1.0, negative_slope)
