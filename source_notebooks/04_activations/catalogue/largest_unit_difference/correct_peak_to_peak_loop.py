# Loops over the inputs and takes the peak-to-peak range of each column
import numpy as np


def largest_unit_difference(weights):
    largest = 0.0
    for column in range(weights.shape[1]):
        largest = max(largest, float(np.ptp(weights[:, column])))
    return largest
