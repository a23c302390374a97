# Exponentiates the logits without subtracting the maximum, which overflows at logits of 1000
import numpy as np


def softmax_cross_entropy_grad(logits, targets):
    exponentials = np.exp(logits)
    probabilities = exponentials / exponentials.sum(axis=1, keepdims=True)
    return (probabilities - targets) / logits.shape[0]
