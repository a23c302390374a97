# Compares which side of the boundary x is on with which side it should be on; copies before updating
def perceptron_update(weights, bias, x, target, learning_rate=1.0):
    on_positive_side = float(np.sum(weights * x)) + bias >= 0
    mistake = on_positive_side != (target > 0)
    new_weights = np.array(weights, dtype=float, copy=True)
    new_bias = float(bias)
    if mistake:
        new_weights += learning_rate * target * x
        new_bias += learning_rate * target
    return new_weights, new_bias, mistake
