# Indentation slip: updates the parameters once per epoch, with the last batch's gradient only
import numpy as np


def train_network(params, train_data, num_epochs, learning_rate):
    epoch_errors = []
    for _ in range(num_epochs):
        batch_errors = []
        for inputs_batch, targets_batch in train_data:
            error, grads = network_forward_backward(params, inputs_batch, targets_batch)
            batch_errors.append(error)
        for param, grad in zip(params, grads, strict=True):
            param -= learning_rate * grad
        epoch_errors.append(float(np.mean(batch_errors)))
    return epoch_errors
