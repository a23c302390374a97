# Compares every pair of units with broadcasting and takes the largest absolute difference
import numpy as np


def largest_unit_difference(weights):
    weights = np.asarray(weights, dtype=float)
    pairwise = np.abs(weights[:, np.newaxis, :] - weights[np.newaxis, :, :])
    return pairwise.max()
