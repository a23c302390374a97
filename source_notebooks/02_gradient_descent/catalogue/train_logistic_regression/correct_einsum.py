# Logits and parameter gradients written with einsum
def train_logistic_regression(train_data, input_dim, num_classes, num_epochs, learning_rate):
    weights = np.zeros((num_classes, input_dim))
    biases = np.zeros(num_classes)
    epoch_losses = []
    for _epoch in range(num_epochs):
        total, count = 0.0, 0
        for inputs_batch, targets_batch in train_data:
            logits = np.einsum("nd,kd->nk", inputs_batch, weights) + biases
            total += nll_loss(logits, targets_batch)
            count += 1
            grads = nll_grad(logits, targets_batch)
            weights = weights - learning_rate * np.einsum("nk,nd->kd", grads, inputs_batch)
            biases = biases - learning_rate * np.einsum("nk->k", grads)
        epoch_losses.append(total / count)
    return weights, biases, epoch_losses
