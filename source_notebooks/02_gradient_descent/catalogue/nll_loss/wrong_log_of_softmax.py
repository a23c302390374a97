# Takes the log of the softmax probabilities, which gives log(0) = -inf for very unlikely classes
def nll_loss(logits, targets):
    return -np.mean(np.sum(targets * np.log(softmax(logits)), axis=1))
