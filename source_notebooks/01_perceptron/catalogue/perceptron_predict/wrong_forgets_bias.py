# Forgets to add the bias, so every boundary passes through the origin
def perceptron_predict(weights, bias, inputs):
    scores = inputs @ weights
    return np.where(scores >= 0, 1.0, -1.0)
