# Compares every unit with the first one only, which can miss the largest difference between two others
import numpy as np


def largest_unit_difference(weights):
    return float(np.max(np.abs(weights - weights[0])))
