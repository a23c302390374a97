# Uses the logits themselves in place of the probabilities
def nll_grad(logits, targets):
    return (logits - targets) / logits.shape[0]
