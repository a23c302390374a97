# Updates in place with np.subtract(..., out=param) and records the errors with a list comprehension per epoch
import numpy as np


def train_network(params, train_data, num_epochs, learning_rate):
    def one_step(inputs_batch, targets_batch):
        error, grads = network_forward_backward(params, inputs_batch, targets_batch)
        for param, grad in zip(params, grads, strict=True):
            np.subtract(param, learning_rate * grad, out=param)
        return error

    return [float(np.mean([one_step(inputs, targets) for inputs, targets in train_data]))
            for _ in range(num_epochs)]
