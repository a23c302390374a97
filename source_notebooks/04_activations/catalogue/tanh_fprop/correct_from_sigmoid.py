# Uses the identity tanh(u) = 2 sigma(2u) - 1 with the stable sigmoid of mlp.numerics
def tanh_fprop(inputs):
    return 2.0 * sigmoid(2.0 * inputs) - 1.0
