# Stops on a clean epoch but does not record it, so the list never ends with 0
def train_perceptron(inputs, targets, learning_rate=1.0, max_epochs=100):
    weights, bias = np.zeros(inputs.shape[1]), 0.0
    mistakes_per_epoch = []
    for _ in range(max_epochs):
        mistakes = 0
        for x, target in zip(inputs, targets):
            weights, bias, mistake = perceptron_update(weights, bias, x, target, learning_rate)
            mistakes += int(mistake)
        if mistakes == 0:
            break
        mistakes_per_epoch.append(mistakes)
    return weights, bias, mistakes_per_epoch
