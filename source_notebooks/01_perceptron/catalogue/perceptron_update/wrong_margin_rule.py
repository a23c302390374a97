# Textbook test target * score <= 0: counts a +1 point on the boundary as a mistake, against sign(0) = +1
def perceptron_update(weights, bias, x, target, learning_rate=1.0):
    if target * (x @ weights + bias) <= 0:
        return weights + learning_rate * target * x, bias + learning_rate * target, True
    return weights.copy(), bias, False
