# Boolean masks, np.clip, np.heaviside and a masked copy instead of np.where
import numpy as np


def relu_fprop(inputs):
    return np.clip(inputs, 0.0, None)


def relu_bprop(inputs, outputs, grads_wrt_outputs):
    return grads_wrt_outputs * np.heaviside(inputs, 0.0)


def leaky_relu_fprop(inputs, alpha=0.01):
    return np.maximum(inputs, alpha * inputs)


def leaky_relu_bprop(inputs, outputs, grads_wrt_outputs, alpha=0.01):
    positive = inputs > 0
    return grads_wrt_outputs * positive + alpha * grads_wrt_outputs * ~positive


def elu_fprop(inputs, alpha=1.0):
    outputs = np.array(inputs, copy=True)
    negative = inputs <= 0
    outputs[negative] = alpha * np.expm1(inputs[negative])
    return outputs


def elu_bprop(inputs, outputs, grads_wrt_outputs, alpha=1.0):
    positive = inputs > 0
    return grads_wrt_outputs * (positive + (~positive) * (outputs + alpha))
