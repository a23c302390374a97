# Forgets the minus sign: returns the mean log-likelihood, which is negative
def nll_loss(logits, targets):
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    log_probabilities = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return np.sum(targets * log_probabilities) / logits.shape[0]
