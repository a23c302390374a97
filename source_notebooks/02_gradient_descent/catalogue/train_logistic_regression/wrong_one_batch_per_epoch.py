# Takes only the first batch of every epoch instead of looping over all of them
def train_logistic_regression(train_data, input_dim, num_classes, num_epochs, learning_rate):
    weights, biases = np.zeros((num_classes, input_dim)), np.zeros(num_classes)
    epoch_losses = []
    for _ in range(num_epochs):
        inputs_batch, targets_batch = next(iter(train_data))
        logits = inputs_batch @ weights.T + biases
        epoch_losses.append(float(nll_loss(logits, targets_batch)))
        grads_wrt_logits = nll_grad(logits, targets_batch)
        weights -= learning_rate * grads_wrt_logits.T @ inputs_batch
        biases -= learning_rate * grads_wrt_logits.sum(axis=0)
    return weights, biases, epoch_losses
