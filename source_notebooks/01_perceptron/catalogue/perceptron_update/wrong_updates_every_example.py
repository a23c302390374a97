# Applies the update to every example, including those already classified correctly
def perceptron_update(weights, bias, x, target, learning_rate=1.0):
    prediction = 1.0 if x @ weights + bias >= 0 else -1.0
    return weights + learning_rate * target * x, bias + learning_rate * target, prediction != target
