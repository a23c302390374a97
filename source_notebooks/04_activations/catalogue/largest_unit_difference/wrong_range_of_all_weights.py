# Takes the range over all entries, mixing different inputs, so identical units with different weights look different
import numpy as np


def largest_unit_difference(weights):
    return float(np.max(weights) - np.min(weights))
