# Counts the errors of the end-of-epoch weights instead of the mistakes made during the epoch
def train_perceptron(inputs, targets, learning_rate=1.0, max_epochs=100):
    weights, bias = np.zeros(inputs.shape[1]), 0.0
    mistakes_per_epoch = []
    for _ in range(max_epochs):
        for x, target in zip(inputs, targets):
            weights, bias, _ = perceptron_update(weights, bias, x, target, learning_rate)
        errors = int(np.sum(perceptron_predict(weights, bias, inputs) != targets))
        mistakes_per_epoch.append(errors)
        if errors == 0:
            break
    return weights, bias, mistakes_per_epoch
