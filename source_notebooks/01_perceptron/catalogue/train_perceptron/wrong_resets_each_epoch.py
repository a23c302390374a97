# Sets the parameters back to zero at the start of every epoch, so nothing carries over
def train_perceptron(inputs, targets, learning_rate=1.0, max_epochs=100):
    mistakes_per_epoch = []
    for _ in range(max_epochs):
        weights, bias = np.zeros(inputs.shape[1]), 0.0
        mistakes = 0
        for x, target in zip(inputs, targets):
            weights, bias, mistake = perceptron_update(weights, bias, x, target, learning_rate)
            mistakes += int(mistake)
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return weights, bias, mistakes_per_epoch
