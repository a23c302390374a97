# Exponentiates the stable log-probabilities, then subtracts the targets
def nll_grad(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return (np.exp(log_probabilities) - targets) / len(logits)
