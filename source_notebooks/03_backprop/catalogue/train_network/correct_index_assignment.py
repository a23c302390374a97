# Replaces the list entries by index (a new array in the same list) and keeps a running sum of errors
def train_network(params, train_data, num_epochs, learning_rate):
    epoch_errors = []
    for _ in range(num_epochs):
        total_error, num_batches = 0.0, 0
        for inputs_batch, targets_batch in train_data:
            error, grads = network_forward_backward(params, inputs_batch, targets_batch)
            for index in range(len(params)):
                params[index] = params[index] - learning_rate * grads[index]
            total_error += error
            num_batches += 1
        epoch_errors.append(total_error / num_batches)
    return epoch_errors
