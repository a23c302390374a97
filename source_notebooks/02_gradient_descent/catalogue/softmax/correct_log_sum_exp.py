# exp(z - logsumexp(z)), with the log-sum-exp written out stably
def softmax(logits):
    row_max = logits.max(axis=-1)[..., np.newaxis]
    log_normaliser = row_max + np.log(np.exp(logits - row_max).sum(axis=-1))[..., np.newaxis]
    return np.exp(logits - log_normaliser)
