# Rebinds the loop variable (param = param - ...) so the arrays in params never change
import numpy as np


def train_network(params, train_data, num_epochs, learning_rate):
    epoch_errors = []
    for _ in range(num_epochs):
        batch_errors = []
        for inputs_batch, targets_batch in train_data:
            error, grads = network_forward_backward(params, inputs_batch, targets_batch)
            for param, grad in zip(params, grads, strict=True):
                param = param - learning_rate * grad
            batch_errors.append(error)
        epoch_errors.append(float(np.mean(batch_errors)))
    return epoch_errors
