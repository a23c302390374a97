# Recomputes the sigmoid from the inputs with a stable formula (exp of -|u| only)
import numpy as np


def sigmoid_bprop(inputs, outputs, grads_wrt_outputs):
    exp_minus_abs = np.exp(-np.abs(inputs))
    # sigma'(u) = e^{-|u|} / (1 + e^{-|u|})^2 for both signs of u
    return grads_wrt_outputs * exp_minus_abs / (1 + exp_minus_abs) ** 2
