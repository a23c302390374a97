# Normalises over the batch axis (columns) instead of over the classes
def softmax(logits):
    exponentials = np.exp(logits - np.max(logits, axis=0, keepdims=True))
    return exponentials / np.sum(exponentials, axis=0, keepdims=True)
