# Moves the weights the wrong way: subtracts target * x instead of adding it
def perceptron_update(weights, bias, x, target, learning_rate=1.0):
    prediction = 1.0 if x @ weights + bias >= 0 else -1.0
    if prediction == target:
        return weights.copy(), bias, False
    return weights - learning_rate * target * x, bias - learning_rate * target, True
