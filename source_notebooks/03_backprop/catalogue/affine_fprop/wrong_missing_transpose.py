# Multiplies by the weights without transposing them (shapes only line up for square layers)
def affine_fprop(inputs, weights, biases):
    return inputs @ weights + biases
