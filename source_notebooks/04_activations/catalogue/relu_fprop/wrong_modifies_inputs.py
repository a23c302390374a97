# Zeroes the negative entries of the caller's array in place
def relu_fprop(inputs):
    inputs[inputs < 0] = 0.0
    return inputs
