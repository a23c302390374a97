# Takes the range of each row (the spread of one unit's weights) instead of comparing units input by input
import numpy as np


def largest_unit_difference(weights):
    return float(np.max(np.ptp(weights, axis=1)))
