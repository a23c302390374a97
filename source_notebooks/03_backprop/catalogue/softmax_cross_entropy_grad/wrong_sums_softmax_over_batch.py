# Normalises the softmax over the batch axis instead of over the classes
import numpy as np


def softmax_cross_entropy_grad(logits, targets):
    shifted = np.exp(logits - logits.max(axis=0, keepdims=True))
    return (shifted / shifted.sum(axis=0, keepdims=True) - targets) / logits.shape[0]
