# Uses einsum and returns a tuple instead of a list
import numpy as np


def affine_grads_wrt_params(inputs, grads_wrt_outputs):
    return np.einsum("nk,nd->kd", grads_wrt_outputs, inputs), np.einsum("nk->k", grads_wrt_outputs)
