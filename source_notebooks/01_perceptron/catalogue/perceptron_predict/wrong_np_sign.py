# Uses np.sign, which gives 0 (not +1) for points exactly on the boundary
def perceptron_predict(weights, bias, inputs):
    return np.sign(inputs @ weights + bias)
