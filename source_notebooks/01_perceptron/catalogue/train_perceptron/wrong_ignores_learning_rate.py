# Calls perceptron_update without passing the learning rate on, so every update uses the default 1.0
def train_perceptron(inputs, targets, learning_rate=1.0, max_epochs=100):
    weights, bias = np.zeros(inputs.shape[1]), 0.0
    mistakes_per_epoch = []
    for _ in range(max_epochs):
        mistakes = 0
        for x, target in zip(inputs, targets):
            weights, bias, mistake = perceptron_update(weights, bias, x, target)
            mistakes += int(mistake)
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return weights, bias, mistakes_per_epoch
