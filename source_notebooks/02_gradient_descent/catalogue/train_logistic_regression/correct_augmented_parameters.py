# Folds the biases into one parameter matrix by appending a constant input of 1
def train_logistic_regression(train_data, input_dim, num_classes, num_epochs, learning_rate):
    parameters = np.zeros((num_classes, input_dim + 1))
    epoch_losses = []
    for _ in range(num_epochs):
        losses_this_epoch = []
        for inputs_batch, targets_batch in train_data:
            augmented = np.hstack([inputs_batch, np.ones((len(inputs_batch), 1))])
            logits = augmented @ parameters.T
            losses_this_epoch.append(nll_loss(logits, targets_batch))
            parameters = parameters - learning_rate * nll_grad(logits, targets_batch).T @ augmented
        epoch_losses.append(sum(losses_this_epoch) / len(losses_this_epoch))
    return parameters[:, :-1], parameters[:, -1], epoch_losses
