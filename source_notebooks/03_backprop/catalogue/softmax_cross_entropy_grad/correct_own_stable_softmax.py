# Writes its own stable softmax (shift by each row's maximum) and uses len() for the batch size
import numpy as np


def softmax_cross_entropy_grad(logits, targets):
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    probabilities = np.exp(shifted)
    probabilities /= probabilities.sum(axis=-1, keepdims=True)
    return (probabilities - targets) / len(logits)
