# Uses np.max (a reduction along axis 0) instead of the elementwise np.maximum
import numpy as np


def relu_fprop(inputs):
    return np.max(inputs, 0)


def relu_bprop(inputs, outputs, grads_wrt_outputs):
    """Back propagate through an elementwise ReLU: dE/d(inputs), an array of the shape of inputs."""
    return grads_wrt_outputs * (inputs > 0)


def leaky_relu_fprop(inputs, alpha=0.01):
    """Elementwise leaky ReLU: u for u > 0, alpha * u otherwise (0 <= alpha < 1); an array of the shape of inputs."""
    return np.where(inputs > 0, inputs, alpha * inputs)


def leaky_relu_bprop(inputs, outputs, grads_wrt_outputs, alpha=0.01):
    """Back propagate through an elementwise leaky ReLU: dE/d(inputs), an array of the shape of inputs."""
    return np.where(inputs > 0, grads_wrt_outputs, alpha * grads_wrt_outputs)


def elu_fprop(inputs, alpha=1.0):
    """Elementwise ELU: u for u > 0, alpha * (exp(u) - 1) otherwise (alpha > 0); finite for any finite inputs."""
    return np.where(inputs > 0, inputs, alpha * np.expm1(np.minimum(inputs, 0.0)))


def elu_bprop(inputs, outputs, grads_wrt_outputs, alpha=1.0):
    """Back propagate through an elementwise ELU (outputs = elu_fprop(inputs, alpha)): dE/d(inputs)."""
    return np.where(inputs > 0, grads_wrt_outputs, grads_wrt_outputs * (outputs + alpha))

