# Indexes rows explicitly and keeps the mistake counts in a NumPy array, trimmed at the end
def train_perceptron(inputs, targets, learning_rate=1.0, max_epochs=100):
    weights = np.zeros(inputs.shape[1])
    bias = 0.0
    counts = np.zeros(max_epochs, dtype=int)
    epochs_run = 0
    for epoch in range(max_epochs):
        for n in range(inputs.shape[0]):
            weights, bias, mistake = perceptron_update(weights, bias, inputs[n], targets[n],
                                                       learning_rate=learning_rate)
            if mistake:
                counts[epoch] += 1
        epochs_run = epoch + 1
        if counts[epoch] == 0:
            break
    return weights, bias, counts[:epochs_run].tolist()
