# Changes the caller's weights array in place with +=
def perceptron_update(weights, bias, x, target, learning_rate=1.0):
    mistake = perceptron_predict(weights, bias, x[np.newaxis, :])[0] != target
    if mistake:
        weights += learning_rate * target * x
        bias += learning_rate * target
    return weights, bias, mistake
