# Scores with einsum; a boolean turned into -1/+1 by arithmetic (2 * b - 1)
def perceptron_predict(weights, bias, inputs):
    is_positive = np.einsum("nd,d->n", inputs, weights) + bias >= 0
    return 2.0 * is_positive - 1.0
