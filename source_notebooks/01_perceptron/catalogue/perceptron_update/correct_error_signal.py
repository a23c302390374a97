# The (target - prediction) / 2 form: zero when right, +-1 when wrong, no if statement
def perceptron_update(weights, bias, x, target, learning_rate=1.0):
    prediction = np.where(np.dot(weights, x) + bias >= 0, 1.0, -1.0)
    error_signal = (target - prediction) / 2.0
    new_weights = weights + learning_rate * error_signal * x
    new_bias = bias + learning_rate * error_signal
    return new_weights, float(new_bias), bool(error_signal != 0)
