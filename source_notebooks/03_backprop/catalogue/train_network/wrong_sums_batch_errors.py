# Returns the sum of each epoch's batch errors instead of their mean (the accuracy is the same)
def train_network(params, train_data, num_epochs, learning_rate):
    epoch_errors = []
    for _ in range(num_epochs):
        total_error = 0.0
        for inputs_batch, targets_batch in train_data:
            error, grads = network_forward_backward(params, inputs_batch, targets_batch)
            for param, grad in zip(params, grads):
                param -= learning_rate * grad
            total_error += error
        epoch_errors.append(float(total_error))
    return epoch_errors
