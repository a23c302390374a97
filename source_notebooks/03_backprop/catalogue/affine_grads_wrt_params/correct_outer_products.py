# Sums the per-example outer products with broadcasting, and the biases with a vector of ones
import numpy as np


def affine_grads_wrt_params(inputs, grads_wrt_outputs):
    outer_products = grads_wrt_outputs[:, :, np.newaxis] * inputs[:, np.newaxis, :]
    ones = np.ones(inputs.shape[0])
    return [outer_products.sum(axis=0), ones @ grads_wrt_outputs]
