# Picks each example's correct-class logit and subtracts it from the log-sum-exp of its row
def nll_loss(logits, targets):
    correct_classes = np.argmax(targets, axis=1)
    correct_logits = logits[np.arange(logits.shape[0]), correct_classes]
    row_max = logits.max(axis=1)
    log_sum_exp = row_max + np.log(np.exp(logits - row_max[:, None]).sum(axis=1))
    return float(np.mean(log_sum_exp - correct_logits))
