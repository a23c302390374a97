# Records each batch loss after the update instead of before it
def train_logistic_regression(train_data, input_dim, num_classes, num_epochs, learning_rate):
    weights, biases = np.zeros((num_classes, input_dim)), np.zeros(num_classes)
    epoch_losses = []
    for _ in range(num_epochs):
        batch_losses = []
        for inputs_batch, targets_batch in train_data:
            grads_wrt_logits = nll_grad(inputs_batch @ weights.T + biases, targets_batch)
            weights -= learning_rate * grads_wrt_logits.T @ inputs_batch
            biases -= learning_rate * grads_wrt_logits.sum(axis=0)
            batch_losses.append(nll_loss(inputs_batch @ weights.T + biases, targets_batch))
        epoch_losses.append(float(np.mean(batch_losses)))
    return weights, biases, epoch_losses
