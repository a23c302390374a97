# Folds the bias into an augmented weight vector and loops with while; no call to perceptron_update
def train_perceptron(inputs, targets, learning_rate=1.0, max_epochs=100):
    augmented_inputs = np.column_stack([inputs, np.ones(len(inputs))])
    parameters = np.zeros(augmented_inputs.shape[1])
    mistakes_per_epoch = []
    while len(mistakes_per_epoch) < max_epochs and (not mistakes_per_epoch or mistakes_per_epoch[-1] > 0):
        mistakes = 0
        for n in range(len(targets)):
            predicted = 1.0 if augmented_inputs[n] @ parameters >= 0 else -1.0
            if predicted != targets[n]:
                parameters = parameters + learning_rate * targets[n] * augmented_inputs[n]
                mistakes += 1
        mistakes_per_epoch.append(mistakes)
    return parameters[:-1], parameters[-1], mistakes_per_epoch
