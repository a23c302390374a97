# np.sign, then every zero (a point on the boundary) replaced by +1
def perceptron_predict(weights, bias, inputs):
    predictions = np.sign(np.dot(inputs, weights) + bias)
    predictions[predictions == 0] = 1
    return predictions
