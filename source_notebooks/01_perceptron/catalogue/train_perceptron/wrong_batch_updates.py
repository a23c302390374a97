# Batch version: finds all mistakes with the weights from the start of the epoch and applies them at once
def train_perceptron(inputs, targets, learning_rate=1.0, max_epochs=100):
    weights, bias = np.zeros(inputs.shape[1]), 0.0
    mistakes_per_epoch = []
    for _ in range(max_epochs):
        wrong = perceptron_predict(weights, bias, inputs) != targets
        weights = weights + learning_rate * (targets * wrong) @ inputs
        bias = bias + learning_rate * np.sum(targets * wrong)
        mistakes_per_epoch.append(int(wrong.sum()))
        if not wrong.any():
            break
    return weights, bias, mistakes_per_epoch
