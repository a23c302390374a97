# Always takes a step of size 1, whatever learning_rate says
def perceptron_update(weights, bias, x, target, learning_rate=1.0):
    prediction = perceptron_predict(weights, bias, x[np.newaxis, :])[0]
    if prediction == target:
        return weights.copy(), bias, False
    return weights + target * x, bias + target, True
