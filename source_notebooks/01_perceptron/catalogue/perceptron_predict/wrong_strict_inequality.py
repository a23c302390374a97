# Uses > instead of >=, so a point on the boundary is predicted -1
def perceptron_predict(weights, bias, inputs):
    scores = inputs @ weights + bias
    return np.where(scores > 0, 1.0, -1.0)
