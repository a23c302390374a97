# Starts the biases at 1 instead of 0 (softmax ignores a shift shared by all classes, so accuracy is unchanged)
def train_logistic_regression(train_data, input_dim, num_classes, num_epochs, learning_rate):
    weights, biases = np.zeros((num_classes, input_dim)), np.ones(num_classes)
    epoch_losses = []
    for _ in range(num_epochs):
        batch_losses = []
        for inputs_batch, targets_batch in train_data:
            logits = inputs_batch @ weights.T + biases
            batch_losses.append(nll_loss(logits, targets_batch))
            grads_wrt_logits = nll_grad(logits, targets_batch)
            weights -= learning_rate * grads_wrt_logits.T @ inputs_batch
            biases -= learning_rate * grads_wrt_logits.sum(axis=0)
        epoch_losses.append(float(np.mean(batch_losses)))
    return weights, biases, epoch_losses
