# Returns the sum of the batch losses of each epoch instead of their mean
def train_logistic_regression(train_data, input_dim, num_classes, num_epochs, learning_rate):
    weights, biases = np.zeros((num_classes, input_dim)), np.zeros(num_classes)
    epoch_losses = []
    for _ in range(num_epochs):
        total = 0.0
        for inputs_batch, targets_batch in train_data:
            logits = inputs_batch @ weights.T + biases
            total += nll_loss(logits, targets_batch)
            grads_wrt_logits = nll_grad(logits, targets_batch)
            weights -= learning_rate * grads_wrt_logits.T @ inputs_batch
            biases -= learning_rate * grads_wrt_logits.sum(axis=0)
        epoch_losses.append(float(total))
    return weights, biases, epoch_losses
