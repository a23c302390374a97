# Target minus prediction: the gradient of the negative of the error
def softmax_cross_entropy_grad(logits, targets):
    return (targets - softmax(logits)) / logits.shape[0]
